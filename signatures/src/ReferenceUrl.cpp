#include "gsoc/signatures/ReferenceUrl.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace gsoc::signatures {

namespace {

// Suricata 8's shipped reference.config: the systems ET Open still cites, https throughout.
constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kSystems{{
    {"cve", "https://cve.mitre.org/cgi-bin/cvename.cgi?name="},
    {"nessus", "https://www.tenable.com/plugins/nessus/"},
    {"url", "https://"},
    {"mcafee", "https://vil.nai.com/vil/content/v_"},
    {"bid", "https://www.securityfocus.com/bid/"},
    {"bugtraq", "https://www.securityfocus.com/bid/"},
    {"md5", "https://www.threatexpert.com/report.aspx?md5="},
    {"secunia", "https://www.secunia.com/advisories/"},
    {"arachnids", "https://www.whitehats.com/info/IDS"},
    {"et", "https://doc.emergingthreats.net/"},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string referenceUrl(std::string_view reference) {
  const std::size_t comma = reference.find(',');
  if (comma == std::string_view::npos) return std::string(trim(reference));
  const std::string_view system = trim(reference.substr(0, comma));
  const std::string_view id = trim(reference.substr(comma + 1));
  if (id.find("://") != std::string_view::npos) return std::string(id);
  for (const auto& [name, prefix] : kSystems) {
    if (equalsIgnoringCase(name, system)) return std::string(prefix).append(id);
  }
  return std::string(id);
}

}  // namespace gsoc::signatures
