#include "gsoc/signatures/Indicators.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace gsoc::signatures {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A value from an indicator file for an error message: quoted, at most 80 bytes, with control
// characters and non-ASCII bytes escaped (\xNN), so that a malformed line cannot drive the
// terminal of whoever reads the errors (escape sequences).
std::string quoted(std::string_view value) {
  std::string out = "'";
  for (const char c : value.substr(0, 80)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '\\' && c != '\'') {
      out.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  out += value.size() > 80 ? "'..." : "'";
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Reuses `dst`'s capacity: a worker's key string stops allocating after the first few lookups.
void assignLower(std::string& dst, std::string_view src) {
  dst.assign(src);
  std::transform(dst.begin(), dst.end(), dst.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool validDomain(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  return std::all_of(d.begin(), d.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_'; });
}

bool validHex(std::string_view h) {
  return (h.size() == 32 || h.size() == 40 || h.size() == 64) &&
         std::all_of(h.begin(), h.end(), [](unsigned char c) { return std::isxdigit(c); });
}

// "Name <user@host>" -> "user@host"
std::string_view bareAddress(std::string_view s) {
  const auto lt = s.find('<');
  if (lt != std::string_view::npos) {
    const auto gt = s.find('>', lt);
    s = s.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
  }
  return trim(s);
}

// Host header without port.
std::string_view hostOnly(std::string_view host) {
  if (!host.empty() && host.front() == '[') return host;
  const auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

}  // namespace

std::string_view indicatorTypeName(IndicatorType type) {
  switch (type) {
    case IndicatorType::Ip: return "ip";
    case IndicatorType::Domain: return "domain";
    case IndicatorType::Url: return "url";
    case IndicatorType::Hash: return "hash";
    case IndicatorType::Email: return "email";
  }
  return "";
}

std::optional<IndicatorType> parseIndicatorType(std::string_view name) {
  const std::string n = lower(name);
  if (n == "ip" || n == "ips" || n == "address" || n == "addresses") return IndicatorType::Ip;
  if (n == "domain" || n == "domains") return IndicatorType::Domain;
  if (n == "url" || n == "urls") return IndicatorType::Url;
  if (n == "hash" || n == "hashes" || n == "sha256" || n == "md5") return IndicatorType::Hash;
  if (n == "email" || n == "emails" || n == "sender" || n == "senders") return IndicatorType::Email;
  return std::nullopt;
}

void IndicatorSet::loadFile(IndicatorType type, const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors_.push_back(path.string() + ": cannot open indicator file");
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  loadText(type, text.str(), path.string());
}

void IndicatorSet::loadText(IndicatorType type, std::string_view text, std::string_view origin) {
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const std::string where = std::string(origin) + ":" + std::to_string(line_no);
    auto error = [&](const std::string& message) { errors_.push_back(where + ": " + message); };

    const auto tab1 = line.find('\t');
    if (tab1 == std::string_view::npos) {
      error("expected 'ID<TAB>VALUE[<TAB>DESCRIPTION]'");
      continue;
    }
    Indicator ind;
    ind.type = type;
    ind.source = where;
    ind.id = std::string(trim(line.substr(0, tab1)));
    std::string_view rest = line.substr(tab1 + 1);
    const auto tab2 = rest.find('\t');
    const std::string_view value = trim(rest.substr(0, tab2));
    if (tab2 != std::string_view::npos) ind.description = std::string(trim(rest.substr(tab2 + 1)));
    if (ind.id.empty() || value.empty()) {
      error("empty id or value");
      continue;
    }
    switch (type) {
      case IndicatorType::Ip: {
        const auto range = parseCidr(value);
        if (!range) {
          error("invalid address or CIDR " + quoted(value));
          continue;
        }
        ind.range = *range;
        ind.value = std::string(value);
        break;
      }
      case IndicatorType::Domain: {
        std::string v = lower(value);
        if (v.starts_with("*.")) v.erase(0, 1);
        if (v.starts_with(".")) {
          ind.subdomains = true;
          v.erase(0, 1);
        }
        if (!v.empty() && v.back() == '.') v.pop_back();
        if (!validDomain(v)) {
          error("invalid domain " + quoted(value));
          continue;
        }
        ind.value = v;
        break;
      }
      case IndicatorType::Url: {
        std::string_view v = value;
        const auto scheme = v.find("://");
        if (scheme != std::string_view::npos) v = v.substr(scheme + 3);
        const auto slash = v.find('/');
        ind.url_host = lower(hostOnly(v.substr(0, slash)));
        ind.url_path = slash == std::string_view::npos ? "/" : std::string(v.substr(slash));
        if (ind.url_host.empty() || !validDomain(ind.url_host)) {
          error("invalid URL " + quoted(value));
          continue;
        }
        ind.value = std::string(value);
        break;
      }
      case IndicatorType::Hash: {
        if (!validHex(value)) {
          error("expected an MD5, SHA-1 or SHA-256 hex digest, got " + quoted(value));
          continue;
        }
        ind.value = lower(value);
        break;
      }
      case IndicatorType::Email: {
        const std::string v = lower(value);
        const auto at = v.find('@');
        if (at == std::string::npos || v.find('@', at + 1) != std::string::npos || at + 1 >= v.size() ||
            !validDomain(std::string_view(v).substr(at + 1))) {
          error("invalid e-mail address " + quoted(value));
          continue;
        }
        ind.subdomains = at == 0;
        ind.value = v;
        break;
      }
    }
    entries_.push_back(std::move(ind));
  }
}

void PrefixTable::insert(const CidrRange& range, std::uint32_t value) {
  auto& table = by_length_[range.prefix_len];
  if (table.emplace(range.first.value(), value).second) ++size_;
  if (std::find(lengths_.begin(), lengths_.end(), range.prefix_len) == lengths_.end()) {
    lengths_.push_back(range.prefix_len);
    std::sort(lengths_.begin(), lengths_.end(), std::greater<>());
  }
}

std::optional<std::uint32_t> PrefixTable::lookup(IpAddress address) const {
  for (const unsigned len : lengths_) {
    const u128 mask = len == 0 ? u128{0} : (~u128{0} << (128 - len));
    const auto& table = by_length_[len];
    const auto it = table.find(address.value() & mask);
    if (it != table.end()) return it->second;
  }
  return std::nullopt;
}

namespace {
constexpr BufferId kDomainBuffers[] = {BufferId::DnsQuery, BufferId::HttpHost, BufferId::TlsSni};
constexpr BufferId kHashBuffers[] = {BufferId::FileSha256, BufferId::FileMd5, BufferId::EmailAttachmentSha256};
constexpr BufferId kSenderBuffers[] = {BufferId::SmtpMailFrom, BufferId::EmailFrom};

struct ScanContext {
  const IndicatorMatcher* matcher;
  const std::vector<Indicator>* entries;
  std::string_view buffer;
  BufferId buffer_id;
  const MatchInput* input;
  std::vector<IndicatorHit>* out;
};

bool alreadyHit(const std::vector<IndicatorHit>& out, std::uint32_t id, BufferId buffer) {
  return std::any_of(out.begin(), out.end(), [&](const IndicatorHit& h) { return h.indicator == id && h.buffer == buffer; });
}

int onDomain(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/, void* ctx) {
  auto& c = *static_cast<ScanContext*>(ctx);
  const Indicator& ind = (*c.entries)[id];
  std::string_view host = c.buffer;
  if (c.buffer_id == BufferId::HttpHost) host = hostOnly(host);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (to != host.size()) return 0;  // must end the name
  const std::size_t from = to - ind.value.size();
  const bool whole = from == 0;
  const bool label = from > 0 && host[from - 1] == '.';
  if ((whole || (ind.subdomains && label)) && !alreadyHit(*c.out, id, c.buffer_id)) {
    c.out->push_back({id, c.buffer_id, false});
  }
  return 0;
}

int onUrl(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/, void* ctx) {
  auto& c = *static_cast<ScanContext*>(ctx);
  const Indicator& ind = (*c.entries)[id];
  if (to != ind.url_path.size()) return 0;  // the path must start the URI
  const auto hosts = c.input->buffers.get(BufferId::HttpHost);
  const bool host_ok = std::any_of(hosts.begin(), hosts.end(), [&](std::string_view h) { return equalsNoCase(hostOnly(h), ind.url_host); });
  // A path of "/" only identifies the site; require the full URI then.
  if (host_ok && (ind.url_path != "/" || c.buffer == "/") && !alreadyHit(*c.out, id, c.buffer_id)) {
    c.out->push_back({id, c.buffer_id, false});
  }
  return 0;
}

}  // namespace

IndicatorMatcher::IndicatorMatcher(IndicatorSet set) : set_(std::move(set)) {
  std::vector<hs::Pattern> domains, urls;
  const auto& entries = set_.entries();
  for (std::uint32_t i = 0; i < entries.size(); ++i) {
    const Indicator& ind = entries[i];
    switch (ind.type) {
      case IndicatorType::Ip: addresses_.insert(ind.range, i); break;
      case IndicatorType::Domain: domains.push_back({ind.value, HS_FLAG_CASELESS, i}); break;
      case IndicatorType::Url: urls.push_back({ind.url_path, 0, i}); break;
      case IndicatorType::Hash: hashes_.emplace(ind.value, i); break;
      case IndicatorType::Email: senders_.emplace(ind.value, i); break;
    }
  }
  if (!domains.empty()) domain_db_ = hs::compileLiterals(domains);
  if (!urls.empty()) url_db_ = hs::compileLiterals(urls);
}

void IndicatorMatcher::match(const MatchInput& input, hs_scratch_t* scratch, std::vector<IndicatorHit>& out) const {
  if (addresses_.size() != 0) {
    if (const auto hit = addresses_.lookup(input.meta.src)) out.push_back({*hit, BufferId::Payload, true});
    if (const auto hit = addresses_.lookup(input.meta.dst)) out.push_back({*hit, BufferId::Payload, false});
  }
  ScanContext ctx{this, &set_.entries(), {}, BufferId::Payload, &input, &out};
  if (domain_db_) {
    for (const BufferId id : kDomainBuffers) {
      for (const std::string_view value : input.buffers.get(id)) {
        ctx.buffer = value;
        ctx.buffer_id = id;
        hs_scan(domain_db_.get(), value.data(), static_cast<unsigned>(value.size()), 0, scratch, onDomain, &ctx);
      }
    }
  }
  if (url_db_) {
    for (const std::string_view value : input.buffers.get(BufferId::HttpUri)) {
      ctx.buffer = value;
      ctx.buffer_id = BufferId::HttpUri;
      hs_scan(url_db_.get(), value.data(), static_cast<unsigned>(value.size()), 0, scratch, onUrl, &ctx);
    }
  }
  if (!hashes_.empty()) {
    thread_local std::string key;
    for (const BufferId id : kHashBuffers) {
      for (const std::string_view value : input.buffers.get(id)) {
        assignLower(key, value);
        if (const auto it = hashes_.find(key); it != hashes_.end()) out.push_back({it->second, id, false});
      }
    }
  }
  if (!senders_.empty()) {
    thread_local std::string key;
    for (const BufferId id : kSenderBuffers) {
      for (const std::string_view value : input.buffers.get(id)) {
        assignLower(key, bareAddress(value));
        if (const auto it = senders_.find(key); it != senders_.end()) {
          out.push_back({it->second, id, false});
          continue;
        }
        const auto at = key.find('@');
        if (at != std::string::npos) {
          key.erase(0, at);  // "@domain"
          if (const auto it = senders_.find(key); it != senders_.end()) out.push_back({it->second, id, false});
        }
      }
    }
  }
}

}  // namespace gsoc::signatures
