// Protocol tasks and decision prompts (DESIGN 4.2, 4.4): small workflows with their own timers,
// each step recorded with who and when. Pure code: time, levels and the acting user are passed
// in. Thread-safe (stateless functions).
//
// Readings of the plan, as a duty manager would expect them:
// - NHS 111 Directory of Service protocol (plan 6.1, "when indicated by the OPEL status level"):
//   opens when the county's effective KCC level reaches `nhs111_dos_level` (default OPEL 3, where
//   the action catalogue places its steps), one open at a time. Round 1: (a) call NHS 111 to
//   change the capacity status and (b) inform the ICB commissioning lead in hours (Monday to
//   Friday, 09:00-17:00 local) or the NHS Director on Call out of hours, both expected within an
//   hour (local default); (c) review after 4 hours. Completing the review while the county is
//   still at the level starts round 2 (a, b, c again, the next review 4 hours on); completing it
//   once pressure has eased closes the task.
// - Extraordinary Practice Assurance Panel (plan 6.3, "informed by current OPEL Status"):
//   prompted to the assistant director when a KCC area or the county (effective level), a board
//   area or an acute site stands at OPEL 4. One panel answers every trigger: while a panel task is
//   open, further triggers are noted on it rather than opening another. Steps: decide whether to
//   hold it (within `panel_decision`, default 4 hours), then record the outcome.
// - KEaH declines (plan 7.6 and section 8): a referral reported with no start date in the next 24
//   hours opens a task: the KEaH locality organiser informs the referrer within 2 hours of
//   receipt; when the patch's area is at OPEL 2 or above, the decline notice must also be received
//   and the case progressed to Purchasing within 2 hours by the Short-term Pathways operational
//   manager (hospital referrals) or 4 hours by the community team manager (community referrals).
//   Provider events complete the steps (referrer informed, decline notice sent); a start offered
//   within 24 hours closes the task. A referral that is only received opens nothing visible.
// - Decision prompts (DESIGN 4.2, plan section 8: KCC may decline to respond where a response
//   would not help): a board area or an acute site rising to `prompt_min_level` (default OPEL 3)
//   or above asks the Short-term Pathway service manager and the assistant director to decide,
//   respond or decline and why. A further rise prompts again; the prompt stays until answered.
// - A step may be completed by its role or by any role above it in the escalation chain.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_PROTOCOL_TASKS_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_PROTOCOL_TASKS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "escalation/v1/alerts.pb.h"
#include "escalation/v1/status.pb.h"
#include "events/v1/events.pb.h"
#include "reference/v1/reference.pb.h"

