#include "services/escalation/core/protocol_tasks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"
#include "services/escalation/core/levels.h"
#include "services/escalation/core/time_rules.h"

namespace resilience::escalation {
namespace {

using Task = v1::ProtocolTask;
using Step = v1::ProtocolTask::Step;

constexpr char kServiceManager[] = "stp_service_manager";
constexpr char kAssistantDirector[] = "assistant_director";
constexpr char kKeahOrganiser[] = "keah_locality_organiser";
constexpr char kOperationalManager[] = "stp_operational_manager";
constexpr char kCommunityTeamManager[] = "community_team_manager";

Step* AddStep(Task* task, const std::string& id, const std::string& description,
              const std::string& role, std::optional<absl::Time> due) {
  Step* s = task->add_steps();
  s->set_step_id(id);
  s->set_description(description);
  s->set_role_id(role);
  if (due.has_value()) *s->mutable_due_at() = ToProtoTime(*due);
  return s;
}

Step* FindStep(Task* task, const std::string& id) {
  for (auto& s : *task->mutable_steps()) {
    if (s.step_id() == id) return &s;
  }
  return nullptr;
}

bool AllDone(const Task& task) {
  return task.steps_size() > 0 &&
         std::all_of(task.steps().begin(), task.steps().end(),
                     [](const Step& s) { return !s.done_by().empty(); });
}

void MarkDone(Step* step, const std::string& by, const std::string& note, absl::Time at) {
  step->set_done_by(by);
  *step->mutable_done_at() = ToProtoTime(at);
  step->set_note(note);
}

void Close(Task* task, const std::string& reason, absl::Time at) {
  task->set_closed(true);
  *task->mutable_closed_at() = ToProtoTime(at);
  task->set_closed_reason(reason);
}

void AddNhs111Round(Task* task, absl::Time now, const WorkflowSettings& settings) {
  const uint32_t round = task->round() + 1;
  task->set_round(round);
  const std::string r = absl::StrCat("r", round, "-");
  const bool in_hours = InHours(now, settings);
  AddStep(task, r + "a-call-nhs111",
          "a) Call NHS 111 on 01233 363020 to change the service capacity status", kServiceManager,
          now + settings.nhs111_steps_due);
  AddStep(task, r + "b-inform",
          in_hours ? "b) Inform the ICB commissioning lead (in hours)"
                   : "b) Inform the NHS Director on Call (out of hours)",
          kServiceManager, now + settings.nhs111_steps_due);
  const absl::Time review = now + settings.nhs111_review;
  AddStep(task, r + "c-review",
          "c) Review escalation status after 4 hours; if pressure remains, steps a and b are "
          "repeated",
          kServiceManager, review);
  *task->mutable_next_review_at() = ToProtoTime(review);
}

std::string Sanitised(const std::string& id) {
  std::string out;
  for (char c : id) out.push_back(c == '/' || c == '|' || c == ' ' ? '_' : c);
  return out;
}

std::vector<std::string> UndoneRoles(const Task& task) {
  std::vector<std::string> roles;
  for (const auto& s : task.steps()) {
    if (!s.done_by().empty()) continue;
    if (std::find(roles.begin(), roles.end(), s.role_id()) == roles.end()) {
      roles.push_back(s.role_id());
    }
  }
  return roles;
}

}  // namespace

std::string TaskRule(v1::ProtocolTask::Kind kind) {
  switch (kind) {
    case Task::KIND_NHS111_DOS: return "nhs111-dos";
    case Task::KIND_EXTRAORDINARY_PAP: return "extraordinary-pap";
    case Task::KIND_KEAH_DECLINE: return "keah-decline";
    default: return "task";
  }
}

std::string KeahTaskId(const common::v1::ScopeRef& patch, const std::string& referral_id) {
  return absl::StrCat("keah-decline/", ScopeKey(patch), "/", Sanitised(referral_id));
}

bool InHours(absl::Time t, const WorkflowSettings& settings) {
  const absl::CivilSecond local = absl::ToCivilSecond(t, settings.zone);
  const absl::Weekday day = absl::GetWeekday(absl::CivilDay(local));
  if (day == absl::Weekday::saturday || day == absl::Weekday::sunday) return false;
  return local.hour() >= settings.in_hours_start && local.hour() < settings.in_hours_end;
}

bool RoleMayComplete(const std::string& role, const std::string& step_role,
                     const google::protobuf::RepeatedPtrField<reference::v1::Role>& roles) {
  const std::vector<std::string> chain = EscalationChain(step_role, 16, roles);
  return std::find(chain.begin(), chain.end(), role) != chain.end();
}

v1::ProtocolTask OpenNhs111Task(const common::v1::ScopeRef& county, const std::string& county_name,
                                common::v1::OpelLevel level, absl::Time now,
                                const WorkflowSettings& settings) {
  Task task;
  task.set_task_id(absl::StrCat("nhs111-dos/", ScopeKey(county), "/", absl::ToUnixMillis(now)));
  task.set_kind(Task::KIND_NHS111_DOS);
  *task.mutable_scope() = county;
  task.set_level(level);
  *task.mutable_opened_at() = ToProtoTime(now);
  task.set_title(absl::StrCat("NHS 111 Directory of Service capacity protocol: ", county_name,
                              " at OPEL ", static_cast<int>(level)));
  task.set_summary(absl::StrCat(
      county_name, " is at OPEL ", static_cast<int>(level), " (", LevelColour(level),
      "), which indicates the NHS 111 DoS capacity protocol (plan 6.1). KCC services are Band "
      "B/C, so it needs no ratification by the ICB Director on Call."));
  AddNhs111Round(&task, now, settings);
  task.set_revision(1);
  return task;
}

v1::ProtocolTask OpenPanelTask(const common::v1::ScopeRef& trigger, const std::string& trigger_name,
                               const std::string& area_id, absl::Time now,
                               const WorkflowSettings& settings) {
  Task task;
  task.set_task_id(absl::StrCat("extraordinary-pap/", ScopeKey(trigger), "/", absl::ToUnixMillis(now)));
  task.set_kind(Task::KIND_EXTRAORDINARY_PAP);
  *task.mutable_scope() = trigger;
  task.set_area_id(area_id);
  task.set_level(common::v1::OPEL_LEVEL_4_BLACK);
  *task.mutable_opened_at() = ToProtoTime(now);
  task.set_title(absl::StrCat("Extraordinary Practice Assurance Panel? ", trigger_name,
                              " at OPEL 4"));
  task.set_summary(absl::StrCat(
      trigger_name, " is at OPEL 4. The decision to hold an extraordinary Practice Assurance Panel "
      "is informed by current OPEL status (plan 6.3); on 24 July 2024 one expedited fifteen "
      "discharges when Maidstone and Tunbridge Wells declared OPEL 4."));
  AddStep(&task, "decide",
          "Decide whether to hold an extraordinary Practice Assurance Panel (note the decision, "
          "why, and the risks anticipated)",
          kAssistantDirector, now + settings.panel_decision);
  AddStep(&task, "outcome",
          "Record the outcome: the panel held and discharges expedited, or that none was needed",
          kAssistantDirector, std::nullopt);
  task.set_revision(1);
  return task;
}

std::optional<v1::ProtocolTask> NotePanelTrigger(const v1::ProtocolTask& task,
                                                 const std::string& trigger_name, absl::Time now) {
  const std::string note = absl::StrCat(" Also at OPEL 4: ", trigger_name, ".");
  if (task.summary().find(note) != std::string::npos) return std::nullopt;
  Task out = task;
  out.set_summary(task.summary() + note);
  out.set_revision(task.revision() + 1);
  return out;
}

absl::StatusOr<TaskChange> CompleteStep(const v1::ProtocolTask& task, const std::string& step_id,
                                        const std::string& user_id, const std::string& note,
                                        common::v1::OpelLevel pressure, absl::Time now,
                                        const WorkflowSettings& settings) {
  TaskChange out{task, false, {}};
  Step* step = FindStep(&out.task, step_id);
  if (step == nullptr) {
    return absl::NotFoundError(absl::StrCat("task ", task.task_id(), " has no step '", step_id, "'"));
  }
  if (!step->done_by().empty()) return out;  // a retry: done already
  if (task.closed()) {
    return absl::FailedPreconditionError(absl::StrCat("task ", task.task_id(), " is closed: ",
                                                      task.closed_reason()));
  }
  if (note.size() > 1000) return absl::InvalidArgumentError("note: at most 1000 characters");
  MarkDone(step, user_id, note, now);
  out.changed = true;
  if (task.kind() == Task::KIND_NHS111_DOS &&
      step_id == absl::StrCat("r", task.round(), "-c-review")) {
    if (pressure >= settings.nhs111_dos_level) {
      AddNhs111Round(&out.task, now, settings);
    } else {
      out.task.clear_next_review_at();
      // Undone steps of the round are moot once pressure has eased.
      Close(&out.task,
            absl::StrCat("pressure eased to OPEL ", static_cast<int>(pressure),
                         " at the review (", LevelColour(pressure), ")"),
            now);
    }
  } else if (AllDone(out.task)) {
    Close(&out.task, "every step done", now);
  }
  out.task.set_revision(task.revision() + 1);
  return out;
}

TaskChange ReviewTaskTimers(const v1::ProtocolTask& task, absl::Time now) {
  TaskChange out{task, false, {}};
  if (task.closed()) return out;
  for (auto& s : *out.task.mutable_steps()) {
    if (!s.done_by().empty() || s.overdue() || !s.has_due_at()) continue;
    if (FromProtoTime(s.due_at()) <= now) {
      s.set_overdue(true);
      out.newly_overdue.push_back(s.step_id());
      out.changed = true;
    }
  }
  if (out.changed) out.task.set_revision(task.revision() + 1);
  return out;
}

std::optional<TaskChange> ApplyKeahReferral(const std::optional<v1::ProtocolTask>& current,
                                            const events::v1::KeahReferralEvent& event,
                                            const common::v1::ScopeRef& patch,
                                            const std::string& patch_name,
                                            const std::string& area_id,
                                            common::v1::OpelLevel area_level, absl::Time at,
                                            const std::string& actor) {
  using E = events::v1::KeahReferralEvent;
  Task task;
  if (current.has_value()) {
    task = *current;
  } else {
    if (event.step() == E::STEP_START_OFFERED_WITHIN_24H) return std::nullopt;
    task.set_task_id(KeahTaskId(patch, event.referral_id()));
    task.set_kind(Task::KIND_KEAH_DECLINE);
    *task.mutable_scope() = patch;
    task.set_area_id(area_id);
    task.set_referral_id(event.referral_id());
    *task.mutable_received_at() = ToProtoTime(at);
    *task.mutable_opened_at() = ToProtoTime(at);
    task.set_title(absl::StrCat("KEaH referral ", event.referral_id(), " (", patch_name, ")"));
  }
  TaskChange out{task, !current.has_value(), {}};
  if (task.closed()) return out;
  const absl::Time received = FromProtoTime(task.received_at());
  const bool hospital = event.referral_source() != E::REFERRAL_SOURCE_COMMUNITY;
  auto ensure_decline_step = [&]() -> Step* {
    if (Step* s = FindStep(&out.task, "decline-notice")) return s;
    out.changed = true;
    return AddStep(&out.task, "decline-notice",
                   hospital ? "Decline notice received within 2 hours: progress to Purchasing "
                              "(Short-term Pathways operational manager, plan 8)"
                            : "Decline notice received within 4 hours: progress to Purchasing "
                              "(community team manager, plan 8)",
                   hospital ? kOperationalManager : kCommunityTeamManager,
                   received + (hospital ? absl::Hours(2) : absl::Hours(4)));
  };
  switch (event.step()) {
    case E::STEP_RECEIVED:
      if (FromProtoTime(out.task.received_at()) > at) {
        *out.task.mutable_received_at() = ToProtoTime(at);
        out.changed = true;
      }
      break;
    case E::STEP_NO_START_WITHIN_24H:
      if (FindStep(&out.task, "inform-referrer") == nullptr) {
        out.changed = true;
        out.task.set_level(std::max(area_level, common::v1::OPEL_LEVEL_2_AMBER));
        out.task.set_summary(absl::StrCat(
            "No start date can be found in the next 24 hours. The referrer must be told within 2 "
            "hours of receipt (plan 7.6)",
            area_level >= common::v1::OPEL_LEVEL_2_AMBER
                ? "; at OPEL 2+ the decline notice moves the case to Purchasing (plan 8)."
                : "."));
        AddStep(&out.task, "inform-referrer",
                "Inform the referrer that no start date can be found in the next 24 hours",
                kKeahOrganiser, received + absl::Hours(2));
        if (area_level >= common::v1::OPEL_LEVEL_2_AMBER) ensure_decline_step();
      }
      break;
    case E::STEP_REFERRER_INFORMED: {
      Step* s = FindStep(&out.task, "inform-referrer");
      if (s == nullptr) {
        s = AddStep(&out.task, "inform-referrer",
                    "Inform the referrer that no start date can be found in the next 24 hours",
                    kKeahOrganiser, received + absl::Hours(2));
      }
      if (s->done_by().empty()) {
        MarkDone(s, actor, "reported by the provider", at);
        out.changed = true;
      }
      break;
    }
    case E::STEP_DECLINE_NOTICE_SENT: {
      Step* s = ensure_decline_step();
      if (s->done_by().empty()) {
        MarkDone(s, actor, "decline notice sent; case moved to Purchasing", at);
        out.changed = true;
      }
      break;
    }
    case E::STEP_START_OFFERED_WITHIN_24H:
      Close(&out.task, "a start date within 24 hours was offered", at);
      out.changed = true;
      break;
    default:
      break;
  }
  if (!out.task.closed() && AllDone(out.task)) {
    Close(&out.task, "every step done", at);
    out.changed = true;
  }
  if (out.changed) out.task.set_revision(task.revision() + 1);
  return out;
}

std::optional<v1::Alert> TaskAlert(const v1::ProtocolTask& task,
                                   const std::optional<v1::Alert>& current,
                                   const std::vector<std::string>& newly_overdue, absl::Time now) {
  if (task.steps_size() == 0) return std::nullopt;  // a referral being watched
  v1::Alert a = current.value_or(v1::Alert{});
  const auto now_ts = ToProtoTime(now);
  const bool first = !current.has_value();
  if (first) {
    a.set_alert_id(task.task_id());
    a.set_rule(TaskRule(task.kind()));
    *a.mutable_scope() = task.scope();
    a.set_area_id(task.area_id());
    a.set_task_id(task.task_id());
    *a.mutable_raised_at() = now_ts;
  }
  if (a.state() == v1::ALERT_STATE_RESOLVED) return std::nullopt;
  a.set_previous_level(a.level());
  a.set_level(std::max(task.level(), common::v1::OPEL_LEVEL_2_AMBER));
  for (const std::string& role : UndoneRoles(task)) {
    bool known = false;
    for (const auto& r : a.recipients()) known = known || r.role_id() == role;
    if (!known) a.add_recipients()->set_role_id(role);
  }
  a.set_title(task.title());
  std::string summary = task.summary();
  std::vector<std::string> next;
  for (const auto& s : task.steps()) {
    if (s.done_by().empty()) next.push_back(s.description());
  }
  if (task.closed()) {
    a.set_state(v1::ALERT_STATE_RESOLVED);
    *a.mutable_resolved_at() = now_ts;
    summary = absl::StrCat(summary, " Closed: ", task.closed_reason(), ".");
  } else if (first || !newly_overdue.empty()) {
    a.set_state(v1::ALERT_STATE_FIRING);
    *a.mutable_firing_since() = now_ts;
    a.set_renotifications(0);
    if (!newly_overdue.empty()) {
      summary = absl::StrCat(summary, " Overdue: ", newly_overdue.size() == 1 ? "step " : "steps ",
                             absl::StrJoin(newly_overdue, ", "), ".");
    }
  }
  if (!task.closed() && !next.empty()) {
    summary = absl::StrCat(summary, " Next: ", next.front());
  }
  a.set_summary(summary);
  *a.mutable_updated_at() = now_ts;
  a.set_revision(a.revision() + 1);
  return a;
}

v1::DecisionPrompt RaisePrompt(const common::v1::ScopeRef& trigger, const std::string& name,
                               common::v1::OpelLevel level, const std::vector<std::string>& area_ids,
                               absl::Time now, const WorkflowSettings& settings) {
  v1::DecisionPrompt p;
  p.set_prompt_id(absl::StrCat("decision-prompt/", ScopeKey(trigger), "/L", static_cast<int>(level),
                               "/", absl::ToUnixMillis(now)));
  *p.mutable_trigger_scope() = trigger;
  p.set_trigger_level(level);
  p.add_role_ids(kServiceManager);
  p.add_role_ids(kAssistantDirector);
  *p.mutable_raised_at() = ToProtoTime(now);
  *p.mutable_due_at() = ToProtoTime(now + settings.prompt_answer);
  for (const auto& a : area_ids) p.add_area_ids(a);
  p.set_title(absl::StrCat(name, " at OPEL ", static_cast<int>(level), ": will KCC respond?"));
  p.set_summary(absl::StrCat(
      name, " has risen to OPEL ", static_cast<int>(level), " (", LevelColour(level),
      "). KCC's actions may be prompted by its board area's or an acute site's level (plan 8), "
      "but KCC may decline where responding would have no positive impact. Decide: respond or "
      "decline, and why."));
  p.set_revision(1);
  return p;
}

absl::StatusOr<PromptAnswer> AnswerPrompt(const v1::DecisionPrompt& prompt,
                                          v1::DecisionPrompt::Decision decision,
                                          const std::string& reason, const std::string& user_id,
                                          const std::string& role_id, absl::Time now) {
  if (decision == v1::DecisionPrompt::DECISION_UNSPECIFIED) {
    return absl::InvalidArgumentError("decision: required: RESPOND or DECLINE");
  }
  if (reason.size() < 10) {
    return absl::InvalidArgumentError("reason: required, at least 10 characters on why");
  }
  if (reason.size() > 1000) return absl::InvalidArgumentError("reason: at most 1000 characters");
  if (prompt.decision() != v1::DecisionPrompt::DECISION_UNSPECIFIED) {
    if (prompt.decided_by() == user_id && prompt.decision() == decision) {
      return PromptAnswer{prompt, false};
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "prompt already answered by ", prompt.decided_by(), ": ",
        v1::DecisionPrompt::Decision_Name(prompt.decision())));
  }
  PromptAnswer out{prompt, true};
  out.prompt.set_decision(decision);
  out.prompt.set_reason(reason);
  out.prompt.set_decided_by(user_id);
  out.prompt.set_decided_by_role(role_id);
  *out.prompt.mutable_decided_at() = ToProtoTime(now);
  out.prompt.set_revision(prompt.revision() + 1);
  return out;
}

