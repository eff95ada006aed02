// Agencies x the last 7 UTC days: alerts per day, shaded by volume relative to the busiest
// cell, with open and unacknowledged notices (通報), so a hit agency stands out. Every 30 s.
"use strict";

async function loadAgencies() {
  const data = await Console.getJson("/api/agencies");
  const head = [Console.el("th", null, "府省庁 / Agency")];
  for (const d of data.days) head.push(Console.el("th", "num", d.slice(5)));
  head.push(Console.el("th", "num", "計 / Total"), Console.el("th", "num", "未完了の通報 / Open notices"),
            Console.el("th", "num", "未確認 / Unacknowledged"));
  document.querySelector("#agencies thead tr").replaceChildren(...head);
  let max = 0;
  for (const a of data.agencies) for (const n of a.alerts) max = Math.max(max, n);
  const rows = [];
  for (const a of data.agencies) {
    const cells = [Console.el("th", null, a.agency_id)];
    for (const n of a.alerts) cells.push(Console.el("td", Console.heatClass(n, max), n));
    cells.push(Console.el("td", "num", a.alerts_total));
    cells.push(Console.el("td", a.open_notices > 0 ? "num open-notices" : "num", a.open_notices));
    cells.push(Console.el("td", "num", a.unacknowledged_notices));
    const tr = Console.row(cells);
    tr.dataset.agency = a.agency_id;
    rows.push(tr);
  }
  document.querySelector("#agencies tbody").replaceChildren(...rows);
}

document.addEventListener("DOMContentLoaded", () => {
  Console.header("/agencies");
  Console.poll(loadAgencies, 30000);
});
