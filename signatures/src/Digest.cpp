#include "gsoc/signatures/Digest.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace gsoc::signatures {
namespace {

using FetchedDigest = std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)>;

const EVP_MD* fetched(Digest::Algorithm algorithm) {
  static const FetchedDigest md5(EVP_MD_fetch(nullptr, "MD5", nullptr), EVP_MD_free);
  static const FetchedDigest sha1(EVP_MD_fetch(nullptr, "SHA1", nullptr), EVP_MD_free);
  static const FetchedDigest sha256(EVP_MD_fetch(nullptr, "SHA256", nullptr), EVP_MD_free);
  switch (algorithm) {
    case Digest::Algorithm::Md5: return md5 ? md5.get() : EVP_md5();
    case Digest::Algorithm::Sha1: return sha1 ? sha1.get() : EVP_sha1();
    case Digest::Algorithm::Sha256: break;
  }
  return sha256 ? sha256.get() : EVP_sha256();
}

}  // namespace

Digest::Digest(Algorithm algorithm) : algorithm_(algorithm), ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, fetched(algorithm_), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_);
    throw std::runtime_error("digest init failed");
  }
}

Digest::~Digest() { EVP_MD_CTX_free(ctx_); }

Digest& Digest::update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) throw std::runtime_error("digest update failed");
  return *this;
}

std::size_t Digest::digestAndRestart(unsigned char* out) {
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx_, out, &length) != 1) throw std::runtime_error("digest final failed");
  if (EVP_DigestInit_ex(ctx_, fetched(algorithm_), nullptr) != 1) throw std::runtime_error("digest init failed");
  return length;
}

void Digest::hexDigestAndRestart(std::string& out) {
  unsigned char digest[kMaxSize];
  const std::size_t length = digestAndRestart(digest);
  static constexpr char kHex[] = "0123456789abcdef";
  out.clear();
  for (std::size_t i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
}

std::string Digest::hexDigest() {
  std::string out;
  out.reserve(2 * kMaxSize);
  hexDigestAndRestart(out);
  return out;
}

}  // namespace gsoc::signatures
