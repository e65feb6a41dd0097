// gRPC server bootstrap shared by every service: the standard health checking service, server
// reflection, and graceful shutdown on SIGTERM (stop accepting, let in-flight calls finish within
// a grace period, then cancel them). Thread-safe.
#ifndef RESILIENCE_COMMON_GRPC_GRPC_SERVER_H_
#define RESILIENCE_COMMON_GRPC_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace resilience {

struct GrpcServerOptions {
  // host:port to listen on; port 0 picks a free port. Required.
  std::string address;
  // In-flight calls get this long to finish on Shutdown. Default 10 s.
  absl::Duration shutdown_grace = absl::Seconds(10);
  // Transport credentials; null means plaintext (local development only). ApplyServerSecurity
  // (server_security.h) sets them from the service's ServerSettings.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // What `credentials` amount to, for the start-up log.
  std::string security = "plaintext";
};

// A service to serve and its full name (`Foo::service_full_name()`), which the health service
// reports on.
struct GrpcServiceEntry {
  grpc::Service* service;
  std::string name;
};

class GrpcServer {
 public:
  // Builds and starts a server for `services` (not owned; they must outlive the server) plus
  // health checking and reflection. Health reports SERVING for "" and each service name.
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const GrpcServerOptions& options, const std::vector<GrpcServiceEntry>& services);
  ~GrpcServer();  // shuts down if still running

  // The bound port.
  int port() const { return port_; }

  // Flips health to NOT_SERVING (first step of a graceful stop, so load balancers drain), then
  // stops accepting calls, waits up to the grace period for in-flight calls, cancels the rest.
  // Idempotent.
  void Shutdown();

 private:
  GrpcServer(std::unique_ptr<grpc::Server> server, int port, absl::Duration grace,
             std::vector<std::string> names);

  std::unique_ptr<grpc::Server> server_;
  std::vector<std::string> names_;
  int port_;
  absl::Duration grace_;
  bool stopped_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts later. Call first
// thing in main(), before any thread exists, then WaitForTerminationSignal() when ready.
void BlockTerminationSignals();

// Waits until SIGTERM or SIGINT arrives; returns its number.
int WaitForTerminationSignal();

// Writes `port` to `path` atomically (write then rename), for tests that start a service on port 0
// and need to learn its port. No-op when path is empty.
absl::Status WritePortFile(const std::string& path, int port);

}  // namespace resilience

#endif  // RESILIENCE_COMMON_GRPC_GRPC_SERVER_H_
