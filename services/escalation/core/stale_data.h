// Stale-data alerts (DESIGN 4.5): a figure that missed its reporting deadline raises an alert to
// the role responsible for updating it; the next update resolves it. Pure code. Thread-safe.
//
// One alert per staleness period: its id names the figure and the time of its last update
// ("stale-data/<scope key>/<indicator>/<last update, unix ms>"), so evaluating the same stale
// figure again, on any instance, never makes a second alert. Its level is the scope's current
// level, at least Amber (a missed deadline matters more when pressure is higher).
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_STALE_DATA_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_STALE_DATA_H_

#include <string>

#include "absl/time/time.h"
#include "escalation/v1/alerts.pb.h"
#include "reference/v1/reference.pb.h"

namespace resilience::escalation {

// The alert for `indicator` of `scope` (named `scope_name`, in `area_id`) last updated at
// `last_update`, which missed the deadline at `missed`; raised at `now`.
v1::Alert StaleDataAlert(const common::v1::ScopeRef& scope, const std::string& scope_name,
                         const std::string& area_id,
                         const reference::v1::IndicatorDefinition& indicator,
                         absl::Time last_update, absl::Time missed,
                         common::v1::OpelLevel scope_level, absl::Time now, absl::TimeZone zone);

// The alert resolved at `now` because a fresh figure arrived.
v1::Alert ResolveStaleDataAlert(const v1::Alert& alert, absl::Time now);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_STALE_DATA_H_
