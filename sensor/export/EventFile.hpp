#pragma once
// gsoc.v1.Event records as the sensor ships them: one Event per alert, app-layer record and
// flow, with sensor and agency ids. EventBuilder fills everything but the event id
// ("<sensor>:<epoch>:<sequence>"), which only the one numbered output knows (EventSink: the
// spool and batches use the same numbering); it overwrites every envelope field and clears only
// the body it writes, so an Event reused for one kind of record keeps its strings' capacity.
// EventFileWriter writes a length-delimited protobuf file (varint length, message), readable
// with protobuf's ParseDelimitedFromZeroCopyStream.

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sensor/app/AppMetadata.hpp"
#include "sensor/detect/DetectionStage.hpp"
#include "gsoc/signatures/RuleVariables.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::v1 {
class Event;
}

namespace gsoc::sensor {

class EventBuilder {
 public:
  EventBuilder(std::string sensor_id, std::string agency_id, std::string ruleset_version);

  void alert(const AlertHit& hit, std::string_view classtype_description, gsoc::v1::Event& out);
  void flow(const Flow& flow, FlowEndReason reason, gsoc::v1::Event& out);
  // Returns false for records that have no Event form.
  bool metadata(const AppMetadata& record, gsoc::v1::Event& out);

  // The agency's own addresses (the ruleset's HOME_NET): each event says which side of its flow
  // is at home (Event.locality). Until set, events carry LOCALITY_UNSPECIFIED.
  void setHomeNet(signatures::AddressSet home) { home_ = std::move(home); }
  // The version alerts name: a reload's, from the packet the lane applies it at.
  void setRulesetVersion(std::string_view version) { ruleset_version_.assign(version); }

 private:
  void envelope(const Flow& flow, signatures::FlowDirection dir, std::int64_t ts, gsoc::v1::Event& out);

  std::string sensor_id_;
  std::string agency_id_;
  std::string ruleset_version_;
  std::optional<signatures::AddressSet> home_;
};

class EventFileWriter {
 public:
  // Throws std::runtime_error when the file cannot be created.
  explicit EventFileWriter(const std::string& path);
  void write(const gsoc::v1::Event& event);
  // One serialized Event (EventSink's record), written with its length in front.
  void write(std::string_view record);
  void flush() { out_.flush(); }
  [[nodiscard]] std::uint64_t events() const { return events_; }

 private:
  std::unique_ptr<char[]> buffer_;  // the stream's: 1 MiB, so a write call per thousands of events
  std::ofstream out_;
  std::string scratch_;  // write(const Event&)'s serialization, reused
  std::uint64_t events_ = 0;
};

}  // namespace gsoc::sensor