v1::Alert PromptAlert(const v1::DecisionPrompt& prompt, const std::optional<v1::Alert>& current,
                      absl::Time now) {
  v1::Alert a = current.value_or(v1::Alert{});
  const auto now_ts = ToProtoTime(now);
  if (!current.has_value()) {
    a.set_alert_id(prompt.prompt_id());
    a.set_rule("decision-prompt");
    *a.mutable_scope() = prompt.trigger_scope();
    if (prompt.area_ids_size() == 1) a.set_area_id(prompt.area_ids(0));
    a.set_task_id(prompt.prompt_id());
    *a.mutable_raised_at() = now_ts;
    a.set_level(prompt.trigger_level());
    a.set_state(v1::ALERT_STATE_FIRING);
    *a.mutable_firing_since() = now_ts;
    for (const auto& r : prompt.role_ids()) a.add_recipients()->set_role_id(r);
  }
  a.set_title(prompt.title());
  std::string summary = prompt.summary();
  if (prompt.decision() != v1::DecisionPrompt::DECISION_UNSPECIFIED) {
    a.set_state(v1::ALERT_STATE_RESOLVED);
    *a.mutable_resolved_at() = now_ts;
    summary = absl::StrCat(summary, " Answered by ", prompt.decided_by(), ": ",
                           prompt.decision() == v1::DecisionPrompt::DECISION_RESPOND ? "respond"
                                                                                      : "decline",
                           " (", prompt.reason(), ").");
  }
  a.set_summary(summary);
  *a.mutable_updated_at() = now_ts;
  a.set_revision(a.revision() + 1);
  return a;
}

bool DeskWatchesMove(common::v1::ScopeKind kind, common::v1::OpelLevel before,
                     common::v1::OpelLevel after, const WorkflowSettings& settings) {
  common::v1::OpelLevel lowest_watched;
  switch (kind) {
    case common::v1::SCOPE_KIND_BOARD_AREA:
      lowest_watched = settings.prompt_min_level;
      break;
    case common::v1::SCOPE_KIND_COUNTY:
      lowest_watched = settings.nhs111_dos_level;
      break;
    default:
      return true;
  }
  // OPEL 4 opens the panel whatever the thresholds say.
  lowest_watched = std::min(lowest_watched, common::v1::OPEL_LEVEL_4_BLACK);
  return before != after && std::max(before, after) >= lowest_watched;
}

}  // namespace resilience::escalation
