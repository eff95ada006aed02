#pragma once
// Mozilla's Public Suffix List, for the `domain` and `tld` transforms: which trailing labels of
// a host name are a public suffix ("com", "co.uk", "github.io") under which names are
// registered. Loaded once from Debian's copy (package publicsuffix) and shared read-only by every
// worker; lookups do not allocate.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

namespace gsoc::signatures {

class PublicSuffixList {
 public:
  static constexpr std::string_view kDebianPath = "/usr/share/publicsuffix/public_suffix_list.dat";

  // The list in the file's format (one rule per line, `//` comments, `*.` wildcards, `!`
  // exceptions, ICANN and private sections alike).
  explicit PublicSuffixList(std::string_view text);
  // Debian's list, read on first use; null when the file is missing or holds no rule (then
  // rules using the transforms are refused at load).
  static const PublicSuffixList* system();

  // The public suffix of a lowercase host name (a trailing dot ignored), by the list's
  // algorithm: the longest matching rule, an exception rule winning with its first label
  // dropped, and the last label when no rule matches. Empty for an empty name.
  [[nodiscard]] std::string_view suffix(std::string_view name) const;
  // The registrable domain: the suffix plus the label before it; empty when the name is only a
  // public suffix.
  [[nodiscard]] std::string_view registrableDomain(std::string_view name) const;
  [[nodiscard]] std::size_t size() const { return rules_.size() + wildcards_.size() + exceptions_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using NameSet = std::unordered_set<std::string, Hash, std::equal_to<>>;
  NameSet rules_;       // "co.uk"
  NameSet wildcards_;   // "ck" for "*.ck"
  NameSet exceptions_;  // "www.ck" for "!www.ck"
};

}  // namespace gsoc::signatures
