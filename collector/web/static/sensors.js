// Sensor health, every 10 s: a sensor silent for longer than the collector's
// sensor_silence_timeout_s is stale and shown in red.
"use strict";

async function loadSensors() {
  const data = await Console.getJson("/api/sensors");
  const rows = [];
  for (const s of data.sensors) {
    const tr = Console.row([
      Console.el("td", null, s.agency_id),
      Console.el("td", null, s.sensor_id),
      Console.el("td", null, s.stale ? "停止 / STALE" : "稼働 / ok"),
      Console.el("td", null, Console.ago(s.last_seen_ns, data.now_ns) + " (" + Console.time(s.last_seen_ns) + ")"),
      Console.el("td", "num", s.events),
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
