#pragma once
// gsoc.v1.Event records as the sensor ships them: one Event per alert, app-layer record and
// flow, with sensor and agency ids, a per-run epoch and a contiguous sequence (the transport
// issue's spool and batches use the same numbering). Written as a length-delimited protobuf
// file (varint length, message), readable with protobuf's ParseDelimitedFromZeroCopyStream.

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

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
  EventBuilder(std::string sensor_id, std::string agency_id, std::uint64_t epoch, std::string ruleset_version);

  void alert(const AlertHit& hit, std::string_view classtype_description, gsoc::v1::Event& out);
  void flow(const Flow& flow, FlowEndReason reason, gsoc::v1::Event& out);
  // Returns false for records that have no Event form.
  bool metadata(const AppMetadata& record, gsoc::v1::Event& out);

  // The agency's own addresses (the ruleset's HOME_NET): each event says which side of its flow
  // is at home (Event.locality). Until set, events carry LOCALITY_UNSPECIFIED.
  void setHomeNet(signatures::AddressSet home) { home_ = std::move(home); }

  [[nodiscard]] std::uint64_t nextSequence() const { return sequence_; }
  // The spool numbers events from its own counter (1, 2, ... per epoch, continued across
  // restarts); the builder follows it so event_id matches the sequence the record ships with.
  void continueStream(std::uint64_t epoch, std::uint64_t next_sequence) {
    epoch_ = epoch;
    sequence_ = next_sequence;
  }

 private:
  void envelope(const Flow& flow, signatures::FlowDirection dir, std::int64_t ts, gsoc::v1::Event& out);

  std::string sensor_id_;
  std::string agency_id_;
  std::uint64_t epoch_;
  std::string ruleset_version_;
  std::uint64_t sequence_ = 0;
  std::optional<signatures::AddressSet> home_;
};

class EventFileWriter {
 public:
  // Throws std::runtime_error when the file cannot be created.
  explicit EventFileWriter(const std::string& path);
  void write(const gsoc::v1::Event& event);
  void flush() { out_.flush(); }
  [[nodiscard]] std::uint64_t events() const { return events_; }

 private:
  std::ofstream out_;
  std::uint64_t events_ = 0;
};

}  // namespace gsoc::sensor
