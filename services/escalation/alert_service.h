// The AlertService gRPC callback service: live alert subscriptions with resume tokens, alert and
// status queries, acknowledgements and recorded actions, declarations, protocol tasks, decision
// prompts and silences. Thin: rules are in core/, storage in LiveState / LevelState, workflows in
// the DutyDesk. Thread-safe.
#ifndef RESILIENCE_SERVICES_ESCALATION_ALERT_SERVICE_H_
#define RESILIENCE_SERVICES_ESCALATION_ALERT_SERVICE_H_

#include <memory>

#include "common/clock/clock.h"
#include "common/kafka/producer.h"
#include "common/reference/reference_index.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "services/escalation/alert_feed.h"
#include "services/escalation/duty_desk.h"
#include "services/escalation/level_state.h"
#include "services/escalation/live_state.h"

namespace resilience::escalation {

// True when `alert` passes `filter` (areas, minimum level, role).
bool AlertMatches(const v1::Alert& alert, const v1::AlertFilter& filter);

// True when `person` may see `alert`: county-wide staff see everything; others see their areas'
// alerts and the county-wide ones (no area).
bool VisibleTo(const reference::v1::StaffMember& person, const v1::Alert& alert);

struct AlertServiceOptions {
  // Idle streams get a heartbeat this often. Default 15 s.
  absl::Duration heartbeat_interval = absl::Seconds(15);
  // Full topic names for staff transitions.
  std::string alerts_topic = "alerts";
  std::string audit_topic = "audit";
  std::string status_topic = "status";
  // Time zone of declaration expiry (10:30 the following day).
  absl::TimeZone zone = absl::UTCTimeZone();
};

// Role of platform service accounts (the console's notifier): may record notification attempts.
inline constexpr char kPlatformServiceRole[] = "platform_service";

// Metadata naming the signed-in staff user: development sign-in, and the console's users (the
// console is trusted by its client certificate). Staff otherwise sign in with a bearer token.
inline constexpr char kStaffUserHeader[] = "x-staff-user";

class AlertServiceImpl final : public v1::AlertService::CallbackService {
 public:
  // `state` serves queries and replays (its own Redis client); `feed` serves live entries;
  // `producer` records staff transitions. Not owned; all must outlive the service.
  AlertServiceImpl(LiveState* state, LevelState* levels, AlertFeed* feed, kafka::Producer* producer,
                   std::shared_ptr<const ReferenceIndex> reference, const Clock* clock,
                   AlertServiceOptions options = {}, DutyDesk* desk = nullptr,
                   NotificationStamp* stamp = nullptr);

  grpc::ServerWriteReactor<v1::AlertStreamItem>* Subscribe(
      grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* GetAlert(grpc::CallbackServerContext* context,
                                     const v1::GetAlertRequest* request,
                                     v1::Alert* response) override;
  grpc::ServerUnaryReactor* ListAlerts(grpc::CallbackServerContext* context,
                                       const v1::ListAlertsRequest* request,
                                       v1::ListAlertsResponse* response) override;
  grpc::ServerUnaryReactor* Acknowledge(grpc::CallbackServerContext* context,
                                        const v1::AcknowledgeRequest* request,
                                        v1::Alert* response) override;
  grpc::ServerUnaryReactor* DeclareLevel(grpc::CallbackServerContext* context,
                                         const v1::DeclareLevelRequest* request,
                                         v1::LevelStatus* response) override;
  grpc::ServerUnaryReactor* WithdrawDeclaration(grpc::CallbackServerContext* context,
                                                const v1::WithdrawDeclarationRequest* request,
                                                v1::LevelStatus* response) override;
  grpc::ServerUnaryReactor* ListAudit(grpc::CallbackServerContext* context,
                                      const v1::ListAuditRequest* request,
                                      v1::ListAuditResponse* response) override;
  grpc::ServerUnaryReactor* GetStatusBoard(grpc::CallbackServerContext* context,
                                           const v1::GetStatusBoardRequest* request,
                                           v1::StatusBoard* response) override;
  grpc::ServerUnaryReactor* RecordAction(grpc::CallbackServerContext* context,
                                         const v1::RecordActionRequest* request,
                                         v1::Alert* response) override;
  grpc::ServerUnaryReactor* ListTasks(grpc::CallbackServerContext* context,
                                      const v1::ListTasksRequest* request,
                                      v1::ListTasksResponse* response) override;
  grpc::ServerUnaryReactor* CompleteTaskStep(grpc::CallbackServerContext* context,
                                             const v1::CompleteTaskStepRequest* request,
                                             v1::ProtocolTask* response) override;
  grpc::ServerUnaryReactor* ListDecisionPrompts(grpc::CallbackServerContext* context,
                                                const v1::ListDecisionPromptsRequest* request,
                                                v1::ListDecisionPromptsResponse* response) override;
  grpc::ServerUnaryReactor* AnswerDecisionPrompt(grpc::CallbackServerContext* context,
                                                 const v1::AnswerDecisionPromptRequest* request,
                                                 v1::DecisionPrompt* response) override;
  grpc::ServerUnaryReactor* CreateSilence(grpc::CallbackServerContext* context,
                                          const v1::CreateSilenceRequest* request,
                                          v1::Silence* response) override;
  grpc::ServerUnaryReactor* ListSilences(grpc::CallbackServerContext* context,
                                         const v1::ListSilencesRequest* request,
                                         v1::ListSilencesResponse* response) override;
  grpc::ServerUnaryReactor* ExpireSilence(grpc::CallbackServerContext* context,
                                          const v1::ExpireSilenceRequest* request,
                                          v1::Silence* response) override;
  grpc::ServerUnaryReactor* RecordNotification(grpc::CallbackServerContext* context,
                                               const v1::RecordNotificationRequest* request,
                                               v1::RecordNotificationResponse* response) override;

 private:
  // Acknowledges for the signed-in user: who, role and areas from the reference data.
  absl::StatusOr<v1::Alert> AcknowledgeFor(const reference::v1::StaffMember& person,
                                           const v1::AcknowledgeRequest& request);

  // Records an action of the alert's cards for the signed-in user.
  absl::StatusOr<v1::Alert> RecordActionFor(const reference::v1::StaffMember& person,
                                            const v1::RecordActionRequest& request);

  // Runs `work` for the signed-in staff member (UNAUTHENTICATED without one; UNIMPLEMENTED
  // without a duty desk) and finishes the call with its status.
  grpc::ServerUnaryReactor* AsStaff(
      grpc::CallbackServerContext* context,
      const std::function<absl::Status(const reference::v1::StaffMember&)>& work);

  // Sets (level given) or withdraws (nullopt) the declaration on a KCC level, audited.
  absl::StatusOr<v1::LevelStatus> Declare(const reference::v1::StaffMember& person,
                                          const common::v1::ScopeRef& scope,
                                          std::optional<common::v1::OpelLevel> level,
                                          const std::string& reason);

  LiveState* state_;
  LevelState* levels_;
  AlertFeed* feed_;
  kafka::Producer* producer_;
  std::shared_ptr<const ReferenceIndex> reference_;
  const Clock* clock_;
  AlertServiceOptions options_;
  DutyDesk* desk_;
  NotificationStamp* stamp_;
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_ALERT_SERVICE_H_
