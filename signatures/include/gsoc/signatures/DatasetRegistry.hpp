#pragma once
// DatasetRegistry: the datasets of one ruleset, by name. Rules that name the same dataset share
// one Dataset (`dataset:set,seen` in one rule, `dataset:isset,seen` in another); the first rule
// that defines it (type, load, save or state) creates and loads it, later ones must agree with
// that definition, as Suricata checks. Paths follow Suricata: `load` is relative to the folder
// of the rule file (then the data directory), `save` and `state` to the data directory, where
// absolute paths and '..' are refused unless allowed. save() writes every set with a save or
// state file; the sensor calls it when it exits. Sets may also be defined ahead of the rules (the
// rules configuration's `datasets.sets`, Suricata's `datasets:` in suricata.yaml): the registry
// creates and loads those first, and rules then name them alone.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gsoc/signatures/Dataset.hpp"
#include "gsoc/signatures/Rule.hpp"

namespace gsoc::signatures {

class DatasetRegistry;

// A set defined in configuration rather than in a rule. `load_dir` is the folder its relative
// `load` path is read from (the configuration's folder); save and state use the data directory.
struct ConfiguredDataset {
  std::string name;
  DatasetDefinition definition;
  std::filesystem::path load_dir;
};

struct DatasetOptions {
  std::filesystem::path data_dir = ".";  // Suricata's --data-dir: save and state files
  bool allow_absolute = false;           // datasets.rules.allow-absolute-filenames
  bool allow_write = true;               // datasets.rules.allow-write
  // Created (and loaded) before any rule; the allow_* checks are for rules, not these.
  std::vector<ConfiguredDataset> configured;
  // The registry of the ruleset being replaced (a reload): a set defined the same way (name,
  // type, files) is carried over with its values instead of being read from its files again,
  // as Suricata keeps datasets across rule reloads. Dropped once loading ends.
  std::shared_ptr<const DatasetRegistry> previous;
};

class DatasetRegistry {
 public:
  // Creates and loads the configured sets; one that fails is in configErrors() and refused to rules.
  explicit DatasetRegistry(DatasetOptions options = {});

  // The set a rule's keyword names, created and loaded on first use. `rule_file` is the rule's
  // file, for relative load paths. Throws DatasetError with Suricata's message.
  std::shared_ptr<Dataset> resolve(const DatasetMatch& keyword, const std::filesystem::path& rule_file);

  // Loading is over: forget the previous registry (so reloads do not chain registries).
  void finishLoading() { options_.previous.reset(); }

  // Writes every set that has a save or state file; the errors, one a set, or none.
  [[nodiscard]] std::vector<std::string> save() const;

  // Notes for the operator, in Suricata's words ("Allowing absolute filename for dataset rule: X").
  [[nodiscard]] const std::vector<std::string>& notices() const { return notices_; }
  // Configured sets that could not be loaded: "datasets.sets.NAME: <why>".
  [[nodiscard]] const std::vector<std::string>& configErrors() const { return config_errors_; }
  [[nodiscard]] std::size_t size() const { return sets_.size(); }
  [[nodiscard]] std::shared_ptr<Dataset> find(const std::string& name) const;
  [[nodiscard]] const DatasetOptions& options() const { return options_; }

 private:
  struct Entry {
    std::shared_ptr<Dataset> set;
    std::string load;  // as written, for the agreement check
    std::string save;
    std::filesystem::path save_path;  // resolved; empty: nothing to write
  };
  [[nodiscard]] const Entry* entry(std::string_view name) const;
  std::filesystem::path savePath(const std::string& save) const;
  std::filesystem::path loadPath(const std::string& load, const std::filesystem::path& rule_file) const;
  // Creates the set (or carries it over from the previous registry) and reads its file.
  std::shared_ptr<Dataset> create(const std::string& name, const DatasetDefinition& def, bool reputation,
                                  const std::string& save, const std::filesystem::path& load_path);

  DatasetOptions options_;
  std::map<std::string, Entry, std::less<>> sets_;
  // Sets whose file could not be loaded: later rules naming them are refused without reading the
  // file again (Suricata stops at the first such error, so it reports it once).
  std::map<std::string, std::string, std::less<>> failed_;
  std::vector<std::string> notices_;
  std::vector<std::string> config_errors_;
};

using DatasetRegistryPtr = std::shared_ptr<DatasetRegistry>;

}  // namespace gsoc::signatures
