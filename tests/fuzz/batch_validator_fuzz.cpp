// The collector's batch validation (collector/ingest/BatchValidator) on any EventBatch a sensor
// could send: the input after byte 0 is parsed as the protobuf wire format (as gRPC does), and
// byte 0 bit 0 makes the certificate's identity the one the batch claims, so the fuzzer gets past
// the identity check into the per-event checks. Invariants: Ok has no reason and the others have
// one; the reason is valid UTF-8 (it travels back in BatchAck.reason, a proto3 string, and into
// the log); a batch that passes has events with bodies, timestamps in range and sizes within
// the limits.
#include <cstdint>
#include <string>

#include <google/protobuf/stubs/logging.h>

#include "collector/ingest/BatchValidator.hpp"
#include "gsoc/v1/ingest.pb.h"
#include "tests/fuzz/FuzzRecords.hpp"

// Protobuf logs every string field that is not UTF-8 (and rejects the batch, as gRPC would);
// a fuzzer makes millions of them.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gsoc::fuzz::check;
  using gsoc::collector::Validation;
  if (size < 1) return 0;
  gsoc::v1::EventBatch batch;
  if (!batch.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
  gsoc::collector::SensorIdentity identity{"MOFA", "mofa-uplink-1", "0a1b", "127.0.0.1:5000"};
  if (data[0] & 1) {
    identity.sensor_id = batch.sensor_id();
    if (batch.events_size() > 0 && !batch.events(0).agency_id().empty()) identity.agency_id = batch.events(0).agency_id();
  }
  const std::int64_t now = 1'760'000'000'000'000'000;  // fixed: the same input, the same verdict
  gsoc::collector::ValidationLimits limits;
  if (data[0] & 2) {  // small limits, so the size checks are reachable with small inputs
    limits.max_events = 4;
    limits.max_event_bytes = 512;
    limits.max_string_bytes = 64;
  }
  const Validation v = gsoc::collector::validateBatch(identity, batch, now, limits);
  check(v.ok() == v.reason.empty(), "a verdict and its reason disagree");
  check(gsoc::fuzz::strictUtf8(v.reason), "a rejection reason that is not valid UTF-8");
  if (v.ok()) {
    check(batch.epoch() != 0 && batch.first_sequence() != 0 && batch.events_size() > 0, "an empty or unnumbered batch passed");
    check(static_cast<std::uint32_t>(batch.events_size()) <= limits.max_events, "too many events passed");
    for (const auto& e : batch.events()) {
      check(e.body_case() != gsoc::v1::Event::BODY_NOT_SET, "an event without a body passed");
      check(e.timestamp_ns() >= limits.min_timestamp_ns && e.timestamp_ns() <= now + limits.max_future_ns, "a timestamp out of range passed");
      check(e.ByteSizeLong() <= limits.max_event_bytes, "an oversize event passed");
    }
  }
  return 0;
}
