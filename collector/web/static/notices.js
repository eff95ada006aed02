// Notices (通報) through their lifecycle new -> delivered -> acknowledged -> closed, with who moved
// them and when; overdue ones (not acknowledged within the server's deadline) highlighted. Duty
// officers move a notice on with a button; viewers see the same table without buttons. Warnings
// (注意喚起) with the agencies that acknowledged them and those that have not. Every 15 s.
// A centre keeps far more notices than a page shows: the server sends one page (newest first) of
// the state chosen (open by default) and one agency's or all, with the count per state; the
// choice lives in the address (?show=&agency=, and after_ns/after_id: the page continues after
// that notice, the server's "next"), so a view can be linked.
"use strict";

const STATES = {
  STATE_NEW: "新規 / new",
  STATE_DELIVERED: "送付済み / delivered",
  STATE_ACKNOWLEDGED: "確認済み / acknowledged",
  STATE_CLOSED: "完了 / closed",
};
// The one step a duty officer takes from each state.
const NEXT = {
  STATE_NEW: ["delivered", "送付済みにする / Mark delivered"],
  STATE_DELIVERED: ["acknowledged", "確認済みにする / Record acknowledgement"],
  STATE_ACKNOWLEDGED: ["closed", "完了にする / Close"],
};

let me = { role: "viewer", csrf: "" };
const PAGE = 500;
const view = new URLSearchParams(location.search);

function viewUrl(changes) {
  const next = new URLSearchParams(view);
  for (const [k, v] of Object.entries(changes)) {
    if (v === "" || v === null || v === 0) next.delete(k);
    else next.set(k, String(v));
  }
  const q = next.toString();
  return location.pathname + (q ? "?" + q : "");
}

async function move(number, state, button) {
  button.disabled = true;
  try {
    await Console.postJson("/api/ack", { id: number, state: state }, me.csrf);
    await loadNotices();
  } catch (e) {
    Console.setStatus("cannot move " + number + ": " + e.message, true);
    button.disabled = false;
  }
}

function historyCell(history) {
  const td = Console.el("td", "history");
  for (const h of history || []) {
    td.appendChild(Console.el("div", null, Console.time(h.at_ns) + " " + (STATES[h.state] || h.state) + " — " + h.by));
  }
  return td;
}

async function loadNotices() {
  const seen = Math.max(0, parseInt(view.get("seen") || "0", 10) || 0);  // notices on the pages before, for the range shown
  const query = new URLSearchParams({ show: view.get("show") || "open", limit: String(PAGE) });
  for (const k of ["agency", "after_ns", "after_id"]) if (view.get(k)) query.set(k, view.get(k));
  const data = await Console.getJson("/api/notices?" + query.toString());
  const counts = data.counts || {};
  document.getElementById("counts").textContent = ["STATE_NEW", "STATE_DELIVERED", "STATE_ACKNOWLEDGED", "STATE_CLOSED"]
    .map((s) => STATES[s] + ": " + (counts[s.replace("STATE_", "").toLowerCase()] || 0)).join(" · ");
  const shown = data.notices.length;
  document.getElementById("range").textContent = (shown ? (seen + 1) + "–" + (seen + shown) : "0") + " / " + data.total;
  document.getElementById("newer").disabled = !view.get("after_id");
  const older = document.getElementById("older");
  older.disabled = !data.next;
  older.onclick = data.next
    ? () => location.assign(viewUrl({ after_ns: data.next.after_ns, after_id: data.next.after_id, seen: seen + shown }))
    : null;
  const rows = [];
  for (const item of data.notices) {
    const n = item.notice;
    const state = n.state || "STATE_NEW";
    const action = Console.el("td");
    const next = NEXT[state];
    if (next && me.role === "duty") {
      const b = Console.el("button", "move", next[1]);
      b.type = "button";
      b.dataset.state = next[0];
      b.addEventListener("click", () => move(n.number, next[0], b));
      action.appendChild(b);
    }
    const tr = Console.row([
      Console.el("td", null, n.number),
      Console.el("td", null, n.agency_id),
      Console.el("td", "sev-" + String(n.severity || "").replace("SEVERITY_", "").toLowerCase(), String(n.severity || "").replace("SEVERITY_", "")),
      Console.el("td", "state", STATES[state] || state),
      Console.el("td", null, n.title),
      historyCell(n.history),
      action,
    ]);
    tr.dataset.number = n.number;
    tr.dataset.state = state;
    if (item.overdue) tr.classList.add("overdue");
    rows.push(tr);
  }
  document.querySelector("#notices tbody").replaceChildren(...rows);
  const wrows = [];
  for (const item of data.warnings) {
    const w = item.warning;
    const tr = Console.row([
      Console.el("td", null, w.number),
      Console.el("td", null, Console.WARNING_CLASSES[w["class"]] || w["class"] || ""),
      Console.el("td", null, w.title),
      Console.el("td", "acked", item.acknowledged.join(", ")),
      Console.el("td", item.pending.length ? "pending" : null, item.pending.join(", ")),
    ]);
    tr.dataset.number = w.number;
    wrows.push(tr);
  }
  document.querySelector("#warnings tbody").replaceChildren(...wrows);
}

document.addEventListener("DOMContentLoaded", async () => {
  Console.header("/notices");
  try {
    me = await Console.getJson("/api/me");
  } catch (e) { /* the poll below reports it */ }
  document.getElementById("role").textContent = me.role === "duty"
    ? "当直 / Duty officer: you may move notices on"
    : "閲覧のみ / Viewer: read only";
  document.getElementById("show").value = view.get("show") || "open";
  document.getElementById("agency").value = view.get("agency") || "";
  document.getElementById("notice-filter").addEventListener("submit", (e) => {
    e.preventDefault();
    location.assign(viewUrl({ show: document.getElementById("show").value, agency: document.getElementById("agency").value.trim(),
                              after_ns: "", after_id: "", seen: 0 }));
  });
  document.getElementById("newer").addEventListener("click", () => location.assign(viewUrl({ after_ns: "", after_id: "", seen: 0 })));
  Console.poll(loadNotices, 15000);
});
