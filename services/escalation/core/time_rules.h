// Time-driven rules (DESIGN 4.5): reporting deadlines that follow the level, and re-notification
// of unacknowledged alerts up the role chain. Pure code: time and time zone are passed in.
// Thread-safe (stateless functions).
//
// Reporting windows, in local time (plan sections 7 and Appendix 2):
// - OPEL 1: one update each day; the day's window closes at midnight.
// - OPEL 2: one update each day by 10:30 (window 00:00-10:30).
// - OPEL 3-4, and vacant-bed indicators at any level: by 10:30 (00:00-10:30) and again between
//   14:00 and 15:30.
// - Acute assessments: by 10:00 each day (00:00-10:00), 7 days a week.
// - Event-driven indicators: no deadline.
// A window is met by an update made inside it. A figure is stale once a window has closed
// without one; it stays stale until the next update.
//
// Re-notification (a product rule, not the plan's): an alert still unacknowledged after
// `renotify_after` (local defaults 1 hour at OPEL 3-4, 4 hours below) is sent again and
// escalated one step up the role chain, and again after each further period.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_TIME_RULES_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_TIME_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/v1/types.pb.h"
#include "reference/v1/reference.pb.h"

namespace resilience::escalation {

// One reporting window of a local day.
struct ReportingWindow {
  absl::Time opens;
  absl::Time closes;
};

// The windows of the local day containing `t` for an indicator of `cadence` in a scope at
// `level`, in order. Empty for event-driven indicators.
std::vector<ReportingWindow> WindowsOfDay(reference::v1::ReportingCadence cadence,
                                          common::v1::OpelLevel level, absl::Time t,
                                          absl::TimeZone zone);

// The close of the first window, at or before `now`, that closed with no update in it since
// `last_update`; nullopt when the figure is not stale. Looks back over the current and the
// previous local day (a figure not updated for longer is stale from its first missed window
// after its last update, which is what this reports when that falls in those days).
std::optional<absl::Time> MissedDeadline(reference::v1::ReportingCadence cadence,
                                         common::v1::OpelLevel level, absl::Time last_update,
                                         absl::Time now, absl::TimeZone zone);

// Whether MissedDeadline finds a missed deadline at any level (unspecified to OPEL 4): a
// figure's freshness can then differ with the level it is judged at. Asks once per distinct
// set of windows (three bands of level for a cadence that follows the level, one otherwise,
// none for figures reported on event), since each ask costs time-zone conversions.
bool MissedDeadlineAtAnyLevel(reference::v1::ReportingCadence cadence, absl::Time last_update,
                              absl::Time now, absl::TimeZone zone);

// When the figure must next be updated: the close of the next window after `now` that has no
// update in it yet. InfiniteFuture for event-driven indicators.
absl::Time NextDeadline(reference::v1::ReportingCadence cadence, common::v1::OpelLevel level,
                        absl::Time last_update, absl::Time now, absl::TimeZone zone);

struct RenotifyRule {
  absl::Duration high = absl::Hours(1);  // OPEL 3-4
  absl::Duration low = absl::Hours(4);   // below
};

// How many re-notifications are due for an alert at `level` raised (or last re-raised) at
// `raised_at` and still unacknowledged at `now`: 0 before the first period has passed.
int RenotificationsDue(common::v1::OpelLevel level, absl::Time raised_at, absl::Time now,
                       const RenotifyRule& rule);

// The roles told after `steps` escalations of an alert first sent to `first_role`, following
// each role's `escalates_to` (stops at the top of the chain). `roles` is the reference data.
std::vector<std::string> EscalationChain(
    const std::string& first_role, int steps,
    const google::protobuf::RepeatedPtrField<reference::v1::Role>& roles);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_TIME_RULES_H_
