#include "tools/scenario/timeline.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/config/text_proto.h"
#include "common/status/status_macros.h"
#include "common/scope/scope_key.h"

namespace resilience::scenario {
namespace {

absl::StatusOr<absl::CivilMinute> ParseClock(absl::string_view hhmm, absl::CivilDay day) {
  std::vector<absl::string_view> parts = absl::StrSplit(hhmm, ':');
  int hour = -1, minute = -1;
  if (parts.size() != 2 || parts[0].size() != 2 || parts[1].size() != 2 ||
      !absl::SimpleAtoi(parts[0], &hour) || !absl::SimpleAtoi(parts[1], &minute) || hour < 0 ||
      hour > 23 || minute < 0 || minute > 59) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", hhmm, "' is not a time: write HH:MM (00:00 to 23:59)"));
  }
  return absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute);
}

// Collects the first error of a step as "<source>: steps[i].<field>: <reason>".
class StepChecker {
 public:
  StepChecker(const Timeline& timeline, int index, absl::Time at)
      : timeline_(timeline), index_(index), at_(at) {}

  absl::Status Fail(absl::string_view field, absl::string_view reason) const {
    return ConfigError(timeline_.source, absl::StrCat("steps[", index_, "].", field), reason);
  }
  absl::Status Required(absl::string_view field, absl::string_view value) const {
    return value.empty() ? Fail(field, "required") : absl::OkStatus();
  }
  absl::Status Scope(absl::string_view field, absl::string_view value, bool required) const {
    if (value.empty()) return required ? Fail(field, "required") : absl::OkStatus();
    auto parsed = ParseScopeKey(value);
    if (!parsed.ok()) return Fail(field, parsed.status().message());
    return absl::OkStatus();
  }
  // A time string at or after `not_before` (when given).
  absl::Status Time(absl::string_view field, absl::string_view value, bool required,
                    absl::Time not_before = absl::InfinitePast()) const {
    if (value.empty()) return required ? Fail(field, "required") : absl::OkStatus();
    auto t = timeline_.When(value);
    if (!t.ok()) return Fail(field, t.status().message());
    if (*t < not_before) return Fail(field, "must not be before the step's time");
    return absl::OkStatus();
  }
  absl::Status Reason(absl::string_view field, absl::string_view value) const {
    return value.size() < 10 ? Fail(field, "at least 10 characters: say why") : absl::OkStatus();
  }
  absl::Status Match(absl::string_view field, const v1::AlertMatch& m) const {
    if (m.rule().empty() && m.alert_id().empty()) {
      return Fail(absl::StrCat(field, ".rule"), "required (or alert_id)");
    }
    return Scope(absl::StrCat(field, ".scope"), m.scope(), false);
  }
  absl::Time at() const { return at_; }

 private:
  const Timeline& timeline_;
  int index_;
  absl::Time at_;
};

absl::Status CheckExpectation(const StepChecker& c, const v1::Expectation& e) {
  RETURN_IF_ERROR(c.Time("expect.by", e.by(), true, c.at()));
  switch (e.check_case()) {
    case v1::Expectation::kLevel:
      RETURN_IF_ERROR(c.Scope("expect.level.scope", e.level().scope(), true));
      if (e.level().level() == common::v1::OPEL_LEVEL_UNSPECIFIED) {
        return c.Fail("expect.level.level", "required");
      }
      return absl::OkStatus();
    case v1::Expectation::kIndicator:
      RETURN_IF_ERROR(c.Scope("expect.indicator.scope", e.indicator().scope(), true));
      RETURN_IF_ERROR(c.Required("expect.indicator.indicator", e.indicator().indicator()));
      if (e.indicator().level() == common::v1::OPEL_LEVEL_UNSPECIFIED) {
        return c.Fail("expect.indicator.level", "required");
      }
      return absl::OkStatus();
    case v1::Expectation::kTask:
      if (e.task().kind() == escalation::v1::ProtocolTask::KIND_UNSPECIFIED) {
        return c.Fail("expect.task.kind", "required");
      }
      return c.Scope("expect.task.scope", e.task().scope(), false);
    case v1::Expectation::kPrompt:
      return c.Scope("expect.prompt.trigger", e.prompt().trigger(), true);
    case v1::Expectation::kAlert:
      return c.Match("expect.alert.alert", e.alert().alert());
    case v1::Expectation::CHECK_NOT_SET:
      return c.Fail("expect", "one check is required (level, indicator, task, prompt, alert)");
  }
  return absl::OkStatus();
}

