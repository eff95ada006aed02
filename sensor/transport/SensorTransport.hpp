#pragma once
// SensorTransport: the sensor's side of shipping, assembled from the config's transport:
// section (and command-line overrides): the EventSpool every event goes through and the
// EventShipper that drains it to the collector. Absent when no collector address is set.

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sensor/transport/EventShipper.hpp"
#include "sensor/transport/EventSpool.hpp"

namespace gsoc::v1 {
class Event;
class SensorConfig;
class SignatureBundle;
}  // namespace gsoc::v1

namespace gsoc::sensor {

// A bad value of a key in the config's transport: section. `key` is its dotted path in the
// SensorConfig ("transport.collector_addresses.1"), so a caller holding the YAML file can name
// its line and column (gsoc::config::keyError); what() reads "<key>: <reason>" for others.
class TransportKeyError : public std::invalid_argument {
 public:
  TransportKeyError(std::string key, const std::string& reason)
      : std::invalid_argument(key + ": " + reason), key_(std::move(key)), reason_(reason) {}
  [[nodiscard]] const std::string& key() const { return key_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  std::string key_;
  std::string reason_;
};

struct TransportOverrides {
  std::vector<std::string> collector_addresses;  // --collector, repeatable; replaces the config's list
  std::string spool_dir;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

class SensorTransport {
 public:
  // nullptr when neither the config nor the overrides name a collector. Throws
  // TransportKeyError for a bad collector address in the config, std::invalid_argument naming
  // the transport.* key (and option) that is missing or wrong otherwise, and std::runtime_error
  // for unreadable files or spool errors.
  static std::unique_ptr<SensorTransport> create(const gsoc::v1::SensorConfig& config, const TransportOverrides& overrides,
                                                 const std::string& config_dir, EventShipper::StatusSource status,
                                                 std::function<void(gsoc::v1::SignatureBundle)> on_bundle = {});
  [[nodiscard]] EventShipper& shipper() { return *shipper_; }

  [[nodiscard]] EventSpool& spool() { return *spool_; }
  // Spools one serialized event, numbered by EventSink (which calls this in sequence order).
  // False when the spool refused it (closed at shutdown; the spool counts it).
  bool append(std::string_view record);
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
  std::uint64_t appended_this_run_ = 0;
};

}  // namespace gsoc::sensor
