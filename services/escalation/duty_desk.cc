#include "services/escalation/duty_desk.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "common/scope/scope_key.h"
#include "services/escalation/core/acute_score.h"
#include "services/escalation/core/alert_lifecycle.h"
#include "services/escalation/core/area_figures.h"
#include "services/escalation/core/care_setting_events.h"
#include "services/escalation/core/levels.h"
#include "services/escalation/core/notification_rules.h"

namespace resilience::escalation {
namespace {

constexpr char kSystem[] = "system:escalation";
constexpr char kNhs111Guard[] = "nhs111-dos";
constexpr char kPanelGuard[] = "extraordinary-pap";
constexpr int kAttempts = 5;

common::v1::ScopeRef Scope(common::v1::ScopeKind kind, const std::string& id) {
  common::v1::ScopeRef s;
  s.set_kind(kind);
  s.set_id(id);
  return s;
}

common::v1::FieldViolation Violation(std::string field, std::string reason) {
  common::v1::FieldViolation v;
  v.set_field(std::move(field));
  v.set_reason(std::move(reason));
  return v;
}

// A core INVALID_ARGUMENT "field: reason" as a field violation.
absl::Status AsViolation(const absl::Status& s) {
  if (!absl::IsInvalidArgument(s)) return s;
  std::vector<std::string> parts = absl::StrSplit(s.message(), absl::MaxSplits(": ", 1));
  if (parts.size() != 2) return s;
  return InvalidArgumentWithViolations({Violation(parts[0], parts[1])});
}

v1::AuditRecord Audit(const std::string& subject, const std::string& action,
                      const std::string& actor, const std::string& reason, absl::Time at,
                      uint64_t revision) {
  v1::AuditRecord r;
  r.set_audit_id(absl::StrCat(subject, "#", action, "#", revision, "@", absl::ToUnixMillis(at)));
  *r.mutable_at() = ToProtoTime(at);
  r.set_actor(actor);
  r.set_action(action);
  r.set_subject(subject);
  r.set_reason(reason);
  return r;
}

std::string GuardOf(const v1::ProtocolTask& task) {
  switch (task.kind()) {
    case v1::ProtocolTask::KIND_NHS111_DOS: return kNhs111Guard;
    case v1::ProtocolTask::KIND_EXTRAORDINARY_PAP: return kPanelGuard;
    default: return "";
  }
}

std::string PromptGuard(const common::v1::ScopeRef& scope) {
  return absl::StrCat("prompt/", ScopeKey(scope));
}

int GuardLevel(const std::string& value) {
  int level = 0;
  absl::SimpleAtoi(value.substr(0, value.find('|')), &level);
  return level;
}

}  // namespace

DutyDesk::DutyDesk(WorkflowState* work, LevelState* levels, kafka::Producer* producer,
                   std::shared_ptr<const ReferenceIndex> reference, NotificationStamp* stamp,
                   DutyDeskOptions options)
    : work_(work),
      levels_(levels),
      producer_(producer),
      reference_(std::move(reference)),
      stamp_(stamp),
      options_(std::move(options)) {
  const auto& d = reference_->data();
  for (const auto& area : d.areas()) {
    reviewed_scopes_.push_back(Scope(common::v1::SCOPE_KIND_AREA, area.id()));
  }
  for (const auto& board : d.board_areas()) {
    reviewed_scopes_.push_back(Scope(common::v1::SCOPE_KIND_BOARD_AREA, board.id()));
  }
  reviewed_scopes_.push_back(Scope(common::v1::SCOPE_KIND_COUNTY, d.county_id()));
  for (const auto& site : d.acute_sites()) {
    figures_reviewed_.push_back(
        FigureKey(Scope(common::v1::SCOPE_KIND_ACUTE_SITE, site.id()), kAcuteIndicator));
  }
}

bool DutyDesk::Covers(const reference::v1::StaffMember& person, const std::string& area_id) const {
  if (person.county_wide() || area_id.empty()) return true;
  return std::find(person.area_ids().begin(), person.area_ids().end(), area_id) !=
         person.area_ids().end();
}

std::vector<std::string> DutyDesk::AreasOfBoard(const std::string& board_id) const {
  for (const auto& b : reference_->data().board_areas()) {
    if (b.id() == board_id) return {b.area_ids().begin(), b.area_ids().end()};
  }
  return {};
}

common::v1::OpelLevel DutyDesk::EffectiveLevelOf(const common::v1::ScopeRef& scope) {
  auto loaded = levels_->Load(scope);
  if (!loaded.ok() || !loaded->record.has_value()) return common::v1::OPEL_LEVEL_UNSPECIFIED;
  return loaded->record->status.effective_level();
}

absl::Status DutyDesk::Publish(const std::optional<v1::Alert>& alert,
                               const std::vector<v1::AuditRecord>& audits,
                               const std::string& subject, const google::protobuf::Message* item,
                               const std::string& item_kind, const std::string& item_id) {
  std::vector<kafka::OutgoingRecord> records;
  if (item != nullptr) {
    records.push_back({options_.status_topic, absl::StrCat(item_kind, ":", item_id),
                       item->SerializeAsString(), {{"kind", item_kind}}});
  }
  if (alert.has_value()) {
    records.push_back({options_.alerts_topic, alert->alert_id(), alert->SerializeAsString(),
                       {{"revision", absl::StrCat(alert->revision())}}});
  }
  for (const auto& a : audits) {
    records.push_back({options_.audit_topic, subject, a.SerializeAsString(),
                       {{"audit_id", a.audit_id()}}});
  }
  for (const absl::Status& s : producer_->SendAll(records)) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status DutyDesk::RecordTask(const v1::ProtocolTask& task, int64_t expected_revision,
                                  const std::vector<std::string>& newly_overdue,
                                  const std::string& actor, const std::string& action,
                                  const std::string& reason, absl::Time now, GuardMode guard,
                                  const std::string& guard_name,
                                  std::optional<common::v1::ScopeRef> seen_scope,
                                  const std::string& seen_event_id) {
  auto current = work_->alerts()->GetAlert(task.task_id());
  if (!current.ok()) return current.status();
  std::optional<v1::Alert> alert = TaskAlert(task, *current, newly_overdue, now);
  std::vector<v1::AuditRecord> audits = {
      Audit(task.task_id(), action, actor, reason, now, task.revision())};
  WorkChange change;
  change.expected_revision = expected_revision;
  change.open = !task.closed();
  change.opened_at = FromProtoTime(task.opened_at());
  change.guard = guard;
  change.guard_name = guard_name;
  change.guard_value = task.task_id();
  if (task.closed() && !GuardOf(task).empty()) {
    change.guard = GuardMode::kRelease;
    change.guard_name = GuardOf(task);
  }
  change.audit = audits.front();
  if (alert.has_value()) {
    stamp_->Stamp(&*alert, now);
    change.alert = alert;
    change.expected_alert_revision = current->has_value() ? (*current)->revision() : 0;
    change.alert_audit = AlertAudit(*alert, TransitionAction(*alert), actor, alert->summary(), now,
                                    absl::StrCat(alert->alert_id(), "#", alert->revision()));
  }
  change.seen_scope = std::move(seen_scope);
  change.seen_event_id = seen_event_id;
  if (!(change.guard == GuardMode::kClaim && !change.guard_name.empty())) {
    absl::Status published = Publish(alert, audits, task.task_id(), &task, "task", task.task_id());
    if (!published.ok()) return published;
    if (change.alert_audit.has_value()) {
      absl::Status a = Publish(std::nullopt, {*change.alert_audit}, alert->alert_id());
      if (!a.ok()) return a;
    }
    return work_->StoreTask(task, change).status();
  }
  // A claim: store first so a lost race records nothing on Kafka, then publish.
  auto stored = work_->StoreTask(task, change);
  if (!stored.ok()) return stored.status();
  absl::Status published = Publish(alert, audits, task.task_id(), &task, "task", task.task_id());
  if (!published.ok()) return published;
  if (change.alert_audit.has_value()) {
    return Publish(std::nullopt, {*change.alert_audit}, alert->alert_id());
  }
  return absl::OkStatus();
}

absl::Status DutyDesk::ApplyKeahReferral(const events::v1::DomainEvent& event, absl::Time at) {
  const auto& env = event.envelope();
  const auto& referral = event.keah_referral();
  if (referral.referral_id().empty()) {
    return absl::InvalidArgumentError("keah_referral.referral_id is empty");
  }
  if (env.scope().kind() != common::v1::SCOPE_KIND_KEAH_PATCH) {
    return absl::InvalidArgumentError("a KEaH referral event must be about a KEaH patch");
  }
  const std::string area = reference_->AreaOf(env.scope()).value_or("");
  const std::string actor = absl::StrCat(
      "provider:", env.provenance().provider_id().empty() ? env.source() : env.provenance().provider_id(),
      referral.by_role().empty() ? "" : absl::StrCat(" (", referral.by_role(), ")"));
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto applied = work_->alerts()->WasApplied(env.scope(), env.event_id());
    if (!applied.ok()) return applied.status();
    if (*applied) return absl::OkStatus();
    const std::string id = KeahTaskId(env.scope(), referral.referral_id());
    auto stored = work_->LoadTask(id);
    if (!stored.ok()) return stored.status();
    std::optional<v1::ProtocolTask> current;
    int64_t revision = 0;
    if (stored->has_value()) {
      current = (*stored)->item;
      revision = (*stored)->revision;
    }
    const common::v1::OpelLevel area_level =
        area.empty() ? common::v1::OPEL_LEVEL_UNSPECIFIED
                     : EffectiveLevelOf(Scope(common::v1::SCOPE_KIND_AREA, area));
    auto change = escalation::ApplyKeahReferral(current, referral, env.scope(),
                                                reference_->ScopeName(env.scope()), area,
                                                area_level, at, actor);
    if (!change.has_value() || !change->changed) {
      return work_->alerts()->MarkApplied(env.scope(), env.event_id());
    }
    absl::Status recorded =
        RecordTask(change->task, revision, {}, actor, "task.event",
                   events::v1::KeahReferralEvent::Step_Name(referral.step()), at, GuardMode::kNone,
                   "", env.scope(), env.event_id());
    if (!absl::IsAborted(recorded)) return recorded;
  }
  return absl::AbortedError("KEaH referral task kept changing");
}

absl::Status DutyDesk::ApplyPlacementMilestone(const events::v1::DomainEvent& event,
                                               absl::Time at) {
  const auto& env = event.envelope();
  if (env.scope().kind() != common::v1::SCOPE_KIND_LOCATION) {
    return absl::InvalidArgumentError("a placement milestone must be about a location");
  }
  auto alert = PlacementAlert(event, reference_->ScopeName(env.scope()),
                              reference_->AreaOf(env.scope()).value_or(""), at,
                              options_.workflow.zone);
  if (!alert.ok()) return alert.status();
  auto existing = work_->alerts()->GetAlert(alert->alert_id());
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return work_->alerts()->MarkApplied(env.scope(), env.event_id());
  stamp_->Stamp(&*alert, at);
  const v1::AuditRecord audit = AlertAudit(*alert, "alert.raised", kSystem, alert->summary(), at,
                                           absl::StrCat(alert->alert_id(), "#1"));
  absl::Status published = Publish(*alert, {audit}, alert->alert_id());
  if (!published.ok()) return published;
  return work_->RaiseAlertOnce(*alert, audit, env.scope(), env.event_id()).status();
}

absl::StatusOr<bool> DutyDesk::HoldLease() {
  return work_->HoldLease("timers", options_.instance_id, options_.lease);
}

absl::StatusOr<bool> DutyDesk::Tick(absl::Time now) {
  auto lease = HoldLease();
  if (!lease.ok()) return lease.status();
  if (!*lease) return false;
  absl::Status reviewed = ReviewLevels(now);
  absl::Status timers = RunTimers(now);
  if (!reviewed.ok()) return reviewed;
  if (!timers.ok()) return timers;
  return true;
}

absl::Status DutyDesk::EnsureNhs111Task(absl::Time reached) {
  auto guard = work_->Guard(kNhs111Guard);
  if (!guard.ok()) return guard.status();
  if (!guard->empty()) return absl::OkStatus();
  const common::v1::ScopeRef county = Scope(common::v1::SCOPE_KIND_COUNTY, reference_->data().county_id());
  const common::v1::OpelLevel level = EffectiveLevelOf(county);
  v1::ProtocolTask task = OpenNhs111Task(county, reference_->ScopeName(county), level, reached,
                                         options_.workflow);
  // One task per rise: a task already opened (and closed at a review) for this same rise is not
  // opened again.
  auto existing = work_->LoadTask(task.task_id());
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return absl::OkStatus();
  absl::Status recorded =
      RecordTask(task, 0, {}, kSystem, "task.opened",
                 absl::StrCat("county at OPEL ", static_cast<int>(level)), reached,
                 GuardMode::kClaim, kNhs111Guard);
  return absl::IsAlreadyExists(recorded) ? absl::OkStatus() : recorded;
}

absl::Status DutyDesk::EnsurePanelTask(std::vector<LevelTrigger> at_four) {
  // The earliest trigger opens the panel task, at the time it reached OPEL 4.
  std::stable_sort(at_four.begin(), at_four.end(),
                   [](const LevelTrigger& a, const LevelTrigger& b) { return a.reached < b.reached; });
  auto guard = work_->Guard(kPanelGuard);
  if (!guard.ok()) return guard.status();
  if (guard->empty()) {
    const LevelTrigger& first = at_four.front();
    const auto& scope = first.scope;
    const auto& name = first.name;
    const absl::Time now = first.reached;
    v1::ProtocolTask task = OpenPanelTask(scope, name, reference_->AreaOf(scope).value_or(""), now,
                                          options_.workflow);
    // One panel per OPEL 4 episode: a panel task closed while its trigger is still at OPEL 4 is
    // not opened again (it is dated when the trigger reached OPEL 4).
    auto existing = work_->LoadTask(task.task_id());
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) return absl::OkStatus();
    for (size_t i = 1; i < at_four.size(); ++i) {
      if (auto noted = NotePanelTrigger(task, at_four[i].name, now)) task = *noted;
    }
    task.set_revision(1);
    absl::Status recorded = RecordTask(task, 0, {}, kSystem, "task.opened",
                                       absl::StrCat(name, " at OPEL 4"), now, GuardMode::kClaim,
                                       kPanelGuard);
    return absl::IsAlreadyExists(recorded) ? absl::OkStatus() : recorded;
  }
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto stored = work_->LoadTask(*guard);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value() || (*stored)->item.closed()) return absl::OkStatus();
    v1::ProtocolTask task = (*stored)->item;
    bool changed = false;
    absl::Time now = FromProtoTime(task.opened_at());
    for (const auto& t : at_four) {
      if (ScopeKey(t.scope) == ScopeKey(task.scope())) continue;
      if (auto noted = NotePanelTrigger(task, t.name, t.reached)) {
        task = *noted;
        changed = true;
        now = std::max(now, t.reached);
      }
    }
    if (!changed) return absl::OkStatus();
    absl::Status recorded = RecordTask(task, (*stored)->revision, {}, kSystem,
                                       "task.trigger_noted", task.summary(), now, GuardMode::kNone, "");
    if (!absl::IsAborted(recorded)) return recorded;
  }
  return absl::AbortedError("panel task kept changing");
}

