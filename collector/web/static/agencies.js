// Agencies x the last 7 UTC days: alerts per day, shaded by volume relative to the busiest
// cell, with open and unacknowledged notices (通報), so a hit agency stands out; the counts link
// to the notices page narrowed to that agency. Every 30 s.
"use strict";

// A count that links to the notices page showing those notices of the agency.
function noticesCell(className, count, agency, show) {
  const td = Console.el("td", className);
  if (count > 0) {
    const a = Console.el("a", null, count);
    a.href = "/notices?" + new URLSearchParams({ show: show, agency: agency }).toString();
    td.appendChild(a);
  } else {
    td.textContent = String(count);
  }
  return td;
}

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
    cells.push(noticesCell(a.open_notices > 0 ? "num open-notices" : "num", a.open_notices, a.agency_id, "open"));
    cells.push(noticesCell("num", a.unacknowledged_notices, a.agency_id, "waiting"));
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
