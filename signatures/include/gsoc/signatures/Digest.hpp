#pragma once
// Incremental message digests (OpenSSL EVP): SHA-256 for ruleset hashes, cache keys, bundle
// integrity and file hashes; MD5 for file hashes and JA3; SHA-1 for Community ID. The algorithm
// is fetched from the provider once per process: with EVP_sha256() and friends every init fetches
// it again (a lookup that allocates) and rebuilds the context's state, where an init with the
// same fetched digest resets it in place, so a restarted digest allocates nothing.

#include <cstddef>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace gsoc::signatures {

class Digest {
 public:
  enum class Algorithm { Md5, Sha1, Sha256 };
  static constexpr std::size_t kMaxSize = 64;  // EVP_MAX_MD_SIZE

  // Throws std::runtime_error when OpenSSL cannot start the digest.
  explicit Digest(Algorithm algorithm);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  Digest& update(std::string_view data);
  // Lower-case hex digest; the object cannot be updated afterwards.
  std::string hexDigest();
  // Writes the lower-case hex digest into `out` (its capacity kept) and starts a new digest on
  // the same context.
  void hexDigestAndRestart(std::string& out);
  // Writes the raw digest into `out` (kMaxSize bytes of room), returns its length and starts a
  // new digest on the same context.
  std::size_t digestAndRestart(unsigned char* out);

 private:
  Algorithm algorithm_;
  evp_md_ctx_st* ctx_;
};

}  // namespace gsoc::signatures
