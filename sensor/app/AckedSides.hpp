#pragma once
// Both directions' bytes of a flow whose parser (HTTP/1, SMTP, SSH) takes them as Suricata in IDS
// mode does: a side's bytes wait until the other side acknowledges them, and are then parsed at
// that side's next packet, which is where Suricata inspects the transactions they complete
// (issue 15). The parser state owns one, so the held bytes go back to the pool with it.

#include "gsoc/signatures/MatchInput.hpp"
#include "sensor/app/AckedBytes.hpp"

namespace gsoc::sensor {

class AckedSides {
 public:
  AckedBytes& operator[](signatures::FlowDirection dir) { return sides_[dir == signatures::FlowDirection::ToServer ? 0 : 1]; }
  void clear() {
    sides_[0].clear();
    sides_[1].clear();
    on_arrival = false;
    events[0].clear();
    events[1].clear();
  }
  // Anomaly events the parse of a side's acknowledged bytes raised, for the next packet of that
  // side (its transactions' packet, which app-layer-event rules with flow:to_server need).
  signatures::EventSet events[2];
  // Parsed as they arrive from here on (HTTP/2 on an HTTP flow keeps its own timing).
  bool on_arrival = false;

 private:
  AckedBytes sides_[2];
};

}  // namespace gsoc::sensor
