// ReorderQueue: whatever the arrival order (in order, reversed, shuffled, nearly in order, with
// ties), items come out in the comparator's order, the same order std::sort gives.
#include "collector/correlate/ReorderQueue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

using gsoc::collector::ReorderQueue;

namespace {

using Item = std::pair<int, int>;  // (time, tie-break)
const auto kLater = [](const Item& a, const Item& b) { return a > b; };
// Times in nanoseconds spread over several buckets, some negative.
const auto kTime = [](const Item& i) { return std::int64_t{i.first} * 100000 - 20000000; };

std::vector<Item> drain(const std::vector<Item>& arrivals) {
  ReorderQueue<Item> q;
  for (const Item& i : arrivals) q.push(i, kTime(i), kLater);
  EXPECT_EQ(q.size(), arrivals.size());
  std::vector<Item> out;
  while (!q.empty()) {
    out.push_back(q.front(kLater));
    q.pop(kLater);
  }
  return out;
}

std::vector<Item> sorted(std::vector<Item> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(ReorderQueue, ReleasesInOrderWhateverTheArrivalOrder) {
  std::mt19937 rng(7);
  std::vector<Item> items;
  for (int i = 0; i < 5000; ++i) items.emplace_back(static_cast<int>(rng() % 700), static_cast<int>(rng() % 3));
  std::vector<Item> in_order = sorted(items);
  EXPECT_EQ(drain(in_order), in_order);
  std::vector<Item> reversed(in_order.rbegin(), in_order.rend());
  EXPECT_EQ(drain(reversed), in_order);
  std::shuffle(items.begin(), items.end(), rng);
  EXPECT_EQ(drain(items), in_order);
  // Nearly in order: each item displaced by a few places, as several sensors' streams interleave.
  std::vector<Item> nearly = in_order;
  for (std::size_t i = 0; i + 8 < nearly.size(); i += 5) std::swap(nearly[i], nearly[i + rng() % 8]);
  EXPECT_EQ(drain(nearly), in_order);
}

TEST(ReorderQueue, InterleavesPushesAndPops) {
  std::mt19937 rng(11);
  ReorderQueue<Item> q;
  std::vector<Item> out;
  int watermark = 0;
  for (int t = 0; t < 4000; ++t) {
    const Item item{t + static_cast<int>(rng() % 50), t};
    q.push(item, kTime(item), kLater);  // up to 50 late
    watermark = t - 50;
    while (!q.empty() && q.front(kLater).first <= watermark) {
      out.push_back(q.front(kLater));
      q.pop(kLater);
    }
  }
  while (!q.empty()) {
    out.push_back(q.front(kLater));
    q.pop(kLater);
  }
  ASSERT_EQ(out.size(), 4000u);
  EXPECT_TRUE(std::is_sorted(out.begin(), out.end()));
}

}  // namespace
