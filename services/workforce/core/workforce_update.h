// Validation of the updates rostering and HR systems send (absences, cover, redeployments,
// direct counts), and their conversion into the changes the ledger applies. Pure functions.
#ifndef RESILIENCE_SERVICES_WORKFORCE_CORE_WORKFORCE_UPDATE_H_
#define RESILIENCE_SERVICES_WORKFORCE_CORE_WORKFORCE_UPDATE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/reference/reference_index.h"
#include "common/v1/types.pb.h"
#include "services/workforce/core/staffing_ledger.h"
#include "workforce/v1/changes.pb.h"
#include "workforce/v1/workforce.pb.h"

namespace resilience::workforce {

// Every problem with `update` against what `ledger` knows at `now`, each naming its field.
// Empty means valid. Checks: ids present and printable; teams known; absence kind given, end
// after start, fraction in (0, 1]; cover day "YYYY-MM-DD" and WTE > 0; redeployment between two
// different known teams, time-limited, WTE > 0 and not more than the lending team's
// establishment; cancellations of things that exist; occurred_at at most `max_future_skew` ahead.
std::vector<common::v1::FieldViolation> ValidateWorkforceUpdate(const v1::WorkforceUpdate& update,
                                                                const StaffingLedger& ledger,
                                                                absl::Time now,
                                                                absl::Duration max_future_skew);

// The change a valid update becomes, received at `now` from `provider_id`.
v1::WorkforceChange ToChange(const v1::WorkforceUpdate& update, const std::string& provider_id,
                             absl::Time now);

// Why `provider_id` may not send `update` (DESIGN 8: a provider writes only its own scopes, the
// reference data's may_write): field "provider" and a reason naming the team, or nullopt when it
// may. An unknown provider may write nothing. Call after validation (the teams exist).
std::optional<common::v1::FieldViolation> ProviderScopeViolation(
    const ReferenceIndex& reference, const std::string& provider_id,
    const v1::WorkforceUpdate& update, const StaffingLedger& ledger);

// The teams whose staffing a change can move (for re-publication). Call before the ledger
// applies the change: a cancellation finds its team through what it cancels.
std::vector<std::string> TeamsTouched(const v1::WorkforceChange& change,
                                      const StaffingLedger& ledger);

// The moments at which a change's effect starts or ends (absence and redeployment bounds).
std::vector<absl::Time> TransitionTimes(const v1::WorkforceChange& change);

}  // namespace resilience::workforce

#endif  // RESILIENCE_SERVICES_WORKFORCE_CORE_WORKFORCE_UPDATE_H_
