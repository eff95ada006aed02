#include "collector/notify/PublicationFormat.hpp"

#include <algorithm>

#include <openssl/evp.h>

#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "collector/store/StoreSchema.hpp"

namespace gsoc::collector {

void mergeSorted(google::protobuf::RepeatedPtrField<std::string>& field, const std::vector<std::string>& values) {
  std::vector<std::string> all(field.begin(), field.end());
  all.insert(all.end(), values.begin(), values.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  field.Clear();
  for (auto& v : all) *field.Add() = std::move(v);
}

std::string campaignStatusName(gsoc::v1::Campaign::Status status) {
  switch (status) {
    case gsoc::v1::Campaign::STATUS_ACTIVE: return "active";
    case gsoc::v1::Campaign::STATUS_DORMANT: return "dormant";
    case gsoc::v1::Campaign::STATUS_CLOSED: return "closed";
    default: return "";
  }
}

std::string toJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);  // cannot fail for our own messages
  return out;
}

std::string warningIdOf(std::string_view campaign_id) { return "W:" + std::string(campaign_id); }

std::string noticeIdOf(std::string_view campaign_id, std::string_view agency_id) {
  return "N:" + std::string(campaign_id) + ":" + std::string(agency_id);
}

std::string stableId(std::string_view prefix, const std::vector<std::string>& parts) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const std::string& s : parts) {
    for (const unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;  // a separator, so ("ab","c") and ("a","bc") differ
  }
  char out[24];
  std::snprintf(out, sizeof out, "-%012llx", static_cast<unsigned long long>(h & 0xffffffffffffULL));
  return std::string(prefix) + out;
}

std::string utcText(std::int64_t ns) {
  const std::time_t t = static_cast<std::time_t>(ns / 1000000000LL);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%d %H:%M UTC", &tm);
  return out;
}

std::string rfc3339(std::int64_t ns) {
  const std::time_t t = static_cast<std::time_t>(ns / 1000000000LL);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[40];
  const std::size_t n = std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(out + n, sizeof out - n, ".%03dZ", static_cast<int>((ns / 1000000LL) % 1000));
  return out;
}

std::string uuid5(std::string_view name) {
  // gsoc's namespace: uuid5(NAMESPACE_URL, "urn:gsoc"), fixed so ids never change.
  static constexpr unsigned char kNamespace[16] = {0x6f, 0x1b, 0x4e, 0x2a, 0x93, 0x0c, 0x5d, 0x41,
                                                   0x8a, 0x7e, 0x20, 0x3c, 0x55, 0xd9, 0x61, 0x0b};
  std::string input(reinterpret_cast<const char*>(kNamespace), sizeof kNamespace);
  input.append(name);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha1(), nullptr) != 1 || length < 16) {
    throw std::runtime_error("SHA-1 unavailable in OpenSSL");  // only when the library is broken
  }
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[40];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", digest[0], digest[1], digest[2],
                digest[3], digest[4], digest[5], digest[6], digest[7], digest[8], digest[9], digest[10], digest[11], digest[12], digest[13],
                digest[14], digest[15]);
  return out;
}

gsoc::v1::Indicator::Kind indicatorKindOf(std::string_view path, std::string_view v) {
  using K = gsoc::v1::Indicator;
  if (path.find("sha256") != std::string_view::npos) return K::KIND_FILE_HASH;
  if (path.find("mail_from") != std::string_view::npos) return K::KIND_EMAIL_SENDER;
  if (path.find("subject") != std::string_view::npos) return K::KIND_EMAIL_SUBJECT;
  if (path.find("_ip") != std::string_view::npos) return K::KIND_IP;
  if (path.find("ja3") != std::string_view::npos) return K::KIND_JA3;
  if (v.find('@') != std::string_view::npos) return K::KIND_EMAIL_SENDER;
  if (isAddressText(std::string(v))) return K::KIND_IP;
  if (v.size() == 64 && v.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos) return K::KIND_FILE_HASH;
  if (v.find("://") != std::string_view::npos) return K::KIND_URL;
  if (v.find('.') != std::string_view::npos && v.find(' ') == std::string_view::npos) return K::KIND_DOMAIN;
  return K::KIND_UNSPECIFIED;
}

}  // namespace gsoc::collector
