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
  // Numbers are what people quote.
  PublicationQuery query;
  query.number = id;
  query.limit = 1;
  auto found = store_.selectPublications(query);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

}  // namespace gsoc::collector