absl::Status DutyDesk::EnsurePrompt(const common::v1::ScopeRef& scope, common::v1::OpelLevel level,
                                    absl::Time now, const std::string* known_guard) {
  // `now` is when the scope reached `level`: a replay, or a desk that noticed late, raises the
  // same prompt at the same time.
  const std::string guard_name = PromptGuard(scope);
  absl::StatusOr<std::string> guard =
      known_guard != nullptr ? absl::StatusOr<std::string>(*known_guard) : work_->Guard(guard_name);
  if (!guard.ok()) return guard.status();
  if (level < options_.workflow.prompt_min_level) {
    if (!guard->empty()) return work_->ReleaseGuard(guard_name, *guard);
    return absl::OkStatus();
  }
  if (!guard->empty() && GuardLevel(*guard) >= static_cast<int>(level)) return absl::OkStatus();
  std::vector<std::string> areas;
  if (scope.kind() == common::v1::SCOPE_KIND_BOARD_AREA) {
    areas = AreasOfBoard(scope.id());
  } else if (const auto* site = reference_->FindAcuteSite(scope.id())) {
    areas = AreasOfBoard(site->board_area_id());
  }
  v1::DecisionPrompt prompt =
      RaisePrompt(scope, reference_->ScopeName(scope), level, areas, now, options_.workflow);
  auto existing = work_->LoadPrompt(prompt.prompt_id());
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return absl::OkStatus();  // raised for this rise already
  v1::Alert alert = PromptAlert(prompt, std::nullopt, now);
  stamp_->Stamp(&alert, now);
  WorkChange change;
  change.open = true;
  change.opened_at = now;
  change.guard = GuardMode::kClaimIfHigher;
  change.guard_name = guard_name;
  change.guard_value = absl::StrCat(static_cast<int>(level), "|", prompt.prompt_id());
  change.audit = Audit(prompt.prompt_id(), "prompt.raised", kSystem, prompt.title(), now, 1);
  change.alert = alert;
  change.alert_audit = AlertAudit(alert, "alert.raised", kSystem, alert.summary(), now,
                                  absl::StrCat(alert.alert_id(), "#1"));
  auto stored = work_->StorePrompt(prompt, change);
  if (absl::IsAlreadyExists(stored.status())) return absl::OkStatus();
  if (!stored.ok()) return stored.status();
  absl::Status published =
      Publish(alert, {*change.audit}, prompt.prompt_id(), &prompt, "prompt", prompt.prompt_id());
  if (!published.ok()) return published;
  return Publish(std::nullopt, {*change.alert_audit}, alert.alert_id());
}

