// The platform as the replayer drives it: the provider APIs of the workforce, capacity and beds
// services, the staff API of the escalation service (AlertService), and a read of what the
// escalation service shows. An interface, so the replayer's logic is tested against a fake; the
// gRPC implementation is GrpcPlatform. Implementations are thread-compatible.
#ifndef RESILIENCE_TOOLS_SCENARIO_PLATFORM_H_
#define RESILIENCE_TOOLS_SCENARIO_PLATFORM_H_

#include <string>

#include "absl/status/statusor.h"
#include "beds/v1/beds.pb.h"
#include "capacity/v1/capacity.pb.h"
#include "common/v1/types.pb.h"
#include "escalation/v1/alert_service.pb.h"
#include "tools/scenario/checks.h"
#include "workforce/v1/workforce.pb.h"

namespace resilience::scenario {

// Every call blocks until answered. Provider updates return the service's UpdateAck when the call
// succeeded (whatever its outcome) and the call's error status otherwise (INVALID_ARGUMENT with
// field violations, PERMISSION_DENIED, UNAVAILABLE, ...). Staff calls return the service's answer
// or its error status.
class Platform {
 public:
  virtual ~Platform() = default;

  // Provider updates, sent as provider `provider_id`.
  virtual absl::StatusOr<common::v1::UpdateAck> SubmitWorkforce(
      const std::string& provider_id, const workforce::v1::WorkforceUpdate& update) = 0;
  virtual absl::StatusOr<common::v1::UpdateAck> ReportStaffing(
      const std::string& provider_id, const workforce::v1::StaffingReport& report) = 0;
  virtual absl::StatusOr<common::v1::UpdateAck> SubmitCapacity(
      const std::string& provider_id, const capacity::v1::CapacityUpdate& update) = 0;
  virtual absl::StatusOr<common::v1::UpdateAck> SubmitBeds(const std::string& provider_id,
                                                           const beds::v1::BedUpdate& update) = 0;
  // Who could lend staff to `team_id` today.
  virtual absl::StatusOr<workforce::v1::SuggestMutualAidResponse> SuggestMutualAid(
      const std::string& team_id) = 0;

  // Staff actions, as signed-in staff member `user_id`.
  virtual absl::StatusOr<escalation::v1::LevelStatus> DeclareLevel(
      const std::string& user_id, const escalation::v1::DeclareLevelRequest& request) = 0;
  virtual absl::StatusOr<escalation::v1::ProtocolTask> CompleteTaskStep(
      const std::string& user_id, const escalation::v1::CompleteTaskStepRequest& request) = 0;
  virtual absl::StatusOr<escalation::v1::DecisionPrompt> AnswerDecisionPrompt(
      const std::string& user_id, const escalation::v1::AnswerDecisionPromptRequest& request) = 0;
  virtual absl::StatusOr<escalation::v1::Alert> Acknowledge(
      const std::string& user_id, const escalation::v1::AcknowledgeRequest& request) = 0;
  virtual absl::StatusOr<escalation::v1::Alert> RecordAction(
      const std::string& user_id, const escalation::v1::RecordActionRequest& request) = 0;

  // What staff member `viewer_id` sees: status board, tasks (closed included), prompts (answered
  // included) and the newest alerts (resolved included, up to `alert_limit`, 1-500).
  virtual absl::StatusOr<PlatformView> View(const std::string& viewer_id, int alert_limit) = 0;
};

}  // namespace resilience::scenario

#endif  // RESILIENCE_TOOLS_SCENARIO_PLATFORM_H_
