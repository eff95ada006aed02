#pragma once
// IngestServer: the gRPC server that carries IngestService, with mutual TLS and the transport
// settings every deployment needs (receive size limit, keepalive, connection-age rotation).
// Shared by gsoc-collector and the transport benchmark so both run the same server.

#include <memory>
#include <string>

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace gsoc::collector {

struct IngestServerOptions {
  std::string listen_address;       // host:port; port 0 picks a free one
  std::string ca_pem;               // verifies sensors' client certificates
  std::string cert_pem;
  std::string key_pem;
  int max_batch_bytes = 8 << 20;    // larger messages are refused with RESOURCE_EXHAUSTED
  int keepalive_time_ms = 20000;
  int max_connection_age_ms = 3600 * 1000;
};

struct IngestServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

// Builds and starts the server; server is null (and port 0) when the address cannot be bound.
// `central` (the Central API, may be null) shares the port and the TLS settings.
IngestServer startIngestServer(const IngestServerOptions& options, grpc::Service& service, grpc::Service* central = nullptr);

}  // namespace gsoc::collector
