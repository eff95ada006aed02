#pragma once
// RulesetSwap: the sensor's active ruleset and its replacement while the sensor runs. A reload
// (SIGHUP, the control socket's `reload`) recompiles the rules from the same sources, and a
// signature bundle the collector published and the shipper verified is compiled likewise; both
// compile on a background thread, so capture never waits, and the result is handed to the
// workers between packets. A ruleset that fails to load or compile is refused and the old one
// stays, with the reason logged (and, for a bundle, reported to the collector).

#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gsoc/signatures/DatasetRegistry.hpp"
#include "gsoc/signatures/RuleCompiler.hpp"
#include "gsoc/v1/config.pb.h"
#include "gsoc/v1/bundle.pb.h"

namespace gsoc::sensor {

class SensorTransport;

// Where the rules come from beyond the sensor config's rules: section (the command line's).
struct RulesetOptions {
  std::string rules_config;         // --rules-config: replaces the config's rules: section
  std::vector<std::string> rules;   // --rules, added to rules.rule_files
  std::string classification;       // --classification
  signatures::DatasetOptions datasets;
  std::vector<std::pair<std::string, std::string>> vars;  // --var NAME=VALUE
  std::string cache_dir;            // --cache-dir
  std::string config_file;          // -c: named in errors about the config's rules.<key>
};

// Loads and compiles the ruleset from the config's rules section and the options; nullptr when
// neither names a rule file. Rejected rules are listed on stderr (file:line:column) and counted;
// they never stop the sensor unless rules.strict is set. `previous`: the ruleset a reload
// replaces, whose datasets carry over. Throws on unreadable sources and config errors.
signatures::CompiledRulesetPtr loadRuleset(const RulesetOptions& options, gsoc::v1::SensorConfig config, std::string config_dir,
                                           const signatures::CompiledRulesetPtr& previous = nullptr);

class RulesetSwap {
 public:
  // Hands a freshly compiled ruleset to the workers; called on the thread that calls service().
  using Install = std::function<void(const signatures::CompiledRulesetPtr&)>;

  // `reload_requested`: the flag SIGHUP and the control socket raise (a signal handler can set
  // only a lock-free atomic of its own). `config_dir`: what the config's relative paths are from.
  RulesetSwap(RulesetOptions options, gsoc::v1::SensorConfig config, std::string config_dir,
              std::atomic<bool>& reload_requested);

  // The first load, before capture starts. Throws as loadRuleset does.
  void loadInitial();

  // Thread-safe: the heartbeat, metrics and control socket threads read it.
  [[nodiscard]] signatures::CompiledRulesetPtr active() const;

  // Thread-safe: a verified bundle from the shipper's heartbeat thread, compiled at the next
  // service() (a newer one offered meanwhile replaces it).
  void offerBundle(gsoc::v1::SignatureBundle bundle);

  // Whether service() has work: a reload asked for, a bundle waiting, or a compile running.
  // Cheap enough for every packet.
  [[nodiscard]] bool due() const {
    return reload_requested_.load(std::memory_order_relaxed) || bundle_ready_.load(std::memory_order_relaxed) ||
           compiling_.valid();
  }

  // Starts a compile that is due and, once one has finished, installs its result (or logs why
  // not). `transport`, when shipping: told which bundle is active or why one was refused.
  void service(const Install& install, SensorTransport* transport);

  // Writes the active ruleset's datasets that have a save or state file (at the end of a run).
  void saveDatasets() const;

 private:
  RulesetOptions options_;
  gsoc::v1::SensorConfig config_;
  std::string config_dir_;
  std::atomic<bool>& reload_requested_;
  mutable std::mutex mutex_;  // active_, as other threads read it; installing takes it briefly
  signatures::CompiledRulesetPtr active_;
  std::mutex bundle_mutex_;
  std::optional<gsoc::v1::SignatureBundle> fetched_bundle_;
  std::atomic<bool> bundle_ready_{false};
  std::future<signatures::CompiledRulesetPtr> compiling_;
  std::string compiling_bundle_;  // the bundle version being compiled; "" for a reload
};

}  // namespace gsoc::sensor