absl::Status DutyDesk::ReviewLevels(absl::Time now) {
  // Each task and prompt is dated when its level was reached (the level's `since`, a
  // declaration's time, an assessment's receipt), not when the desk noticed: a replay, a restart
  // or another instance raises the same ones at the same times.
  auto reached_of = [&](const v1::LevelStatus& s) {
    absl::Time t = s.has_since() ? FromProtoTime(s.since()) : now;
    if (s.has_declaration() && s.effective_level() == s.declaration().level() &&
        s.effective_level() != s.computed_level()) {
      t = FromProtoTime(s.declaration().declared_at());
    }
    return std::min(t, now);
  };
  const auto& d = reference_->data();
  std::vector<LevelTrigger> at_four;
  // The levels the desk watches and the sites' figures, in one round trip (the pipeline waits
  // for this review after every level move it watches).
  auto loaded = levels_->LoadLevelsAndFigures(reviewed_scopes_, figures_reviewed_);
  if (!loaded.ok()) return loaded.status();
  std::vector<v1::LevelStatus>& sorted = loaded->levels;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return ScopeKey(a.scope()) < ScopeKey(b.scope());
  });
  // Every prompt guard this review may look at, in one round trip.
  std::vector<std::string> guard_names;
  for (const auto& status : sorted) {
    if (status.scope().kind() == common::v1::SCOPE_KIND_BOARD_AREA) {
      guard_names.push_back(PromptGuard(status.scope()));
    }
  }
  for (const auto& site : d.acute_sites()) {
    guard_names.push_back(PromptGuard(Scope(common::v1::SCOPE_KIND_ACUTE_SITE, site.id())));
  }
  auto guard_values = work_->Guards(guard_names);
  if (!guard_values.ok()) return guard_values.status();
  absl::flat_hash_map<std::string, std::string> guards;
  for (size_t i = 0; i < guard_names.size(); ++i) guards[guard_names[i]] = (*guard_values)[i];
  for (const auto& status : sorted) {
    const auto kind = status.scope().kind();
    const std::string name = reference_->ScopeName(status.scope());
    if (kind == common::v1::SCOPE_KIND_COUNTY &&
        status.effective_level() >= options_.workflow.nhs111_dos_level) {
      absl::Status s = EnsureNhs111Task(reached_of(status));
      if (!s.ok()) return s;
    }
    if ((kind == common::v1::SCOPE_KIND_AREA || kind == common::v1::SCOPE_KIND_COUNTY) &&
        status.effective_level() == common::v1::OPEL_LEVEL_4_BLACK) {
      at_four.push_back({status.scope(), name, reached_of(status)});
    }
    if (kind == common::v1::SCOPE_KIND_BOARD_AREA) {
      if (status.computed_level() == common::v1::OPEL_LEVEL_4_BLACK) {
        at_four.push_back({status.scope(), name, reached_of(status)});
      }
      absl::Status s = EnsurePrompt(status.scope(), status.computed_level(), reached_of(status),
                                    &guards[PromptGuard(status.scope())]);
      if (!s.ok()) return s;
    }
  }
  const std::map<std::string, v1::IndicatorStatus>* figures = &loaded->figures;
  for (const auto& site : d.acute_sites()) {
    const common::v1::ScopeRef scope = Scope(common::v1::SCOPE_KIND_ACUTE_SITE, site.id());
    auto it = figures->find(FigureKey(scope, kAcuteIndicator));
    common::v1::OpelLevel level = common::v1::OPEL_LEVEL_UNSPECIFIED;
    absl::Time reached = now;
    if (it != figures->end()) {
      level = it->second.latest().level();
      reached = std::min(now, FromProtoTime(it->second.latest().provenance().accepted_at()));
    }
    if (level == common::v1::OPEL_LEVEL_4_BLACK) at_four.push_back({scope, site.name(), reached});
    absl::Status s = EnsurePrompt(scope, level, reached, &guards[PromptGuard(scope)]);
    if (!s.ok()) return s;
  }
  if (!at_four.empty()) return EnsurePanelTask(std::move(at_four));
  return absl::OkStatus();
}

