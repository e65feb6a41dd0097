// The console's client of the escalation service's AlertService: every call carries the signed-in
// user's id in the `x-staff-user` metadata header and a deadline, and comes back as an
// absl::StatusOr (field violations kept, so forms can show which field was refused).
// Thread-safe (gRPC stubs are).
#ifndef RESILIENCE_SERVICES_CONSOLE_ESCALATION_CLIENT_H_
#define RESILIENCE_SERVICES_CONSOLE_ESCALATION_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc/status_conversion.h"
#include "escalation/v1/alert_service.grpc.pb.h"

namespace resilience::console {

// Metadata naming the signed-in staff user (the escalation service's development sign-in).
inline constexpr char kStaffUserHeader[] = "x-staff-user";

class EscalationClient {
 public:
  // `channel` to the AlertService; `timeout` is the deadline of each unary call.
  EscalationClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);

  // One unary call as `user_id` (empty: no user header, for calls the service does not
  // authenticate). Returns the response or the service's status.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(
      const std::string& user_id,
      grpc::Status (escalation::v1::AlertService::Stub::*method)(grpc::ClientContext*,
                                                                const Request&, Response*),
      const Request& request) const {
    grpc::ClientContext context;
    Prepare(&context, user_id, timeout_);
    Response response;
    grpc::Status status = (stub_.get()->*method)(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status, &context);
    return response;
  }

  // Starts a Subscribe stream as `user_id` with no deadline; `context` must outlive the reader
  // and is the handle to cancel it (TryCancel).
  std::unique_ptr<grpc::ClientReader<escalation::v1::AlertStreamItem>> Subscribe(
      grpc::ClientContext* context, const std::string& user_id,
      const escalation::v1::SubscribeRequest& request) const;

  escalation::v1::AlertService::Stub* stub() const { return stub_.get(); }

 private:
  static void Prepare(grpc::ClientContext* context, const std::string& user_id,
                      absl::Duration timeout);

  std::unique_ptr<escalation::v1::AlertService::Stub> stub_;
  absl::Duration timeout_;
};

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_ESCALATION_CLIENT_H_
