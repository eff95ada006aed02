#pragma once
// The counters of a worker's FreeLists by name ("http_messages", "stream_windows", ...), for the
// sensor's stats: each stage adds its lists, workers' tables are merged when read, and one
// function prints them, so a new pool shows up in the stats without touching the printer.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/FreeList.hpp"

namespace gsoc {

class PoolTable {
 public:
  using Entry = std::pair<std::string, FreeListCounters>;

  // Adds `counters` to the pool named `name` (merged with what another worker added).
  void add(std::string_view name, const FreeListCounters& counters) {
    for (Entry& e : entries_) {
      if (e.first == name) return e.second.merge(counters);
    }
    entries_.emplace_back(std::string(name), counters);
  }
  void merge(const PoolTable& other) {
    for (const Entry& e : other.entries_) add(e.first, e.second);
  }
  // In the order the pools were first added.
  [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

}  // namespace gsoc
