// The one place an absl::Status becomes a gRPC status (and back, for clients). INVALID_ARGUMENT
// statuses may carry field violations, sent as the `resilience-field-violations-bin` trailer (a
// serialised resilience.common.v1.FieldViolations) and summarised in the message.
#ifndef RESILIENCE_COMMON_GRPC_STATUS_CONVERSION_H_
#define RESILIENCE_COMMON_GRPC_STATUS_CONVERSION_H_

#include <vector>

#include "absl/status/status.h"
#include "common/v1/types.pb.h"
#include "grpcpp/grpcpp.h"

namespace resilience {

// Trailer carrying field violations.
inline constexpr char kFieldViolationsTrailer[] = "resilience-field-violations-bin";

// An INVALID_ARGUMENT status listing the violations in its message ("field: reason; ...") and
// carrying them as a payload.
absl::Status InvalidArgumentWithViolations(
    const std::vector<common::v1::FieldViolation>& violations);

// The violations carried by `status` (empty if none).
std::vector<common::v1::FieldViolation> FieldViolationsOf(const absl::Status& status);

// Converts for returning from a service method. When `context` is given and the status carries
// field violations, they are attached as the trailer.
grpc::Status ToGrpcStatus(const absl::Status& status,
                          grpc::ServerContextBase* context = nullptr);

// Converts a status a client received (with its trailers, when `context` is given).
absl::Status FromGrpcStatus(const grpc::Status& status,
                            const grpc::ClientContext* context = nullptr);

}  // namespace resilience

#endif  // RESILIENCE_COMMON_GRPC_STATUS_CONVERSION_H_
