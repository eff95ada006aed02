#include "sensor/app/FileHasher.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace gsoc::sensor {
namespace {

// Fetched once: an init with the same fetched digest resets the context in place, where
// EVP_md5() would fetch (and allocate) again for every file.
const EVP_MD* md5Digest() {
  static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> fetched(EVP_MD_fetch(nullptr, "MD5", nullptr), EVP_MD_free);
  return fetched ? fetched.get() : EVP_md5();
}

}  // namespace

FileHasher::FileHasher() : md5_(EVP_MD_CTX_new()) {
  if (md5_ == nullptr || EVP_DigestInit_ex(md5_, md5Digest(), nullptr) != 1) {
    EVP_MD_CTX_free(md5_);
    throw std::runtime_error("MD5 init failed");
  }
}

FileHasher::~FileHasher() { EVP_MD_CTX_free(md5_); }

FileHasher& FileHasher::update(std::string_view data) {
  if (EVP_DigestUpdate(md5_, data.data(), data.size()) != 1) throw std::runtime_error("MD5 update failed");
  sha256_.update(data);
  return *this;
}

void FileHasher::finishAndRestart(std::string& md5, std::string& sha256) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(md5_, digest, &length) != 1 || EVP_DigestInit_ex(md5_, md5Digest(), nullptr) != 1) {
    throw std::runtime_error("MD5 final failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  md5.clear();
  for (unsigned i = 0; i < length; ++i) {
    md5.push_back(kHex[digest[i] >> 4]);
    md5.push_back(kHex[digest[i] & 15]);
  }
  sha256_.hexDigestAndRestart(sha256);
}

}  // namespace gsoc::sensor
