#pragma once
// EventSink: the sensor's one numbered stream of gsoc.v1.Event records, shared by its workers.
// Each worker serializes its events itself (EventEncoder) and hands the bytes here; under one
// short lock the sink gives each event the next sequence, puts the event id
// "<sensor>:<epoch>:<sequence>" in front and writes the record to the event file and the spool.
// The id is field 1, which protobuf serializes first, so the bytes are exactly those of the
// whole message serialized at once. Sequences follow the spool's (1, 2, ... per epoch, continued
// across restarts), so an event's id matches the sequence it ships with.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace gsoc::sensor {

class EventFileWriter;
class SensorTransport;

class EventSink {
 public:
  // Either output may be null. With a transport, the epoch and first sequence are its spool's.
  EventSink(std::string sensor_id, std::uint64_t epoch, std::uint64_t next_sequence, EventFileWriter* file,
            SensorTransport* transport);

  // Thread-safe. `body`: an Event serialized without its event id (EventEncoder).
  void write(std::string_view body);

  // The sequence the next event gets.
  [[nodiscard]] std::uint64_t nextSequence() const;

 private:
  mutable std::mutex mutex_;
  std::string sensor_id_;
  std::uint64_t epoch_;
  std::uint64_t next_;
  EventFileWriter* file_;
  SensorTransport* transport_;
  std::string record_;  // reused for each record
};

}  // namespace gsoc::sensor
