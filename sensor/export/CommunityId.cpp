#include "sensor/export/CommunityId.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <stdexcept>

#include "gsoc/signatures/Digest.hpp"

namespace gsoc::sensor {
namespace {

// At most 2 + 16 + 16 + 2 + 4 bytes: seed, two IPv6 addresses, protocol and pad, two ports.
struct HashInput {
  std::array<std::uint8_t, 40> bytes{};
  std::size_t size = 0;
  void push(std::uint8_t b) { bytes[size++] = b; }
  void address(const signatures::IpAddress& a) {
    const signatures::u128 v = a.value();
    for (int i = (a.isV4() ? 4 : 16) - 1; i >= 0; --i) push(static_cast<std::uint8_t>(v >> (8 * i)));
  }
};

// SHA-1 from a digest per thread (a worker's), restarted per id: SHA1() fetches the digest and
// allocates a context on every call (issue 17). Returns false when OpenSSL fails.
bool sha1(const HashInput& in, unsigned char (&digest)[signatures::Digest::kMaxSize]) {
  thread_local signatures::Digest sha(signatures::Digest::Algorithm::Sha1);
  try {
    sha.update({reinterpret_cast<const char*>(in.bytes.data()), in.size});
    return sha.digestAndRestart(digest) == SHA_DIGEST_LENGTH;
  } catch (const std::runtime_error&) {
    return false;
  }
}

}  // namespace

CommunityId communityId(const signatures::IpAddress& src, const signatures::IpAddress& dst, std::uint8_t ip_proto,
                        std::uint16_t src_port, std::uint16_t dst_port, std::uint16_t seed) {
  const bool ordered = src.value() < dst.value() || (src.value() == dst.value() && src_port <= dst_port);
  const auto& a = ordered ? src : dst;
  const auto& b = ordered ? dst : src;
  const std::uint16_t pa = ordered ? src_port : dst_port;
  const std::uint16_t pb = ordered ? dst_port : src_port;
  HashInput in;
  in.push(static_cast<std::uint8_t>(seed >> 8));
  in.push(static_cast<std::uint8_t>(seed));
  in.address(a);
  in.address(b);
  in.push(ip_proto);
  in.push(0);
  const bool has_ports = ip_proto == 6 || ip_proto == 17 || ip_proto == 132 || ip_proto == 1 || ip_proto == 58;
  if (has_ports) {
    in.push(static_cast<std::uint8_t>(pa >> 8));
    in.push(static_cast<std::uint8_t>(pa));
    in.push(static_cast<std::uint8_t>(pb >> 8));
    in.push(static_cast<std::uint8_t>(pb));
  }
  CommunityId id;
  unsigned char digest[signatures::Digest::kMaxSize];
  if (!sha1(in, digest)) return id;  // empty: no id rather than a wrong one
  id.text_[0] = '1';
  id.text_[1] = ':';
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(id.text_.data() + 2), digest, SHA_DIGEST_LENGTH);
  id.size_ = 2 + static_cast<std::size_t>(n);
  return id;
}

}  // namespace gsoc::sensor
