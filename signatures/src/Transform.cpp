#include "gsoc/signatures/Transform.hpp"

#include "gsoc/signatures/PublicSuffixList.hpp"

#include <openssl/evp.h>
#include <zlib.h>

#include <stdexcept>

namespace gsoc::signatures {
namespace {

// C's isspace() in the "C" locale, as Suricata's transforms use it.
constexpr bool isSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
constexpr bool isUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool isLower(unsigned char c) { return c >= 'a' && c <= 'z'; }

int hexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Suricata 8's url_decode: "%XX" becomes the byte, '+' a space; a '%' not followed by two hex
// digits is kept as written together with what follows it.
void urlDecode(std::string_view in, std::string& out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c == '%') {
      if (i + 2 < in.size() && hexValue(static_cast<unsigned char>(in[i + 1])) >= 0 &&
          hexValue(static_cast<unsigned char>(in[i + 2])) >= 0) {
        out.push_back(static_cast<char>(hexValue(static_cast<unsigned char>(in[i + 1])) << 4 |
                                        hexValue(static_cast<unsigned char>(in[i + 2]))));
        i += 2;
        continue;
      }
      // Not an escape: '%', then at most one hex digit, then the byte that broke it, verbatim.
      out.push_back('%');
      if (i + 1 < in.size() && hexValue(static_cast<unsigned char>(in[i + 1])) >= 0) out.push_back(in[++i]);
      if (i + 1 < in.size()) out.push_back(in[++i]);
      continue;
    }
    out.push_back(c == '+' ? ' ' : static_cast<char>(c));
  }
}

int base64Value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

void decodeBase64(std::string_view in, std::string& out, Transform::Base64Mode mode) {
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char ch : in) {
    const int v = base64Value(static_cast<unsigned char>(ch));
    if (v < 0) {
      if (mode == Transform::Base64Mode::Rfc2045) continue;
      if (mode == Transform::Base64Mode::Strict && ch != '=') out.clear();
      break;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
}

std::string_view transformName(Transform::Kind kind) {
  switch (kind) {
    case Transform::Kind::DotPrefix: return "dotprefix";
    case Transform::Kind::ToLowercase: return "to_lowercase";
    case Transform::Kind::ToUppercase: return "to_uppercase";
    case Transform::Kind::StripWhitespace: return "strip_whitespace";
    case Transform::Kind::CompressWhitespace: return "compress_whitespace";
    case Transform::Kind::UrlDecode: return "url_decode";
    case Transform::Kind::ToMd5: return "to_md5";
    case Transform::Kind::ToSha1: return "to_sha1";
    case Transform::Kind::ToSha256: return "to_sha256";
    case Transform::Kind::Xor: return "xor";
    case Transform::Kind::PcreXform: return "pcrexform";
    case Transform::Kind::HeaderLowercase: return "header_lowercase";
    case Transform::Kind::StripPseudoHeaders: return "strip_pseudo_headers";
    case Transform::Kind::FromBase64: return "from_base64";
    case Transform::Kind::Gunzip: return "gunzip";
    case Transform::Kind::ZlibDeflate: return "zlib_deflate";
    case Transform::Kind::Domain: return "domain";
    case Transform::Kind::Tld: return "tld";
  }
  return "";
}

void TransformEngine::DigestDeleter::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

TransformEngine::TransformEngine(MatchData& match_data) : match_data_(match_data), digest_(EVP_MD_CTX_new()) {
  if (!digest_) throw std::bad_alloc();
}

TransformEngine::~TransformEngine() = default;

std::string_view TransformEngine::apply(const TransformChain& chain, std::string_view input) {
  std::string_view value = input;
  std::size_t next = 0;
  for (const Transform& t : chain) {
    std::string& out = scratch_[next];
    const std::string_view result = step(t, value, out);
    if (result.data() == out.data()) next ^= 1;  // written to `out`: the next step writes the other
    value = result;
  }
  return value;
}

std::string_view TransformEngine::digest(Transform::Kind kind, std::string_view in, std::string& out) {
  const EVP_MD* md = kind == Transform::Kind::ToMd5 ? EVP_md5() : kind == Transform::Kind::ToSha1 ? EVP_sha1() : EVP_sha256();
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestInit_ex(digest_.get(), md, nullptr) != 1 || EVP_DigestUpdate(digest_.get(), in.data(), in.size()) != 1 ||
      EVP_DigestFinal_ex(digest_.get(), hash, &length) != 1) {
    length = 0;  // a digest that cannot be computed matches nothing a rule can write
  }
  out.assign(reinterpret_cast<const char*>(hash), length);
  return out;
}

