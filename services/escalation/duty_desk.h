// The duty desk: everything the escalation service does that is not a figure or a level. It opens
// protocol tasks and decision prompts when levels call for them, applies KEaH referral and
// placement events, runs the timers (overdue steps, re-notification of unacknowledged alerts up
// the role chain, silence expiry), and carries out staff actions on tasks, prompts, silences and
// alert actions. Rules are in core/ (protocol_tasks.h, notification_rules.h, care_setting_events.h);
// this class loads, records on Kafka (the record) and stores in Redis (the live view).
//
// Timed work (Tick) runs on one instance at a time: the holder of a Redis lease renewed on every
// tick, so two instances never open the same task twice. Event and staff work runs wherever it
// arrives, with compare-and-set. Thread-safe when each thread uses its own DutyDesk over its own
// Redis client (as the pipeline and the gRPC service do).
#ifndef RESILIENCE_SERVICES_ESCALATION_DUTY_DESK_H_
#define RESILIENCE_SERVICES_ESCALATION_DUTY_DESK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/kafka/producer.h"
#include "common/reference/reference_index.h"
#include "escalation/v1/alert_service.pb.h"
#include "events/v1/events.pb.h"
#include "services/escalation/core/protocol_tasks.h"
#include "services/escalation/core/time_rules.h"
#include "services/escalation/level_state.h"
#include "services/escalation/notification_stamp.h"
#include "services/escalation/workflow_state.h"

namespace resilience::escalation {

struct DutyDeskOptions {
  std::string alerts_topic = "alerts";
  std::string audit_topic = "audit";
  // Tasks, prompts and silences are recorded on the compacted status topic too (keys "task:<id>",
  // "prompt:<id>", "silence:<id>", header kind), from which a wiped Redis is rebuilt.
  std::string status_topic = "status";
  WorkflowSettings workflow;
  RenotifyRule renotify;
  // This instance's name for the timer lease, and how long a lease lasts unrenewed.
  std::string instance_id = "escalation";
  absl::Duration lease = absl::Seconds(30);
  // Newest alerts scanned for re-notification on each tick.
  size_t renotify_scan = 2000;
};

class DutyDesk {
 public:
  // Nothing owned except the reference index; all must outlive the desk.
  DutyDesk(WorkflowState* work, LevelState* levels, kafka::Producer* producer,
           std::shared_ptr<const ReferenceIndex> reference, NotificationStamp* stamp,
           DutyDeskOptions options);

  // Event work (the pipeline), each applied once per event id. INVALID_ARGUMENT / NOT_FOUND for
  // events that can never apply (dead-letter them); UNAVAILABLE / ABORTED: retry.
  absl::Status ApplyKeahReferral(const events::v1::DomainEvent& event, absl::Time at);
  absl::Status ApplyPlacementMilestone(const events::v1::DomainEvent& event, absl::Time at);

  // Timed work at `now`, if this instance holds (or takes) the lease: opens what the levels call
  // for, marks overdue steps, re-notifies, expires silences. Returns whether it ran.
  absl::StatusOr<bool> Tick(absl::Time now);
  // The parts of Tick, for tests that drive them directly.
  absl::Status ReviewLevels(absl::Time now);
  absl::Status RunTimers(absl::Time now);
  // Whether a level of `kind` moving from `before` to `after` can change what ReviewLevels
  // opens or releases (DeskWatchesMove with this desk's workflow settings).
  bool WatchesMove(common::v1::ScopeKind kind, common::v1::OpelLevel before,
                   common::v1::OpelLevel after) const {
    return DeskWatchesMove(kind, before, after, options_.workflow);
  }
  // The figures ReviewLevels reads ("<scope key>|<indicator>": the acute sites' assessments);
  // it reads no other figure, so a caller holding figures back need store only these first.
  const std::vector<std::string>& FiguresReviewed() const { return figures_reviewed_; }

  // Staff work. PERMISSION_DENIED when the person's role or areas do not allow it;
  // INVALID_ARGUMENT with field violations; NOT_FOUND for unknown ids; ABORTED when the item kept
  // changing.
  absl::StatusOr<v1::ProtocolTask> CompleteTaskStep(const reference::v1::StaffMember& person,
                                                    const v1::CompleteTaskStepRequest& request,
                                                    absl::Time now);
  absl::StatusOr<v1::DecisionPrompt> AnswerPrompt(const reference::v1::StaffMember& person,
                                                  const v1::AnswerDecisionPromptRequest& request,
                                                  absl::Time now);
  absl::StatusOr<v1::Silence> CreateSilence(const reference::v1::StaffMember& person,
                                            const v1::CreateSilenceRequest& request, absl::Time now);
  absl::StatusOr<v1::Silence> ExpireSilence(const reference::v1::StaffMember& person,
                                            const v1::ExpireSilenceRequest& request, absl::Time now);
  // What the person may see: tasks and prompts of their areas (county-wide ones to everyone).
  absl::StatusOr<std::vector<v1::ProtocolTask>> ListTasks(const reference::v1::StaffMember& person,
                                                          bool include_closed);
  absl::StatusOr<std::vector<v1::DecisionPrompt>> ListPrompts(
      const reference::v1::StaffMember& person, bool include_answered);
  absl::StatusOr<std::vector<v1::Silence>> ListSilences();

 private:
  // Records a task change: its alert (if it changed) to Kafka, then the task, alert and audit to
  // Redis in one step.
  absl::Status RecordTask(const v1::ProtocolTask& task, int64_t expected_revision,
                          const std::vector<std::string>& newly_overdue, const std::string& actor,
                          const std::string& action, const std::string& reason, absl::Time now,
                          GuardMode guard, const std::string& guard_name,
                          std::optional<common::v1::ScopeRef> seen_scope = std::nullopt,
                          const std::string& seen_event_id = "");
  // Records on Kafka: the alert (if any), the audit records under `subject`, and the work item
  // (if any) on the status topic as "<kind>:<id>".
  absl::Status Publish(const std::optional<v1::Alert>& alert,
                       const std::vector<v1::AuditRecord>& audits, const std::string& subject,
                       const google::protobuf::Message* item = nullptr,
                       const std::string& item_kind = "", const std::string& item_id = "");
  // A scope standing at a level, and since when.
  struct LevelTrigger {
    common::v1::ScopeRef scope;
    std::string name;
    absl::Time reached;
  };
  absl::Status EnsureNhs111Task(absl::Time reached);
  absl::Status EnsurePanelTask(std::vector<LevelTrigger> at_four);
  // `guard`: the scope's prompt guard as just read (ReviewLevels reads them together), or
  // null to read it here.
  absl::Status EnsurePrompt(const common::v1::ScopeRef& scope, common::v1::OpelLevel level,
                            absl::Time now, const std::string* guard = nullptr);
  absl::StatusOr<bool> HoldLease();
  common::v1::OpelLevel EffectiveLevelOf(const common::v1::ScopeRef& scope);
  bool Covers(const reference::v1::StaffMember& person, const std::string& area_id) const;
  std::vector<std::string> AreasOfBoard(const std::string& board_id) const;

  WorkflowState* work_;
  LevelState* levels_;
  kafka::Producer* producer_;
  std::shared_ptr<const ReferenceIndex> reference_;
  NotificationStamp* stamp_;
  DutyDeskOptions options_;
  // What ReviewLevels reads: the levels of the areas, board areas and the county, and the
  // figures of FiguresReviewed.
  std::vector<common::v1::ScopeRef> reviewed_scopes_;
  std::vector<std::string> figures_reviewed_;
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_DUTY_DESK_H_
