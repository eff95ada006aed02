#include "gsoc/signatures/DatasetRegistry.hpp"

#include <algorithm>

namespace gsoc::signatures {
namespace {

bool hasParentStep(const std::string& path) {
  const std::filesystem::path p(path);
  return std::any_of(p.begin(), p.end(), [](const std::filesystem::path& part) { return part == ".."; });
}

}  // namespace

std::filesystem::path DatasetRegistry::savePath(const std::string& save) const {
  const std::filesystem::path p(save);
  return p.is_absolute() ? p : options_.data_dir / p;
}

std::filesystem::path DatasetRegistry::loadPath(const std::string& load, const std::filesystem::path& rule_file) const {
  const std::filesystem::path p(load);
  if (p.is_absolute()) return p;
  return rule_file.parent_path() / p;
}

std::shared_ptr<Dataset> DatasetRegistry::resolve(const DatasetMatch& keyword, const std::filesystem::path& rule_file) {
  static const DatasetDefinition kNone;
  const DatasetDefinition& def = keyword.definition ? *keyword.definition : kNone;
  const std::string& name = keyword.name;
  // `state FILE` is load and save of one file, kept in the data directory.
  const std::string save = def.state ? def.load : def.save;
  if (!save.empty()) {
    // Suricata's order of checks, and its messages: rules may not write files unless allowed,
    // and never outside the data directory unless absolute names are allowed.
    if (!options_.allow_write) throw DatasetError("Rules containing save/state datasets have been disabled");
    if (options_.allow_absolute) {
      notices_.push_back("Allowing absolute filename for dataset rule: " + save);
    } else {
      if (std::filesystem::path(save).is_absolute()) throw DatasetError("Absolute paths not allowed: " + save);
      if (hasParentStep(save)) throw DatasetError("Directory traversals not allowed: " + save);
    }
  }
  if (const auto it = sets_.find(name); it != sets_.end()) {
    const Entry& e = it->second;
    if (def.type && *def.type != e.set->type()) {
      throw DatasetError("dataset " + name + " already exists and is of type " + std::string(datasetTypeName(e.set->type())));
    }
    if (save.empty() && def.load.empty()) return e.set;  // a later rule need not repeat the files
    if (save != e.save) throw DatasetError("dataset " + name + " save mismatch: " + e.save + " != " + save);
    if (def.load != e.load) throw DatasetError("dataset " + name + " load mismatch: " + e.load + " != " + def.load);
    return e.set;
  }
  if (const auto failed = failed_.find(name); failed != failed_.end()) {
    throw DatasetError("dataset " + name + " could not be loaded (refused for an earlier rule)");
  }
  if (!def.type) throw DatasetError("dataset " + name + " not defined (give its type)");
  const bool reputation = keyword.op == DatasetMatch::Op::Reputation;
  return create(name, def, reputation, save, def.load.empty() ? std::filesystem::path() : loadPath(def.load, rule_file));
}

DatasetRegistry::DatasetRegistry(DatasetOptions options) : options_(std::move(options)) {
  for (const ConfiguredDataset& c : options_.configured) {
    const DatasetDefinition& def = c.definition;
    const std::string save = def.state ? def.load : def.save;
    std::filesystem::path load_path;
    if (!def.load.empty() && !def.state) {
      const std::filesystem::path p(def.load);
      load_path = p.is_absolute() ? p : c.load_dir / p;
    }
    try {
      if (!def.type) throw DatasetError("no type (string, md5, sha256, ipv4, ip)");
      // A configured set is a plain set; Suricata's datarep sets come from rules.
      (void)create(c.name, def, false, save, load_path);
    } catch (const DatasetError& e) {
      failed_.emplace(c.name, e.what());
      config_errors_.push_back("datasets.sets." + c.name + ": " + e.what());
    }
  }
}

std::shared_ptr<Dataset> DatasetRegistry::create(const std::string& name, const DatasetDefinition& def, bool reputation,
                                                 const std::string& save, const std::filesystem::path& load_path) {
  if (options_.previous) {
    const Entry* old = options_.previous->entry(name);
    if (old != nullptr && old->set->type() == *def.type && old->load == def.load && old->save == save &&
        old->set->reputation() == reputation) {
      sets_.emplace(name, *old);
      return old->set;
    }
  }
  auto set = std::make_shared<Dataset>(name, *def.type, reputation, def.memcap);
  Entry entry{set, def.load, save, save.empty() ? std::filesystem::path() : savePath(save)};
  try {
    if (def.state) {
      std::error_code ec;
      // A state file that does not exist yet is an empty set: the first run creates it.
      if (std::filesystem::exists(entry.save_path, ec)) {
        set->loadFile(entry.save_path, def.format, def.value_key, def.array_key, !def.context_key.empty(), def.remove_key);
      }
    } else if (!load_path.empty()) {
      set->loadFile(load_path, def.format, def.value_key, def.array_key, !def.context_key.empty(), def.remove_key);
    }
  } catch (const DatasetError& e) {
    failed_.emplace(name, e.what());
    throw;
  }
  sets_.emplace(name, std::move(entry));
  return set;
}

std::vector<std::string> DatasetRegistry::save() const {
  std::vector<std::string> errors;
  for (const auto& entry : sets_) {
    if (entry.second.save_path.empty()) continue;
    try {
      entry.second.set->saveFile(entry.second.save_path);
    } catch (const DatasetError& e) {
      errors.emplace_back(e.what());
    }
  }
  return errors;
}

const DatasetRegistry::Entry* DatasetRegistry::entry(std::string_view name) const {
  const auto it = sets_.find(name);
  return it == sets_.end() ? nullptr : &it->second;
}

std::shared_ptr<Dataset> DatasetRegistry::find(const std::string& name) const {
  const auto it = sets_.find(name);
  return it == sets_.end() ? nullptr : it->second.set;
}

}  // namespace gsoc::signatures
