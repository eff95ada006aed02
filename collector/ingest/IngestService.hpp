#pragma once
// IngestService: the collector's gRPC Ingest implementation. Every call first establishes the
// peer's identity from its verified client certificate (PeerIdentity) and refuses peers without
// one (UNAUTHENTICATED) or with a revoked one (PERMISSION_DENIED). Ship streams validate each
// batch (BatchValidator), hand it to the BatchWriter, and write acks back in order from a second
// thread, so a sensor can keep several batches in flight. Refusals are logged and recorded in the
// store's audit table; one sensor's bad batch never affects another's stream.
//
// Open Ship streams are registered with their certificate serial: a new revocation list cuts
// the streams of every certificate it revokes at once (the call is cancelled; the sensor's next
// call is refused with PERMISSION_DENIED), and no batch of theirs is taken after
// setRevocationList() returns. Otherwise a long-lived stream would outlive its revocation by
// up to max_connection_age.
//
// Ship is registered with raw byte buffers and batches are parsed here, not by gRPC: gRPC's
// typed reader reports an unparsable message exactly like the end of the stream, so a client
// sending garbage would end with status OK and no trace. Here it is refused (INVALID_ARGUMENT),
// logged and recorded like any other refusal.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "collector/ingest/BatchValidator.hpp"
#include "collector/ingest/BatchWriter.hpp"
#include "collector/ingest/BundlePublisher.hpp"
#include "collector/ingest/PeerIdentity.hpp"
#include "gsoc/v1/ingest.grpc.pb.h"

namespace gsoc::collector {

struct IngestCounters {
  std::uint64_t streams = 0;
  std::uint64_t active_streams = 0;
  std::uint64_t refused_peers = 0;     // no/revoked certificate
  std::uint64_t revoked_streams = 0;   // open streams cut because their certificate was revoked
  std::uint64_t forbidden_batches = 0; // claimed another sensor or agency
  std::uint64_t invalid_batches = 0;
  std::uint64_t unreadable_messages = 0;  // Ship messages that are not an EventBatch
  std::uint64_t backpressure = 0;      // streams ended with RESOURCE_EXHAUSTED
  std::uint64_t heartbeats = 0;
  std::uint64_t bundles_served = 0;
};

class IngestService final : public gsoc::v1::Ingest::Service {
 public:
  using Clock = std::function<std::int64_t()>;
  // `store` takes heartbeats and refusals directly (it serialises callers itself); events go
  // through `writer`.
  IngestService(BatchWriter& writer, EventStore& store, Clock clock, ValidationLimits limits);

  // Installs the list and cuts the open Ship streams of the certificates it revokes.
  void setRevocationList(RevocationList list);
  // The bundle heartbeats announce and FetchBundle serves (already signed); null: none.
  void setBundle(BundlePtr bundle);
  [[nodiscard]] IngestCounters counters() const;

  // The Ship stream, on raw messages (see above).
  grpc::Status shipStream(grpc::ServerContext* context, grpc::ServerReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>* stream);
  grpc::Status Heartbeat(grpc::ServerContext* context, const gsoc::v1::SensorStatus* request, gsoc::v1::HeartbeatReply* reply) override;
  grpc::Status FetchBundle(grpc::ServerContext* context, const gsoc::v1::BundleRequest* request, gsoc::v1::SignatureBundle* reply) override;

 private:
  // Identity of the peer, or the refusal status (already logged and recorded).
  grpc::Status authenticate(grpc::ServerContext* context, SensorIdentity& identity);
  void refuse(const SensorIdentity& identity, const std::string& reason);
  // An open Ship stream. `gate` is held while a batch is checked and submitted, and by
  // setRevocationList() while it marks the stream revoked: a batch is either submitted before
  // the revocation or not at all.
  struct OpenStream {
    std::string serial;
    grpc::ServerContext* context = nullptr;
    std::mutex gate;
    bool revoked = false;  // under gate
  };
  // Registers the stream, unless its certificate was revoked since authenticate().
  bool registerStream(OpenStream& stream);
  void unregisterStream(OpenStream& stream);
  void count(std::uint64_t IngestCounters::*counter) {
    std::lock_guard lock(mutex_);
    ++(counters_.*counter);
  }

  BatchWriter& writer_;
  EventStore& store_;
  Clock clock_;
  ValidationLimits limits_;
  mutable std::mutex mutex_;
  RevocationList revoked_;
  std::set<OpenStream*> open_streams_;  // under mutex_ (taken before any stream's gate)
  BundlePtr bundle_;
  IngestCounters counters_;
};

}  // namespace gsoc::collector
