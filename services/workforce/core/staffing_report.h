// A team's directly reported staffing (plan 4.3: staffed percentage "allowing for sickness,
// annual leave and training"), validated and turned into the `stp_staffing_pct` observation.
// Pure code: no I/O; time is passed in. Thread-safe (stateless functions).
#ifndef RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_REPORT_H_
#define RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_REPORT_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "reference/v1/reference.pb.h"
#include "common/v1/types.pb.h"
#include "events/v1/events.pb.h"
#include "services/workforce/core/staffing_level.h"
#include "workforce/v1/workforce.pb.h"

namespace resilience::workforce {

// The indicator id the workforce service publishes.
inline constexpr char kStaffingIndicator[] = "stp_staffing_pct";
inline constexpr char kCountyStaffingIndicator[] = "stp_staffing_pct_county";

// Checks a report at time `now`; `team` is the team it names (null when unknown). Every
// problem found, each naming its field (prefixed with `prefix`, e.g. "staffing."). Empty means
// valid. `max_future_skew` bounds how far occurred_at may lie in the future.
std::vector<common::v1::FieldViolation> ValidateStaffingReport(
    const v1::StaffingReport& report, const reference::v1::Team* team, absl::Time now,
    absl::Duration max_future_skew, const std::string& prefix = "");

// A violation of `field` for `reason`.
common::v1::FieldViolation Violation(std::string field, std::string reason);

// True for 1 to 128 printable ASCII characters (update ids, entity ids).
bool IsValidExternalId(const std::string& id);

// The event id of the staffing observation a provider's update causes for a team: the same
// provider, update id and team always give the same id, so a republication after a crash is
// recognised downstream and never applied twice.
std::string StaffingEventId(const std::string& provider_id, const std::string& update_id,
                            const std::string& team_id);

// The observation of a team's staffing `point`, effective at `effective_at`, published at `now`
// because of `cause` (the update's provenance; empty provider for changes due to time alone).
events::v1::DomainEvent BuildStaffingEvent(const reference::v1::Team& team,
                                           const v1::StaffingPoint& point,
                                           const common::v1::Provenance& cause,
                                           absl::Time effective_at, absl::Time now);

// The same for the county-wide figure (indicator stp_staffing_pct_county, scope county/<id>).
events::v1::DomainEvent BuildCountyStaffingEvent(const std::string& county_id,
                                                 const v1::StaffingPoint& point,
                                                 absl::Time effective_at, absl::Time now);

}  // namespace resilience::workforce

#endif  // RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_REPORT_H_
