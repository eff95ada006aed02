#pragma once
// What a tunnel (an HTTP CONNECT answered 2xx) carried while its protocol is not known yet.
// Suricata's protocol detection waits for enough bytes; a tunnel's first segment can be a few
// bytes ("GE" of a "GET"), so they are kept, per direction, and identified together with the
// next ones (up to the app layer's give-up size). The flow holds it as its app state meanwhile.

#include <string>

#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct TunnelProbe final : AppState {
  std::string held[2];  // Flow::kToServer, Flow::kToClient
};

}  // namespace gsoc::sensor
