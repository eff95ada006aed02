#pragma once
// Incremental SHA-256 (OpenSSL EVP) for ruleset hashes, cache keys and bundle integrity.

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace gsoc::signatures {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(std::string_view data);
  // Lower-case hex digest; the object cannot be updated afterwards.
  std::string hexDigest();
  // Writes the lower-case hex digest into `out` (its capacity kept) and starts a new hash on the
  // same context: one hasher reused for every attachment or fingerprint of a worker allocates
  // no context per digest.
  void hexDigestAndRestart(std::string& out);
  static std::string hex(std::string_view data) { return Sha256().update(data).hexDigest(); }

 private:
  evp_md_ctx_st* ctx_;
};

}  // namespace gsoc::signatures
