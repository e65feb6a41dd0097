#include "tools/scenario/replayer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "common/scope/scope_key.h"
#include "tools/scenario/requests.h"

namespace resilience::scenario {
namespace {

namespace esc = escalation::v1;
using common::v1::UpdateAck;

constexpr int kAlertLimit = 500;
constexpr absl::Duration kDefaultWithin = absl::Minutes(30);

std::string Shorten(std::string text, size_t max = 110) {
  if (text.size() > max) text = text.substr(0, max - 3) + "...";
  return text;
}

// Why a call or an update was refused, with its field violations.
std::string RefusalText(const absl::Status& status) {
  std::string text = absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
  return text;
}

std::string RefusalText(const UpdateAck& ack) {
  std::vector<std::string> parts;
  for (const auto& v : ack.violations()) parts.push_back(absl::StrCat(v.field(), ": ", v.reason()));
  return absl::StrCat(UpdateAck::Outcome_Name(ack.outcome()), " ",
                      parts.empty() ? ack.message() : absl::StrJoin(parts, "; "));
}

bool Retryable(const absl::StatusOr<UpdateAck>& answer) {
  if (!answer.ok()) {
    const absl::StatusCode c = answer.status().code();
    return c == absl::StatusCode::kUnavailable || c == absl::StatusCode::kDeadlineExceeded ||
           c == absl::StatusCode::kResourceExhausted;
  }
  return answer->outcome() == UpdateAck::OUTCOME_RETRY;
}

std::string KindOrder(const common::v1::ScopeRef& scope) {
  switch (scope.kind()) {
    case common::v1::SCOPE_KIND_COUNTY: return "0";
    case common::v1::SCOPE_KIND_AREA: return "1";
    case common::v1::SCOPE_KIND_BOARD_AREA: return "2";
    case common::v1::SCOPE_KIND_ICS: return "3";
    case common::v1::SCOPE_KIND_TRUST: return "4";
    case common::v1::SCOPE_KIND_ACUTE_SITE: return "5";
    default: return "6";
  }
}

std::string MatchText(const v1::AlertMatch& match) {
  if (!match.alert_id().empty()) return match.alert_id();
  std::vector<std::string> parts;
  for (const std::string* p : {&match.rule(), &match.scope(), &match.indicator()}) {
    if (!p->empty()) parts.push_back(*p);
  }
  return absl::StrJoin(parts, " ");
}

std::string TaskStepsText(const esc::ProtocolTask& task) {
  std::vector<std::string> steps;
  for (const auto& s : task.steps()) {
    steps.push_back(absl::StrCat(s.step_id(), s.done_by().empty() ? "" : " (done)",
                                 s.overdue() && s.done_by().empty() ? " (OVERDUE)" : ""));
  }
  return absl::StrJoin(steps, ", ");
}

}  // namespace

Replayer::Replayer(const Timeline* timeline, Platform* platform, ScenarioClock* clock,
                   std::ostream* out, ReplayOptions options)
    : timeline_(timeline), platform_(platform), clock_(clock), out_(out),
      options_(std::move(options)) {}

std::string Replayer::Name(const common::v1::ScopeRef& scope) const {
  if (options_.reference == nullptr) return ScopeKey(scope);
  const auto& data = options_.reference->data();
  switch (scope.kind()) {
    case common::v1::SCOPE_KIND_COUNTY:
      return "Kent (county-wide)";
    case common::v1::SCOPE_KIND_ICS:
      return "Kent and Medway ICS";
    case common::v1::SCOPE_KIND_BOARD_AREA:
      for (const auto& b : data.board_areas()) {
        if (b.id() == scope.id()) return b.name() + " board area";
      }
      break;
    case common::v1::SCOPE_KIND_TRUST:
      for (const auto& t : data.trusts()) {
        if (t.id() == scope.id()) return t.name();
      }
      break;
    default:
      if (options_.reference->ScopeExists(scope)) return options_.reference->ScopeName(scope);
      break;
  }
  return ScopeKey(scope);
}

std::string Replayer::PersonName(const std::string& id) const {
  if (options_.reference != nullptr) {
    if (const auto* p = options_.reference->FindPerson(id)) return p->name();
  }
  return id;
}

void Replayer::Line(absl::Time at, const std::string& who, const std::string& text) {
  *out_ << absl::StrFormat("%-9s %-22s %s\n", timeline_->Label(at), Shorten(who, 22), text);
  out_->flush();
}

void Replayer::Detail(const std::string& text) {
  *out_ << absl::StrFormat("%-9s %-22s   %s\n", "", "", text);
  out_->flush();
}

absl::Status Replayer::Failure(int index, absl::StatusCode code, const std::string& text) {
  ++summary_.failures;
  const std::string where =
      index >= 0 ? absl::StrCat("step ", index + 1, " (", timeline_->scenario.steps(index).at(), ")")
                 : "replay";
  *out_ << absl::StrFormat("%-9s %-22s   FAILED: %s\n", "", "", text);
  out_->flush();
  return absl::Status(code, absl::StrCat(where, ": ", text));
}

absl::Status Replayer::Run() {
  const v1::Scenario& s = timeline_->scenario;
  *out_ << "== " << s.title() << "\n";
  if (!s.summary().empty()) *out_ << "   " << s.summary() << "\n";
  *out_ << "   " << s.steps_size() << " steps from "
        << timeline_->Label(timeline_->step_times.front()) << " to "
        << timeline_->Label(timeline_->step_times.back()) << " ("
        << absl::FormatCivilTime(timeline_->first_day) << " is D1, "
        << timeline_->zone.name() << " time); scenario clock now "
        << timeline_->Label(clock_->Now()) << "\n\n";
  absl::Status first_failure;
  for (int i = 0; i < s.steps_size(); ++i) {
    WaitForTime(timeline_->step_times[i]);
    absl::Status status = RunStep(i);
    ++summary_.steps;
    if (!status.ok()) {
      if (first_failure.ok()) first_failure = status;
      if (!options_.keep_going) return status;
    }
  }
  // A last look, so the narrative ends with the platform's answer to the last steps.
  if (options_.narrate_platform) (void)Look();
  return first_failure;
}

void Replayer::WaitForTime(absl::Time t) {
  while (clock_->Now() < t) {
    clock_->WaitUntil(t, options_.poll);
    if (options_.narrate_platform) (void)Look();
  }
}

absl::StatusOr<PlatformView> Replayer::Look() {
  auto view = platform_->View(options_.viewer, kAlertLimit);
  if (view.ok()) Narrate(*view);
  return view;
}

absl::StatusOr<PlatformView> Replayer::WaitForView(
    const std::function<bool(const PlatformView&)>& found, absl::Time deadline,
    const std::string& what) {
  const absl::Time give_up = deadline + clock_->ScenarioDuration(options_.grace);
  absl::Status last = absl::OkStatus();
  while (true) {
    auto view = Look();
    if (view.ok() && found(*view)) return view;
    if (!view.ok()) last = view.status();
    if (clock_->Now() >= give_up) {
      return absl::DeadlineExceededError(absl::StrCat(
          what, " not seen by ", timeline_->Label(deadline),
          last.ok() ? "" : absl::StrCat(" (last look failed: ", last.message(), ")")));
    }
    clock_->WaitUntil(give_up, options_.poll);
  }
}

void Replayer::Narrate(const PlatformView& view) {
  const absl::Time now = clock_->Now();
  const bool quiet = !baseline_taken_;  // the first look is the baseline: nothing to report
  baseline_taken_ = true;

  std::vector<const esc::LevelStatus*> levels;
  for (const auto& l : view.board.levels()) levels.push_back(&l);
  std::sort(levels.begin(), levels.end(), [](const auto* a, const auto* b) {
    return KindOrder(a->scope()) + ScopeKey(a->scope()) < KindOrder(b->scope()) + ScopeKey(b->scope());
  });
  for (const esc::LevelStatus* l : levels) {
    SeenLevel& seen = levels_[ScopeKey(l->scope())];
    SeenLevel next{l->computed_level(), l->effective_level(), l->pending_level(),
                   l->has_declaration() ? l->declaration().declared_at().seconds() : 0};
    // A scope's first level, Green, is the platform starting up: not news.
    const bool first_green = seen.computed == common::v1::OPEL_LEVEL_UNSPECIFIED &&
                             next.computed == common::v1::OPEL_LEVEL_1_GREEN;
    if (!quiet && next.computed != seen.computed && !first_green) {
      std::string text = absl::StrCat(Name(l->scope()), ": computed ", LevelText(seen.computed),
                                      " -> ", LevelText(next.computed));
      if (l->has_acute_score()) {
        absl::StrAppend(&text, absl::StrFormat(" (score %.0f)", l->acute_score().score()));
      }
      Line(now, "platform", text);
    }
    if (!quiet && next.declared_at != seen.declared_at && next.declared_at != 0) {
      Line(now, "platform",
           absl::StrCat(Name(l->scope()), ": ", LevelText(l->declaration().level()), " declared by ",
                        PersonName(l->declaration().declared_by()), "; effective ",
                        LevelText(next.effective), ", computed ", LevelText(next.computed)));
    }
    if (!quiet && next.pending != seen.pending &&
        next.pending != common::v1::OPEL_LEVEL_UNSPECIFIED) {
      Line(now, "platform",
           absl::StrCat(Name(l->scope()), ": step down to ", LevelText(next.pending),
                        " pending (de-escalation hold), not before ",
                        timeline_->Label(FromProtoTime(l->step_down_not_before()))));
    }
    seen = next;
  }

  for (const auto& t : view.tasks.tasks()) {
    auto it = tasks_.find(t.task_id());
    if (it == tasks_.end()) {
      if (!quiet) {
        Line(now, "platform", absl::StrCat("task opened: ", t.title()));
        Detail(absl::StrCat("steps: ", TaskStepsText(t)));
      }
      tasks_[t.task_id()] = t;
      continue;
    }
    if (it->second.revision() == t.revision()) continue;
    if (!quiet) {
      for (const auto& s : t.steps()) {
        const esc::ProtocolTask::Step* before = nullptr;
        for (const auto& b : it->second.steps()) {
          if (b.step_id() == s.step_id()) before = &b;
        }
        if (before == nullptr) {
          Detail(absl::StrCat("task step added: ", s.step_id(), ": ", Shorten(s.description(), 80)));
        } else if (s.overdue() && !before->overdue() && s.done_by().empty()) {
          Line(now, "platform", absl::StrCat("task step OVERDUE: ", s.step_id(), " of ", t.title()));
        }
      }
      if (t.closed() && !it->second.closed()) {
        Line(now, "platform", absl::StrCat("task closed: ", t.title(), " (", t.closed_reason(), ")"));
      }
    }
    it->second = t;
  }

  for (const auto& p : view.prompts.prompts()) {
    auto it = prompts_.find(p.prompt_id());
    if (it == prompts_.end()) {
      if (!quiet) Line(now, "platform", absl::StrCat("decision prompt: ", p.title()));
      prompts_[p.prompt_id()] = p.decision();
      continue;
    }
    it->second = p.decision();
  }

  // Alerts are newest first; report in the order they happened.
  for (int i = view.alerts.alerts_size() - 1; i >= 0; --i) {
    const esc::Alert& a = view.alerts.alerts(i);
    auto it = alerts_.find(a.alert_id());
    std::vector<std::string> escalated;
    for (const auto& r : a.recipients()) {
      if (r.escalated()) escalated.push_back(r.role_id());
    }
    SeenAlert next{a.state(), a.level(), a.renotifications(),
                   static_cast<size_t>(a.acknowledgements_size()), escalated};
    if (it == alerts_.end()) {
      if (!quiet && a.state() != esc::ALERT_STATE_RESOLVED) {
        Line(now, "platform",
             absl::StrCat("alert: ", Shorten(a.title(), 100)));
      }
      alerts_[a.alert_id()] = next;
      continue;
    }
    SeenAlert& seen = it->second;
    if (!quiet) {
      if (next.state == esc::ALERT_STATE_RESOLVED && seen.state != esc::ALERT_STATE_RESOLVED) {
        Line(now, "platform", absl::StrCat("alert resolved: ", Shorten(a.title(), 90)));
      } else if (next.level > seen.level && next.state != esc::ALERT_STATE_RESOLVED) {
        Line(now, "platform",
             absl::StrCat("alert risen: ", Shorten(a.title(), 100)));
      }
      // The first escalation of an unacknowledged OPEL 3-4 alert up the role chain is reported;
      // the hourly repeats, and those of lower alerts, would drown the day's story (the console
      // shows them all).
      if (next.renotifications > seen.renotifications && seen.escalated.empty() &&
          !next.escalated.empty() && a.level() >= common::v1::OPEL_LEVEL_3_RED) {
        Line(now, "platform",
             absl::StrCat("unacknowledged after ", next.renotifications,
                          next.renotifications == 1 ? " reminder" : " reminders", ", escalated to ",
                          absl::StrJoin(next.escalated, ", "), ": ", Shorten(a.title(), 60)));
      }
    }
    seen = next;
  }
}

std::string Replayer::Describe(const v1::Step& step) const {
  auto scope = [&](common::v1::ScopeKind kind, const std::string& id) {
    common::v1::ScopeRef ref;
    ref.set_kind(kind);
    ref.set_id(id);
    return Name(ref);
  };
  auto team = [&](const std::string& id) { return scope(common::v1::SCOPE_KIND_TEAM, id); };
  switch (step.action_case()) {
    case v1::Step::kAbsences: {
      const v1::Absences& a = step.absences();
      return absl::StrCat(a.persons_size(), a.persons_size() == 1 ? " absence" : " absences", " (",
                          absl::AsciiStrToLower(workforce::v1::AbsenceKind_Name(a.kind()).substr(13)),
                          a.ends().empty() ? "" : absl::StrCat(", until ", a.ends()), ") in ",
                          team(a.team()));
    }
    case v1::Step::kRedeployment:
      return absl::StrFormat("redeployment of %.1f WTE from %s to %s until %s", step.redeployment().wte(),
                             team(step.redeployment().from_team()), team(step.redeployment().to_team()),
                             step.redeployment().ends());
    case v1::Step::kCover:
      return absl::StrFormat("%.1f WTE cover booked for %s (%s)", step.cover().wte(),
                             team(step.cover().team()),
                             step.cover().days().empty() ? "today" : absl::StrJoin(step.cover().days(), ", "));
    case v1::Step::kStaffing:
      return absl::StrFormat("%s counts %.1f WTE available", team(step.staffing().team()),
                             step.staffing().available_wte());
    case v1::Step::kCapacity: {
      const capacity::v1::CapacityUpdate& u = step.capacity();
      switch (u.report_case()) {
        case capacity::v1::CapacityUpdate::kKeahDailyCapacity: {
          const auto& k = u.keah_daily_capacity();
          return absl::StrCat(scope(common::v1::SCOPE_KIND_KEAH_PATCH, k.patch_id()), ": ",
                              k.has_free_start_slots()
                                  ? absl::StrCat(k.free_start_slots(), " free start slots")
                                  : absl::AsciiStrToLower(absl::StrReplaceAll(
                                        capacity::v1::KeahCapacityLevel_Name(k.level()).substr(20),
                                        {{"_", " "}})) + " capacity");
        }
        case capacity::v1::CapacityUpdate::kAcuteAssessment:
          return absl::StrCat(scope(common::v1::SCOPE_KIND_ACUTE_SITE, u.acute_assessment().site_id()),
                              ": OPEL assessment");
        case capacity::v1::CapacityUpdate::kKccAreaFigures:
          return absl::StrCat(scope(common::v1::SCOPE_KIND_AREA, u.kcc_area_figures().area_id()),
                              ": case management figures");
        case capacity::v1::CapacityUpdate::kOutbreak:
          return absl::StrCat(scope(common::v1::SCOPE_KIND_LOCATION, u.outbreak().location_id()), ": ",
                              u.outbreak().infection(), " outbreak",
                              u.outbreak().ended() ? " over" : "",
                              u.outbreak().closed_to_admissions() ? ", closed to admissions" : "");
        case capacity::v1::CapacityUpdate::kNhs111CallVolume:
          return absl::StrFormat("NHS 111: %d calls against %.0f expected",
                                 u.nhs111_call_volume().calls(), u.nhs111_call_volume().expected_calls());
        case capacity::v1::CapacityUpdate::kD2ADischarges:
          return absl::StrCat(scope(common::v1::SCOPE_KIND_AREA, u.d2a_discharges().area_id()),
                              ": D2A Pathway 1 discharged yesterday ", u.d2a_discharges().patients_discharged());
        case capacity::v1::CapacityUpdate::kD2AWeeklyAvailability:
          return absl::StrCat(scope(common::v1::SCOPE_KIND_AREA, u.d2a_weekly_availability().area_id()),
                              ": D2A Pathway 1 starts remaining this week ",
                              u.d2a_weekly_availability().remaining());
        default:
          return "capacity update";
      }
    }
    case v1::Step::kBeds: {
      const beds::v1::BedUpdate& u = step.beds();
      if (u.has_snapshot()) {
        std::vector<std::string> parts;
        for (const auto& b : u.snapshot().beds()) {
          parts.push_back(absl::StrCat(
              absl::AsciiStrToLower(absl::StrReplaceAll(reference::v1::BedType_Name(b.bed_type()).substr(9),
                                                        {{"_", " "}})),
              " ", b.occupied()));
        }
        return absl::StrCat(scope(common::v1::SCOPE_KIND_LOCATION, u.snapshot().location_id()),
                            ": beds occupied: ", absl::StrJoin(parts, ", "));
      }
      if (u.has_closure()) {
        return absl::StrCat(
            scope(common::v1::SCOPE_KIND_LOCATION, u.closure().location_id()), ": ", u.closure().beds(), " ",
            absl::AsciiStrToLower(absl::StrReplaceAll(
                reference::v1::BedType_Name(u.closure().bed_type()).substr(9), {{"_", " "}})),
            " beds closed (",
            absl::AsciiStrToLower(beds::v1::ClosureReason_Name(u.closure().reason()).substr(15)), ")");
      }
      if (u.has_reopening()) {
        return absl::StrCat(scope(common::v1::SCOPE_KIND_LOCATION, u.reopening().location_id()),
                            ": closure ", u.reopening().closure_ref(), " reopened");
      }
      return "bed update";
    }
    case v1::Step::kDeclare:
      return absl::StrCat("declares ", step.declare().scope(), " at ", LevelText(step.declare().level()),
                          ": ", step.declare().reason());
    case v1::Step::kCompleteStep:
      return absl::StrCat(step.complete_step().step_id(), ": ", step.complete_step().note());
    case v1::Step::kAnswerPrompt:
      return absl::StrCat(step.answer_prompt().trigger(), ": ",
                          step.answer_prompt().decision() == esc::DecisionPrompt::DECISION_RESPOND
                              ? "respond"
                              : "decline",
                          ", ", step.answer_prompt().reason());
    case v1::Step::kAcknowledge:
      return absl::StrCat("acknowledges: ", step.acknowledge().note());
    case v1::Step::kRecordAction:
      return absl::StrCat("records ", step.record_action().action_id(), ": ", step.record_action().note());
    case v1::Step::kMutualAid:
      return absl::StrCat("asks who could lend staff to ", team(step.mutual_aid().team()));
    default:
      return "";
  }
}

absl::Status Replayer::RunStep(int index) {
  const v1::Step& step = timeline_->scenario.steps(index);
  const absl::Time at = timeline_->step_times[index];
  const absl::Duration late = clock_->Now() - at;
  // Provider updates print what was sent with its outcome once answered (ProviderStep).
  const bool provider = ActorOf(step) == Actor::kProvider;
  const std::string text = !step.say().empty() ? step.say() : provider ? "" : Describe(step);
  if (!text.empty()) Line(at, step.by(), text);
  if (late > absl::Minutes(10)) {
    Detail(absl::StrCat("(running ", absl::ToInt64Minutes(late), " scenario minutes late)"));
  }
  if (provider) return ProviderStep(index);
  if (ActorOf(step) == Actor::kStaff) {
    ++summary_.staff_actions;
    return StaffStep(index);
  }
  switch (step.action_case()) {
    case v1::Step::kMutualAid:
      return MutualAidStep(index);
    case v1::Step::kExpect:
      return ExpectStep(index);
    case v1::Step::kReport:
      return ReportStep(index);
    default:
      return absl::OkStatus();
  }
}

absl::Status Replayer::SendUpdate(int index,
                                  const std::string& what,
                                  const std::function<absl::StatusOr<UpdateAck>()>& send) {
  const v1::Step& step = timeline_->scenario.steps(index);
  absl::StatusOr<UpdateAck> answer = send();
  for (int attempt = 1; attempt < options_.max_attempts && Retryable(answer); ++attempt) {
    absl::SleepFor(options_.retry_backoff);  // back-off before resending the same update id
    answer = send();
  }
  const bool taken = answer.ok() && (answer->outcome() == UpdateAck::OUTCOME_ACCEPTED ||
                                     answer->outcome() == UpdateAck::OUTCOME_DUPLICATE);
  const std::string refusal = answer.ok() ? RefusalText(*answer) : RefusalText(answer.status());
  if (step.expect_refused()) {
    if (taken) {
      return Failure(index, absl::StatusCode::kFailedPrecondition,
                     absl::StrCat(what, " was taken, but the scenario expects it refused"));
    }
    ++summary_.refused_as_expected;
    Detail(absl::StrCat("-> ", Describe(step), ": refused, as expected: ", Shorten(refusal, 100)));
    return absl::OkStatus();
  }
  if (!taken) {
    if (step.say().empty()) Line(timeline_->step_times[index], step.by(), Describe(step));
    // The services check occurred_at against their own clock.
    const bool future = refusal.find("in the future") != std::string::npos;
    return Failure(index, absl::StatusCode::kFailedPrecondition,
                   absl::StrCat(what, " refused: ", refusal,
                                future ? " (the service's clock is behind the replay's: it started "
                                         "late; replay with a larger --trail_seconds)"
                                       : ""));
  }
  if (answer->outcome() == UpdateAck::OUTCOME_DUPLICATE) {
    ++summary_.updates_duplicate;
  } else {
    ++summary_.updates_accepted;
  }
  return absl::OkStatus();
}

absl::Status Replayer::ProviderStep(int index) {
  const v1::Step& step = timeline_->scenario.steps(index);
  const std::string& provider = step.by();
  const int accepted_before = summary_.updates_accepted + summary_.updates_duplicate;
  // Sends one request built for the step (or reports why it could not be built).
  auto send = [&](const auto& request, const char* kind, const auto& call) -> absl::Status {
    if (!request.ok()) {
      return Failure(index, request.status().code(), std::string(request.status().message()));
    }
    return SendUpdate(index, absl::StrCat(kind, " ", request->update_id()),
                      [&] { return call(*request); });
  };
  absl::Status status;
  switch (step.action_case()) {
    case v1::Step::kAbsences:
    case v1::Step::kRedeployment:
    case v1::Step::kCover: {
      auto updates = WorkforceUpdates(*timeline_, index);
      if (!updates.ok()) return Failure(index, updates.status().code(), std::string(updates.status().message()));
      for (const auto& u : *updates) {
        status = SendUpdate(index, absl::StrCat("workforce update ", u.update_id()),
                            [&] { return platform_->SubmitWorkforce(provider, u); });
        if (!status.ok()) return status;
      }
      break;
    }
    case v1::Step::kStaffing:
      status = send(StaffingReport(*timeline_, index), "staffing report",
                    [&](const auto& r) { return platform_->ReportStaffing(provider, r); });
      break;
    case v1::Step::kCapacity:
      status = send(CapacityUpdate(*timeline_, index), "capacity update",
                    [&](const auto& u) { return platform_->SubmitCapacity(provider, u); });
      break;
    case v1::Step::kBeds:
      status = send(BedUpdate(*timeline_, index), "bed update",
                    [&](const auto& u) { return platform_->SubmitBeds(provider, u); });
      break;
    default:
      break;
  }
  if (!status.ok() || step.expect_refused()) return status;
  const int taken = summary_.updates_accepted + summary_.updates_duplicate - accepted_before;
  const std::string done = absl::StrCat(Describe(step), ": ", taken == 1 ? "accepted" : absl::StrCat(taken, " updates accepted"));
  if (step.say().empty()) {
    Line(timeline_->step_times[index], step.by(), done);
  } else {
    Detail(absl::StrCat("-> ", done));
  }
  return absl::OkStatus();
}

absl::Status Replayer::StaffOutcome(int index, const absl::Status& status, const std::string& done) {
  const v1::Step& step = timeline_->scenario.steps(index);
  if (step.expect_refused()) {
    if (status.ok()) {
      return Failure(index, absl::StatusCode::kFailedPrecondition,
                     "the platform allowed it, but the scenario expects a refusal");
    }
    ++summary_.refused_as_expected;
    Detail(absl::StrCat("-> refused, as expected: ", Shorten(RefusalText(status), 100)));
    return absl::OkStatus();
  }
  if (!status.ok()) {
    return Failure(index, absl::StatusCode::kFailedPrecondition,
                   absl::StrCat("refused: ", RefusalText(status)));
  }
  Detail(absl::StrCat("-> ", done));
  return absl::OkStatus();
}

absl::Status Replayer::StaffStep(int index) {
  const v1::Step& step = timeline_->scenario.steps(index);
  const absl::Time at = timeline_->step_times[index];
  const std::string& user = step.by();
  auto within = [&](uint32_t minutes) {
    return at + (minutes == 0 ? kDefaultWithin : absl::Minutes(minutes));
  };
  switch (step.action_case()) {
    case v1::Step::kDeclare: {
      auto request = DeclareRequest(*timeline_, index);
      if (!request.ok()) return Failure(index, request.status().code(), std::string(request.status().message()));
      auto level = platform_->DeclareLevel(user, *request);
      return StaffOutcome(
          index, level.status(),
          level.ok() ? absl::StrCat(Name(level->scope()), " declared ", LevelText(level->effective_level()),
                                    " (computed ", LevelText(level->computed_level()), ")")
                     : "");
    }
    case v1::Step::kCompleteStep: {
      const v1::TaskStep& c = step.complete_step();
      auto view = WaitForView(
          [&](const PlatformView& v) {
            const esc::ProtocolTask* t = FindTask(c.kind(), c.scope(), true, v.tasks);
            if (t == nullptr) return false;
            for (const auto& s : t->steps()) {
              if (s.step_id() == c.step_id()) return true;
            }
            return false;
          },
          within(c.within_minutes()),
          absl::StrCat("an open ", esc::ProtocolTask::Kind_Name(c.kind()), " task with step ", c.step_id()));
      if (!view.ok()) return Failure(index, view.status().code(), std::string(view.status().message()));
      const esc::ProtocolTask* task = FindTask(c.kind(), c.scope(), true, view->tasks);
      esc::CompleteTaskStepRequest request;
      request.set_task_id(task->task_id());
      request.set_step_id(c.step_id());
      request.set_note(c.note());
      auto done = platform_->CompleteTaskStep(user, request);
      return StaffOutcome(index, done.status(),
                          done.ok() ? absl::StrCat(c.step_id(), " done by ", PersonName(user), "; ",
                                                   done->closed() ? "task closed" : "steps: ",
                                                   done->closed() ? "" : TaskStepsText(*done))
                                    : "");
    }
    case v1::Step::kAnswerPrompt: {
      const v1::PromptAnswer& a = step.answer_prompt();
      auto view = WaitForView(
          [&](const PlatformView& v) { return FindPrompt(a.trigger(), a.level(), true, v.prompts) != nullptr; },
          within(a.within_minutes()), absl::StrCat("an unanswered decision prompt for ", a.trigger()));
      if (!view.ok()) return Failure(index, view.status().code(), std::string(view.status().message()));
      const esc::DecisionPrompt* prompt = FindPrompt(a.trigger(), a.level(), true, view->prompts);
      esc::AnswerDecisionPromptRequest request;
      request.set_prompt_id(prompt->prompt_id());
      request.set_decision(a.decision());
      request.set_reason(a.reason());
      auto answered = platform_->AnswerDecisionPrompt(user, request);
      return StaffOutcome(
          index, answered.status(),
          answered.ok() ? absl::StrCat("\"", answered->title(), "\" answered ",
                                       a.decision() == esc::DecisionPrompt::DECISION_RESPOND ? "RESPOND" : "DECLINE",
                                       " by ", PersonName(user))
                        : "");
    }
    case v1::Step::kAcknowledge:
    case v1::Step::kRecordAction: {
      const bool ack = step.action_case() == v1::Step::kAcknowledge;
      const v1::AlertMatch& match = ack ? step.acknowledge().alert() : step.record_action().alert();
      const uint32_t minutes = ack ? step.acknowledge().within_minutes() : step.record_action().within_minutes();
      auto view = WaitForView(
          [&](const PlatformView& v) { return FindAlert(match, v.alerts) != nullptr; }, within(minutes),
          absl::StrCat("an alert ", MatchText(match)));
      if (!view.ok()) return Failure(index, view.status().code(), std::string(view.status().message()));
      const esc::Alert* alert = FindAlert(match, view->alerts);
      if (ack) {
        esc::AcknowledgeRequest request;
        request.set_alert_id(alert->alert_id());
        request.set_note(step.acknowledge().note());
        auto done = platform_->Acknowledge(user, request);
        return StaffOutcome(index, done.status(),
                            done.ok() ? absl::StrCat("acknowledged \"", Shorten(done->title(), 70),
                                                     "\" (", LevelText(done->level()), ")")
                                      : "");
      }
      esc::RecordActionRequest request;
      request.set_alert_id(alert->alert_id());
      request.set_action_id(step.record_action().action_id());
      request.set_done(step.record_action().done());
      request.set_note(step.record_action().note());
      request.set_risks(step.record_action().risks());
      auto done = platform_->RecordAction(user, request);
      return StaffOutcome(index, done.status(),
                          done.ok() ? absl::StrCat("action ", request.action_id(),
                                                   request.done() ? " recorded done" : " recorded not done",
                                                   " on \"", Shorten(done->title(), 60), "\"")
                                    : "");
    }
    default:
      return absl::OkStatus();
  }
}

absl::Status Replayer::MutualAidStep(int index) {
  const v1::Step& step = timeline_->scenario.steps(index);
  auto aid = platform_->SuggestMutualAid(step.mutual_aid().team());
  if (!aid.ok()) {
    return Failure(index, absl::StatusCode::kFailedPrecondition,
                   absl::StrCat("mutual aid refused: ", RefusalText(aid.status())));
  }
  Detail(absl::StrFormat("-> %s at %.0f%%: needs %.1f WTE to be Green again", aid->team().team().name(),
                         aid->team().now().staffing_pct(), aid->needed_wte()));
  for (const auto& o : aid->offers()) {
    if (o.suggested_wte() <= 0) continue;
    Detail(absl::StrFormat("   ask %s (%s) for %.1f WTE (it stays at %.0f%%)", o.lending_team_id(),
                           o.same_area() ? "same area" : o.lending_area_id(), o.suggested_wte(),
                           o.lender_pct_after()));
  }
  return absl::OkStatus();
}

absl::Status Replayer::ExpectStep(int index) {
  const v1::Step& step = timeline_->scenario.steps(index);
  const v1::Expectation& e = step.expect();
  auto deadline = timeline_->When(e.by());
  if (!deadline.ok()) return Failure(index, deadline.status().code(), std::string(deadline.status().message()));
  CheckResult last;
  auto view = WaitForView(
      [&](const PlatformView& v) {
        last = Evaluate(e, v);
        return last.met;
      },
      *deadline, "expectation");
  if (!view.ok()) {
    return Failure(index, absl::StatusCode::kDeadlineExceeded,
                   absl::StrCat("expected ", last.wanted, " by ", timeline_->Label(*deadline),
                                "; the platform shows ", last.seen.empty() ? "nothing" : last.seen));
  }
  ++summary_.expectations_met;
  Line(clock_->Now(), "check",
       absl::StrCat("as expected by ", timeline_->Label(*deadline), ": ", last.wanted, " (", last.seen, ")"));
  return absl::OkStatus();
}

absl::Status Replayer::ReportStep(int index) {
  const v1::Report& r = timeline_->scenario.steps(index).report();
  auto view = Look();
  if (!view.ok()) {
    return Failure(index, absl::StatusCode::kFailedPrecondition,
                   absl::StrCat("status board refused: ", RefusalText(view.status())));
  }
  std::vector<const esc::LevelStatus*> levels;
  for (const auto& l : view->board.levels()) levels.push_back(&l);
  std::sort(levels.begin(), levels.end(), [](const auto* a, const auto* b) {
    return KindOrder(a->scope()) + ScopeKey(a->scope()) < KindOrder(b->scope()) + ScopeKey(b->scope());
  });
  Line(clock_->Now(), "status board", "levels as they stand:");
  for (const esc::LevelStatus* l : levels) {
    std::string line = absl::StrFormat("%-45s %-16s", Shorten(Name(l->scope()), 45), LevelText(l->computed_level()));
    if (l->has_declaration()) {
      absl::StrAppend(&line, " declared ", LevelText(l->declaration().level()), " by ",
                      PersonName(l->declaration().declared_by()));
    }
    if (l->pending_level() != common::v1::OPEL_LEVEL_UNSPECIFIED) {
      absl::StrAppend(&line, " step down to ", LevelText(l->pending_level()), " not before ",
                      timeline_->Label(FromProtoTime(l->step_down_not_before())));
    }
    if (l->expected_indicators() > 0) {
      absl::StrAppend(&line, absl::StrFormat(" coverage %.0f%%", l->coverage() * 100));
    }
    Detail(line);
  }
  if (r.tasks()) {
    for (const auto& t : view->tasks.tasks()) {
      Detail(absl::StrCat("task ", t.closed() ? "(closed) " : "", t.title(), ": ", TaskStepsText(t)));
    }
  }
  if (r.prompts()) {
    for (const auto& p : view->prompts.prompts()) {
      Detail(absl::StrCat("prompt ", p.title(), " ",
                          p.decision() == esc::DecisionPrompt::DECISION_UNSPECIFIED
                              ? "unanswered"
                              : absl::StrCat(esc::DecisionPrompt::Decision_Name(p.decision()), " by ",
                                             PersonName(p.decided_by()))));
    }
  }
  if (r.alerts()) {
    int shown = 0;
    for (const auto& a : view->alerts.alerts()) {
      if (a.state() == esc::ALERT_STATE_RESOLVED) continue;
      if (++shown > 12) break;
      Detail(absl::StrCat("alert ", esc::AlertState_Name(a.state()).substr(12), " ",
                          LevelText(a.level()), " ", Shorten(a.title(), 70)));
    }
  }
  return absl::OkStatus();
}

}  // namespace resilience::scenario
