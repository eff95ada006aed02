// What every page of the console shares: the navigation, labels in Japanese and English, and
// fetching the JSON the collector serves. Data from the collector is only ever placed with
// textContent (never innerHTML), so a hostile value in an event stays text.
"use strict";

const Console = (() => {
  // Publication kinds and warning classes as the central team says them (docs/gsocctl.md).
  const KIND_LABELS = {
    warning: "注意喚起 / Warning",
    notice: "通報 / Notice",
    campaign: "キャンペーン / Campaign",
    intel: "脅威情報 / Intel report",
  };
  const WARNING_CLASSES = {
    CLASS_WARNING: "注意喚起 / Warning",
    CLASS_URGENT_WARNING: "警告・助言 / Urgent warning",
    CLASS_INFORMATION: "情報提供 / Information",
  };
  const PAGES = [
    ["/", "ライブフィード / Live feed"],
    ["/sensors", "センサー / Sensors"],
    ["/agencies", "府省庁 / Agencies"],
    ["/notices", "通報 / Notices"],
    ["/hunt", "ハント / Hunt"],
  ];
  const SEVERITY_LABELS = { low: "低 / low", medium: "中 / medium", high: "高 / high", critical: "緊急 / critical" };

  // An element with optional class and text; children appended in order.
  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function header(current) {
    const h = el("header");
    h.appendChild(el("h1", null, "gsoc 中央監視 / Central console"));
    const nav = el("nav");
    for (const [href, label] of PAGES) {
      const a = el("a", href === current ? "current" : null, label);
      a.href = href;
      nav.appendChild(a);
    }
    h.appendChild(nav);
    const who = el("span", "who");
    who.id = "who";
    h.appendChild(who);
    document.body.prepend(h);
    getJson("/api/me").then((me) => { who.textContent = "analyst: " + me.analyst + " (" + me.role + ")"; }).catch(() => {});
  }

  function setStatus(text, isError) {
    const s = document.getElementById("status");
    s.textContent = text;
    s.className = isError ? "status error" : "status";
  }

  // The JSON of an answer, or an Error with the server's reason (its {"error": ...}).
  async function jsonOf(r) {
    if (!r.ok) {
      let why = r.status + " " + r.statusText;
      try { why = (await r.json()).error || why; } catch (e) { /* not JSON */ }
      throw new Error(why);
    }
    return r.json();
  }

  async function getJson(url) {
    return jsonOf(await fetch(url, { credentials: "same-origin", cache: "no-store" }));
  }

  // A state change: JSON in, the session's CSRF token in a header (a cross-site form can send
  // neither the header nor this content type without a preflight the server never allows).
  async function postJson(url, body, csrf) {
    const r = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    return jsonOf(r);
  }

  // Nanoseconds (a JSON string, as protobuf writes int64) as "2026-12-05 09:13:07 UTC".
  function time(ns) {
    if (!ns || ns === "0") return "";
    return new Date(Number(BigInt(ns) / 1000000n)).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }

  function ago(ns, nowNs) {
    const s = Number((BigInt(nowNs) - BigInt(ns)) / 1000000000n);
    if (s < 120) return s + " s ago";
    if (s < 7200) return Math.round(s / 60) + " min ago";
    if (s < 172800) return Math.round(s / 3600) + " h ago";
    return Math.round(s / 86400) + " d ago";
  }

  // Polls `load` every `ms`, showing when it last worked or why it failed.
  function poll(load, ms) {
    const run = async () => {
      try {
        await load();
        setStatus("updated " + new Date().toLocaleTimeString(), false);
      } catch (e) {
        setStatus("cannot load: " + e.message, true);
      }
    };
    run();
    setInterval(run, ms);
  }

  // "SEVERITY_HIGH" -> "high": the enum names protobuf's JSON gives, as the pages show them.
  function lower(enumName, prefix) {
    return enumName ? String(enumName).replace(prefix, "").toLowerCase() : "";
  }

  // A heat-map cell's class: shaded by its count relative to the busiest cell (console.css).
  function heatClass(n, max) {
    if (n === 0) return "heat heat-0";
    const level = Math.min(4, 1 + Math.floor((3 * n) / Math.max(1, max)));
    return "heat heat-" + level;
  }

  function row(cells) {
    const tr = el("tr");
    for (const c of cells) tr.appendChild(c);
    return tr;
  }

  return { KIND_LABELS, WARNING_CLASSES, SEVERITY_LABELS, el, header, getJson, postJson, time, ago, poll, row, setStatus, lower, heatClass };
})();
