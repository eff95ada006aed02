#pragma once
// TermTail: the term index of the newest event blocks, kept in memory until kSealBlocks of them
// have accumulated and are written to `event_terms` in one sorted batch (a "bucket": one row per
// distinct term, listing the bucket's blocks that hold it). Writing every block's terms straight
// into a B-tree keyed by term dirtied pages all over the index on every commit, so ingest slowed
// as history grew (39k events/s at a million varied events); a bucket is written once, its rows
// in term order. Queries read the sealed rows and this tail. After a restart the tail is rebuilt
// from the blocks stored since the last sealed bucket.
//
// Each block keeps its own sorted term list (adding one is a copy, not a lookup per term in a
// large hash map, which was a tenth of ingest); sealing merges the lists in term order. Blocks of
// the open transaction are added at once and dropped again if it rolls back.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace gsoc::collector {

inline constexpr std::size_t kSealBlocks = 64;

class TermTail {
 public:
  // A block written in the open transaction, with its distinct terms in ascending order.
  void add(std::int64_t block_id, std::span<const std::string_view> sorted_terms);
  void commit() { committed_ = blocks_.size(); }
  void rollback() { blocks_.resize(committed_); }
  [[nodiscard]] std::size_t blocks() const { return blocks_.size(); }

  // The tail as one bucket: each distinct term, in order, with its block ids ascending.
  void forEachRow(const std::function<void(std::string_view term, const std::vector<std::int64_t>& ids)>& row) const;
  // After the bucket was sealed and committed.
  void clear();

  // Blocks of the tail that hold the term.
  void blocksWith(std::string_view term, std::unordered_set<std::int64_t>& out) const;

 private:
  struct Block {
    std::int64_t id = 0;
    std::string bytes;                                       // the terms, back to back
    std::vector<std::pair<std::uint32_t, std::uint32_t>> terms;  // (offset, size), sorted by term
    [[nodiscard]] std::string_view term(std::size_t i) const { return {bytes.data() + terms[i].first, terms[i].second}; }
  };
  std::vector<Block> blocks_;
  std::size_t committed_ = 0;
};

// A bucket row's block list: ascending ids as varint deltas, appended to `out`.
void encodeBlockIds(std::span<const std::int64_t> ids, std::string& out);
void decodeBlockIds(std::string_view bytes, std::unordered_set<std::int64_t>& out);

}  // namespace gsoc::collector
