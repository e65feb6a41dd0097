// Mutual aid (plan 6.2, staff redeployment): for a team at Amber or worse on a day, the teams
// that could lend staff and still stay Green, same area first, then neighbouring areas nearest
// first, with how much to ask of each. And the county summary. Pure functions over the ledger.
//
// Readings, for an assistant director deciding a redeployment:
// - Need: the WTE that brings the team back to 70% (Green) on that day.
// - A lender's spare: what it can give and still be at 70% or more on that day (its absences,
//   cover and existing redeployments counted). Only teams of the borrower's kind are offered
//   (a Short-term Pathway team borrows Short-term Pathway practitioners).
// - Suggested amounts take the offers in order until the need is met.
#ifndef RESILIENCE_SERVICES_WORKFORCE_CORE_MUTUAL_AID_H_
#define RESILIENCE_SERVICES_WORKFORCE_CORE_MUTUAL_AID_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/reference/reference_index.h"
#include "services/workforce/core/staffing_ledger.h"
#include "workforce/v1/workforce.pb.h"

namespace resilience::workforce {

// NOT_FOUND for an unknown team. A team already Green gets an empty list and need 0.
absl::StatusOr<v1::SuggestMutualAidResponse> SuggestMutualAid(const StaffingLedger& ledger,
                                                              const ReferenceIndex& reference,
                                                              const std::string& team_id,
                                                              absl::CivilDay day);

// Every team's staffing at `now` (restricted to `area_ids` when not empty), with counts per
// level and the share of available WTE that agency and bank cover provide.
v1::CountySummary SummariseCounty(const StaffingLedger& ledger,
                                  const std::vector<std::string>& area_ids, absl::Time now);

}  // namespace resilience::workforce

#endif  // RESILIENCE_SERVICES_WORKFORCE_CORE_MUTUAL_AID_H_
