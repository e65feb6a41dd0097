// A scenario file loaded and checked: every step's time resolved to an absolute time, every
// scope and required field checked, so a replay never fails half-way on a typo. Pure code (no
// I/O but reading the file). Thread-compatible.
#ifndef RESILIENCE_TOOLS_SCENARIO_TIMELINE_H_
#define RESILIENCE_TOOLS_SCENARIO_TIMELINE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/reference/reference_index.h"
#include "scenario/v1/scenario.pb.h"

namespace resilience::scenario {

// A checked scenario.
struct Timeline {
  v1::Scenario scenario;
  absl::TimeZone zone;
  // The first local day.
  absl::CivilDay first_day;
  // Where the services' clock starts.
  absl::Time clock_start;
  // steps[i] runs at step_times[i] (non-decreasing).
  std::vector<absl::Time> step_times;
  // Name used in errors (the file path).
  std::string source;

  // Resolves a time string ("HH:MM" or "D<n> HH:MM") of this scenario.
  absl::StatusOr<absl::Time> When(absl::string_view text) const;
  // "D1 07:30": the local day number and time of `t` (days before the first are D0, D-1, ...).
  std::string Label(absl::Time t) const;
  // The local day number of `t` (1 for the first day).
  int DayNumber(absl::Time t) const;
};

// Who acts in a step: a provider system (an update to the workforce, capacity or beds service),
// a staff member (a call to the escalation service), or nobody (checks, reports, notes).
enum class Actor { kProvider, kStaff, kNone };
Actor ActorOf(const v1::Step& step);

// Parses a time string relative to `first_day` in `zone`. INVALID_ARGUMENT naming the problem
// for anything but "HH:MM" (00:00-23:59) or "D<n> HH:MM" with n >= 1.
absl::StatusOr<absl::Time> ParseScenarioTime(absl::string_view text, absl::CivilDay first_day,
                                             absl::TimeZone zone);

// Checks a parsed scenario; `source` names it in errors ("<source>: steps[3].at: ..."). Every
// error is INVALID_ARGUMENT and names the step and field.
absl::StatusOr<Timeline> BuildTimeline(v1::Scenario scenario, std::string source);

// Reads and checks a scenario file (NOT_FOUND when unreadable; INVALID_ARGUMENT with the file,
// line and reason for syntax errors; see BuildTimeline for the rest).
absl::StatusOr<Timeline> LoadTimeline(const std::string& path);

// Checks every id the scenario names against the reference data: providers and staff in `by`,
// teams, and scopes. INVALID_ARGUMENT "<source>: steps[i].<field>: ..." for the first unknown one.
absl::Status CheckReferences(const Timeline& timeline, const ReferenceIndex& reference);

}  // namespace resilience::scenario

#endif  // RESILIENCE_TOOLS_SCENARIO_TIMELINE_H_