absl::Status DutyDesk::RunTimers(absl::Time now) {
  // Overdue steps.
  auto tasks = work_->ListTasks(false);
  if (!tasks.ok()) return tasks.status();
  for (const auto& listed : *tasks) {
    if (!ReviewTaskTimers(listed, now).changed) continue;
    auto stored = work_->LoadTask(listed.task_id());
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) continue;
    TaskChange change = ReviewTaskTimers((*stored)->item, now);
    if (!change.changed) continue;
    absl::Status recorded =
        RecordTask(change.task, (*stored)->revision, change.newly_overdue, kSystem,
                   "task.step_overdue", absl::StrJoin(change.newly_overdue, ", "), now,
                   GuardMode::kNone, "");
    if (!recorded.ok() && !absl::IsAborted(recorded)) return recorded;
  }
  // Re-notification of unacknowledged alerts up the role chain.
  auto firing = work_->FiringAlerts(options_.renotify_scan);
  if (!firing.ok()) return firing.status();
  for (const auto& alert : *firing) {
    auto due = RenotifyIfDue(alert, now, options_.renotify, reference_->data().roles());
    if (!due.has_value()) continue;
    stamp_->Stamp(&due->alert, now);
    const std::string reason = absl::StrCat(
        "unacknowledged since ", absl::FormatTime("%H:%M", FromProtoTime(alert.firing_since()),
                                                  options_.workflow.zone),
        due->added_roles.empty() ? "; re-sent (top of the role chain)"
                                 : absl::StrCat("; escalated to ", absl::StrJoin(due->added_roles, ", ")));
    const v1::AuditRecord audit =
        AlertAudit(due->alert, "alert.renotified", kSystem, reason, now,
                   absl::StrCat(due->alert.alert_id(), "#", due->alert.revision()));
    absl::Status published = Publish(due->alert, {audit}, due->alert.alert_id());
    if (!published.ok()) return published;
    auto stored = work_->StoreAlertTransition(due->alert, alert.revision(), audit);
    if (!stored.ok() && !absl::IsAborted(stored.status())) return stored.status();
  }
  // Silences that ran out.
  auto expired = work_->ExpireDue(now);
  if (!expired.ok()) return expired.status();
  for (const auto& s : *expired) {
    v1::AuditRecord audit = Audit(s.silence_id(), "silence.expired", kSystem,
                                  "reached its end time", now, 0);
    (*audit.mutable_detail())["scope"] = ScopeKey(s.scope());
    absl::Status published = Publish(std::nullopt, {audit}, s.silence_id());
    if (!published.ok()) return published;
    absl::Status appended = work_->AppendAudit(s.silence_id(), audit);
    if (!appended.ok()) return appended;
  }
  if (!expired->empty()) stamp_->Invalidate();
  return absl::OkStatus();
}

