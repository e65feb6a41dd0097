// The API requests a scenario step stands for: provider updates for the workforce, capacity and
// beds services with their update ids and times filled in, and staff requests for the escalation
// service. Pure code. Thread-safe (stateless functions).
#ifndef RESILIENCE_TOOLS_SCENARIO_REQUESTS_H_
#define RESILIENCE_TOOLS_SCENARIO_REQUESTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "beds/v1/beds.pb.h"
#include "capacity/v1/capacity.pb.h"
#include "escalation/v1/alert_service.pb.h"
#include "tools/scenario/timeline.h"
#include "workforce/v1/workforce.pb.h"

namespace resilience::scenario {

// The update id of part `part` (0-based) of the `parts` updates of step `index` (0-based): the
// step's own update id, else "<update_id_prefix>-<index + 1>"; when the step has several parts,
// followed by "-<part + 1>".
std::string UpdateId(const Timeline& timeline, int index, int part, int parts);

// Workforce updates of an absences, redeployment or cover step (one per person, per day).
// INVALID_ARGUMENT for a step of another kind.
absl::StatusOr<std::vector<workforce::v1::WorkforceUpdate>> WorkforceUpdates(
    const Timeline& timeline, int index);

// The direct count of a staffing step.
absl::StatusOr<workforce::v1::StaffingReport> StaffingReport(const Timeline& timeline, int index);

// The capacity update of a capacity step, with update id and occurred_at (and the NHS 111 period
// or weather alert validity, when left unset) filled in.
absl::StatusOr<capacity::v1::CapacityUpdate> CapacityUpdate(const Timeline& timeline, int index);

// The bed update of a beds step, with update id and occurred_at filled in.
absl::StatusOr<beds::v1::BedUpdate> BedUpdate(const Timeline& timeline, int index);

// The declaration of a declare step.
absl::StatusOr<escalation::v1::DeclareLevelRequest> DeclareRequest(const Timeline& timeline,
                                                                   int index);

}  // namespace resilience::scenario

#endif  // RESILIENCE_TOOLS_SCENARIO_REQUESTS_H_
