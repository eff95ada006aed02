#include "collector/store/TermTail.hpp"

#include <algorithm>

namespace gsoc::collector {

void TermTail::add(std::int64_t block_id, std::span<const std::string_view> terms) {
  for (const auto t : terms) {
    auto it = terms_.find(t);
    if (it == terms_.end()) it = terms_.emplace(std::string(t), std::vector<std::int64_t>{}).first;
    it->second.push_back(block_id);
    touched_.push_back(&it->second);  // nodes are stable: the pointer outlives rehashing
  }
  ++blocks_;
  pending_through_ = std::max(pending_through_, block_id);
}

void TermTail::commit() {
  touched_.clear();
  committed_blocks_ = blocks_;
  committed_through_ = pending_through_;
}

void TermTail::rollback() {
  for (auto* ids : touched_) {
    while (!ids->empty() && ids->back() > committed_through_) ids->pop_back();
  }
  touched_.clear();
  std::erase_if(terms_, [](const auto& kv) { return kv.second.empty(); });
  blocks_ = committed_blocks_;
  pending_through_ = committed_through_;
}

void TermTail::forEachRow(const std::function<void(const std::string&, const std::vector<std::int64_t>&)>& row) const {
  std::vector<const std::pair<const std::string, std::vector<std::int64_t>>*> rows;
  rows.reserve(terms_.size());
  for (const auto& kv : terms_) rows.push_back(&kv);
  std::sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* kv : rows) row(kv->first, kv->second);
}

void TermTail::clear() {
  terms_.clear();
  touched_.clear();
  blocks_ = committed_blocks_ = 0;
}

void TermTail::blocksWith(const std::string& term, std::unordered_set<std::int64_t>& out) const {
  if (auto it = terms_.find(term); it != terms_.end()) out.insert(it->second.begin(), it->second.end());
}

void encodeBlockIds(std::span<const std::int64_t> ids, std::string& out) {
  std::int64_t previous = 0;
  for (const auto id : ids) {
    auto v = static_cast<std::uint64_t>(id - previous);
    previous = id;
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
}

void decodeBlockIds(std::string_view bytes, std::unordered_set<std::int64_t>& out) {
  std::int64_t previous = 0;
  std::uint64_t v = 0;
  int shift = 0;
  for (const char c : bytes) {
    const auto b = static_cast<std::uint8_t>(c);
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    shift += 7;
    if (b < 0x80) {
      previous += static_cast<std::int64_t>(v);
      out.insert(previous);
      v = 0;
      shift = 0;
    }
  }
}

}  // namespace gsoc::collector