absl::StatusOr<v1::ProtocolTask> DutyDesk::CompleteTaskStep(
    const reference::v1::StaffMember& person, const v1::CompleteTaskStepRequest& request,
    absl::Time now) {
  std::vector<common::v1::FieldViolation> violations;
  if (request.task_id().empty()) violations.push_back(Violation("task_id", "required"));
  if (request.step_id().empty()) violations.push_back(Violation("step_id", "required"));
  if (request.note().size() > 1000) violations.push_back(Violation("note", "at most 1000 characters"));
  if (!violations.empty()) return InvalidArgumentWithViolations(violations);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto stored = work_->LoadTask(request.task_id());
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) {
      return absl::NotFoundError(absl::StrCat("no task '", request.task_id(), "'"));
    }
    const v1::ProtocolTask& task = (*stored)->item;
    if (!Covers(person, task.area_id())) {
      return absl::PermissionDeniedError(
          absl::StrCat(person.id(), " does not cover area '", task.area_id(), "'"));
    }
    for (const auto& step : task.steps()) {
      if (step.step_id() == request.step_id() &&
          !RoleMayComplete(person.role_id(), step.role_id(), reference_->data().roles())) {
        return absl::PermissionDeniedError(absl::StrCat(
            "step '", step.step_id(), "' is for ", step.role_id(), " (or a role above it); ",
            person.id(), " is ", person.role_id()));
      }
    }
    const common::v1::OpelLevel pressure =
        task.kind() == v1::ProtocolTask::KIND_NHS111_DOS ? EffectiveLevelOf(task.scope()) : task.level();
    auto change = escalation::CompleteStep(task, request.step_id(), person.id(), request.note(),
                                           pressure, now, options_.workflow);
    if (!change.ok()) return AsViolation(change.status());
    if (!change->changed) return change->task;
    absl::Status recorded =
        RecordTask(change->task, (*stored)->revision, {}, person.id(),
                   change->task.closed() ? "task.closed" : "task.step_done",
                   absl::StrCat(request.step_id(), request.note().empty() ? "" : ": ", request.note()),
                   now, GuardMode::kNone, "");
    if (recorded.ok()) return change->task;
    if (!absl::IsAborted(recorded)) return recorded;
  }
  return absl::AbortedError("the task kept changing; try again");
}

