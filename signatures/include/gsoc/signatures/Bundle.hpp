#pragma once
// Signature bundles: the unit the collector distributes and sensors load. A bundle carries the
// rule, classification and indicator sources byte for byte, the variables, a summary, and the
// serialized Hyperscan databases with the platform they were built for. A sensor on a matching
// CPU loads the databases directly; on another CPU it says why and recompiles from the sources.

#include <filesystem>
#include <string>

#include "gsoc/signatures/CompiledRuleset.hpp"
#include "gsoc/signatures/RulesetSource.hpp"
#include "gsoc/v1/bundle.pb.h"

namespace gsoc::signatures {

gsoc::v1::SignatureBundle makeBundle(const LoadedSources& sources, const CompiledRuleset& compiled);
void writeBundle(const std::filesystem::path& path, const gsoc::v1::SignatureBundle& bundle);
// Throws std::runtime_error when the file is missing, corrupt or not a bundle.
gsoc::v1::SignatureBundle readBundle(const std::filesystem::path& path);

struct LoadedBundle {
  CompiledRulesetPtr ruleset;
  LoadReport report;
  std::vector<std::string> errors;
  std::string note;  // e.g. why the shipped databases could not be used
};

// `datasets`: the sensor's dataset options (data directory, and the ruleset it replaces).
LoadedBundle compileBundle(const gsoc::v1::SignatureBundle& bundle, const DatasetOptions& datasets = {});

}  // namespace gsoc::signatures
