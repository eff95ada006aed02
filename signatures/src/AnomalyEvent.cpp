#include "gsoc/signatures/AnomalyEvent.hpp"

#include <array>

#include "gsoc/signatures/Rule.hpp"

namespace gsoc::signatures {
namespace {

constexpr std::array<AnomalyEventInfo, kAnomalyEventCount> kEvents = {{
#define GSOC_EVENT_INFO(id, kind, app, name) {EventKind::kind, AppProto::app, name},
    GSOC_ANOMALY_EVENTS(GSOC_EVENT_INFO)
#undef GSOC_EVENT_INFO
}};

}  // namespace

std::string_view eventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::Decode: return "decode";
    case EventKind::Stream: return "stream";
    case EventKind::AppLayer: return "applayer";
  }
  return "decode";
}

const AnomalyEventInfo& anomalyEventInfo(AnomalyEvent event) { return kEvents[static_cast<std::size_t>(event)]; }

std::optional<AnomalyEvent> findAnomalyEvent(EventKind kind, std::string_view name) {
  for (std::size_t i = 0; i < kEvents.size(); ++i) {
    if (kEvents[i].kind == kind && kEvents[i].name == name) return static_cast<AnomalyEvent>(i);
  }
  return std::nullopt;
}

}  // namespace gsoc::signatures
