// The rules of one location's beds: counts per bed type (total, occupied, held, closed,
// available), validation of the updates bed management systems send (snapshots and events,
// holds, closures) and of bed base changes, and how each changes a location's record. Pure
// functions over the record proto: no I/O; time is passed in. Thread-safe (stateless).
#ifndef RESILIENCE_SERVICES_BEDS_CORE_BED_UPDATE_H_
#define RESILIENCE_SERVICES_BEDS_CORE_BED_UPDATE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "beds/v1/beds.pb.h"
#include "beds/v1/changes.pb.h"
#include "common/v1/types.pb.h"
#include "reference/v1/reference.pb.h"

namespace resilience::beds {

// Beds of one type at one location (or summed over several).
struct BedCount {
  uint32_t total = 0;
  uint32_t occupied = 0;
  uint32_t held = 0;
  uint32_t closed = 0;
  // Vacant and accepting admissions: total - occupied - held - closed, never below 0.
  uint32_t available() const {
    const uint64_t used = uint64_t{occupied} + held + closed;
    return used >= total ? 0 : static_cast<uint32_t>(total - used);
  }
  BedCount& operator+=(const BedCount& o) {
    total += o.total;
    occupied += o.occupied;
    held += o.held;
    closed += o.closed;
    return *this;
  }
};

// Commissioned beds of `type` at `location`; 0 when it has none.
uint32_t TotalOf(const reference::v1::Location& location, reference::v1::BedType type);
// True when the location lists the bed type in its stock.
bool HasBedType(const reference::v1::Location& location, reference::v1::BedType type);
// The counts of one bed type in a record.
BedCount CountOf(const v1::LocationRecord& record, reference::v1::BedType type);
// The API row for counts: percentages as BedCounts documents them.
v1::BedCounts ToBedCounts(reference::v1::BedType type, const BedCount& count);

// True for ICCs and in-house units (the assessment bed indicators' locations).
bool IsInHouse(reference::v1::LocationKind kind);
// True for contracted residential and nursing homes (the market indicator's locations).
bool IsContractedHome(reference::v1::LocationKind kind);
// True for the two assessment bed types (plain and dementia).
bool IsAssessmentBed(reference::v1::BedType type);

// The location an update is about; empty when it names none.
std::string LocationOfUpdate(const v1::BedUpdate& update);

// A violation of `field` for `reason`.
common::v1::FieldViolation Violation(std::string field, std::string reason);
// True for 1 to 128 printable ASCII characters (update ids, refs).
bool IsValidExternalId(const std::string& id);

// What is wrong with an update, if anything. `code` is OK when valid; INVALID_ARGUMENT for bad
// values and counts the location cannot hold; NOT_FOUND for an unknown location or a bed type the
// location does not have. Every violation names its field.
struct UpdateCheck {
  absl::StatusCode code = absl::StatusCode::kOk;
  std::vector<common::v1::FieldViolation> violations;
  bool ok() const { return code == absl::StatusCode::kOk; }
};

// Checks `update` against the location's record (null when the location is unknown) at `now`.
// Counts are checked only for the parts that will be counted (an event not after the latest
// snapshot of its bed type is recorded but not counted): every update must leave occupied +
// held + closed <= total for its bed type.
UpdateCheck CheckBedUpdate(const v1::BedUpdate& update, const v1::LocationRecord* record,
                           absl::Time now, absl::Duration max_future_skew);

// Applies a checked update to `record`: counts, holds, closures, provenance, the latest
// occurred_at, the remembered update id (dropping those older than `idempotency_window` before
// `provenance.accepted_at`) and the sequence. Never leaves a count negative.
void ApplyBedUpdate(const v1::BedUpdate& update, const common::v1::Provenance& provenance,
                    absl::Duration idempotency_window, v1::LocationRecord* record);

// Removes holds whose held_until is at or before `now`. True when any was removed.
bool ExpireHolds(absl::Time now, v1::LocationRecord* record);

// Checks a bed base change: the location must have room for its occupied, held and closed beds
// under `new_total` (FAILED_PRECONDITION otherwise, naming the counts).
absl::Status CheckStockChange(const v1::LocationRecord& record, reference::v1::BedType type,
                              uint32_t new_total);
// Sets the total of `change.bed_type()` to `change.new_total()` (adding the type when new) and
// appends the change to the record's history.
void ApplyStockChange(const v1::BedStockChange& change, v1::LocationRecord* record);

}  // namespace resilience::beds

#endif  // RESILIENCE_SERVICES_BEDS_CORE_BED_UPDATE_H_