// One inflate call into a buffer of the transform's maximum size: a stream longer than that is
// cut there, one that does not inflate (or is truncated before any output) leaves out empty.
void TransformEngine::inflate(const Transform& t, std::string_view in, std::string& out) {
  out.resize(t.size);
  z_stream z{};
  if (inflateInit2(&z, t.kind == Transform::Kind::Gunzip ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK) {
    out.clear();
    return;
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = ::inflate(&z, Z_FINISH);
  const std::size_t produced = out.size() - z.avail_out;
  inflateEnd(&z);
  const bool ok = rc == Z_STREAM_END || ((rc == Z_BUF_ERROR || rc == Z_OK) && produced > 0);
  out.resize(ok ? produced : 0);
}

std::string_view TransformEngine::step(const Transform& t, std::string_view in, std::string& out) {
  out.clear();
  switch (t.kind) {
    case Transform::Kind::DotPrefix:
      out.push_back('.');
      out.append(in);
      return out;
    case Transform::Kind::ToLowercase:
      for (const char c : in) out.push_back(isUpper(static_cast<unsigned char>(c)) ? static_cast<char>(c + 32) : c);
      return out;
    case Transform::Kind::ToUppercase:
      for (const char c : in) out.push_back(isLower(static_cast<unsigned char>(c)) ? static_cast<char>(c - 32) : c);
      return out;
    case Transform::Kind::StripWhitespace:
      for (const char c : in) if (!isSpace(static_cast<unsigned char>(c))) out.push_back(c);
      return out;
    case Transform::Kind::CompressWhitespace: {
      bool space = false;
      for (const char c : in) {
        const bool s = isSpace(static_cast<unsigned char>(c));
        if (!s || !space) out.push_back(c);
        space = s;
      }
      return out;
    }
    case Transform::Kind::UrlDecode:
      urlDecode(in, out);
      return out;
    case Transform::Kind::ToMd5:
    case Transform::Kind::ToSha1:
    case Transform::Kind::ToSha256:
      return digest(t.kind, in, out);
    case Transform::Kind::FromBase64: {
      if (t.offset >= in.size()) return in;
      std::string_view encoded = in.substr(t.offset);
      if (t.size != 0) encoded = encoded.substr(0, t.size);
      decodeBase64(encoded, out, t.mode);
      return out.empty() ? in : std::string_view(out);  // as Suricata: nothing decoded, buffer as it was
    }
    case Transform::Kind::Gunzip:
    case Transform::Kind::ZlibDeflate:
      inflate(t, in, out);
      return out;
    case Transform::Kind::Domain:
    case Transform::Kind::Tld: {
      // The rule loader refuses these transforms without the list, so null means nothing to match.
      const PublicSuffixList* list = PublicSuffixList::system();
      if (list == nullptr) return {};
      for (const char c : in) out.push_back(isUpper(static_cast<unsigned char>(c)) ? static_cast<char>(c + 32) : c);
      return t.kind == Transform::Kind::Domain ? list->registrableDomain(out) : list->suffix(out);
    }
    case Transform::Kind::Xor: {
      const std::string& key = t.argument;
      out.resize(in.size());
      for (std::size_t i = 0; i < in.size(); ++i) out[i] = static_cast<char>(in[i] ^ key[i % key.size()]);
      return out;
    }
    case Transform::Kind::PcreXform: {
      // As Suricata: the one capture group of the first match; without a match (or when the
      // group took no part) the buffer passes through unchanged.
      const auto group = t.regex->matchGroup(in, 1, match_data_);
      if (!group) return in;
      return in.substr(group->start, group->end - group->start);
    }
    case Transform::Kind::HeaderLowercase: {
      bool in_value = false;
      for (const char c : in) {
        if (!in_value) {
          if (c == ':') in_value = true;
          out.push_back(isUpper(static_cast<unsigned char>(c)) ? static_cast<char>(c + 32) : c);
        } else {
          out.push_back(c);
          if (c == '\n') in_value = false;
        }
      }
      return out;
    }
    case Transform::Kind::StripPseudoHeaders: {
      std::size_t start = 0;
      while (start < in.size()) {
        const std::size_t nl = in.find('\n', start);
        const std::size_t end = nl == std::string_view::npos ? in.size() : nl + 1;
        if (in[start] != ':') out.append(in.substr(start, end - start));
        start = end;
      }
      return out;
    }
  }
  return in;
}

bool contentFitsTransforms(const TransformChain& chain, std::string_view content, std::string& reason) {
  // Walk back from the last transform while each one keeps the property the later ones check:
  // whatever comes after a digest, xor, url_decode or pcrexform can hold any byte.
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    bool ok = true;
    switch (it->kind) {
      case Transform::Kind::ToLowercase:
        for (const char c : content) ok = ok && !isUpper(static_cast<unsigned char>(c));
        break;
      case Transform::Kind::ToUppercase:
        for (const char c : content) ok = ok && !isLower(static_cast<unsigned char>(c));
        break;
      case Transform::Kind::StripWhitespace:
        for (const char c : content) ok = ok && !isSpace(static_cast<unsigned char>(c));
        break;
      case Transform::Kind::CompressWhitespace:
        for (std::size_t i = 1; i < content.size(); ++i) {
          ok = ok && !(isSpace(static_cast<unsigned char>(content[i - 1])) && isSpace(static_cast<unsigned char>(content[i])));
        }
        break;
      case Transform::Kind::DotPrefix:
      case Transform::Kind::HeaderLowercase:
      case Transform::Kind::StripPseudoHeaders:
        break;
      default:
        return true;
    }
    if (!ok) {
      reason = "content is incompatible with the " + std::string(transformName(it->kind)) + " transform before it";
      return false;
    }
  }
  return true;
}

}  // namespace gsoc::signatures
