#pragma once
// SensorTransport: the sensor's side of shipping, assembled from the config's transport:
// section (and command-line overrides): the EventSpool every event goes through and the
// EventShipper that drains it to the collector. Absent when no collector address is set.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "sensor/transport/EventShipper.hpp"
#include "sensor/transport/EventSpool.hpp"

namespace gsoc::v1 {
class Event;
class SensorConfig;
class SignatureBundle;
}  // namespace gsoc::v1

namespace gsoc::sensor {

class EventBuilder;

struct TransportOverrides {
  std::string collector_address;
  std::string spool_dir;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

class SensorTransport {
 public:
  // nullptr when neither the config nor the overrides name a collector. Throws
  // std::invalid_argument naming the transport.* key that is missing or wrong, and
  // std::runtime_error for unreadable files or spool errors.
  static std::unique_ptr<SensorTransport> create(const gsoc::v1::SensorConfig& config, const TransportOverrides& overrides,
                                                 const std::string& config_dir, EventShipper::StatusSource status,
                                                 std::function<void(gsoc::v1::SignatureBundle)> on_bundle = {});
  [[nodiscard]] EventShipper& shipper() { return *shipper_; }

  [[nodiscard]] EventSpool& spool() { return *spool_; }
  // Spools one event built by `builder`. Call under the sensor's output lock, in build order.
  void append(const gsoc::v1::Event& event, EventBuilder& builder);
  void start() { shipper_->start(); }
  // Waits until the collector acknowledged everything, the timeout passed or keep_waiting()
  // turned false. True when drained.
  bool drain(std::chrono::milliseconds timeout, const std::function<bool()>& keep_waiting);
  void stop();
  // Two summary lines for the end of a run.
  [[nodiscard]] std::string summary() const;

 private:
  SensorTransport(std::unique_ptr<EventSpool> spool, ShipperOptions options, EventShipper::StatusSource status);

  std::unique_ptr<EventSpool> spool_;
  std::unique_ptr<EventShipper> shipper_;
  std::string address_;
  std::string buffer_;  // serialization buffer, reused
  std::uint64_t appended_this_run_ = 0;
};

}  // namespace gsoc::sensor
