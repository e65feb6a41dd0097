#include "tools/scenario/checks.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/scope/scope_key.h"

namespace resilience::scenario {
namespace {

namespace esc = escalation::v1;

const char* ComparisonText(v1::Comparison how) {
  switch (how) {
    case v1::COMPARISON_AT_LEAST: return "at least ";
    case v1::COMPARISON_AT_MOST: return "at most ";
    default: return "";
  }
}

bool StepDone(const esc::ProtocolTask& task, const std::string& step_id) {
  for (const auto& s : task.steps()) {
    if (s.step_id() == step_id) return !s.done_by().empty();
  }
  return false;
}

bool StepPresent(const esc::ProtocolTask& task, const std::string& step_id) {
  for (const auto& s : task.steps()) {
    if (s.step_id() == step_id) return true;
  }
  return false;
}

std::string TaskKindText(esc::ProtocolTask::Kind kind) {
  switch (kind) {
    case esc::ProtocolTask::KIND_NHS111_DOS: return "NHS 111 DoS protocol task";
    case esc::ProtocolTask::KIND_EXTRAORDINARY_PAP: return "extraordinary panel task";
    case esc::ProtocolTask::KIND_KEAH_DECLINE: return "KEaH decline task";
    default: return "task";
  }
}

std::string StepsText(const esc::ProtocolTask& task) {
  std::vector<std::string> steps;
  for (const auto& s : task.steps()) {
    steps.push_back(absl::StrCat(s.step_id(), s.done_by().empty() ? "" : " (done)"));
  }
  return absl::StrCat(task.closed() ? "closed" : "open", ": ", absl::StrJoin(steps, ", "));
}

CheckResult EvaluateLevel(const v1::LevelCheck& c, const PlatformView& view) {
  CheckResult r;
  r.wanted = absl::StrCat(c.scope(), c.effective() ? " effective" : " computed", " level ",
                          ComparisonText(c.comparison()), LevelText(c.level()));
  const esc::LevelStatus* level = FindLevel(c.scope(), view.board);
  if (level == nullptr) {
    r.seen = "not on the status board";
    return r;
  }
  const common::v1::OpelLevel actual =
      c.effective() ? level->effective_level() : level->computed_level();
  r.seen = LevelText(actual);
  r.met = Compare(actual, c.level(), c.comparison());
  return r;
}

CheckResult EvaluateIndicator(const v1::IndicatorCheck& c, const PlatformView& view) {
  CheckResult r;
  r.wanted = absl::StrCat(c.scope(), " ", c.indicator(), c.held() ? " held" : "", " level ",
                          ComparisonText(c.comparison()), LevelText(c.level()));
  r.seen = "no such figure";
  for (const auto& i : view.board.indicators()) {
    if (i.latest().indicator() != c.indicator() || ScopeKey(i.latest().scope()) != c.scope()) {
      continue;
    }
    const common::v1::OpelLevel actual = c.held() ? i.held_level() : i.latest().level();
    r.seen = absl::StrCat(LevelText(actual), " (", i.latest().value_text(), ")");
    r.met = Compare(actual, c.level(), c.comparison());
    return r;
  }
  return r;
}

CheckResult EvaluateTask(const v1::TaskCheck& c, const PlatformView& view) {
  CheckResult r;
  r.wanted = TaskKindText(c.kind());
  if (!c.scope().empty()) absl::StrAppend(&r.wanted, " for ", c.scope());
  if (c.closed()) absl::StrAppend(&r.wanted, ", closed");
  if (!c.steps_done().empty()) {
    absl::StrAppend(&r.wanted, ", steps done: ", absl::StrJoin(c.steps_done(), ", "));
  }
  if (!c.steps_present().empty()) {
    absl::StrAppend(&r.wanted, ", steps present: ", absl::StrJoin(c.steps_present(), ", "));
  }
  const esc::ProtocolTask* task = FindTask(c.kind(), c.scope(), false, view.tasks);
  if (task == nullptr) {
    r.seen = "no such task";
    return r;
  }
  r.seen = StepsText(*task);
  r.met = (!c.closed() || task->closed()) &&
          std::all_of(c.steps_done().begin(), c.steps_done().end(),
                      [&](const std::string& s) { return StepDone(*task, s); }) &&
          std::all_of(c.steps_present().begin(), c.steps_present().end(),
                      [&](const std::string& s) { return StepPresent(*task, s); });
  return r;
}

CheckResult EvaluatePrompt(const v1::PromptCheck& c, const PlatformView& view) {
  CheckResult r;
  r.wanted = absl::StrCat("decision prompt for ", c.trigger());
  if (c.level() != common::v1::OPEL_LEVEL_UNSPECIFIED) {
    absl::StrAppend(&r.wanted, " at ", LevelText(c.level()));
  }
  if (c.decision() != esc::DecisionPrompt::DECISION_UNSPECIFIED) {
    absl::StrAppend(&r.wanted, ", answered ", esc::DecisionPrompt::Decision_Name(c.decision()));
  }
  const esc::DecisionPrompt* prompt = FindPrompt(c.trigger(), c.level(), false, view.prompts);
  if (prompt == nullptr) {
    r.seen = "no such prompt";
    return r;
  }
  r.seen = absl::StrCat("\"", prompt->title(), "\", ",
                        prompt->decision() == esc::DecisionPrompt::DECISION_UNSPECIFIED
                            ? "unanswered"
                            : absl::StrCat("answered ",
                                           esc::DecisionPrompt::Decision_Name(prompt->decision()),
                                           " by ", prompt->decided_by()));
  r.met = c.decision() == esc::DecisionPrompt::DECISION_UNSPECIFIED ||
          prompt->decision() == c.decision();
  return r;
}

CheckResult EvaluateAlert(const v1::AlertCheck& c, const PlatformView& view) {
  CheckResult r;
  const v1::AlertMatch& m = c.alert();
  r.wanted = absl::StrCat(
      "alert ", m.alert_id().empty() ? absl::StrCat(m.rule(), " ", m.scope(), " ", m.indicator())
                                     : m.alert_id());
  if (c.state() != esc::ALERT_STATE_UNSPECIFIED) {
    absl::StrAppend(&r.wanted, " ", esc::AlertState_Name(c.state()));
  }
  if (!c.acknowledged_by().empty()) {
    absl::StrAppend(&r.wanted, " acknowledged by ", absl::StrJoin(c.acknowledged_by(), ", "));
  }
  const esc::Alert* alert = FindAlert(m, view.alerts);
  if (alert == nullptr) {
    r.seen = "no such alert";
    return r;
  }
  std::vector<std::string> by;
  for (const auto& a : alert->acknowledgements()) by.push_back(a.user_id());
  r.seen = absl::StrCat(alert->alert_id(), " ", esc::AlertState_Name(alert->state()),
                        by.empty() ? "" : absl::StrCat(", acknowledged by ", absl::StrJoin(by, ", ")));
  r.met = (c.state() == esc::ALERT_STATE_UNSPECIFIED || alert->state() == c.state()) &&
          std::all_of(c.acknowledged_by().begin(), c.acknowledged_by().end(),
                      [&](const std::string& u) {
                        return std::find(by.begin(), by.end(), u) != by.end();
                      });
  return r;
}

}  // namespace

std::string LevelText(common::v1::OpelLevel level) {
  switch (level) {
    case common::v1::OPEL_LEVEL_1_GREEN: return "OPEL 1 (Green)";
    case common::v1::OPEL_LEVEL_2_AMBER: return "OPEL 2 (Amber)";
    case common::v1::OPEL_LEVEL_3_RED: return "OPEL 3 (Red)";
    case common::v1::OPEL_LEVEL_4_BLACK: return "OPEL 4 (Black)";
    default: return "not known";
  }
}

bool Compare(common::v1::OpelLevel actual, common::v1::OpelLevel wanted, v1::Comparison how) {
  if (actual == common::v1::OPEL_LEVEL_UNSPECIFIED) return false;  // never counted as Green
  switch (how) {
    case v1::COMPARISON_AT_LEAST: return actual >= wanted;
    case v1::COMPARISON_AT_MOST: return actual <= wanted;
    default: return actual == wanted;
  }
}

const escalation::v1::Alert* FindAlert(const v1::AlertMatch& match,
                                       const escalation::v1::ListAlertsResponse& alerts) {
  for (const auto& a : alerts.alerts()) {
    if (!match.alert_id().empty()) {
      if (a.alert_id() == match.alert_id()) return &a;
      continue;
    }
    if (!match.rule().empty() && a.rule() != match.rule()) continue;
    if (!match.scope().empty() && ScopeKey(a.scope()) != match.scope()) continue;
    if (!match.indicator().empty()) {
      // Indicator alert ids are "<rule>/<scope key>/<indicator>/<episode>".
      const std::string infix = absl::StrCat("/", ScopeKey(a.scope()), "/", match.indicator(), "/");
      if (a.alert_id().find(infix) == std::string::npos) continue;
    }
    if (match.min_level() != common::v1::OPEL_LEVEL_UNSPECIFIED && a.level() < match.min_level()) {
      continue;
    }
    return &a;
  }
  return nullptr;
}

const escalation::v1::ProtocolTask* FindTask(escalation::v1::ProtocolTask::Kind kind,
                                             const std::string& scope, bool open_only,
                                             const escalation::v1::ListTasksResponse& tasks) {
  const esc::ProtocolTask* found = nullptr;
  for (const auto& t : tasks.tasks()) {
    if (t.kind() != kind) continue;
    if (!scope.empty() && ScopeKey(t.scope()) != scope) continue;
    if (open_only && t.closed()) continue;
    if (found == nullptr || t.opened_at().seconds() > found->opened_at().seconds() ||
        (t.opened_at().seconds() == found->opened_at().seconds() && !t.closed())) {
      found = &t;
    }
  }
  return found;
}

const escalation::v1::DecisionPrompt* FindPrompt(
    const std::string& trigger, common::v1::OpelLevel level, bool open_only,
    const escalation::v1::ListDecisionPromptsResponse& prompts) {
  const esc::DecisionPrompt* found = nullptr;
  for (const auto& p : prompts.prompts()) {
    if (ScopeKey(p.trigger_scope()) != trigger) continue;
    if (level != common::v1::OPEL_LEVEL_UNSPECIFIED && p.trigger_level() != level) continue;
    if (open_only && p.decision() != esc::DecisionPrompt::DECISION_UNSPECIFIED) continue;
    if (found == nullptr || p.raised_at().seconds() > found->raised_at().seconds()) found = &p;
  }
  return found;
}

const escalation::v1::LevelStatus* FindLevel(const std::string& scope,
                                             const escalation::v1::StatusBoard& board) {
  for (const auto& l : board.levels()) {
    if (ScopeKey(l.scope()) == scope) return &l;
  }
  return nullptr;
}

CheckResult Evaluate(const v1::Expectation& expectation, const PlatformView& view) {
  switch (expectation.check_case()) {
    case v1::Expectation::kLevel: return EvaluateLevel(expectation.level(), view);
    case v1::Expectation::kIndicator: return EvaluateIndicator(expectation.indicator(), view);
    case v1::Expectation::kTask: return EvaluateTask(expectation.task(), view);
    case v1::Expectation::kPrompt: return EvaluatePrompt(expectation.prompt(), view);
    case v1::Expectation::kAlert: return EvaluateAlert(expectation.alert(), view);
    default: return CheckResult{false, "nothing", "an expectation without a check"};
  }
}

}  // namespace resilience::scenario
