#pragma once
// Indicator lists (IOCs), the second input beside rules: addresses/CIDRs, domains, URLs, file
// hashes and e-mail senders, one file per type. Each line is `ID<TAB>VALUE[<TAB>DESCRIPTION]`
// ('#' starts a comment). Domains written `.example.com` (or `*.example.com`) also match every
// subdomain; a sender written `@example.com` matches any address at that domain.
// IndicatorMatcher compiles them for the sensor: addresses into a longest-prefix table, domains
// and URL paths into Hyperscan literal databases over the right buffers, hashes and senders into
// hash sets.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gsoc/signatures/Buffer.hpp"
#include "gsoc/signatures/Hyperscan.hpp"
#include "gsoc/signatures/IpAddress.hpp"
#include "gsoc/signatures/MatchInput.hpp"

namespace gsoc::signatures {

enum class IndicatorType : std::uint8_t { Ip, Domain, Url, Hash, Email };
std::string_view indicatorTypeName(IndicatorType type);
// "ip", "ips", "domain", "domains", "url", "hash", "hashes", "email", "sender"...
std::optional<IndicatorType> parseIndicatorType(std::string_view name);

struct Indicator {
  IndicatorType type = IndicatorType::Ip;
  std::string id;
  std::string value;        // normalized (lower case; CIDR as written)
  std::string description;
  bool subdomains = false;  // domain: also match subdomains; email: value is "@domain"
  std::string url_host;     // URL split for matching
  std::string url_path;
  CidrRange range;          // for Ip
  std::string source;       // file:line
};

class IndicatorSet {
 public:
  void loadFile(IndicatorType type, const std::filesystem::path& path);
  void loadText(IndicatorType type, std::string_view text, std::string_view origin);
  [[nodiscard]] const std::vector<Indicator>& entries() const { return entries_; }
  [[nodiscard]] const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::vector<Indicator> entries_;
  std::vector<std::string> errors_;
};

// Longest-prefix match over IPv4 and IPv6 prefixes: one hash table per prefix length present.
class PrefixTable {
 public:
  void insert(const CidrRange& range, std::uint32_t value);
  [[nodiscard]] std::optional<std::uint32_t> lookup(IpAddress address) const;
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  struct U128Hash {
    std::size_t operator()(u128 v) const {
      return std::hash<std::uint64_t>()(static_cast<std::uint64_t>(v) ^ static_cast<std::uint64_t>(v >> 64) * 0x9E3779B97F4A7C15ULL);
    }
  };
  std::vector<unsigned> lengths_;  // descending
  std::vector<std::unordered_map<u128, std::uint32_t, U128Hash>> by_length_ = std::vector<std::unordered_map<u128, std::uint32_t, U128Hash>>(129);
  std::size_t size_ = 0;
};

struct IndicatorHit {
  std::uint32_t indicator = 0;  // index into IndicatorSet::entries()
  BufferId buffer = BufferId::Payload;  // where it matched; Payload for address hits
  bool on_source = false;       // address hits: the source address matched
};

class IndicatorMatcher {
 public:
  explicit IndicatorMatcher(IndicatorSet set);
  IndicatorMatcher(const IndicatorMatcher&) = delete;
  IndicatorMatcher& operator=(const IndicatorMatcher&) = delete;

  [[nodiscard]] const IndicatorSet& set() const { return set_; }
  [[nodiscard]] bool hasHashes() const { return !hashes_.empty(); }
  [[nodiscard]] hs_database_t* domainDatabase() const { return domain_db_.get(); }
  [[nodiscard]] hs_database_t* urlDatabase() const { return url_db_.get(); }

  // Appends the hits for one input to `out` (cleared by the caller). `scratch` must be able to
  // scan both databases.
  void match(const MatchInput& input, hs_scratch_t* scratch, std::vector<IndicatorHit>& out) const;

 private:
  IndicatorSet set_;
  PrefixTable addresses_;
  hs::DatabasePtr domain_db_;
  hs::DatabasePtr url_db_;
  std::unordered_map<std::string, std::uint32_t> hashes_;
  std::unordered_map<std::string, std::uint32_t> senders_;  // address or "@domain"
};

}  // namespace gsoc::signatures
