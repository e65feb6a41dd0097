#include "services/console/escalation_client.h"

namespace resilience::console {

EscalationClient::EscalationClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
    : stub_(escalation::v1::AlertService::NewStub(std::move(channel))), timeout_(timeout) {}

void EscalationClient::Prepare(grpc::ClientContext* context, const std::string& user_id,
                               absl::Duration timeout) {
  if (!user_id.empty()) context->AddMetadata(kStaffUserHeader, user_id);
  if (timeout > absl::ZeroDuration()) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }
}

std::unique_ptr<grpc::ClientReader<escalation::v1::AlertStreamItem>> EscalationClient::Subscribe(
    grpc::ClientContext* context, const std::string& user_id,
    const escalation::v1::SubscribeRequest& request) const {
  Prepare(context, user_id, absl::ZeroDuration());
  return stub_->Subscribe(context, request);
}

}  // namespace resilience::console