absl::Status CheckStep(const StepChecker& c, const v1::Step& s) {
  switch (s.action_case()) {
    case v1::Step::kAbsences: {
      const auto& a = s.absences();
      RETURN_IF_ERROR(c.Required("by", s.by()));
      RETURN_IF_ERROR(c.Required("absences.absence_id", a.absence_id()));
      RETURN_IF_ERROR(c.Required("absences.team", a.team()));
      if (a.persons().empty()) return c.Fail("absences.persons", "at least one person");
      RETURN_IF_ERROR(c.Time("absences.starts", a.starts(), false));
      RETURN_IF_ERROR(c.Time("absences.ends", a.ends(), false));
      if (a.wte() < 0 || a.wte() > 1) return c.Fail("absences.wte", "must be in (0, 1], or 0 for 1");
      return absl::OkStatus();
    }
    case v1::Step::kRedeployment: {
      const auto& r = s.redeployment();
      RETURN_IF_ERROR(c.Required("by", s.by()));
      RETURN_IF_ERROR(c.Required("redeployment.redeployment_id", r.redeployment_id()));
      RETURN_IF_ERROR(c.Required("redeployment.from_team", r.from_team()));
      RETURN_IF_ERROR(c.Required("redeployment.to_team", r.to_team()));
      if (r.wte() <= 0) return c.Fail("redeployment.wte", "must be above 0");
      RETURN_IF_ERROR(c.Time("redeployment.starts", r.starts(), false));
      return c.Time("redeployment.ends", r.ends(), true);
    }
    case v1::Step::kCover: {
      const auto& cv = s.cover();
      RETURN_IF_ERROR(c.Required("by", s.by()));
      RETURN_IF_ERROR(c.Required("cover.booking_id", cv.booking_id()));
      RETURN_IF_ERROR(c.Required("cover.team", cv.team()));
      if (cv.wte() <= 0) return c.Fail("cover.wte", "must be above 0");
      for (int i = 0; i < cv.days_size(); ++i) {
        int n = 0;
        if (cv.days(i).size() < 2 || cv.days(i)[0] != 'D' ||
            !absl::SimpleAtoi(cv.days(i).substr(1), &n) || n < 1) {
          return c.Fail(absl::StrCat("cover.days[", i, "]"), "write D<n> (D1 is the first day)");
        }
      }
      return absl::OkStatus();
    }
    case v1::Step::kStaffing:
      RETURN_IF_ERROR(c.Required("by", s.by()));
      RETURN_IF_ERROR(c.Required("staffing.team", s.staffing().team()));
      if (s.staffing().available_wte() < 0) return c.Fail("staffing.available_wte", "must not be negative");
      return absl::OkStatus();
    case v1::Step::kCapacity:
      RETURN_IF_ERROR(c.Required("by", s.by()));
      if (s.capacity().report_case() == capacity::v1::CapacityUpdate::REPORT_NOT_SET) {
        return c.Fail("capacity", "one report is required");
      }
      return absl::OkStatus();
    case v1::Step::kBeds:
      RETURN_IF_ERROR(c.Required("by", s.by()));
      if (s.beds().change_case() == beds::v1::BedUpdate::CHANGE_NOT_SET) {
        return c.Fail("beds", "one change is required");
      }
      return absl::OkStatus();
    case v1::Step::kDeclare:
      RETURN_IF_ERROR(c.Required("by", s.by()));
      RETURN_IF_ERROR(c.Scope("declare.scope", s.declare().scope(), true));
      if (s.declare().level() == common::v1::OPEL_LEVEL_UNSPECIFIED) {
        return c.Fail("declare.level", "required");
      }
      return c.Reason("declare.reason", s.declare().reason());
    case v1::Step::kCompleteStep:
      RETURN_IF_ERROR(c.Required("by", s.by()));
      if (s.complete_step().kind() == escalation::v1::ProtocolTask::KIND_UNSPECIFIED) {
        return c.Fail("complete_step.kind", "required");
      }
      RETURN_IF_ERROR(c.Scope("complete_step.scope", s.complete_step().scope(), false));
      return c.Required("complete_step.step_id", s.complete_step().step_id());
    case v1::Step::kAnswerPrompt:
      RETURN_IF_ERROR(c.Required("by", s.by()));
      RETURN_IF_ERROR(c.Scope("answer_prompt.trigger", s.answer_prompt().trigger(), true));
      if (s.answer_prompt().decision() == escalation::v1::DecisionPrompt::DECISION_UNSPECIFIED) {
        return c.Fail("answer_prompt.decision", "required");
      }
      return c.Reason("answer_prompt.reason", s.answer_prompt().reason());
    case v1::Step::kAcknowledge:
      RETURN_IF_ERROR(c.Required("by", s.by()));
      return c.Match("acknowledge.alert", s.acknowledge().alert());
    case v1::Step::kRecordAction:
      RETURN_IF_ERROR(c.Required("by", s.by()));
      RETURN_IF_ERROR(c.Match("record_action.alert", s.record_action().alert()));
      return c.Required("record_action.action_id", s.record_action().action_id());
    case v1::Step::kMutualAid:
      return c.Required("mutual_aid.team", s.mutual_aid().team());
    case v1::Step::kExpect:
      return CheckExpectation(c, s.expect());
    case v1::Step::kReport:
      return absl::OkStatus();
    case v1::Step::kNote:
      return c.Required("say", s.say());
    case v1::Step::ACTION_NOT_SET:
      return c.Fail("action", "required: what happens at this step");
  }
  return absl::OkStatus();
}

}  // namespace

