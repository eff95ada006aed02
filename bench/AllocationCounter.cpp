// Replaces the global operator new and delete with malloc and free plus one relaxed counter.
#include "bench/AllocationCounter.hpp"

#include <execinfo.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::uint64_t> g_allocations{0};

// Call stacks of allocations while tracing (GSOC_BENCH_ALLOC_TRACE=file): fixed storage, so
// tracing itself allocates nothing; written out (backtrace_symbols_fd) when tracing stops.
constexpr std::size_t kTraceDepth = 24;
constexpr std::size_t kTraceSamples = 20000;
struct TraceSample {
  std::array<void*, kTraceDepth> frames{};
  int depth = 0;
  std::size_t size = 0;  // bytes asked for
};
std::array<TraceSample, kTraceSamples> g_samples;
std::size_t g_sample_count = 0;
std::uint64_t g_sample_every = 1;  // GSOC_BENCH_ALLOC_TRACE_EVERY: one allocation in so many
std::uint64_t g_seen = 0;
bool g_tracing = false;
thread_local bool t_in_trace = false;

void trace(std::size_t size) {
  if (!g_tracing || t_in_trace || g_sample_count >= kTraceSamples || ++g_seen % g_sample_every != 0) return;
  t_in_trace = true;
  TraceSample& s = g_samples[g_sample_count++];
  s.size = size;
  s.depth = ::backtrace(s.frames.data(), static_cast<int>(kTraceDepth));
  t_in_trace = false;
}

void* allocate(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  trace(size);
  if (void* p = std::malloc(size != 0 ? size : 1)) return p;
  throw std::bad_alloc();
}

void* allocateAligned(std::size_t size, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = nullptr;
  const std::size_t a = std::max(static_cast<std::size_t>(align), sizeof(void*));
  if (::posix_memalign(&p, a, size != 0 ? size : 1) == 0) return p;
  throw std::bad_alloc();
}
}  // namespace

namespace gsoc::bench {
std::uint64_t allocationCount() { return g_allocations.load(std::memory_order_relaxed); }

void traceAllocations(bool on) {
  static const char* path = std::getenv("GSOC_BENCH_ALLOC_TRACE");
  if (path == nullptr) return;
  if (on) {
    void* warm[1];
    ::backtrace(warm, 1);  // loads the unwinder before tracing starts (it allocates once)
    if (const char* every = std::getenv("GSOC_BENCH_ALLOC_TRACE_EVERY")) g_sample_every = std::max(1, std::atoi(every));
    g_tracing = true;
    return;
  }
  if (!g_tracing) return;
  g_tracing = false;
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return;
  for (std::size_t i = 0; i < g_sample_count; ++i) {
    ::backtrace_symbols_fd(g_samples[i].frames.data(), g_samples[i].depth, fd);
    // "-- SIZE": the end of one stack, with the bytes that allocation asked for.
    std::array<char, 32> end{'-', '-', ' '};
    char* last = std::to_chars(end.data() + 3, end.data() + end.size() - 1, g_samples[i].size).ptr;
    *last++ = '\n';
    [[maybe_unused]] const auto n = ::write(fd, end.data(), static_cast<std::size_t>(last - end.data()));
  }
  ::close(fd);
  g_sample_count = 0;
}
}  // namespace gsoc::bench

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void* operator new(std::size_t size, std::align_val_t align) { return allocateAligned(size, align); }
void* operator new[](std::size_t size, std::align_val_t align) { return allocateAligned(size, align); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
