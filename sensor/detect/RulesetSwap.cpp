#include "sensor/detect/RulesetSwap.hpp"

#include <chrono>
#include <iostream>
#include <stdexcept>

#include "gsoc/config/ConfigLoader.hpp"
#include "gsoc/signatures/Bundle.hpp"
#include "gsoc/signatures/RulesetSource.hpp"
#include "sensor/transport/SensorTransport.hpp"

namespace gsoc::sensor {

namespace sig = gsoc::signatures;

sig::CompiledRulesetPtr loadRuleset(const RulesetOptions& options, gsoc::v1::SensorConfig config, std::string config_dir,
                                    const sig::CompiledRulesetPtr& previous) {
  if (!options.rules_config.empty()) {
    gsoc::config::loadYamlFile(options.rules_config, *config.mutable_rules());
    config_dir = std::filesystem::path(options.rules_config).parent_path().string();
    if (config_dir.empty()) config_dir = ".";
  }
  sig::RulesetSource source;
  try {
    source = sig::RulesetSource::fromConfig(config.rules(), config_dir);
  } catch (const sig::ConfigKeyError& e) {
    // Point at the line: the rules config's own key, or the sensor config's rules.<key>.
    if (!options.rules_config.empty()) throw gsoc::config::keyError(options.rules_config, e.key(), e.reason());
    if (!options.config_file.empty()) throw gsoc::config::keyError(options.config_file, "rules." + e.key(), e.reason());
    throw;
  }
  for (const auto& r : options.rules) source.rule_paths.emplace_back(r);
  if (source.rule_paths.empty()) return nullptr;
  if (!options.classification.empty()) source.classification_file = options.classification;
  source.findClassificationBesideRules();
  for (const auto& [name, value] : options.vars) source.setVariable(name, value);
  source.applyDatasetFlags(options.datasets);
  if (previous) source.datasets.previous = previous->source().datasets;
  sig::LoadedSources loaded = sig::loadSources(source);
  for (const auto& e : loaded.errors) std::cerr << "gsoc-sensor: " << e << "\n";
  const sig::LoadReport& report = loaded.ruleset.report;
  for (const auto& d : report.errors) std::cerr << "gsoc-sensor: rule rejected: " << d.format() << "\n";
  for (const auto& d : report.skipped) std::cerr << "gsoc-sensor: rule skipped: " << d.format() << "\n";
  for (const auto& n : loaded.ruleset.datasets->notices()) std::cerr << "gsoc-sensor: notice: " << n << "\n";
  if (config.rules().strict() && (report.rules_rejected() > 0 || !loaded.errors.empty())) {
    throw std::runtime_error("rules.strict is set and " + std::to_string(report.rules_rejected()) + " rule(s) were rejected");
  }
  sig::CompileOptions compile_options;
  compile_options.cache_dir = !options.cache_dir.empty() ? std::filesystem::path(options.cache_dir)
                      : config.rules().cache_dir().empty() ? std::filesystem::path()
                                                            : std::filesystem::path(config_dir) / config.rules().cache_dir();
  auto compiled = sig::RuleCompiler(compile_options).compile(std::move(loaded.ruleset), std::move(loaded.indicators));
  const sig::LoadReport& load = compiled->source().report;
  std::cerr << "gsoc-sensor: ruleset " << compiled->version() << ": " << load.rules_loaded << " of " << load.rules_total
            << " rules loaded (" << load.rules_rejected() << " rejected, " << load.rules_skipped
            << " skipped for their requires), compiled in " << compiled->stats().compile_seconds
            << " s" << (compiled->stats().cache_hit ? " (cache)" : "") << "\n";
  return compiled;
}

RulesetSwap::RulesetSwap(RulesetOptions options, gsoc::v1::SensorConfig config, std::string config_dir,
                         std::atomic<bool>& reload_requested)
    : options_(std::move(options)),
      config_(std::move(config)),
      config_dir_(config_dir.empty() ? "." : std::move(config_dir)),
      reload_requested_(reload_requested) {}

void RulesetSwap::loadInitial() {
  sig::CompiledRulesetPtr loaded = loadRuleset(options_, config_, config_dir_);
  std::lock_guard lock(mutex_);
  active_ = std::move(loaded);
}

sig::CompiledRulesetPtr RulesetSwap::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void RulesetSwap::offerBundle(gsoc::v1::SignatureBundle bundle) {
  std::lock_guard lock(bundle_mutex_);
  fetched_bundle_ = std::move(bundle);
  bundle_ready_ = true;
}

// active_ is written only on this thread, so reading it here needs no lock.
void RulesetSwap::service(const Install& install, SensorTransport* transport) {
  if (bundle_ready_ && active_ && !compiling_.valid()) {
    gsoc::v1::SignatureBundle bundle;
    {
      std::lock_guard lock(bundle_mutex_);
      bundle = std::move(*fetched_bundle_);
      fetched_bundle_.reset();
      bundle_ready_ = false;
    }
    compiling_bundle_ = bundle.version();
    std::cerr << "gsoc-sensor: loading bundle " << compiling_bundle_ << " from the collector in the background\n";
    sig::DatasetOptions datasets = options_.datasets;
    datasets.previous = active_->source().datasets;
    compiling_ = std::async(std::launch::async, [bundle = std::move(bundle), datasets = std::move(datasets)] {
      sig::LoadedBundle loaded = sig::compileBundle(bundle, datasets);
      if (!loaded.note.empty()) std::cerr << "gsoc-sensor: bundle " << bundle.version() << ": " << loaded.note << "\n";
      if (!loaded.ruleset) {
        throw std::runtime_error(loaded.errors.empty() ? std::string("it does not compile") : loaded.errors.front());
      }
      return loaded.ruleset;
    });
  }
  // A request that comes while a compile runs waits for it: the rule files may have changed again
  // since that compile read them, so they are read once more after it (never dropped).
  if (active_ && !compiling_.valid() && reload_requested_.exchange(false)) {
    std::cerr << "gsoc-sensor: reload (SIGHUP or control socket): recompiling the ruleset in the background\n";
    compiling_ = std::async(std::launch::async, [this, config = config_, previous = active_] {
      return loadRuleset(options_, config, config_dir_, previous);
    });
  }
  if (compiling_.valid() && compiling_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    try {
      sig::CompiledRulesetPtr fresh = compiling_.get();
      // Sets the new rules no longer name (or define differently) keep their values on disk.
      for (const auto& e : active_->source().datasets->save()) std::cerr << "gsoc-sensor: " << e << "\n";
      {
        std::lock_guard lock(mutex_);
        active_ = fresh;
      }
      install(fresh);
      std::cerr << "gsoc-sensor: ruleset reloaded" << (compiling_bundle_.empty() ? "" : " from the collector's bundle")
                << ", active version " << fresh->version() << "\n";
      if (transport && !compiling_bundle_.empty()) transport->shipper().setActiveBundleVersion(compiling_bundle_);
    } catch (const std::exception& e) {
      std::cerr << "gsoc-sensor: reload failed, keeping version " << active_->version() << ": " << e.what() << "\n";
      if (transport && !compiling_bundle_.empty()) transport->shipper().reportBundleError(compiling_bundle_, e.what());
    }
    compiling_bundle_.clear();
  }
}

void RulesetSwap::saveDatasets() const {
  if (!active_) return;
  for (const auto& e : active_->source().datasets->save()) std::cerr << "gsoc-sensor: " << e << "\n";
}

}  // namespace gsoc::sensor
