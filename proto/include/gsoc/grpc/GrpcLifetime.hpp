#pragma once
// GrpcLifetime: holds gRPC's library open for a program's lifetime and, at the end, waits for
// gRPC's own background work to finish. Destroying a channel does not stop a connection attempt
// (a TLS handshake, say) that gRPC's threads still run; a program that returns from main then
// exits under them, and the sanitizers report what those threads held as leaked. Declare one
// first in main, so it is destroyed last, after every channel and server.

#include <grpc/grpc.h>

namespace gsoc::grpc {

class GrpcLifetime {
 public:
  GrpcLifetime() { grpc_init(); }
  ~GrpcLifetime() { grpc_shutdown_blocking(); }
  GrpcLifetime(const GrpcLifetime&) = delete;
  GrpcLifetime& operator=(const GrpcLifetime&) = delete;
};

}  // namespace gsoc::grpc
