// gsoc_ingest_probe: a deliberately misbehaving (or well-behaved) Ingest client for the transport
// integration test. It sends one crafted batch or heartbeat and prints what the collector
// answered, one line: "status=CODE acks=N ack_status=STATUS reason=TEXT".
//
//   gsoc_ingest_probe ADDRESS CA_PEM CERT_PEM|- KEY_PEM|- SENSOR_ID AGENCY MODE
//   MODE: ok | heartbeat | spoof-agency | spoof-sensor | malformed | oversize | garbage
//   (garbage: a Ship message of bytes that are not an EventBatch)
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>

#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/sync_stream.h>

#include "gsoc/v1/ingest.grpc.pb.h"
#include "gsoc/v1/status.pb.h"
#include "gsoc/grpc/GrpcLifetime.hpp"

namespace {

std::string slurp(const std::string& path) {
  if (path == "-") return {};
  std::ifstream in(path);
  if (!in) {
    std::cerr << "gsoc_ingest_probe: cannot read " << path << "\n";
    std::exit(2);
  }
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

const char* codeName(grpc::StatusCode c) {
  switch (c) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    default: return "OTHER";
  }
}

}  // namespace

int main(int argc, char** argv) {
  const gsoc::grpc::GrpcLifetime grpc_lifetime;  // destroyed last: gRPC's threads finish first
  if (argc != 8) {
    std::cerr << "usage: gsoc_ingest_probe ADDRESS CA CERT|- KEY|- SENSOR_ID AGENCY MODE\n";
    return 2;
  }
  const std::string address = argv[1], sensor = argv[5], agency = argv[6], mode = argv[7];
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = slurp(argv[2]);
  ssl.pem_cert_chain = slurp(argv[3]);
  ssl.pem_private_key = slurp(argv[4]);
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
  auto stub = gsoc::v1::Ingest::NewStub(channel);
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();

  if (mode == "heartbeat") {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    gsoc::v1::SensorStatus status;
    status.set_sensor_id(sensor);
    gsoc::v1::HeartbeatReply reply;
    const grpc::Status s = stub->Heartbeat(&context, status, &reply);
    std::cout << "status=" << codeName(s.error_code()) << " acks=0 ack_status=- reason=" << s.error_message() << "\n";
    return 0;
  }

  if (mode == "garbage") {
    // Bytes that no protobuf parser takes (field 0, then a truncated varint), sent on the Ship
    // method without the typed stub, which would only send EventBatch messages.
    grpc::ClientContext context;
    context.set_deadline(deadline);
    const grpc::internal::RpcMethod method("/gsoc.v1.Ingest/Ship", grpc::internal::RpcMethod::BIDI_STREAMING);
    std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
        grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(channel.get(), method, &context));
    const std::string junk("\x00\xff\xff\xff\xff\xff\xff", 7);
    const grpc::Slice slice(junk);
    stream->Write(grpc::ByteBuffer(&slice, 1));
    stream->WritesDone();
    grpc::ByteBuffer reply;
    int acks = 0;
    while (stream->Read(&reply)) ++acks;
    const grpc::Status s = stream->Finish();
    std::cout << "status=" << codeName(s.error_code()) << " acks=" << acks << " ack_status=- reason=" << s.error_message() << "\n";
    return 0;
  }

  gsoc::v1::EventBatch batch;
  batch.set_sensor_id(mode == "spoof-sensor" ? "mofa-1" : sensor);
  batch.set_epoch(static_cast<std::uint64_t>(now));
  batch.set_first_sequence(1);
  const int n = mode == "oversize" ? 2100 : 2;
  for (int i = 0; i < n; ++i) {
    auto* e = batch.add_events();
    e->set_agency_id(mode == "spoof-agency" ? "MOFA" : agency);
    e->set_timestamp_ns(mode == "malformed" ? 12 : now);
    e->mutable_tuple()->set_src_ip(std::string("\xc0\x00\x02\x63", 4));
    auto* alert = e->mutable_alert();
    alert->set_sid(9999001);
    alert->set_msg("probe");
    if (mode == "oversize") alert->set_excerpt(std::string(1000, 'x'));
  }
  grpc::ClientContext context;
  context.set_deadline(deadline);
  auto stream = stub->Ship(&context);
  stream->Write(batch);
  stream->WritesDone();
  gsoc::v1::BatchAck ack;
  int acks = 0;
  std::string ack_status = "-";
  std::string reason;
  while (stream->Read(&ack)) {
    ++acks;
    ack_status = gsoc::v1::BatchAck::Status_Name(ack.status());
    reason = ack.reason();
  }
  const grpc::Status s = stream->Finish();
  if (reason.empty()) reason = s.error_message();
  std::cout << "status=" << codeName(s.error_code()) << " acks=" << acks << " ack_status=" << ack_status << " reason=" << reason << "\n";
  return 0;
}
