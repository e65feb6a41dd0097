// The platform over gRPC: one channel per service, providers named by the `x-provider-id` header
// and staff by `x-staff-user` (the development credentials of deploy/config/kent-medway), each
// call with a deadline. Thread-safe (gRPC stubs are).
#ifndef RESILIENCE_TOOLS_SCENARIO_GRPC_PLATFORM_H_
#define RESILIENCE_TOOLS_SCENARIO_GRPC_PLATFORM_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "beds/v1/beds.grpc.pb.h"
#include "capacity/v1/capacity.grpc.pb.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "tools/scenario/platform.h"
#include "workforce/v1/workforce.grpc.pb.h"

namespace resilience::scenario {

struct GrpcPlatformOptions {
  // host:port of each service.
  std::string workforce_address;
  std::string capacity_address;
  std::string beds_address;
  std::string escalation_address;
  // Deadline of each call (real time). Default 10 s.
  absl::Duration call_timeout = absl::Seconds(10);
};

class GrpcPlatform final : public Platform {
 public:
  explicit GrpcPlatform(const GrpcPlatformOptions& options);

  absl::StatusOr<common::v1::UpdateAck> SubmitWorkforce(
      const std::string& provider_id, const workforce::v1::WorkforceUpdate& update) override;
  absl::StatusOr<common::v1::UpdateAck> ReportStaffing(
      const std::string& provider_id, const workforce::v1::StaffingReport& report) override;
  absl::StatusOr<common::v1::UpdateAck> SubmitCapacity(
      const std::string& provider_id, const capacity::v1::CapacityUpdate& update) override;
  absl::StatusOr<common::v1::UpdateAck> SubmitBeds(const std::string& provider_id,
                                                   const beds::v1::BedUpdate& update) override;
  absl::StatusOr<workforce::v1::SuggestMutualAidResponse> SuggestMutualAid(
      const std::string& team_id) override;
  absl::StatusOr<escalation::v1::LevelStatus> DeclareLevel(
      const std::string& user_id, const escalation::v1::DeclareLevelRequest& request) override;
  absl::StatusOr<escalation::v1::ProtocolTask> CompleteTaskStep(
      const std::string& user_id, const escalation::v1::CompleteTaskStepRequest& request) override;
  absl::StatusOr<escalation::v1::DecisionPrompt> AnswerDecisionPrompt(
      const std::string& user_id,
      const escalation::v1::AnswerDecisionPromptRequest& request) override;
  absl::StatusOr<escalation::v1::Alert> Acknowledge(
      const std::string& user_id, const escalation::v1::AcknowledgeRequest& request) override;
  absl::StatusOr<escalation::v1::Alert> RecordAction(
      const std::string& user_id, const escalation::v1::RecordActionRequest& request) override;
  absl::StatusOr<PlatformView> View(const std::string& viewer_id, int alert_limit) override;

 private:
  GrpcPlatformOptions options_;
  std::unique_ptr<workforce::v1::WorkforceService::Stub> workforce_;
  std::unique_ptr<capacity::v1::CapacityService::Stub> capacity_;
  std::unique_ptr<beds::v1::BedsService::Stub> beds_;
  std::unique_ptr<escalation::v1::AlertService::Stub> alerts_;
};

}  // namespace resilience::scenario

#endif  // RESILIENCE_TOOLS_SCENARIO_GRPC_PLATFORM_H_