namespace resilience::escalation {

// Timings and thresholds of the workflows (config WorkflowRules).
struct WorkflowSettings {
  common::v1::OpelLevel nhs111_dos_level = common::v1::OPEL_LEVEL_3_RED;
  absl::Duration nhs111_review = absl::Hours(4);
  absl::Duration nhs111_steps_due = absl::Hours(1);
  int in_hours_start = 9;
  int in_hours_end = 17;
  common::v1::OpelLevel prompt_min_level = common::v1::OPEL_LEVEL_3_RED;
  absl::Duration prompt_answer = absl::Hours(2);
  absl::Duration panel_decision = absl::Hours(4);
  absl::TimeZone zone = absl::UTCTimeZone();
};

// The outcome of a change to a task.
struct TaskChange {
  v1::ProtocolTask task;
  // False when nothing changed (a retried completion, a repeated event): nothing to record.
  bool changed = false;
  // Steps that became overdue with this change.
  std::vector<std::string> newly_overdue;
};

// Ids. Each is also the id of the alert that announces it, so it has the alert id form
// "<rule>/<scope kind>/<scope id>/...".
std::string TaskRule(v1::ProtocolTask::Kind kind);  // "nhs111-dos", "extraordinary-pap", ...
std::string KeahTaskId(const common::v1::ScopeRef& patch, const std::string& referral_id);

// True on Monday to Friday between in_hours_start and in_hours_end, local time.
bool InHours(absl::Time t, const WorkflowSettings& settings);

// True when `role` may complete a step of `step_role`: the same role or one above it in the
// escalation chain of `roles`.
bool RoleMayComplete(const std::string& role, const std::string& step_role,
                     const google::protobuf::RepeatedPtrField<reference::v1::Role>& roles);

// A new NHS 111 DoS protocol task for the county at `level`.
v1::ProtocolTask OpenNhs111Task(const common::v1::ScopeRef& county, const std::string& county_name,
                                common::v1::OpelLevel level, absl::Time now,
                                const WorkflowSettings& settings);

// A new extraordinary panel task prompted by `trigger` (named `trigger_name`) at OPEL 4.
v1::ProtocolTask OpenPanelTask(const common::v1::ScopeRef& trigger, const std::string& trigger_name,
                               const std::string& area_id, absl::Time now,
                               const WorkflowSettings& settings);

// Notes a further OPEL 4 trigger on an open panel task; nullopt when it is already noted.
std::optional<v1::ProtocolTask> NotePanelTrigger(const v1::ProtocolTask& task,
                                                 const std::string& trigger_name, absl::Time now);

// Completes `step_id` for `user_id` in `role_id` at `now`. `pressure` is the level the task's
// condition stands at now (the county's effective level for the NHS 111 review). NOT_FOUND for
// an unknown step; FAILED_PRECONDITION when the task is closed; INVALID_ARGUMENT (field "note")
// for a note over 1000 characters. Completing a done step again changes nothing.
absl::StatusOr<TaskChange> CompleteStep(const v1::ProtocolTask& task, const std::string& step_id,
                                        const std::string& user_id, const std::string& note,
                                        common::v1::OpelLevel pressure, absl::Time now,
                                        const WorkflowSettings& settings);

// Marks steps past their due time as overdue.
TaskChange ReviewTaskTimers(const v1::ProtocolTask& task, absl::Time now);

// Applies one KEaH referral event received at `at` to the referral's task (nullopt: none yet).
// `area_level` is the patch's area's effective KCC level. Returns nullopt when the event leaves
// no task (a start offered for a referral never declined).
std::optional<TaskChange> ApplyKeahReferral(const std::optional<v1::ProtocolTask>& current,
                                            const events::v1::KeahReferralEvent& event,
                                            const common::v1::ScopeRef& patch,
                                            const std::string& patch_name,
                                            const std::string& area_id,
                                            common::v1::OpelLevel area_level, absl::Time at,
                                            const std::string& actor);

// The alert announcing `task`, after `current` (nullopt: none yet): firing when opened and when
// a step becomes overdue, recipients the roles of its steps, resolved when the task closes.
// nullopt when the task has nothing to announce (a KEaH referral being watched, no change).
std::optional<v1::Alert> TaskAlert(const v1::ProtocolTask& task,
                                   const std::optional<v1::Alert>& current,
                                   const std::vector<std::string>& newly_overdue, absl::Time now);

// Whether a board area's or the county's level moving from `before` to `after` can change what
// the duty desk opens or releases when it reviews the levels: for a board area (its computed
// level) a prompt at or above `prompt_min_level`, its guard released below it, and the
// extraordinary panel at OPEL 4; for the county (its effective level) the NHS 111 task from
// `nhs111_dos_level` and the panel at OPEL 4. A move wholly below those (a board area between
// OPEL 1 and 2, say) changes nothing the desk does, so the pipeline need not wait for a review.
// Any other scope kind: true (the caller decides).
bool DeskWatchesMove(common::v1::ScopeKind kind, common::v1::OpelLevel before,
                     common::v1::OpelLevel after, const WorkflowSettings& settings);

// A decision prompt for `trigger` (named `name`) having risen to `level`, concerning KCC
// `area_ids`.
v1::DecisionPrompt RaisePrompt(const common::v1::ScopeRef& trigger, const std::string& name,
                               common::v1::OpelLevel level, const std::vector<std::string>& area_ids,
                               absl::Time now, const WorkflowSettings& settings);

// Answers a prompt. INVALID_ARGUMENT naming "decision" (unspecified) or "reason" (under 10
// characters); FAILED_PRECONDITION when someone already answered differently. Answering again
// with the same decision by the same user changes nothing (changed = false).
struct PromptAnswer {
  v1::DecisionPrompt prompt;
  bool changed = false;
};
absl::StatusOr<PromptAnswer> AnswerPrompt(const v1::DecisionPrompt& prompt,
                                          v1::DecisionPrompt::Decision decision,
                                          const std::string& reason, const std::string& user_id,
                                          const std::string& role_id, absl::Time now);

// The alert announcing `prompt` (firing while unanswered, resolved once answered).
v1::Alert PromptAlert(const v1::DecisionPrompt& prompt, const std::optional<v1::Alert>& current,
                      absl::Time now);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_PROTOCOL_TASKS_H_
