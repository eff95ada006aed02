#include "collector/notify/PublicationLedger.hpp"

#include <cstdio>

#include "collector/notify/PublicationFormat.hpp"

namespace gsoc::collector {

void PublicationLedger::put(const Publication& p) {
  store_.upsertPublication(p);
  if (listener_) listener_(p);
}

std::string PublicationLedger::nextNumber(const std::string& kind, char letter, std::int64_t at_ns) {
  const std::string year = utcText(at_ns).substr(0, 4);
  const std::string prefix = std::string(1, letter) + "-" + year + "-";
  char out[32];
  std::snprintf(out, sizeof out, "%s%04llu", prefix.c_str(), static_cast<unsigned long long>(store_.publicationCount(kind, prefix) + 1));
  return out;
}

std::optional<Publication> PublicationLedger::findLocked(const std::string& id) {
  for (const char* kind : {"campaign", "warning", "notice", "intel"}) {
    if (auto p = store_.publication(kind, id)) return p;
  }
  // Numbers are what people quote; there are hundreds a year, so a scan is fine.
  for (auto& p : store_.publications(0)) {
    if (p.number == id) return std::move(p);
  }
  return std::nullopt;
}

}  // namespace gsoc::collector
