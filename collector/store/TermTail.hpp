#pragma once
// TermTail: the term index of the newest event blocks, kept in memory until kSealBlocks of them
// have accumulated and are written to `event_terms` in one sorted batch (a "bucket": one row per
// distinct term, listing the bucket's blocks that hold it). Writing every block's terms straight
// into a B-tree keyed by term dirtied pages all over the index on every commit, so ingest slowed
// as history grew (39k events/s at a million varied events); a bucket is written once, its rows
// in term order. Queries read the sealed rows and this tail. After a restart the tail is rebuilt
// from the blocks stored since the last sealed bucket.
//
// Blocks of the open transaction are added at once and taken out again if it rolls back: block
// ids only grow, so a rollback pops the ids above the last committed block.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace gsoc::collector {

inline constexpr std::size_t kSealBlocks = 64;

class TermTail {
 public:
  // A block written in the open transaction, with its distinct terms.
  void add(std::int64_t block_id, std::span<const std::string_view> terms);
  void commit();
  void rollback();
  [[nodiscard]] std::size_t blocks() const { return blocks_; }

  // The tail as one bucket: each term (in order) with its block ids, ascending.
  void forEachRow(const std::function<void(const std::string& term, const std::vector<std::int64_t>& ids)>& row) const;
  // After the bucket was sealed and committed.
  void clear();

  // Blocks of the tail that hold the term.
  void blocksWith(const std::string& term, std::unordered_set<std::int64_t>& out) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<std::int64_t>, Hash, std::equal_to<>> terms_;
  std::vector<std::vector<std::int64_t>*> touched_;  // lists the open transaction added to
  std::size_t blocks_ = 0;
  std::size_t committed_blocks_ = 0;
  std::int64_t committed_through_ = 0;
  std::int64_t pending_through_ = 0;
};

// A bucket row's block list: ascending ids as varint deltas, appended to `out`.
void encodeBlockIds(std::span<const std::int64_t> ids, std::string& out);
void decodeBlockIds(std::string_view bytes, std::unordered_set<std::int64_t>& out);

}  // namespace gsoc::collector
