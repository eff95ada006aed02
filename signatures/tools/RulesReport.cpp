#include "RulesReport.hpp"

#include <cstdio>
#include <iomanip>
#include <sstream>

namespace gsoc::signatures::tools {
namespace {

std::string jsonString(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << (whole == 0 ? 100.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole)) << "%";
  return s.str();
}

std::string mib(std::uint64_t bytes) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
  return s.str();
}

}  // namespace

void writeText(std::ostream& out, const RulesReport& r) {
  const LoadReport& load = *r.load;
  if (r.list_rejected && !load.errors.empty()) {
    out << "rejected rules:\n";
    for (const RuleDiagnostic& d : load.errors) out << "  " << d.format() << "\n";
  }
  for (const std::string& e : r.source_errors) out << "error: " << e << "\n";
  out << "rules:      " << load.rules_total << " enabled in " << load.by_file.size() << " file(s)\n";
  out << "  loaded    " << load.rules_loaded << " (" << percent(load.rules_loaded, load.rules_total) << ")\n";
  out << "  skipped   " << load.rules_skipped << " (requires unmet: for another engine)\n";
  if (load.rules_replaced > 0) out << "  replaced  " << load.rules_replaced << " (by a higher rev of the same sid)\n";
  out << "  rejected  " << load.rules_rejected() << "\n";
  for (const auto& [reason, count] : load.by_reason) out << "    " << std::left << std::setw(44) << reason << std::right << count << "\n";
  if (r.per_file) {
    out << "per file (loaded/enabled):\n";
    for (const auto& [file, stats] : load.by_file) {
      const std::string counts = std::to_string(stats.loaded) + "/" + std::to_string(stats.total);
      out << "  " << std::setw(11) << counts << "  " << std::setw(7) << percent(stats.loaded, stats.total) << "  " << file << "\n";
    }
  }
  if (!load.warnings.empty()) out << "warnings:   " << load.warnings.size() << " (see --json for the list)\n";
  out << "indicators: " << r.indicators << "\n";
  if (!r.fatal.empty()) {
    out << "compile:    FAILED: " << r.fatal << "\n";
    return;
  }
  if (r.compiled == nullptr) return;
  const CompileStats& s = r.compiled->stats();
  out << "compile:    " << std::fixed << std::setprecision(3) << s.compile_seconds << " s"
      << (s.cache_hit ? " (from cache)" : s.groups_from_cache ? " (partly cached)" : " (cold)") << "\n";
  out << "  databases " << s.databases << ", " << mib(s.database_bytes) << "\n";
  out << "  patterns  " << s.literal_patterns << " literal fast patterns, " << s.regex_patterns << " exact regex, "
      << s.prefilter_patterns << " prefilter regex\n";
  out << "  no buffer prefilter: " << s.address_indexed_rules << " address-indexed (IP-only), " << s.unprefiltered_rules
      << " checked on every input of their group, " << s.event_rules << " waiting for their anomaly event\n";
  out << "  flowbits  " << r.compiled->flowbitCount() << "\n";
  out << "  version   " << r.compiled->version() << " (sha256 " << r.compiled->hash() << ")\n";
  if (!r.cache_dir.empty()) out << "  cache     " << r.cache_dir << (s.cache_note.empty() ? "" : " (" + s.cache_note + ")") << "\n";
  if (!r.bundle_path.empty()) out << "bundle:     " << r.bundle_path << "\n";
}

void writeJson(std::ostream& out, const RulesReport& r) {
  const LoadReport& load = *r.load;
  out << "{\"rules_total\":" << load.rules_total << ",\"rules_loaded\":" << load.rules_loaded
      << ",\"rules_skipped\":" << load.rules_skipped << ",\"rules_replaced\":" << load.rules_replaced << ",\"rules_rejected\":" << load.rules_rejected() << ",\"by_reason\":{";
  bool first = true;
  for (const auto& [reason, count] : load.by_reason) {
    out << (first ? "" : ",") << jsonString(reason) << ":" << count;
    first = false;
  }
  out << "},\"by_file\":{";
  first = true;
  for (const auto& [file, stats] : load.by_file) {
    out << (first ? "" : ",") << jsonString(file) << ":{\"total\":" << stats.total << ",\"loaded\":" << stats.loaded << "}";
    first = false;
  }
  out << "},\"errors\":[";
  first = true;
  for (const RuleDiagnostic& d : load.errors) {
    out << (first ? "" : ",") << "{\"file\":" << jsonString(d.file) << ",\"line\":" << d.line << ",\"column\":" << d.column
        << ",\"sid\":" << d.sid << ",\"reason\":" << jsonString(d.reason) << ",\"message\":" << jsonString(d.message) << "}";
    first = false;
  }
  out << "],\"source_errors\":[";
  first = true;
  for (const std::string& e : r.source_errors) {
    out << (first ? "" : ",") << jsonString(e);
    first = false;
  }
  out << "],\"warnings\":[";
  first = true;
  for (const std::string& w : load.warnings) {
    out << (first ? "" : ",") << jsonString(w);
    first = false;
  }
  out << "],\"indicators\":" << r.indicators;
  if (!r.fatal.empty()) out << ",\"compile_error\":" << jsonString(r.fatal);
  if (r.compiled != nullptr) {
    const CompileStats& s = r.compiled->stats();
    out << ",\"compile\":{\"seconds\":" << s.compile_seconds << ",\"cache_hit\":" << (s.cache_hit ? "true" : "false")
        << ",\"groups_from_cache\":" << s.groups_from_cache << ",\"databases\":" << s.databases
        << ",\"database_bytes\":" << s.database_bytes << ",\"literal_patterns\":" << s.literal_patterns
        << ",\"regex_patterns\":" << s.regex_patterns << ",\"prefilter_patterns\":" << s.prefilter_patterns
        << ",\"address_indexed_rules\":" << s.address_indexed_rules << ",\"unprefiltered_rules\":" << s.unprefiltered_rules << ",\"event_rules\":" << s.event_rules << ",\"flowbits\":" << r.compiled->flowbitCount()
        << ",\"cache_note\":" << jsonString(s.cache_note) << "},\"version\":" << jsonString(r.compiled->version())
        << ",\"sha256\":" << jsonString(r.compiled->hash());
  }
  if (!r.bundle_path.empty()) out << ",\"bundle\":" << jsonString(r.bundle_path);
  out << "}\n";
}

}  // namespace gsoc::signatures::tools
