#pragma once
// FlowBits: one flow's flowbit and flowint values and its transactional rules' marks, as the
// Detector reads and sets them. Its own header so a flow can hold it without the matching API.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace gsoc::signatures {

// Per-flow flowbit and flowint state, owned by the flow. Sized for the ruleset's flowbits.
class FlowBits {
 public:
  explicit FlowBits(std::size_t count = 0) : words_((count + 63) / 64) {}
  [[nodiscard]] bool test(std::uint32_t id) const { return id / 64 < words_.size() && (words_[id / 64] >> (id % 64)) & 1; }
  void set(std::uint32_t id) { grow(id); words_[id / 64] |= std::uint64_t{1} << (id % 64); }
  void unset(std::uint32_t id) { if (id / 64 < words_.size()) words_[id / 64] &= ~(std::uint64_t{1} << (id % 64)); }
  void toggle(std::uint32_t id) { grow(id); words_[id / 64] ^= std::uint64_t{1} << (id % 64); }
  // flowint values (the compiler numbers flowints apart from flowbits).
  [[nodiscard]] std::optional<std::uint32_t> integer(std::uint32_t id) const { return id < ints_.size() ? ints_[id] : std::nullopt; }
  void setInteger(std::uint32_t id, std::uint32_t value) {
    if (id >= ints_.size()) ints_.resize(id + 1);
    ints_[id] = value;
  }
  // Transactional rules: the Request half `rule` held on transaction `tx` of this flow. A flow
  // keeps the last kMaxMarkedTransactions marks (requests far ahead of their responses lose the
  // oldest).
  static constexpr std::size_t kMaxMarkedTransactions = 32;
  void markTransaction(std::uint32_t rule, std::uint64_t tx) {
    if (transactionMarked(rule, tx)) return;
    if (marked_.size() >= kMaxMarkedTransactions) marked_.erase(marked_.begin());
    marked_.emplace_back(rule, tx);
  }
  [[nodiscard]] bool transactionMarked(std::uint32_t rule, std::uint64_t tx) const {
    return std::find(marked_.begin(), marked_.end(), std::pair<std::uint32_t, std::uint64_t>{rule, tx}) != marked_.end();
  }

 private:
  void grow(std::uint32_t id) { if (id / 64 >= words_.size()) words_.resize(id / 64 + 1); }
  std::vector<std::uint64_t> words_;
  std::vector<std::optional<std::uint32_t>> ints_;  // empty until a rule sets one
  std::vector<std::pair<std::uint32_t, std::uint64_t>> marked_;  // (Request half, transaction)
};

}  // namespace gsoc::signatures
