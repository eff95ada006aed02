#pragma once
// The gsoc-sensor command line: every option (gsoc-sensor --help lists them), parsed into the
// settings of the parts they configure (where the rules come from, how the workers detect, what
// EVE records say) and the run's own (input, outputs, shipping). A usage error is reported on
// stderr and ends the program with status 2, as the help text promises.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "sensor/detect/RulesetSwap.hpp"
#include "sensor/export/EventOutput.hpp"
#include "sensor/transport/SensorTransport.hpp"
#include "sensor/worker/SensorEngine.hpp"

namespace gsoc::sensor {

struct SensorOptions {
  std::size_t workers = 0;
  double replay_speed = 0;
  std::string interface;
  std::string bpf;
  double duration = 0;
  std::string events;
  std::string pcap;
  std::string dpdk;
  RulesetOptions ruleset;
  std::string eve;
  DetectionSettings detection;
  EveSettings eve_settings;
  std::string config;
  std::string metrics;
  double stats_interval = 10;
  bool stats_interval_given = false;
  bool tls_encryption_handling_given = false;  // the command line's wins over the config's
  std::optional<std::size_t> max_flows;
  TransportOverrides transport;
  double drain_timeout = 30;
  bool ship_only = false;
};

// Exits on --help (status 0) and on usage errors (status 2).
SensorOptions parseSensorOptions(int argc, char** argv);

// "gsoc-sensor: MESSAGE" and a pointer to --help on stderr, then exit status 2.
[[noreturn]] void usageError(const std::string& message);

}  // namespace gsoc::sensor
