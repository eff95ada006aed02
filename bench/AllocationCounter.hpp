#pragma once
// Counts calls to the global operator new of the program that links AllocationCounter.cpp (the
// sensor bench), so a benchmark can report allocations per packet and per flow. malloc called
// directly (Hyperscan, zlib) is not counted; heaptrack sees those too.

#include <cstdint>

namespace gsoc::bench {

// operator new calls (all forms) since the program started.
[[nodiscard]] std::uint64_t allocationCount();

// With GSOC_BENCH_ALLOC_TRACE=file set: records the call stacks of the operator new calls
// between traceAllocations(true) and traceAllocations(false) (the first 20,000), appended to the
// file when tracing stops (addresses; resolve them with addr2line), each stack ended by a line
// "-- SIZE" with the bytes asked for. Without it: nothing.
void traceAllocations(bool on);

}  // namespace gsoc::bench
