// Client-side probes of a gRPC server's standard health and reflection services, used by the
// command-line tool and the tests. Thread-safe (stateless functions).
#ifndef RESILIENCE_COMMON_GRPC_SERVER_PROBE_H_
#define RESILIENCE_COMMON_GRPC_SERVER_PROBE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace resilience {

// The serving status of `service` ("" = the whole server): "SERVING", "NOT_SERVING", ...
// Errors are the call's status (UNAVAILABLE when nothing listens, NOT_FOUND for an unknown
// service).
absl::StatusOr<std::string> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& service,
                                        absl::Duration timeout = absl::Seconds(5));

// Fully qualified names of the services the server lists through reflection.
absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout = absl::Seconds(5));

}  // namespace resilience

#endif  // RESILIENCE_COMMON_GRPC_SERVER_PROBE_H_
