#pragma once
// BatchValidator: checks every field of an incoming EventBatch before anything is stored.
// Two kinds of failure, kept apart because they are answered differently:
//  - Forbidden: the batch claims another sensor or agency than the client certificate proves.
//    That is a security event: it is logged, recorded as a refusal and the stream is closed
//    with PERMISSION_DENIED.
//  - Invalid: a malformed batch (bad sequence range, timestamps out of range, oversize fields,
//    unknown enum values, no body). It is rejected with the reason naming the event, settled
//    (the sensor must not resend it forever) and counted; the stream and other sensors go on.

#include <cstdint>
#include <string>

#include "collector/store/EventStore.hpp"

namespace gsoc::collector {

struct ValidationLimits {
  std::uint32_t max_events = 100000;
  std::uint32_t max_event_bytes = 256U << 10;
  std::uint32_t max_string_bytes = 16U << 10;   // any one text field of the record
  std::int64_t min_timestamp_ns = 946684800LL * 1000000000LL;  // 2000-01-01
  std::int64_t max_future_ns = 24LL * 3600 * 1000000000LL;     // clock skew tolerated ahead
};

struct Validation {
  enum class Verdict { Ok, Invalid, Forbidden };
  Verdict verdict = Verdict::Ok;
  std::string reason;
  [[nodiscard]] bool ok() const { return verdict == Verdict::Ok; }
};

Validation validateBatch(const SensorIdentity& identity, const gsoc::v1::EventBatch& batch, std::int64_t now_ns,
                         const ValidationLimits& limits = {});

}  // namespace gsoc::collector
