#include "gsoc/signatures/PublicSuffixList.hpp"

#include <fstream>
#include <memory>
#include <sstream>

namespace gsoc::signatures {

PublicSuffixList::PublicSuffixList(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    // A rule is the line's first word; comments and blank lines hold none.
    line = line.substr(0, line.find_first_of(" \t\r"));
    if (line.empty() || line.starts_with("//")) continue;
    if (line.starts_with("!")) exceptions_.emplace(line.substr(1));
    else if (line.starts_with("*.")) wildcards_.emplace(line.substr(2));
    else rules_.emplace(line);
  }
}

const PublicSuffixList* PublicSuffixList::system() {
  static const std::unique_ptr<const PublicSuffixList> list = []() -> std::unique_ptr<const PublicSuffixList> {
    std::ifstream in{std::string(kDebianPath)};
    if (!in) return nullptr;
    std::ostringstream text;
    text << in.rdbuf();
    auto loaded = std::make_unique<const PublicSuffixList>(text.str());
    return loaded->size() == 0 ? nullptr : std::move(loaded);
  }();
  return list.get();
}

std::string_view PublicSuffixList::suffix(std::string_view name) const {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return {};
  // Walk the candidate suffixes from the last label leftwards; the longest rule that matches
  // prevails. `at` is where the candidate starts.
  std::string_view best = name.substr(name.rfind('.') == std::string_view::npos ? 0 : name.rfind('.') + 1);  // default rule "*"
  std::size_t at = name.size();
  while (at > 0) {
    const std::size_t dot = name.rfind('.', at - 1);
    const std::size_t begin = dot == std::string_view::npos ? 0 : dot + 1;
    const std::string_view candidate = name.substr(begin);
    if (exceptions_.find(candidate) != exceptions_.end()) {
      // An exception's suffix is the rule without its first label.
      return name.substr(std::min(name.size(), begin + candidate.find('.') + 1));
    }
    if (rules_.find(candidate) != rules_.end()) best = candidate;
    // "*.ck" makes any label before "ck" part of the suffix.
    if (begin >= 2 && wildcards_.find(candidate) != wildcards_.end()) {
      const std::size_t prev = name.rfind('.', begin - 2);
      const std::size_t wild_begin = prev == std::string_view::npos ? 0 : prev + 1;
      const std::string_view wild = name.substr(wild_begin);
      if (exceptions_.find(wild) != exceptions_.end()) return candidate;
      best = wild;
    }
    if (dot == std::string_view::npos) break;
    at = dot;
  }
  return best;
}

std::string_view PublicSuffixList::registrableDomain(std::string_view name) const {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  const std::string_view public_suffix = suffix(name);
  if (public_suffix.size() >= name.size()) return {};
  const std::size_t label_end = name.size() - public_suffix.size() - 1;  // the dot before the suffix
  const std::size_t dot = name.rfind('.', label_end == 0 ? 0 : label_end - 1);
  return name.substr(dot == std::string_view::npos || label_end == 0 ? 0 : dot + 1);
}

}  // namespace gsoc::signatures