Actor ActorOf(const v1::Step& step) {
  switch (step.action_case()) {
    case v1::Step::kAbsences:
    case v1::Step::kRedeployment:
    case v1::Step::kCover:
    case v1::Step::kStaffing:
    case v1::Step::kCapacity:
    case v1::Step::kBeds:
      return Actor::kProvider;
    case v1::Step::kDeclare:
    case v1::Step::kCompleteStep:
    case v1::Step::kAnswerPrompt:
    case v1::Step::kAcknowledge:
    case v1::Step::kRecordAction:
      return Actor::kStaff;
    default:
      return Actor::kNone;
  }
}

absl::StatusOr<absl::Time> ParseScenarioTime(absl::string_view text, absl::CivilDay first_day,
                                             absl::TimeZone zone) {
  text = absl::StripAsciiWhitespace(text);
  absl::CivilDay day = first_day;
  absl::string_view clock = text;
  if (!text.empty() && text[0] == 'D') {
    std::vector<absl::string_view> parts = absl::StrSplit(text, ' ', absl::SkipEmpty());
    int n = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0].substr(1), &n) || n < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' is not a time: write HH:MM or D<n> HH:MM (D1 the first day)"));
    }
    day = first_day + (n - 1);
    clock = parts[1];
  }
  auto minute = ParseClock(clock, day);
  if (!minute.ok()) return minute.status();
  return absl::FromCivil(*minute, zone);
}

absl::StatusOr<absl::Time> Timeline::When(absl::string_view text) const {
  return ParseScenarioTime(text, first_day, zone);
}

int Timeline::DayNumber(absl::Time t) const {
  return static_cast<int>(absl::ToCivilDay(t, zone) - first_day) + 1;
}

std::string Timeline::Label(absl::Time t) const {
  return absl::StrCat("D", DayNumber(t), " ", absl::FormatTime("%H:%M", t, zone));
}

absl::StatusOr<Timeline> BuildTimeline(v1::Scenario scenario, std::string source) {
  Timeline t;
  t.source = std::move(source);
  const std::string zone_name =
      scenario.time_zone().empty() ? "Europe/London" : scenario.time_zone();
  if (!absl::LoadTimeZone(zone_name, &t.zone)) {
    return ConfigError(t.source, "time_zone", absl::StrCat("unknown time zone '", zone_name, "'"));
  }
  if (scenario.first_day().empty() ||
      !absl::ParseCivilTime(scenario.first_day(), &t.first_day)) {
    return ConfigError(t.source, "first_day", "required, as YYYY-MM-DD");
  }
  if (scenario.clock_start().empty()) return ConfigError(t.source, "clock_start", "required");
  auto start = ParseScenarioTime(scenario.clock_start(), t.first_day, t.zone);
  if (!start.ok()) return ConfigError(t.source, "clock_start", start.status().message());
  t.clock_start = *start;
  if (scenario.speed() < 0) return ConfigError(t.source, "speed", "must be above 0");
  if (scenario.update_id_prefix().size() > 40) {
    return ConfigError(t.source, "update_id_prefix", "at most 40 characters");
  }
  if (scenario.steps().empty()) return ConfigError(t.source, "steps", "at least one step");

  absl::Time previous = t.clock_start;
  for (int i = 0; i < scenario.steps_size(); ++i) {
    const v1::Step& step = scenario.steps(i);
    const std::string field = absl::StrCat("steps[", i, "].at");
    if (step.at().empty()) return ConfigError(t.source, field, "required");
    auto at = ParseScenarioTime(step.at(), t.first_day, t.zone);
    if (!at.ok()) return ConfigError(t.source, field, at.status().message());
    if (*at < previous) {
      return ConfigError(t.source, field,
                         absl::StrCat("'", step.at(), "' is before the previous step (",
                                      t.Label(previous), "): steps run in time order"));
    }
    previous = *at;
    t.step_times.push_back(*at);
  }
  t.scenario = std::move(scenario);
  for (int i = 0; i < t.scenario.steps_size(); ++i) {
    absl::Status checked = CheckStep(StepChecker(t, i, t.step_times[i]), t.scenario.steps(i));
    if (!checked.ok()) return checked;
  }
  return t;
}

