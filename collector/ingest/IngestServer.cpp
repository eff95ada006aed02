#include "collector/ingest/IngestServer.hpp"

#include <grpcpp/grpcpp.h>

namespace gsoc::collector {

IngestServer startIngestServer(const IngestServerOptions& o, grpc::Service& service, grpc::Service* central) {
  // Requested and verified, but not required in the handshake: a peer without a certificate is
  // then refused by IngestService with UNAUTHENTICATED and logged, instead of a bare TLS error.
  // A certificate from another CA still fails the handshake.
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = o.ca_pem;
  tls.pem_key_cert_pairs.push_back({o.key_pem, o.cert_pem});
  grpc::ServerBuilder builder;
  IngestServer out;
  builder.AddListeningPort(o.listen_address, grpc::SslServerCredentials(tls), &out.port);
  builder.RegisterService(&service);
  if (central != nullptr) builder.RegisterService(central);
  builder.SetMaxReceiveMessageSize(o.max_batch_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, o.keepalive_time_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Sensors ping every keepalive interval even when idle; do not count that as abuse.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  // Streams are rotated (GOAWAY) so connections rebalance and certificates are re-checked.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, o.max_connection_age_ms);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 30000);
  out.server = builder.BuildAndStart();
  if (!out.server) out.port = 0;
  return out;
}

}  // namespace gsoc::collector
