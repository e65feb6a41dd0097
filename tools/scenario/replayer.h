// Replays a scenario against the platform: runs each step when the scenario clock reaches its
// time, prints a narrative of what it did and of what the platform answered (levels, alerts,
// tasks, prompts), and fails on any refusal the scenario did not expect and on any expectation
// not met by its deadline. Between steps it only waits for the scenario clock; while waiting (and
// while an expectation or a staff action waits for its alert, task or prompt) it looks at the
// platform every `poll` and reports what changed. Thread-compatible (one Run at a time).
#ifndef RESILIENCE_TOOLS_SCENARIO_REPLAYER_H_
#define RESILIENCE_TOOLS_SCENARIO_REPLAYER_H_

#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/reference/reference_index.h"
#include "tools/scenario/platform.h"
#include "tools/scenario/scenario_clock.h"
#include "tools/scenario/timeline.h"

namespace resilience::scenario {

struct ReplayOptions {
  // Staff person whose view of the platform is narrated and checked (county-wide, so every area
  // is seen). Default the Short-term Pathway Service Manager of the Kent and Medway data.
  std::string viewer = "helen-marsh";
  // Real time between looks at the platform while waiting. Default 300 ms.
  absl::Duration poll = absl::Milliseconds(300);
  // Real time an expectation or a wait for an alert, task or prompt gets past its scenario
  // deadline, for the platform's processing at high clock speeds. Default 2 s.
  absl::Duration grace = absl::Seconds(2);
  // Attempts of a provider update answered RETRY or UNAVAILABLE (same update id each time), with
  // `retry_backoff` of real time between them. Defaults 10 and 300 ms.
  int max_attempts = 10;
  absl::Duration retry_backoff = absl::Milliseconds(300);
  // Print what the platform shows changing while waiting. Default true.
  bool narrate_platform = true;
  // Go on after a failed step (the replay still fails at the end). Default false: stop.
  bool keep_going = false;
  // Names of scopes and people (optional; ids are printed without it).
  std::shared_ptr<const ReferenceIndex> reference;
};

// Counts for the closing summary.
struct ReplaySummary {
  int steps = 0;
  int updates_accepted = 0;
  int updates_duplicate = 0;
  int refused_as_expected = 0;
  int staff_actions = 0;
  int expectations_met = 0;
  int failures = 0;
};

class Replayer {
 public:
  // Nothing owned; all must outlive the replayer.
  Replayer(const Timeline* timeline, Platform* platform, ScenarioClock* clock, std::ostream* out,
           ReplayOptions options);

  // Runs every step in order. OK when every step went as the scenario says; otherwise the first
  // failure (FAILED_PRECONDITION for a refusal or a wrong outcome, DEADLINE_EXCEEDED for an
  // expectation or target not seen in time), after printing it.
  absl::Status Run();

  const ReplaySummary& summary() const { return summary_; }

 private:
  struct SeenLevel {
    common::v1::OpelLevel computed = common::v1::OPEL_LEVEL_UNSPECIFIED;
    common::v1::OpelLevel effective = common::v1::OPEL_LEVEL_UNSPECIFIED;
    common::v1::OpelLevel pending = common::v1::OPEL_LEVEL_UNSPECIFIED;
    int64_t declared_at = 0;  // seconds; 0 when no declaration is in force
  };
  struct SeenAlert {
    escalation::v1::AlertState state = escalation::v1::ALERT_STATE_UNSPECIFIED;
    common::v1::OpelLevel level = common::v1::OPEL_LEVEL_UNSPECIFIED;
    uint32_t renotifications = 0;
    size_t acknowledgements = 0;
    std::vector<std::string> escalated;  // roles added by escalation
  };

  absl::Status RunStep(int index);
  absl::Status ProviderStep(int index);
  absl::Status StaffStep(int index);
  absl::Status ExpectStep(int index);
  absl::Status MutualAidStep(int index);
  absl::Status ReportStep(int index);

  // One provider update: retried while RETRY or UNAVAILABLE; `what` describes it.
  absl::Status SendUpdate(int index, const std::string& what,
                          const std::function<absl::StatusOr<common::v1::UpdateAck>()>& send);
  // The outcome of a staff call: refusal handling as the step says.
  absl::Status StaffOutcome(int index, const absl::Status& status, const std::string& done);

  // Looks at the platform until `found` returns true or `deadline` (+ grace) passes; narrates
  // what changed meanwhile. Returns the last view. DEADLINE_EXCEEDED naming `what` on time-out.
  absl::StatusOr<PlatformView> WaitForView(const std::function<bool(const PlatformView&)>& found,
                                           absl::Time deadline, const std::string& what);
  // Waits for the scenario clock to reach `t`, narrating the platform meanwhile.
  void WaitForTime(absl::Time t);
  // One look: fetch and narrate. The view, or the fetch error.
  absl::StatusOr<PlatformView> Look();
  void Narrate(const PlatformView& view);

  // A one-line description of a step without `say`.
  std::string Describe(const v1::Step& step) const;
  std::string Name(const common::v1::ScopeRef& scope) const;
  std::string PersonName(const std::string& id) const;
  void Line(absl::Time at, const std::string& who, const std::string& text);
  void Detail(const std::string& text);
  absl::Status Failure(int index, absl::StatusCode code, const std::string& text);

  const Timeline* timeline_;
  Platform* platform_;
  ScenarioClock* clock_;
  std::ostream* out_;
  ReplayOptions options_;
  ReplaySummary summary_;

  bool baseline_taken_ = false;
  std::map<std::string, SeenLevel> levels_;
  std::map<std::string, escalation::v1::ProtocolTask> tasks_;
  std::map<std::string, escalation::v1::DecisionPrompt::Decision> prompts_;
  std::map<std::string, SeenAlert> alerts_;
};

}  // namespace resilience::scenario

#endif  // RESILIENCE_TOOLS_SCENARIO_REPLAYER_H_
