// The AlertService gRPC callback service: live alert subscriptions with resume tokens, alert and
// status queries. Thin: filtering and Redis access are delegated to LiveState and AlertFeed.
// Acknowledgement, declarations, tasks and silences arrive with the escalation issue and answer
// UNIMPLEMENTED until then. Thread-safe.
#ifndef RESILIENCE_SERVICES_ESCALATION_ALERT_SERVICE_H_
#define RESILIENCE_SERVICES_ESCALATION_ALERT_SERVICE_H_

#include <memory>

#include "common/clock/clock.h"
#include "common/kafka/producer.h"
#include "common/reference/reference_index.h"
#include "escalation/v1/alert_service.grpc.pb.h"
#include "services/escalation/alert_feed.h"
#include "services/escalation/level_state.h"
#include "services/escalation/live_state.h"

namespace resilience::escalation {

// True when `alert` passes `filter` (areas, minimum level, role).
bool AlertMatches(const v1::Alert& alert, const v1::AlertFilter& filter);

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

// Metadata naming the signed-in staff user (development sign-in; tokens arrive with the
// security issue).
inline constexpr char kStaffUserHeader[] = "x-staff-user";

class AlertServiceImpl final : public v1::AlertService::CallbackService {
 public:
  // `state` serves queries and replays (its own Redis client); `feed` serves live entries;
  // `producer` records staff transitions. Not owned; all must outlive the service.
  AlertServiceImpl(LiveState* state, LevelState* levels, AlertFeed* feed, kafka::Producer* producer,
                   std::shared_ptr<const ReferenceIndex> reference, const Clock* clock,
                   AlertServiceOptions options = {});

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

 private:
  // Acknowledges for the signed-in user: who, role and areas from the reference data.
  absl::StatusOr<v1::Alert> AcknowledgeFor(const reference::v1::StaffMember& person,
                                           const v1::AcknowledgeRequest& request);

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
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_ALERT_SERVICE_H_
