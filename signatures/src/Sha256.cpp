#include "gsoc/signatures/Sha256.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace gsoc::signatures {
namespace {

// SHA-256 fetched from the provider once. With EVP_sha256() every init fetches it again (a
// lookup that allocates) and then frees and rebuilds the context's state; an init with the same
// fetched digest resets that state in place, so a restarted hasher allocates nothing.
const EVP_MD* sha256Digest() {
  static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> fetched(EVP_MD_fetch(nullptr, "SHA256", nullptr), EVP_MD_free);
  return fetched ? fetched.get() : EVP_sha256();
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, sha256Digest(), nullptr) != 1) throw std::runtime_error("SHA-256 init failed");
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256& Sha256::update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) throw std::runtime_error("SHA-256 update failed");
  return *this;
}

namespace {
void finalHex(evp_md_ctx_st* ctx, std::string& out) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &length) != 1) throw std::runtime_error("SHA-256 final failed");
  static constexpr char kHex[] = "0123456789abcdef";
  out.clear();
  for (unsigned i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
}
}  // namespace

std::string Sha256::hexDigest() {
  std::string out;
  out.reserve(64);
  finalHex(ctx_, out);
  return out;
}

void Sha256::hexDigestAndRestart(std::string& out) {
  finalHex(ctx_, out);
  if (EVP_DigestInit_ex(ctx_, sha256Digest(), nullptr) != 1) throw std::runtime_error("SHA-256 init failed");
}

}  // namespace gsoc::signatures
