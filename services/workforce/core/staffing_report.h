// A team's directly reported staffing (plan 4.3: staffed percentage "allowing for sickness,
// annual leave and training"), validated and turned into the `stp_staffing_pct` observation.
// Pure code: no I/O; time is passed in. Thread-safe (stateless functions).
#ifndef RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_REPORT_H_
#define RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_REPORT_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/reference/reference_index.h"
#include "common/v1/types.pb.h"
#include "events/v1/events.pb.h"
#include "workforce/v1/workforce.pb.h"

namespace resilience::workforce {

// The indicator id the workforce service publishes.
inline constexpr char kStaffingIndicator[] = "stp_staffing_pct";

// Staffing percentage: available / establishment * 100. Establishment must be > 0 (checked when
// the reference data is loaded).
double StaffingPercent(double available_wte, double establishment_wte);

// Checks a report against the reference data at time `now`; every problem found, each naming its
// field. Empty means valid. `max_future_skew` bounds how far occurred_at may lie in the future.
std::vector<common::v1::FieldViolation> ValidateStaffingReport(
    const v1::StaffingReport& report, const ReferenceIndex& reference, absl::Time now,
    absl::Duration max_future_skew);

// The event id of a provider's update: the same provider and update id always give the same id,
// so a retry is recognised downstream and never applied twice.
std::string StaffingEventId(const std::string& provider_id, const std::string& update_id);

// The observation event for a valid report, received at `now` from `provider_id`.
events::v1::DomainEvent BuildStaffingEvent(const v1::StaffingReport& report,
                                           const reference::v1::Team& team,
                                           const std::string& provider_id, absl::Time now);

}  // namespace resilience::workforce

#endif  // RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_REPORT_H_
