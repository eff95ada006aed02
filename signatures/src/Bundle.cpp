#include "gsoc/signatures/Bundle.hpp"

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "gsoc/signatures/RuleCompiler.hpp"

namespace gsoc::signatures {
namespace {
constexpr const char* kFormat = "gsoc-bundle/1";
constexpr std::string_view kAddressPrefix = "address.";
constexpr std::string_view kPortPrefix = "port.";
}  // namespace

gsoc::v1::SignatureBundle makeBundle(const LoadedSources& sources, const CompiledRuleset& compiled) {
  gsoc::v1::SignatureBundle bundle;
  bundle.set_format(kFormat);
  bundle.set_version(compiled.version());
  bundle.set_ruleset_sha256(compiled.hash());
  bundle.set_created_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  for (const SourceBytes& file : sources.files) {
    auto* out = bundle.add_sources();
    switch (file.kind) {
      case SourceBytes::Kind::Rules: out->set_kind(gsoc::v1::SourceFile::KIND_RULES); break;
      case SourceBytes::Kind::Classification: out->set_kind(gsoc::v1::SourceFile::KIND_CLASSIFICATION); break;
      case SourceBytes::Kind::Indicators:
        out->set_kind(gsoc::v1::SourceFile::KIND_INDICATORS);
        out->set_indicator_type(std::string(indicatorTypeName(file.indicator_type)));
        break;
    }
    out->set_name(file.name);
    out->set_content(file.content);
  }
  for (const auto& [name, value] : sources.ruleset.variables.addressGroups()) (*bundle.mutable_variables())[std::string(kAddressPrefix) + name] = value;
  for (const auto& [name, value] : sources.ruleset.variables.portGroups()) (*bundle.mutable_variables())[std::string(kPortPrefix) + name] = value;
  compiled.serializeDatabases(bundle);
  auto* summary = bundle.mutable_summary();
  const LoadReport& report = compiled.source().report;
  summary->set_rules_total(report.rules_total);
  summary->set_rules_loaded(report.rules_loaded);
  summary->set_rules_rejected(report.rules_rejected());
  for (const auto& [reason, count] : report.by_reason) (*summary->mutable_rejected_by_reason())[reason] = count;
  summary->set_indicators(compiled.indicators() ? compiled.indicators()->set().entries().size() : 0);
  summary->set_databases(compiled.stats().databases);
  summary->set_database_bytes(compiled.stats().database_bytes);
  return bundle;
}

void writeBundle(const std::filesystem::path& path, const gsoc::v1::SignatureBundle& bundle) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !bundle.SerializeToOstream(&out)) throw std::runtime_error(tmp.string() + ": cannot write bundle");
  }
  std::filesystem::rename(tmp, path);
}

gsoc::v1::SignatureBundle readBundle(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open bundle");
  gsoc::v1::SignatureBundle bundle;
  if (!bundle.ParseFromIstream(&in) || bundle.format() != kFormat) {
    throw std::runtime_error(path.string() + ": not a gsoc signature bundle (expected format " + kFormat + ")");
  }
  return bundle;
}

LoadedBundle compileBundle(const gsoc::v1::SignatureBundle& bundle, const DatasetOptions& datasets) {
  RuleVariables variables;
  for (const auto& [key, value] : bundle.variables()) {
    if (key.starts_with(kAddressPrefix)) variables.setAddressGroup(key.substr(kAddressPrefix.size()), value);
    else if (key.starts_with(kPortPrefix)) variables.setPortGroup(key.substr(kPortPrefix.size()), value);
  }
  std::vector<SourceBytes> files;
  for (const auto& src : bundle.sources()) {
    SourceBytes file{SourceBytes::Kind::Rules, src.name(), src.content(), IndicatorType::Ip};
    if (src.kind() == gsoc::v1::SourceFile::KIND_CLASSIFICATION) file.kind = SourceBytes::Kind::Classification;
    if (src.kind() == gsoc::v1::SourceFile::KIND_INDICATORS) {
      file.kind = SourceBytes::Kind::Indicators;
      file.indicator_type = parseIndicatorType(src.indicator_type()).value_or(IndicatorType::Ip);
    }
    files.push_back(std::move(file));
  }
  LoadedSources sources = loadSources(files, variables, datasets);
  LoadedBundle out;
  out.errors = sources.errors;
  CompileOptions options;
  options.version = bundle.version();
  const hs_platform_info_t platform = hs::hostPlatform();
  if (bundle.hyperscan_version() != hs::version()) {
    out.note = "bundle databases were built by Hyperscan " + bundle.hyperscan_version() + "; recompiling";
  } else if ((bundle.platform().cpu_features() & ~platform.cpu_features) != 0) {
    out.note = "bundle databases need CPU features " + hs::describeCpuFeatures(bundle.platform().cpu_features()) +
               " that this CPU (" + hs::describeCpuFeatures(platform.cpu_features) + ") lacks; recompiling";
  } else {
    for (const auto& db : bundle.databases()) options.precompiled.emplace(db.group(), db.serialized());
    options.precompiled_key = bundle.database_key();
  }
  out.ruleset = RuleCompiler(std::move(options)).compile(std::move(sources.ruleset), std::move(sources.indicators));
  out.report = out.ruleset->source().report;
  if (out.ruleset->hash() != bundle.ruleset_sha256()) {
    out.errors.push_back("bundle hash mismatch: bundle says " + bundle.ruleset_sha256() + ", sources give " + out.ruleset->hash());
  }
  if (!out.ruleset->stats().cache_note.empty() && out.note.empty()) out.note = out.ruleset->stats().cache_note;
  return out;
}

}  // namespace gsoc::signatures