absl::Status CheckReferences(const Timeline& timeline, const ReferenceIndex& reference) {
  for (int i = 0; i < timeline.scenario.steps_size(); ++i) {
    const v1::Step& s = timeline.scenario.steps(i);
    auto fail = [&](absl::string_view field, absl::string_view what, absl::string_view id) {
      return ConfigError(timeline.source, absl::StrCat("steps[", i, "].", field),
                         absl::StrCat("no ", what, " '", id, "' in the reference data"));
    };
    auto team = [&](absl::string_view field, const std::string& id) {
      return reference.FindTeam(id) == nullptr ? fail(field, "team", id) : absl::OkStatus();
    };
    auto scope = [&](absl::string_view field, const std::string& text) -> absl::Status {
      if (text.empty()) return absl::OkStatus();
      auto parsed = ParseScopeKey(text);
      if (!parsed.ok() || !reference.ScopeExists(*parsed)) return fail(field, "scope", text);
      return absl::OkStatus();
    };
    if (ActorOf(s) == Actor::kProvider && reference.FindProvider(s.by()) == nullptr) {
      return fail("by", "provider", s.by());
    }
    if (ActorOf(s) == Actor::kStaff && reference.FindPerson(s.by()) == nullptr) {
      return fail("by", "person", s.by());
    }
    switch (s.action_case()) {
      case v1::Step::kAbsences:
        RETURN_IF_ERROR(team("absences.team", s.absences().team()));
        break;
      case v1::Step::kRedeployment:
        RETURN_IF_ERROR(team("redeployment.from_team", s.redeployment().from_team()));
        RETURN_IF_ERROR(team("redeployment.to_team", s.redeployment().to_team()));
        if (!s.redeployment().agreed_by().empty() &&
            reference.FindPerson(s.redeployment().agreed_by()) == nullptr) {
          return fail("redeployment.agreed_by", "person", s.redeployment().agreed_by());
        }
        break;
      case v1::Step::kCover:
        RETURN_IF_ERROR(team("cover.team", s.cover().team()));
        break;
      case v1::Step::kStaffing:
        RETURN_IF_ERROR(team("staffing.team", s.staffing().team()));
        break;
      case v1::Step::kMutualAid:
        RETURN_IF_ERROR(team("mutual_aid.team", s.mutual_aid().team()));
        break;
      case v1::Step::kDeclare:
        RETURN_IF_ERROR(scope("declare.scope", s.declare().scope()));
        break;
      case v1::Step::kCompleteStep:
        RETURN_IF_ERROR(scope("complete_step.scope", s.complete_step().scope()));
        break;
      case v1::Step::kAnswerPrompt:
        RETURN_IF_ERROR(scope("answer_prompt.trigger", s.answer_prompt().trigger()));
        break;
      case v1::Step::kAcknowledge:
        RETURN_IF_ERROR(scope("acknowledge.alert.scope", s.acknowledge().alert().scope()));
        break;
      case v1::Step::kRecordAction:
        RETURN_IF_ERROR(scope("record_action.alert.scope", s.record_action().alert().scope()));
        break;
      case v1::Step::kExpect: {
        const v1::Expectation& e = s.expect();
        RETURN_IF_ERROR(scope("expect.level.scope", e.level().scope()));
        RETURN_IF_ERROR(scope("expect.indicator.scope", e.indicator().scope()));
        RETURN_IF_ERROR(scope("expect.task.scope", e.task().scope()));
        RETURN_IF_ERROR(scope("expect.prompt.trigger", e.prompt().trigger()));
        RETURN_IF_ERROR(scope("expect.alert.alert.scope", e.alert().alert().scope()));
        for (const std::string& p : e.alert().acknowledged_by()) {
          if (reference.FindPerson(p) == nullptr) return fail("expect.alert.acknowledged_by", "person", p);
        }
        break;
      }
      default:
        break;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Timeline> LoadTimeline(const std::string& path) {
  v1::Scenario scenario;
  absl::Status parsed = ParseTextProtoFile(path, &scenario);
  if (!parsed.ok()) return parsed;
  return BuildTimeline(std::move(scenario), path);
}

}  // namespace resilience::scenario
