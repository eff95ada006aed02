#include "collector/store/TermTail.hpp"

#include <algorithm>
#include <queue>
#include <tuple>

namespace gsoc::collector {

void TermTail::add(std::int64_t block_id, std::span<const std::string_view> sorted_terms) {
  Block& b = blocks_.emplace_back();
  b.id = block_id;
  std::size_t size = 0;
  for (const auto t : sorted_terms) size += t.size();
  b.bytes.reserve(size);
  b.terms.reserve(sorted_terms.size());
  for (const auto t : sorted_terms) {
    b.terms.emplace_back(static_cast<std::uint32_t>(b.bytes.size()), static_cast<std::uint32_t>(t.size()));
    b.bytes.append(t);
  }
}

void TermTail::forEachRow(const std::function<void(std::string_view, const std::vector<std::int64_t>&)>& row) const {
  // A k-way merge of the blocks' sorted lists: (term, block index, position), smallest first.
  using Head = std::tuple<std::string_view, std::size_t, std::size_t>;
  std::priority_queue<Head, std::vector<Head>, std::greater<>> merge;
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    if (!blocks_[b].terms.empty()) merge.emplace(blocks_[b].term(0), b, 0);
  }
  std::vector<std::int64_t> ids;
  while (!merge.empty()) {
    const std::string_view term = std::get<0>(merge.top());
    ids.clear();
    while (!merge.empty() && std::get<0>(merge.top()) == term) {
      const auto [t, b, i] = merge.top();
      merge.pop();
      ids.push_back(blocks_[b].id);
      if (i + 1 < blocks_[b].terms.size()) merge.emplace(blocks_[b].term(i + 1), b, i + 1);
    }
    std::sort(ids.begin(), ids.end());
    row(term, ids);
  }
}

void TermTail::clear() {
  blocks_.clear();
  committed_ = 0;
}

void TermTail::blocksWith(std::string_view term, std::unordered_set<std::int64_t>& out) const {
  for (const Block& b : blocks_) {
    auto it = std::lower_bound(b.terms.begin(), b.terms.end(), term, [&b](const auto& ref, std::string_view t) {
      return std::string_view(b.bytes.data() + ref.first, ref.second) < t;
    });
    if (it != b.terms.end() && std::string_view(b.bytes.data() + it->first, it->second) == term) out.insert(b.id);
  }
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
