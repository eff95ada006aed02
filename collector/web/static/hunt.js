// Hunt (ハント): the stored events of the last N days that carry an indicator (an address,
// domain, hash or mail sender), oldest first: time, agency, sensor, kind, signature and the
// flow's endpoints. A search only (/api/hunt); `gsocctl hunt` is the one that raises notices
// for past hits. The indicator is kept in the page's address so a hunt can be shared.
"use strict";

function endpoint(address, port) {
  if (!address) return "";
  const a = address.includes(":") ? "[" + address + "]" : address;
  return port ? a + ":" + port : a;
}

async function hunt(q, days) {
  Console.setStatus("searching…", false);
  const data = await Console.getJson("/api/hunt?q=" + encodeURIComponent(q) + "&days=" + encodeURIComponent(days));
  const agencies = Object.entries(data.by_agency).map(([a, n]) => a + " " + n).join(", ");
  document.getElementById("summary").textContent = data.events + (data.counted_all ? "" : "+") + " events carry " + data.indicator +
    (agencies ? " (" + agencies + ")" : "") + (data.hits.length < data.events ? "; the first " + data.hits.length + " listed" : "");
  const rows = data.hits.map((h) => {
    const tr = Console.row([
      Console.el("td", null, Console.time(h.timestamp_ns)),
      Console.el("td", null, h.agency_id),
      Console.el("td", null, h.sensor_id),
      Console.el("td", null, h.kind),
      Console.el("td", null, (h.sid ? h.sid + " " : "") + (h.msg || "")),
      Console.el("td", null, endpoint(h.src, h.src_port)),
      Console.el("td", null, endpoint(h.dst, h.dst_port)),
      Console.el("td", "title", h.summary),
    ]);
    tr.dataset.event = h.event_id;
    tr.dataset.agency = h.agency_id;
    return tr;
  });
  const body = document.querySelector("#hits tbody");
  body.replaceChildren(...rows);
  if (rows.length === 0) body.appendChild(Console.row([Console.el("td", "empty", "見つかりません / nothing stored carries it")]));
  document.body.dataset.hunted = q;
  Console.setStatus("searched " + new Date().toLocaleTimeString(), false);
}

document.addEventListener("DOMContentLoaded", () => {
  Console.header("/hunt");
  const form = document.getElementById("hunt");
  const given = new URLSearchParams(location.search);
  if (given.has("days")) form.elements.days.value = given.get("days");
  const run = () => {
    const q = form.elements.q.value.trim();
    if (!q) return;
    const days = form.elements.days.value;
    history.replaceState(null, "", "/hunt?q=" + encodeURIComponent(q) + "&days=" + encodeURIComponent(days));
    hunt(q, days).catch((e) => Console.setStatus("cannot search: " + e.message, true));
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
  if (given.get("q")) {
    form.elements.q.value = given.get("q");
    run();
  }
});
