#pragma once
// Incremental SHA-256 for ruleset hashes, cache keys and bundle integrity: a Digest fixed to
// SHA-256.

#include <string>
#include <string_view>

#include "gsoc/signatures/Digest.hpp"

namespace gsoc::signatures {

class Sha256 : public Digest {
 public:
  Sha256() : Digest(Algorithm::Sha256) {}
  Sha256& update(std::string_view data) {
    Digest::update(data);
    return *this;
  }
  static std::string hex(std::string_view data) { return Sha256().update(data).hexDigest(); }
};

}  // namespace gsoc::signatures