absl::StatusOr<v1::DecisionPrompt> DutyDesk::AnswerPrompt(
    const reference::v1::StaffMember& person, const v1::AnswerDecisionPromptRequest& request,
    absl::Time now) {
  if (request.prompt_id().empty()) {
    return InvalidArgumentWithViolations({Violation("prompt_id", "required")});
  }
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto stored = work_->LoadPrompt(request.prompt_id());
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) {
      return absl::NotFoundError(absl::StrCat("no decision prompt '", request.prompt_id(), "'"));
    }
    const v1::DecisionPrompt& prompt = (*stored)->item;
    bool may = false;
    for (const auto& role : prompt.role_ids()) {
      may = may || RoleMayComplete(person.role_id(), role, reference_->data().roles());
    }
    if (!may) {
      return absl::PermissionDeniedError(absl::StrCat(
          "the prompt is for ", absl::StrJoin(prompt.role_ids(), ", "), "; ", person.id(), " is ",
          person.role_id()));
    }
    bool covers = prompt.area_ids().empty() || person.county_wide();
    for (const auto& a : prompt.area_ids()) covers = covers || Covers(person, a);
    if (!covers) {
      return absl::PermissionDeniedError(absl::StrCat(person.id(), " covers none of ",
                                                      absl::StrJoin(prompt.area_ids(), ", ")));
    }
    auto answer = escalation::AnswerPrompt(prompt, request.decision(), request.reason(),
                                           person.id(), person.role_id(), now);
    if (!answer.ok()) return AsViolation(answer.status());
    if (!answer->changed) return answer->prompt;
    auto current = work_->alerts()->GetAlert(prompt.prompt_id());
    if (!current.ok()) return current.status();
    v1::Alert alert = PromptAlert(answer->prompt, *current, now);
    stamp_->Stamp(&alert, now);
    WorkChange change;
    change.expected_revision = (*stored)->revision;
    change.open = false;
    change.opened_at = FromProtoTime(prompt.raised_at());
    v1::AuditRecord audit = Audit(prompt.prompt_id(), "prompt.answered", person.id(),
                                  request.reason(), now, answer->prompt.revision());
    (*audit.mutable_detail())["decision"] = v1::DecisionPrompt::Decision_Name(request.decision());
    change.audit = audit;
    change.alert = alert;
    change.expected_alert_revision = current->has_value() ? (*current)->revision() : 0;
    change.alert_audit = AlertAudit(alert, "alert.resolved", person.id(), request.reason(), now,
                                    absl::StrCat(alert.alert_id(), "#", alert.revision()));
    absl::Status published = Publish(alert, {audit, *change.alert_audit}, prompt.prompt_id(),
                                     &answer->prompt, "prompt", prompt.prompt_id());
    if (!published.ok()) return published;
    auto saved = work_->StorePrompt(answer->prompt, change);
    if (saved.ok()) return answer->prompt;
    if (!absl::IsAborted(saved.status())) return saved.status();
  }
  return absl::AbortedError("the prompt kept changing; try again");
}

