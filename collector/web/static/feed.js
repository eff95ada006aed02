// The live feed: campaigns, warnings (注意喚起), notices (通報) and intelligence reports of the
// last 7 days, newest first. Each publication or revision the collector makes arrives as a
// server-sent event (/api/stream) and the list is read again from /api/feed, so it stays in the
// server's order without a reload; a poll every 30 s covers a stream that is reconnecting. The
// filters are gsocctl feed's (kind, severity at least, status, agencies; warnings go to every
// agency), applied by the server, and kept in the page's address so a filtered view can be shared.
"use strict";

const lower = Console.lower;

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

// A campaign's title links to its page; a warning's or notice's to the campaign it came from.
function titleCell(p, title) {
  const td = Console.el("td", "title");
  const campaign = p.campaign ? p.campaign.id : p.campaign_id;
  if (!campaign || p.kind === "intel") {
    td.textContent = title;
    return td;
  }
  const a = Console.el("a", null, title);
  a.href = "/campaign?id=" + encodeURIComponent(campaign);
  td.appendChild(a);
  return td;
}

const FILTER_KEYS = ["kind", "severity", "status", "agency", "days"];

// The form's filters as /api/feed's query: each value encoded, lists joined by a plain comma.
function filterQuery() {
  const form = document.getElementById("filters");
  const parts = [];
  for (const key of FILTER_KEYS) {
    const items = String(form.elements[key].value).split(",").map((v) => v.trim()).filter((v) => v);
    if (items.length) parts.push(key + "=" + items.map(encodeURIComponent).join(","));
  }
  return parts.join("&");
}

function setupFilters() {
  const form = document.getElementById("filters");
  const given = new URLSearchParams(location.search);
  for (const key of FILTER_KEYS) if (given.has(key)) form.elements[key].value = given.get(key);
  const apply = () => {
    const q = filterQuery();
    history.replaceState(null, "", q ? "/?" + q : "/");
    loadFeed().catch((e) => Console.setStatus("cannot load: " + e.message, true));
  };
  form.addEventListener("change", apply);
  form.addEventListener("submit", (e) => { e.preventDefault(); apply(); });
}

let generation = 0;  // a poll and a stream-triggered read may overlap: only the latest is shown

async function loadFeed() {
  const mine = ++generation;
  const q = filterQuery();
  const data = await Console.getJson("/api/feed" + (q ? "?" + q : ""));
  if (mine !== generation) return;
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
      titleCell(p, d.title),
    ]);
    tr.dataset.kind = p.kind;
    tr.dataset.id = p.number || p.id;
    rows.push(tr);
  }
  body.replaceChildren(...rows);
  if (rows.length === 0) {
    body.appendChild(Console.row([Console.el("td", null, filterQuery() ? "nothing matches these filters in the last 7 days"
                                                                   : "nothing published in the last 7 days")]));
  }
}

function follow() {
  let pending = null;
  const reload = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      loadFeed().catch((e) => Console.setStatus("cannot load: " + e.message, true));
    }, 200);  // a correlation pass publishes several records at once: read them together
  };
  const source = new EventSource("/api/stream");
  source.addEventListener("open", () => {
    document.body.dataset.live = "1";
    reload();  // whatever was published while the stream was (re)connecting
  });
  source.addEventListener("error", () => { delete document.body.dataset.live; });  // EventSource reconnects itself
  source.addEventListener("publication", reload);
  source.addEventListener("overflow", reload);
}

document.addEventListener("DOMContentLoaded", () => {
  Console.header("/");
  setupFilters();
  Console.poll(loadFeed, 30000);
  follow();
});
