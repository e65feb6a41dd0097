// Reading what the escalation service shows: finding the alert, task or prompt a scenario step is
// about, and deciding whether an expectation holds, from the answers of GetStatusBoard, ListTasks,
// ListDecisionPrompts and ListAlerts. Pure code. Thread-safe (stateless functions).
#ifndef RESILIENCE_TOOLS_SCENARIO_CHECKS_H_
#define RESILIENCE_TOOLS_SCENARIO_CHECKS_H_

#include <string>

#include "escalation/v1/alert_service.pb.h"
#include "escalation/v1/status.pb.h"
#include "scenario/v1/scenario.pb.h"

namespace resilience::scenario {

// What the platform shows at one moment (as far as a check needs it).
struct PlatformView {
  escalation::v1::StatusBoard board;
  escalation::v1::ListTasksResponse tasks;            // closed ones included
  escalation::v1::ListDecisionPromptsResponse prompts;  // answered ones included
  escalation::v1::ListAlertsResponse alerts;          // resolved ones included, newest first
};

// "OPEL 3 (Red)"; "not known" for UNSPECIFIED.
std::string LevelText(common::v1::OpelLevel level);

// True when `actual` compares to `wanted` as asked.
bool Compare(common::v1::OpelLevel actual, common::v1::OpelLevel wanted, v1::Comparison how);

// The newest alert matching `match` (alerts are newest first); nullptr when none.
const escalation::v1::Alert* FindAlert(const v1::AlertMatch& match,
                                       const escalation::v1::ListAlertsResponse& alerts);

// The newest task of `kind` whose scope is `scope` (canonical text; empty means any); open ones
// only when `open_only`. nullptr when none.
const escalation::v1::ProtocolTask* FindTask(escalation::v1::ProtocolTask::Kind kind,
                                             const std::string& scope, bool open_only,
                                             const escalation::v1::ListTasksResponse& tasks);

// The newest prompt raised by `trigger` (canonical text) at `level` (UNSPECIFIED: any level);
// unanswered ones only when `open_only`. nullptr when none.
const escalation::v1::DecisionPrompt* FindPrompt(
    const std::string& trigger, common::v1::OpelLevel level, bool open_only,
    const escalation::v1::ListDecisionPromptsResponse& prompts);

// The level status of `scope` (canonical text) on the board; nullptr when not on it.
const escalation::v1::LevelStatus* FindLevel(const std::string& scope,
                                             const escalation::v1::StatusBoard& board);

// Whether an expectation holds.
struct CheckResult {
  bool met = false;
  // What was asked, in words, e.g. "area/west-kent computed level at least OPEL 3 (Red)".
  std::string wanted;
  // What the platform shows, in words, e.g. "OPEL 2 (Amber)" or "no such task".
  std::string seen;
};
CheckResult Evaluate(const v1::Expectation& expectation, const PlatformView& view);

}  // namespace resilience::scenario

#endif  // RESILIENCE_TOOLS_SCENARIO_CHECKS_H_
