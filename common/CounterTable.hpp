#pragma once
// One named table per counter struct (as Snort 3's PegInfo or DPDK's xstats names): each struct
// of plain std::uint64_t counters lists its fields once, by name, kind and help text, in a
// static constexpr counterFields() of the struct. Shared code then merges two instances
// (workers' counters summed when read), diffs them (progress lines, per-interval figures) and walks
// them by name (stats JSON, the control socket, heartbeats), so adding a counter is one line in
// the struct and one in its table. The hot path is untouched: the fields stay plain integers
// incremented directly; the table is metadata read only when counters are merged or printed.
//
//   struct FlowTableCounters {
//     std::uint64_t created = 0;
//     ...
//     static constexpr auto counterFields() {
//       using F = gsoc::CounterField<FlowTableCounters>;
//       return std::array{F{"created", &FlowTableCounters::created, gsoc::CounterKind::Counter, "Flows created."}, ...};
//     }
//   };
//   static_assert(gsoc::countersCoverStruct<FlowTableCounters>());  // no field forgotten or named twice
//
// A struct may also hold fixed arrays of counters (one per error kind, per protocol): it lists
// them in a static constexpr counterArrays(), each with a function naming its elements.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string_view>

namespace gsoc {

// How a counter merges and diffs. Counter: summed, and a diff subtracts (packets, drops). Gauge: a
// level now, summed over workers, and a diff keeps the later value (active flows, objects in
// use). Max: the largest seen, merged by max, and a diff keeps the later value (longest packet).
enum class CounterKind : std::uint8_t { Counter, Gauge, Max };

// Prometheus' TYPE for a kind.
constexpr std::string_view counterKindType(CounterKind kind) { return kind == CounterKind::Counter ? "counter" : "gauge"; }

template <typename S>
struct CounterField {
  std::string_view name;
  std::uint64_t S::*member;
  CounterKind kind = CounterKind::Counter;
  std::string_view help;
};

// A fixed array of counters of one kind, its elements named by `element_name(i)`.
template <typename S, std::size_t N>
struct CounterArrayField {
  std::string_view name;
  std::array<std::uint64_t, N> S::*member;
  std::string_view (*element_name)(std::size_t);
  CounterKind kind = CounterKind::Counter;
  std::string_view help;
};

// A counter struct: its static constexpr counterFields() returns a std::array of CounterField<S>
// (and counterArrays(), where it has arrays, one of CounterArrayField).
template <typename S>
concept CounterStruct = requires { S::counterFields(); };

template <typename S>
concept HasCounterArrays = CounterStruct<S> && requires { S::counterArrays(); };

template <CounterStruct S>
inline constexpr auto kCounterFields = S::counterFields();
template <HasCounterArrays S>
inline constexpr auto kCounterArrays = S::counterArrays();

namespace counter_table_detail {

constexpr std::uint64_t combine(CounterKind kind, std::uint64_t a, std::uint64_t b) {
  return kind == CounterKind::Max ? std::max(a, b) : a + b;
}
constexpr std::uint64_t difference(CounterKind kind, std::uint64_t now, std::uint64_t earlier) {
  return kind == CounterKind::Counter ? now - earlier : now;
}

}  // namespace counter_table_detail

template <typename S, std::size_t N>
constexpr std::size_t arrayLength(const CounterArrayField<S, N>&) {
  return N;
}

// How many std::uint64_t the table names (its fields and every array element).
template <CounterStruct S>
constexpr std::size_t counterCount() {
  std::size_t n = kCounterFields<S>.size();
  if constexpr (HasCounterArrays<S>) {
    for (const auto& a : kCounterArrays<S>) n += arrayLength(a);
  }
  return n;
}

// True when the table names every counter of S exactly once: S is nothing but the counters the
// table lists (its size is theirs), and no field is listed twice (so none is left out). Checked
// with a static_assert next to each table.
template <CounterStruct S>
constexpr bool countersCoverStruct() {
  const auto& fields = kCounterFields<S>;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    for (std::size_t j = i + 1; j < fields.size(); ++j) {
      if (fields[i].member == fields[j].member || fields[i].name == fields[j].name) return false;
    }
  }
  if constexpr (HasCounterArrays<S>) {
    const auto& arrays = kCounterArrays<S>;
    for (std::size_t i = 0; i < arrays.size(); ++i) {
      for (std::size_t j = i + 1; j < arrays.size(); ++j) {
        if (arrays[i].member == arrays[j].member || arrays[i].name == arrays[j].name) return false;
      }
    }
  }
  return sizeof(S) == counterCount<S>() * sizeof(std::uint64_t);
}

// into += from, field by field (Max fields by max).
template <CounterStruct S>
constexpr void mergeCounters(S& into, const S& from) {
  for (const auto& f : kCounterFields<S>) into.*f.member = counter_table_detail::combine(f.kind, into.*f.member, from.*f.member);
  if constexpr (HasCounterArrays<S>) {
    for (const auto& a : kCounterArrays<S>) {
      auto& to = into.*a.member;
      const auto& add = from.*a.member;
      for (std::size_t i = 0; i < to.size(); ++i) to[i] = counter_table_detail::combine(a.kind, to[i], add[i]);
    }
  }
}

// What was counted between `earlier` and `now`: counters subtracted, gauges and maxima as `now`.
template <CounterStruct S>
[[nodiscard]] constexpr S diffCounters(const S& now, const S& earlier) {
  S out = now;
  for (const auto& f : kCounterFields<S>) out.*f.member = counter_table_detail::difference(f.kind, now.*f.member, earlier.*f.member);
  if constexpr (HasCounterArrays<S>) {
    for (const auto& a : kCounterArrays<S>) {
      auto& to = out.*a.member;
      const auto& before = earlier.*a.member;
      for (std::size_t i = 0; i < to.size(); ++i) to[i] = counter_table_detail::difference(a.kind, to[i], before[i]);
    }
  }
  return out;
}

// Calls visit(field, value) for each scalar field, in the table's order.
template <CounterStruct S, typename Visit>
void visitCounters(const S& s, Visit&& visit) {
  for (const auto& f : kCounterFields<S>) visit(f, s.*f.member);
}

// Calls visit(array, element_name, value) for each element of each array, in order.
template <HasCounterArrays S, typename Visit>
void visitCounterArrays(const S& s, Visit&& visit) {
  for (const auto& a : kCounterArrays<S>) {
    const auto& values = s.*a.member;
    for (std::size_t i = 0; i < values.size(); ++i) visit(a, a.element_name(i), values[i]);
  }
}

// The scalar fields as JSON members, "name":value joined by commas (no braces: the caller opens
// the object and may add members of its own after them).
template <CounterStruct S>
void writeCountersJson(std::ostream& out, const S& s) {
  bool first = true;
  visitCounters(s, [&](const CounterField<S>& f, std::uint64_t v) {
    out << (first ? "" : ",") << '"' << f.name << "\":" << v;
    first = false;
  });
}

}  // namespace gsoc
