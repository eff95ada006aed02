#include "collector/ingest/IngestService.hpp"

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <thread>

#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/support/method_handler.h>

#include "gsoc/v1/status.pb.h"

namespace gsoc::collector {

IngestService::IngestService(BatchWriter& writer, EventStore& store, Clock clock, ValidationLimits limits)
    : writer_(writer), store_(store), clock_(std::move(clock)), limits_(limits) {
  // Ship (method 0) gets a handler on byte buffers in place of the generated typed one.
  // MarkMethodStreamed only swaps the handler and keeps the method bidirectional, which Ship is.
  MarkMethodStreamed(0, new grpc::internal::BidiStreamingHandler<IngestService, grpc::ByteBuffer, grpc::ByteBuffer>(  // NOLINT: the method owns it
                            [](IngestService* service, grpc::ServerContext* context,
                               grpc::ServerReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>* stream) {
                              return service->shipStream(context, stream);
                            },
                            this));
}

void IngestService::setRevocationList(RevocationList list) {
  std::lock_guard lock(mutex_);
  revoked_ = std::move(list);
  for (OpenStream* stream : open_streams_) {
    if (!revoked_.revoked(stream->serial)) continue;
    {
      std::lock_guard gate(stream->gate);  // waits out a batch being submitted now
      stream->revoked = true;
    }
    stream->context->TryCancel();  // unblocks the stream's Read()
  }
}

bool IngestService::registerStream(OpenStream& stream) {
  std::lock_guard lock(mutex_);
  if (revoked_.revoked(stream.serial)) return false;
  open_streams_.insert(&stream);
  ++counters_.streams;
  ++counters_.active_streams;
  return true;
}

void IngestService::unregisterStream(OpenStream& stream) {
  std::lock_guard lock(mutex_);
  open_streams_.erase(&stream);
  --counters_.active_streams;
}

void IngestService::setBundle(BundlePtr bundle) {
  std::lock_guard lock(mutex_);
  bundle_ = std::move(bundle);
}

IngestCounters IngestService::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void IngestService::refuse(const SensorIdentity& identity, const std::string& reason) {
  std::cerr << "gsoc-collector: refused " << identity.peer;
  if (!identity.sensor_id.empty()) std::cerr << " (" << identity.agency_id << "/" << identity.sensor_id << ")";
  std::cerr << ": " << reason << "\n";
  try {
    store_.recordRefusal(clock_(), identity, reason);
  } catch (const std::exception& e) {
    std::cerr << "gsoc-collector: cannot record the refusal: " << e.what() << "\n";
  }
}

grpc::Status IngestService::authenticate(grpc::ServerContext* context, SensorIdentity& identity) {
  identity.peer = context->peer();
  const auto auth = context->auth_context();
  const auto pems = auth ? auth->FindPropertyValues("x509_pem_cert") : std::vector<grpc::string_ref>{};
  if (pems.empty()) {
    count(&IngestCounters::refused_peers);
    refuse(identity, "no client certificate");
    return {grpc::StatusCode::UNAUTHENTICATED, "a client certificate signed by the gsoc CA is required"};
  }
  std::string error;
  auto parsed = identityFromCertificate(std::string_view(pems.front().data(), pems.front().size()), error);
  if (!parsed) {
    count(&IngestCounters::refused_peers);
    refuse(identity, error);
    return {grpc::StatusCode::UNAUTHENTICATED, error};
  }
  parsed->peer = identity.peer;
  identity = std::move(*parsed);
  bool revoked = false;
  {
    std::lock_guard lock(mutex_);
    revoked = revoked_.revoked(identity.serial);
    if (revoked) ++counters_.refused_peers;
  }
  if (revoked) {
    refuse(identity, "certificate serial " + identity.serial + " is revoked");
    return {grpc::StatusCode::PERMISSION_DENIED, "certificate revoked"};
  }
  return grpc::Status::OK;
}

grpc::Status IngestService::shipStream(grpc::ServerContext* context,
                                       grpc::ServerReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>* stream) {
  SensorIdentity identity;
  if (grpc::Status status = authenticate(context, identity); !status.ok()) return status;
  OpenStream open;
  open.serial = identity.serial;
  open.context = context;
  if (!registerStream(open)) {  // the CRL was re-read since authenticate()
    count(&IngestCounters::refused_peers);
    refuse(identity, "certificate serial " + identity.serial + " is revoked");
    return {grpc::StatusCode::PERMISSION_DENIED, "certificate revoked"};
  }

  // Acks are written by a second thread in submission order while this one keeps reading.
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::future<WriteResult>> pending;
  bool reading_done = false;
  std::atomic<bool> store_failed{false};
  std::thread acker([&] {
    for (;;) {
      std::future<WriteResult> next;
      {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return reading_done || !pending.empty(); });
        if (pending.empty()) return;
        next = std::move(pending.front());
        pending.pop_front();
      }
      WriteResult result = next.get();
      if (!result.stored) {
        // The sensor resends after its last ack; end the stream now rather than ack out of order.
        store_failed = true;
        context->TryCancel();
        continue;
      }
      if (store_failed) continue;
      grpc::ByteBuffer raw;
      bool own_buffer = false;
      if (const grpc::Status s = grpc::SerializationTraits<gsoc::v1::BatchAck>::Serialize(result.ack, &raw, &own_buffer); !s.ok()) {
        // Never expected; the sensor resends after its last ack, so end the stream rather than skip one.
        std::cerr << "gsoc-collector: cannot encode an ack: " << s.error_message() << "\n";
        store_failed = true;
        context->TryCancel();
        continue;
      }
      stream->Write(raw);
    }
  });

  grpc::Status status = grpc::Status::OK;
  auto batch = makeArenaBatch();
  grpc::ByteBuffer raw;
  while (!store_failed && stream->Read(&raw)) {
    if (const grpc::Status parsed = grpc::SerializationTraits<gsoc::v1::EventBatch>::Deserialize(&raw, batch.get());
        !parsed.ok()) {
      count(&IngestCounters::unreadable_messages);
      refuse(identity, "unreadable Ship message (not an EventBatch: " + parsed.error_message() + "): stream ended");
      status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unreadable message: not an EventBatch");
      break;
    }
    const Validation v = validateBatch(identity, *batch, clock_(), limits_);
    if (v.verdict == Validation::Verdict::Forbidden) {
      count(&IngestCounters::forbidden_batches);
      refuse(identity, v.reason);
      status = grpc::Status(grpc::StatusCode::PERMISSION_DENIED, v.reason);
      break;
    }
    if (v.verdict == Validation::Verdict::Invalid && (batch->epoch() == 0 || batch->first_sequence() == 0 || batch->events_size() == 0)) {
      refuse(identity, "invalid batch: " + v.reason);  // no sequence range to settle: end the stream
      status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, v.reason);
      break;
    }
    if (v.verdict == Validation::Verdict::Invalid) {
      count(&IngestCounters::invalid_batches);
      refuse(identity, "invalid batch " + std::to_string(batch->first_sequence()) + "+" + std::to_string(batch->events_size()) + ": " + v.reason);
    }
    // Under the gate, so that a revocation either comes before this check or after the submit
    // (setRevocationList may then wait up to the submit timeout, under backpressure only).
    std::unique_lock gate(open.gate);
    if (open.revoked) break;  // read just before the revocation and not taken: dropped
    auto submitted = writer_.submit(identity, std::move(batch), std::chrono::seconds(5), v.reason);
    gate.unlock();
    if (!submitted) {
      count(&IngestCounters::backpressure);
      status = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "ingest queue full; back off and resend after the last ack");
      break;
    }
    {
      std::lock_guard lock(mutex);
      pending.push_back(std::move(*submitted));
    }
    cv.notify_one();
    batch = makeArenaBatch();
  }
  {
    std::lock_guard lock(mutex);
    reading_done = true;
  }
  cv.notify_one();
  acker.join();  // what was submitted before a revocation is committed (and acked) first
  unregisterStream(open);  // after this nobody else takes open.gate
  bool revoked = false;
  {
    std::lock_guard gate(open.gate);
    revoked = open.revoked;
  }
  if (revoked) {
    count(&IngestCounters::revoked_streams);
    refuse(identity, "certificate serial " + identity.serial + " revoked while streaming: stream cut");
    return {grpc::StatusCode::PERMISSION_DENIED, "certificate revoked"};
  }
  if (store_failed) return {grpc::StatusCode::UNAVAILABLE, "the event store failed; resend after the last ack"};
  return status;
}

