#include "sensor/decode/ByteRangeStore.hpp"

#include <algorithm>
#include <iterator>

namespace gsoc::sensor {

ByteRangeStore::Inserted ByteRangeStore::insert(std::uint64_t offset, std::span<const std::uint8_t> data) {
  Inserted result;
  std::uint64_t start = offset;
  const std::uint64_t end = offset + data.size();
  auto it = pieces_.upper_bound(start);
  if (it != pieces_.begin()) {
    const auto prev = std::prev(it);
    const std::uint64_t prev_end = prev->first + prev->second.size();
    if (prev_end > start) {
      result.overlapped = true;
      start = std::min(prev_end, end);
    }
  }
  while (start < end) {
    it = pieces_.lower_bound(start);
    const std::uint64_t stop = it == pieces_.end() ? end : std::min(end, it->first);
    if (stop > start) {
      pieces_.emplace(start, std::vector<std::uint8_t>(data.begin() + static_cast<std::ptrdiff_t>(start - offset),
                                                       data.begin() + static_cast<std::ptrdiff_t>(stop - offset)));
      result.bytes += stop - start;
    }
    if (it == pieces_.end() || it->first >= end) break;
    result.overlapped = true;
    start = it->first + it->second.size();
  }
  bytes_ += result.bytes;
  return result;
}

std::pair<std::uint64_t, std::vector<std::uint8_t>> ByteRangeStore::popFront() {
  auto node = pieces_.extract(pieces_.begin());
  bytes_ -= node.mapped().size();
  return {node.key(), std::move(node.mapped())};
}

}  // namespace gsoc::sensor
