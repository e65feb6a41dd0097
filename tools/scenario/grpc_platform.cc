#include "tools/scenario/grpc_platform.h"

#include <functional>

#include "absl/time/clock.h"
#include "common/grpc/status_conversion.h"
#include "grpcpp/grpcpp.h"

namespace resilience::scenario {
namespace {

namespace esc = escalation::v1;

std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

// One call with a deadline and a header; the answer or the call's status (with its field
// violations).
template <typename Response>
absl::StatusOr<Response> Call(absl::Duration timeout, const char* header, const std::string& value,
                              const std::function<grpc::Status(grpc::ClientContext*, Response*)>& rpc) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (header != nullptr) context.AddMetadata(header, value);
  Response response;
  grpc::Status status = rpc(&context, &response);
  if (!status.ok()) return FromGrpcStatus(status, &context);
  return response;
}

}  // namespace

GrpcPlatform::GrpcPlatform(const GrpcPlatformOptions& options)
    : options_(options),
      workforce_(workforce::v1::WorkforceService::NewStub(Channel(options.workforce_address))),
      capacity_(capacity::v1::CapacityService::NewStub(Channel(options.capacity_address))),
      beds_(beds::v1::BedsService::NewStub(Channel(options.beds_address))),
      alerts_(esc::AlertService::NewStub(Channel(options.escalation_address))) {}

absl::StatusOr<common::v1::UpdateAck> GrpcPlatform::SubmitWorkforce(
    const std::string& provider_id, const workforce::v1::WorkforceUpdate& update) {
  return Call<common::v1::UpdateAck>(
      options_.call_timeout, "x-provider-id", provider_id,
      [&](grpc::ClientContext* c, common::v1::UpdateAck* r) {
        return workforce_->SubmitUpdate(c, update, r);
      });
}

absl::StatusOr<common::v1::UpdateAck> GrpcPlatform::ReportStaffing(
    const std::string& provider_id, const workforce::v1::StaffingReport& report) {
  return Call<common::v1::UpdateAck>(
      options_.call_timeout, "x-provider-id", provider_id,
      [&](grpc::ClientContext* c, common::v1::UpdateAck* r) {
        return workforce_->ReportStaffing(c, report, r);
      });
}

absl::StatusOr<common::v1::UpdateAck> GrpcPlatform::SubmitCapacity(
    const std::string& provider_id, const capacity::v1::CapacityUpdate& update) {
  return Call<common::v1::UpdateAck>(
      options_.call_timeout, "x-provider-id", provider_id,
      [&](grpc::ClientContext* c, common::v1::UpdateAck* r) {
        return capacity_->SubmitUpdate(c, update, r);
      });
}

absl::StatusOr<common::v1::UpdateAck> GrpcPlatform::SubmitBeds(const std::string& provider_id,
                                                               const beds::v1::BedUpdate& update) {
  return Call<common::v1::UpdateAck>(
      options_.call_timeout, "x-provider-id", provider_id,
      [&](grpc::ClientContext* c, common::v1::UpdateAck* r) {
        return beds_->SubmitUpdate(c, update, r);
      });
}

absl::StatusOr<workforce::v1::SuggestMutualAidResponse> GrpcPlatform::SuggestMutualAid(
    const std::string& team_id) {
  workforce::v1::SuggestMutualAidRequest request;
  request.set_team_id(team_id);
  return Call<workforce::v1::SuggestMutualAidResponse>(
      options_.call_timeout, nullptr, "",
      [&](grpc::ClientContext* c, workforce::v1::SuggestMutualAidResponse* r) {
        return workforce_->SuggestMutualAid(c, request, r);
      });
}

absl::StatusOr<esc::LevelStatus> GrpcPlatform::DeclareLevel(const std::string& user_id,
                                                            const esc::DeclareLevelRequest& request) {
  return Call<esc::LevelStatus>(options_.call_timeout, "x-staff-user", user_id,
                                [&](grpc::ClientContext* c, esc::LevelStatus* r) {
                                  return alerts_->DeclareLevel(c, request, r);
                                });
}

