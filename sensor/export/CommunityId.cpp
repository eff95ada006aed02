#include "sensor/export/CommunityId.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <vector>

namespace gsoc::sensor {
namespace {

void appendAddress(std::vector<std::uint8_t>& out, const signatures::IpAddress& a) {
  const signatures::u128 v = a.value();
  const int bytes = a.isV4() ? 4 : 16;
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

std::string communityId(const signatures::IpAddress& src, const signatures::IpAddress& dst, std::uint8_t ip_proto,
                        std::uint16_t src_port, std::uint16_t dst_port, std::uint16_t seed) {
  const bool ordered = src.value() < dst.value() || (src.value() == dst.value() && src_port <= dst_port);
  const auto& a = ordered ? src : dst;
  const auto& b = ordered ? dst : src;
  const std::uint16_t pa = ordered ? src_port : dst_port;
  const std::uint16_t pb = ordered ? dst_port : src_port;
  std::vector<std::uint8_t> data;
  data.push_back(static_cast<std::uint8_t>(seed >> 8));
  data.push_back(static_cast<std::uint8_t>(seed));
  appendAddress(data, a);
  appendAddress(data, b);
  data.push_back(ip_proto);
  data.push_back(0);
  const bool has_ports = ip_proto == 6 || ip_proto == 17 || ip_proto == 132 || ip_proto == 1 || ip_proto == 58;
  if (has_ports) {
    data.push_back(static_cast<std::uint8_t>(pa >> 8));
    data.push_back(static_cast<std::uint8_t>(pa));
    data.push_back(static_cast<std::uint8_t>(pb >> 8));
    data.push_back(static_cast<std::uint8_t>(pb));
  }
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(data.data(), data.size(), digest);
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return "1:" + std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
}

}  // namespace gsoc::sensor
