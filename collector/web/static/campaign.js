// One campaign (キャンペーン): what it is (severity, status, agencies, indicators), the
// intelligence reports linked to it, the warnings (注意喚起) and notices (通報) it produced, and its
// evidence over time: a stacked bar chart per agency (Chart.js) and the agency x time heat map,
// an HTML table shaded like the agencies page (core Chart.js has no matrix chart). The STIX 2.1
// and MISP buttons download the Central API's export of this campaign (/api/export).
"use strict";

const STATUS_LABELS = { active: "継続中 / active", dormant: "休止 / dormant", closed: "終了 / closed" };
const NOTICE_STATES = { new: "新規 / new", delivered: "送付済み / delivered", acknowledged: "確認済み / acknowledged", closed: "完了 / closed" };
// Agencies' colours in the timeline, in order; repeated beyond eight.
const COLOURS = ["#1f4e9e", "#b3121f", "#a65b00", "#2e7d32", "#6a1b9a", "#00838f", "#5d4037", "#4b5563"];

let timeline = null;

// A column's start as the heat map's header: "12-05 09h" for hours, "12-05" for days and weeks.
function columnLabel(ns, unit) {
  const t = Console.time(ns);  // "2026-12-05 09:00:00 UTC"
  return unit === "hour" ? t.slice(5, 13) + "h" : t.slice(5, 10);
}

function fact(dl, term, value) {
  dl.appendChild(Console.el("dt", null, term));
  dl.appendChild(Console.el("dd", null, value));
}

function fill(selector, rows, empty) {
  const body = document.querySelector(selector + " tbody");
  body.replaceChildren(...rows);
  if (rows.length === 0) {
    const td = Console.el("td", "empty", empty);
    td.colSpan = document.querySelectorAll(selector + " thead th").length || 1;
    body.appendChild(Console.row([td]));
  }
}

function huntLink(value) {
  const td = Console.el("td");
  const a = Console.el("a", null, value);
  a.href = "/hunt?q=" + encodeURIComponent(value);
  td.appendChild(a);
  return td;
}

function showCampaign(data) {
  const c = data.campaign;
  const severity = Console.lower(c.severity, "SEVERITY_");
  const status = Console.lower(c.status, "STATUS_");
  document.getElementById("title").textContent = "キャンペーン / Campaign: " + (c.title || c.id);
  document.title = (c.title || c.id) + " — gsoc";
  const dl = document.getElementById("facts");
  dl.replaceChildren();
  fact(dl, "ID", c.id);
  fact(dl, "重要度 / Severity", Console.SEVERITY_LABELS[severity] || severity);
  dl.lastChild.className = "sev-" + severity;
  fact(dl, "状態 / Status", STATUS_LABELS[status] || status);
  fact(dl, "府省庁 / Agencies", (c.agencies || []).join(" "));
  fact(dl, "期間 / Seen (UTC)", Console.time(c.first_seen_ns) + " — " + Console.time(c.last_seen_ns));
  fact(dl, "イベント / Events", c.event_count || "0");
  fact(dl, "相関ルール / Rules", (c.correlation_rules || [c.correlation_rule]).join(" "));
  if (c.merged_into) fact(dl, "統合先 / Merged into", c.merged_into);

  fill("#indicators", (c.indicators || []).map((i) => Console.row([
    Console.el("td", null, Console.lower(i.kind, "KIND_")), huntLink(i.value), Console.el("td", null, i.description || "")])),
    "指標なし / no indicators");
  fill("#intel", data.intel.map((r) => Console.row([
    Console.el("td", null, r.id), Console.el("td", null, r.actor), Console.el("td", null, r.summary || ""),
    Console.el("td", null, (r.targets || []).join(" "))])), "なし / none");
  fill("#warnings", data.warnings.map((w) => {
    const tr = Console.row([Console.el("td", null, w.number), Console.el("td", null, Console.WARNING_CLASSES[w.class] || w.class),
      Console.el("td", null, Console.time(w.issued_ns)), Console.el("td", "title", w.title),
      Console.el("td", "num", (w.acknowledgements || []).length)]);
    tr.dataset.number = w.number;
    return tr;
  }), "なし / none");
  fill("#notices", data.notices.map((n) => {
    const state = Console.lower(n.state, "STATE_");
    const sev = Console.lower(n.severity, "SEVERITY_");
    const tr = Console.row([Console.el("td", null, n.number), Console.el("td", null, n.agency_id),
      Console.el("td", null, NOTICE_STATES[state] || state), Console.el("td", sev ? "sev-" + sev : null, sev),
      Console.el("td", null, n.internal_host || ""), Console.el("td", null, n.external_peer || ""), Console.el("td", "title", n.title)]);
    tr.dataset.number = n.number;
    return tr;
  }), "なし / none");
  showEvidence(data.evidence);
}

function showEvidence(ev) {
  document.getElementById("basis").textContent =
    (ev.basis === "indicators" ? "指標を含むイベント / events carrying its indicators"
                               : "府省庁のアラート / its agencies' alerts (it has no indicators)") +
    ", " + ev.events + " events" + (ev.truncated ? " (first " + ev.events + " only)" : "") + ", per " + ev.unit;
  const labels = ev.columns.map((ns) => columnLabel(ns, ev.unit));
  // The heat map: agencies as rows, columns of time, counts shaded against the busiest cell.
  const head = [Console.el("th", null, "府省庁 / Agency")];
  for (const l of labels) head.push(Console.el("th", "num", l));
  head.push(Console.el("th", "num", "計 / Total"));
  document.querySelector("#heatmap thead tr").replaceChildren(...head);
  let max = 0;
  for (const a of ev.agencies) for (const n of a.counts) max = Math.max(max, n);
  fill("#heatmap", ev.agencies.map((a) => {
    const cells = [Console.el("th", null, a.agency_id)];
    a.counts.forEach((n, i) => {
      const td = Console.el("td", Console.heatClass(n, max), n);
      td.title = a.agency_id + " " + labels[i] + ": " + n;
      cells.push(td);
    });
    cells.push(Console.el("td", "num", a.total));
    const tr = Console.row(cells);
    tr.dataset.agency = a.agency_id;
    return tr;
  }), "なし / none");
  // The timeline, stacked by agency.
  const datasets = ev.agencies.map((a, i) => ({ label: a.agency_id, data: a.counts, backgroundColor: COLOURS[i % COLOURS.length] }));
  if (timeline) timeline.destroy();
  timeline = new Chart(document.getElementById("timeline"), {
    type: "bar",
    data: { labels, datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: "events / " + ev.unit } } },
      plugins: { legend: { position: "bottom" } },
    },
  });
}

async function loadCampaign(id) {
  showCampaign(await Console.getJson("/api/campaign?id=" + encodeURIComponent(id)));
}

document.addEventListener("DOMContentLoaded", () => {
  Console.header("/campaign");
  const id = new URLSearchParams(location.search).get("id") || "";
  for (const format of ["stix", "misp"]) {
    const a = document.getElementById("export-" + format);
    a.href = "/api/export?id=" + encodeURIComponent(id) + "&format=" + format;
  }
  if (!id) {
    Console.setStatus("no campaign chosen: open one from the live feed", true);
    return;
  }
  Console.poll(() => loadCampaign(id), 60000);
});
