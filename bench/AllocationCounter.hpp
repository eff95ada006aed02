#pragma once
// Counts calls to the global operator new of the program that links AllocationCounter.cpp (the
// sensor bench), so a benchmark can report allocations per packet and per flow. malloc called
// directly (Hyperscan, zlib) is not counted; heaptrack sees those too.

#include <cstdint>

namespace gsoc::bench {

// operator new calls (all forms) since the program started.
[[nodiscard]] std::uint64_t allocationCount();

}  // namespace gsoc::bench
