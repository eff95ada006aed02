// Sensor health, every 10 s: a sensor silent for longer than the collector's
// sensor_silence_timeout_s is stale and shown in red. Each row has a sparkline (Chart.js) of
// the sensor's stored events per second over the collector's last samples (every 10 s, kept in
// the collector's memory, so it starts empty after a restart).
"use strict";

let sparklines = [];  // the charts of the rows shown, destroyed when the rows are replaced

function sparkline(rates) {
  const td = Console.el("td", "spark");
  const last = rates.length ? rates[rates.length - 1] : null;
  td.title = last === null ? "no samples yet" : last.toFixed(1) + " events/s now";
  if (rates.length < 2) {
    td.appendChild(Console.el("span", "empty", last === null ? "—" : last.toFixed(1) + "/s"));
    return td;
  }
  const canvas = Console.el("canvas");
  canvas.width = 160;
  canvas.height = 28;
  td.appendChild(canvas);
  td.appendChild(Console.el("span", "spark-now", last.toFixed(1) + "/s"));
  sparklines.push(new Chart(canvas, {
    type: "line",
    data: { labels: rates.map((_, i) => i), datasets: [{ data: rates, borderColor: "#1f4e9e", borderWidth: 1.5, pointRadius: 0, fill: false }] },
    options: {
      animation: false, responsive: false, events: [],
      scales: { x: { display: false }, y: { display: false, beginAtZero: true } },
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
    },
  }));
  return td;
}

async function loadSensors() {
  const data = await Console.getJson("/api/sensors");
  for (const c of sparklines) c.destroy();
  sparklines = [];
  const rows = [];
  for (const s of data.sensors) {
    const tr = Console.row([
      Console.el("td", null, s.agency_id),
      Console.el("td", null, s.sensor_id),
      Console.el("td", null, s.stale ? "停止 / STALE" : "稼働 / ok"),
      Console.el("td", null, Console.ago(s.last_seen_ns, data.now_ns) + " (" + Console.time(s.last_seen_ns) + ")"),
      Console.el("td", "num", s.events),
      sparkline(s.rates || []),
      Console.el("td", "num", s.spool_depth),
      Console.el("td", "num", s.gap_events + s.spool_dropped),
      Console.el("td", "num", s.clock_offset_ms.toFixed(1) + " ms"),
      Console.el("td", null, s.ruleset_version),
    ]);
    if (s.stale) tr.className = "stale";
    tr.dataset.sensor = s.sensor_id;
    rows.push(tr);
  }
  document.querySelector("#sensors tbody").replaceChildren(...rows);
}

document.addEventListener("DOMContentLoaded", () => {
  Console.header("/sensors");
  Console.poll(loadSensors, 10000);
});
