// The live feed: campaigns, warnings (注意喚起), notices (通報) and intelligence reports of the
// last 7 days, newest first, polled every 5 s. Server-sent events replace the polling next
// (issue 19), so new publications appear without the 5 s wait.
"use strict";

function lower(enumName, prefix) {
  return enumName ? String(enumName).replace(prefix, "").toLowerCase() : "";
}

function describe(p) {
  const d = { severity: "", state: "", agencies: "", title: "", kindLabel: Console.KIND_LABELS[p.kind] || p.kind };
  if (p.warning) {
    d.kindLabel = Console.WARNING_CLASSES[p.warning.class] || d.kindLabel;
    d.title = p.warning.title || "";
    d.agencies = "全府省庁 / all agencies";
    d.state = (p.warning.acknowledgements || []).length + " acknowledged";
  } else if (p.notice) {
    d.title = p.notice.title || "";
    d.severity = lower(p.notice.severity, "SEVERITY_");
    d.state = lower(p.notice.state, "STATE_");
    d.agencies = p.notice.agency_id || p.agency_id || "";
  } else if (p.campaign) {
    d.title = p.campaign.title || "";
    d.severity = lower(p.campaign.severity, "SEVERITY_");
    d.state = lower(p.campaign.status, "STATUS_");
    d.agencies = (p.campaign.agencies || []).join(" ");
  } else if (p.intel) {
    d.title = p.intel.actor + (p.intel.summary ? ": " + p.intel.summary : "");
    d.agencies = (p.intel.targets || []).join(" ");
  }
  return d;
}

async function loadFeed() {
  const data = await Console.getJson("/api/feed");
  const body = document.querySelector("#feed tbody");
  const rows = [];
  for (const p of data.publications) {
    const d = describe(p);
    const kind = Console.el("td");
    kind.appendChild(Console.el("span", "kind kind-" + p.kind, d.kindLabel));
    const tr = Console.row([
      Console.el("td", null, Console.time(p.updated_ns)),
      kind,
      Console.el("td", null, p.number || p.id),
      Console.el("td", d.severity ? "sev-" + d.severity : null, d.severity),
      Console.el("td", null, d.state),
      Console.el("td", null, d.agencies),
      Console.el("td", "title", d.title),
    ]);
    tr.dataset.kind = p.kind;
    tr.dataset.id = p.number || p.id;
    rows.push(tr);
  }
  body.replaceChildren(...rows);
  if (rows.length === 0) body.appendChild(Console.row([Console.el("td", null, "nothing published in the last 7 days")]));
}

document.addEventListener("DOMContentLoaded", () => {
  Console.header("/");
  Console.poll(loadFeed, 5000);
});
