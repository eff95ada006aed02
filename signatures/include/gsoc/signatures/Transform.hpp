#pragma once
// Suricata's transforms (`to_lowercase`, `url_decode`, `to_sha256`, `pcrexform`...) applied to
// one buffer value before a rule's keywords inspect it. A TransformEngine belongs to one worker
// (the Detector): it owns two scratch strings the chain ping-pongs between and a digest context,
// so applying a chain allocates nothing once the strings have grown to the largest buffer seen.

#include <memory>
#include <string>
#include <string_view>

#include "gsoc/signatures/Regex.hpp"
#include "gsoc/signatures/Rule.hpp"

struct evp_md_ctx_st;

namespace gsoc::signatures {

class TransformEngine {
 public:
  explicit TransformEngine(MatchData& match_data);
  ~TransformEngine();
  TransformEngine(const TransformEngine&) = delete;
  TransformEngine& operator=(const TransformEngine&) = delete;

  // `input` after every transform of `chain`, in order. The view stays valid until the next call.
  [[nodiscard]] std::string_view apply(const TransformChain& chain, std::string_view input);

 private:
  std::string_view step(const Transform& transform, std::string_view in, std::string& out);
  std::string_view digest(Transform::Kind kind, std::string_view in, std::string& out);
  static void inflate(const Transform& t, std::string_view in, std::string& out);

  struct DigestDeleter {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  MatchData& match_data_;
  std::string scratch_[2];
  std::unique_ptr<evp_md_ctx_st, DigestDeleter> digest_;
};

// Base64 as Suricata decodes it. Rfc4648: decoding stops at the first byte outside the alphabet
// (padding included); Rfc2045: bytes outside the alphabet are skipped; Strict: any such byte
// fails the whole input (out empty). A final partial group yields the whole bytes it holds.
void decodeBase64(std::string_view in, std::string& out, Transform::Base64Mode mode = Transform::Base64Mode::Rfc4648);

// The keyword of a transform ("to_lowercase"), for messages.
std::string_view transformName(Transform::Kind kind);

// False when `content` can never match after `chain`: Suricata refuses such rules (an uppercase
// content after to_lowercase, whitespace after strip_whitespace, a double space after
// compress_whitespace). Fills `reason` with the transform it contradicts.
bool contentFitsTransforms(const TransformChain& chain, std::string_view content, std::string& reason);

}  // namespace gsoc::signatures