grpc::Status IngestService::Heartbeat(grpc::ServerContext* context, const gsoc::v1::SensorStatus* request,
                                      gsoc::v1::HeartbeatReply* reply) {
  SensorIdentity identity;
  if (grpc::Status status = authenticate(context, identity); !status.ok()) return status;
  if (!request->sensor_id().empty() && request->sensor_id() != identity.sensor_id) {
    const std::string reason = "heartbeat claims sensor '" + request->sensor_id() + "' but the certificate is " + identity.sensor_id;
    refuse(identity, reason);
    return {grpc::StatusCode::PERMISSION_DENIED, reason};
  }
  const std::int64_t now = clock_();
  gsoc::v1::SensorStatus status = *request;
  status.set_sensor_id(identity.sensor_id);
  status.set_agency_id(identity.agency_id);
  if (status.clock_synchronized() && std::llabs(status.clock_offset_ns()) > 1000000000LL) {
    std::cerr << "gsoc-collector: sensor " << identity.sensor_id << " (" << identity.agency_id << ") clock is "
              << static_cast<double>(status.clock_offset_ns()) / 1e9 << " s off the collector's: cross-agency correlation suffers\n";
  }
  try {
    store_.recordSensorStatus(identity, status, now);
  } catch (const std::exception& e) {
    return {grpc::StatusCode::UNAVAILABLE, std::string("store: ") + e.what()};
  }
  reply->set_collector_time_ns(clock_());
  std::lock_guard lock(mutex_);
  ++counters_.heartbeats;
  if (bundle_) reply->set_active_bundle_version(bundle_->version());
  if (!status.bundle_error().empty()) {
    std::cerr << "gsoc-collector: sensor " << identity.sensor_id << " (" << identity.agency_id << ") refused a bundle: " << status.bundle_error() << "\n";
  }
  return grpc::Status::OK;
}

grpc::Status IngestService::FetchBundle(grpc::ServerContext* context, const gsoc::v1::BundleRequest* request,
                                        gsoc::v1::SignatureBundle* reply) {
  SensorIdentity identity;
  if (grpc::Status status = authenticate(context, identity); !status.ok()) return status;
  BundlePtr bundle;
  {
    std::lock_guard lock(mutex_);
    bundle = bundle_;
    if (bundle) ++counters_.bundles_served;
  }
  if (!bundle) return {grpc::StatusCode::NOT_FOUND, "no signature bundle is published"};
  std::cerr << "gsoc-collector: sensor " << identity.sensor_id << " (" << identity.agency_id << ") fetches bundle " << bundle->version()
            << " (runs '" << request->have_version() << "')\n";
  *reply = *bundle;
  return grpc::Status::OK;
}

}  // namespace gsoc::collector