absl::StatusOr<esc::ProtocolTask> GrpcPlatform::CompleteTaskStep(
    const std::string& user_id, const esc::CompleteTaskStepRequest& request) {
  return Call<esc::ProtocolTask>(options_.call_timeout, "x-staff-user", user_id,
                                 [&](grpc::ClientContext* c, esc::ProtocolTask* r) {
                                   return alerts_->CompleteTaskStep(c, request, r);
                                 });
}

absl::StatusOr<esc::DecisionPrompt> GrpcPlatform::AnswerDecisionPrompt(
    const std::string& user_id, const esc::AnswerDecisionPromptRequest& request) {
  return Call<esc::DecisionPrompt>(options_.call_timeout, "x-staff-user", user_id,
                                   [&](grpc::ClientContext* c, esc::DecisionPrompt* r) {
                                     return alerts_->AnswerDecisionPrompt(c, request, r);
                                   });
}

absl::StatusOr<esc::Alert> GrpcPlatform::Acknowledge(const std::string& user_id,
                                                     const esc::AcknowledgeRequest& request) {
  return Call<esc::Alert>(options_.call_timeout, "x-staff-user", user_id,
                          [&](grpc::ClientContext* c, esc::Alert* r) {
                            return alerts_->Acknowledge(c, request, r);
                          });
}

absl::StatusOr<esc::Alert> GrpcPlatform::RecordAction(const std::string& user_id,
                                                      const esc::RecordActionRequest& request) {
  return Call<esc::Alert>(options_.call_timeout, "x-staff-user", user_id,
                          [&](grpc::ClientContext* c, esc::Alert* r) {
                            return alerts_->RecordAction(c, request, r);
                          });
}

absl::StatusOr<PlatformView> GrpcPlatform::View(const std::string& viewer_id, int alert_limit) {
  PlatformView view;
  auto board = Call<esc::StatusBoard>(options_.call_timeout, "x-staff-user", viewer_id,
                                      [&](grpc::ClientContext* c, esc::StatusBoard* r) {
                                        return alerts_->GetStatusBoard(c, esc::GetStatusBoardRequest(), r);
                                      });
  if (!board.ok()) return board.status();
  view.board = *std::move(board);

  esc::ListTasksRequest tasks_request;
  tasks_request.set_include_closed(true);
  auto tasks = Call<esc::ListTasksResponse>(options_.call_timeout, "x-staff-user", viewer_id,
                                            [&](grpc::ClientContext* c, esc::ListTasksResponse* r) {
                                              return alerts_->ListTasks(c, tasks_request, r);
                                            });
  if (!tasks.ok()) return tasks.status();
  view.tasks = *std::move(tasks);

  esc::ListDecisionPromptsRequest prompts_request;
  prompts_request.set_include_answered(true);
  auto prompts = Call<esc::ListDecisionPromptsResponse>(
      options_.call_timeout, "x-staff-user", viewer_id,
      [&](grpc::ClientContext* c, esc::ListDecisionPromptsResponse* r) {
        return alerts_->ListDecisionPrompts(c, prompts_request, r);
      });
  if (!prompts.ok()) return prompts.status();
  view.prompts = *std::move(prompts);

  esc::ListAlertsRequest alerts_request;
  alerts_request.mutable_filter()->set_include_resolved(true);
  alerts_request.set_limit(alert_limit);
  auto alerts = Call<esc::ListAlertsResponse>(options_.call_timeout, "x-staff-user", viewer_id,
                                              [&](grpc::ClientContext* c, esc::ListAlertsResponse* r) {
                                                return alerts_->ListAlerts(c, alerts_request, r);
                                              });
  if (!alerts.ok()) return alerts.status();
  view.alerts = *std::move(alerts);
  return view;
}

}  // namespace resilience::scenario