absl::StatusOr<v1::Silence> DutyDesk::CreateSilence(const reference::v1::StaffMember& person,
                                                    const v1::CreateSilenceRequest& request,
                                                    absl::Time now) {
  const auto* role = reference_->FindRole(person.role_id());
  if (role == nullptr || !role->may_silence()) {
    return absl::PermissionDeniedError(
        absl::StrCat(person.id(), " (", person.role_id(), ") may not silence alerts"));
  }
  std::vector<common::v1::FieldViolation> violations;
  if (!reference_->ScopeExists(request.scope())) {
    violations.push_back(Violation("scope", "unknown scope " + ScopeKey(request.scope())));
  }
  if (!request.indicator().empty() && reference_->FindIndicator(request.indicator()) == nullptr) {
    violations.push_back(Violation("indicator", "unknown indicator '" + request.indicator() + "'"));
  }
  v1::Silence silence;
  silence.set_silence_id(absl::StrCat("silence-", absl::ToUnixMillis(now), "-", person.id()));
  *silence.mutable_scope() = request.scope();
  silence.set_indicator(request.indicator());
  *silence.mutable_until() = request.until();
  silence.set_reason(request.reason());
  silence.set_created_by(person.id());
  *silence.mutable_created_at() = ToProtoTime(now);
  if (absl::Status valid = ValidateSilence(silence, now); !valid.ok()) {
    std::vector<std::string> parts = absl::StrSplit(valid.message(), absl::MaxSplits(": ", 1));
    violations.push_back(Violation(parts[0], parts.size() > 1 ? parts[1] : ""));
  }
  if (!violations.empty()) return InvalidArgumentWithViolations(violations);
  const std::string area = reference_->AreaOf(request.scope()).value_or("");
  if (area.empty() ? !person.county_wide() : !Covers(person, area)) {
    return absl::PermissionDeniedError(
        absl::StrCat(person.id(), " does not cover ", ScopeKey(request.scope())));
  }
  v1::AuditRecord audit = Audit(silence.silence_id(), "silence.created", person.id(),
                                request.reason(), now, 1);
  (*audit.mutable_detail())["scope"] = ScopeKey(request.scope());
  (*audit.mutable_detail())["indicator"] = request.indicator();
  (*audit.mutable_detail())["until"] = absl::FormatTime(FromProtoTime(request.until()));
  absl::Status published =
      Publish(std::nullopt, {audit}, silence.silence_id(), &silence, "silence", silence.silence_id());
  if (!published.ok()) return published;
  absl::Status put = work_->PutSilence(silence, audit, true);
  if (!put.ok()) return put;
  stamp_->Invalidate();
  return silence;
}

