// The plan's staffing trigger for Short-term Pathway teams (plan 4.3): ">= 70% Green; below 70
// and at least 50 Amber; below 50 and at least 35 Red; below 35 Black". "Falls below" is read as
// strict, so exactly 50.0 is Amber and exactly 35.0 is Red. The escalation service applies the
// same bands from its config to the published indicator; the workforce service needs them for
// its own queries and for mutual aid ("could lend and stay Green"). Pure functions.
#ifndef RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_LEVEL_H_
#define RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_LEVEL_H_

#include "common/v1/types.pb.h"

namespace resilience::workforce {

// Lowest percentage that is still Green.
inline constexpr double kGreenFloorPct = 70.0;

// The level of a staffing percentage.
common::v1::OpelLevel StaffingLevelOf(double staffing_pct);

// Staffing percentage: available / establishment * 100; 0 when establishment is not positive.
double StaffingPercent(double available_wte, double establishment_wte);

}  // namespace resilience::workforce

#endif  // RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_LEVEL_H_
