#pragma once
// EventEncoder: one worker's serializer of gsoc.v1.Event records. It fills the records with its
// own EventBuilder and serializes them without the event id, outside any lock, so the workers
// share only EventSink's short numbered write. It keeps one message per body kind: protobuf
// deletes a oneof body whenever another kind replaces it, so a single reused message would
// allocate its body, strings and lists again for nearly every event.

#include <array>
#include <string>
#include <string_view>

#include "gsoc/v1/event.pb.h"
#include "sensor/export/EventFile.hpp"

namespace gsoc::sensor {

class EventEncoder {
 public:
  explicit EventEncoder(EventBuilder builder) : builder_(std::move(builder)) {}

  // The ruleset's HOME_NET, set again by the worker when it swaps in a reloaded ruleset.
  void setHomeNet(signatures::AddressSet home) { builder_.setHomeNet(std::move(home)); }
  void setRulesetVersion(std::string_view version) { builder_.setRulesetVersion(version); }

  // The record's bytes without its event id, valid until the next call.
  std::string_view alert(const AlertHit& hit, std::string_view classtype_description);
  std::string_view flow(const Flow& flow, FlowEndReason reason);
  // Empty for a record that has no Event form.
  std::string_view metadata(const AppMetadata& record);

 private:
  enum Body : std::size_t { kAlert, kFlow, kHttp, kDns, kTls, kSmtp, kBodies };
  std::string_view serialized(const gsoc::v1::Event& event);

  EventBuilder builder_;
  std::array<gsoc::v1::Event, kBodies> events_;
  std::string bytes_;
};

}  // namespace gsoc::sensor