absl::StatusOr<v1::Silence> DutyDesk::ExpireSilence(const reference::v1::StaffMember& person,
                                                    const v1::ExpireSilenceRequest& request,
                                                    absl::Time now) {
  const auto* role = reference_->FindRole(person.role_id());
  if (role == nullptr || !role->may_silence()) {
    return absl::PermissionDeniedError(
        absl::StrCat(person.id(), " (", person.role_id(), ") may not end silences"));
  }
  auto silence = work_->GetSilence(request.silence_id());
  if (!silence.ok()) return silence.status();
  if (!silence->has_value()) {
    return absl::NotFoundError(absl::StrCat("no silence '", request.silence_id(), "'"));
  }
  v1::Silence s = **silence;
  if (FromProtoTime(s.until()) <= now) return s;  // over already
  *s.mutable_until() = ToProtoTime(now);
  v1::AuditRecord audit = Audit(s.silence_id(), "silence.expired", person.id(),
                                request.reason().empty() ? "ended early" : request.reason(), now, 2);
  (*audit.mutable_detail())["scope"] = ScopeKey(s.scope());
  absl::Status published = Publish(std::nullopt, {audit}, s.silence_id(), &s, "silence", s.silence_id());
  if (!published.ok()) return published;
  absl::Status put = work_->PutSilence(s, audit, false);
  if (!put.ok()) return put;
  stamp_->Invalidate();
  return s;
}

absl::StatusOr<std::vector<v1::ProtocolTask>> DutyDesk::ListTasks(
    const reference::v1::StaffMember& person, bool include_closed) {
  auto tasks = work_->ListTasks(include_closed);
  if (!tasks.ok()) return tasks.status();
  std::vector<v1::ProtocolTask> out;
  for (auto& t : *tasks) {
    if (t.steps_size() > 0 && Covers(person, t.area_id())) out.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<std::vector<v1::DecisionPrompt>> DutyDesk::ListPrompts(
    const reference::v1::StaffMember& person, bool include_answered) {
  auto prompts = work_->ListPrompts(include_answered);
  if (!prompts.ok()) return prompts.status();
  std::vector<v1::DecisionPrompt> out;
  for (auto& p : *prompts) {
    bool covers = p.area_ids().empty() || person.county_wide();
    for (const auto& a : p.area_ids()) covers = covers || Covers(person, a);
    if (covers) out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Silence>> DutyDesk::ListSilences() { return work_->ActiveSilences(); }

}  // namespace resilience::escalation
