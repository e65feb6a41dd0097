// Validation of the updates providers send to the capacity service (DESIGN 3 and 8): every value
// against its range, every scope against the reference data, and the sending provider's right to
// write each scope and indicator. Each problem names its field path in the update
// ("keah_daily_capacity.patch_id", "acute_assessment.assessment.nctr_beds_pct"). Pure functions.
#ifndef RESILIENCE_SERVICES_CAPACITY_CORE_UPDATE_VALIDATION_H_
#define RESILIENCE_SERVICES_CAPACITY_CORE_UPDATE_VALIDATION_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "capacity/v1/capacity.pb.h"
#include "common/reference/reference_index.h"
#include "common/v1/types.pb.h"
#include "services/capacity/core/capacity_rules.h"

namespace resilience::capacity {

// Indicator ids of the event bodies, used for authorisation and in FigureOutcome.
inline constexpr char kAcuteAssessmentIndicator[] = "acute_opel_assessment";
inline constexpr char kKeahReferralIndicator[] = "keah_referral";
inline constexpr char kOutbreakNoticeIndicator[] = "outbreak_notice";
// The observation recorded beside each outbreak notice, and what a provider needs for both.
inline constexpr char kOutbreakIndicator[] = "outbreak";

// One figure an update writes: where, which indicator, and the update field that names the
// scope (the field a refusal points at).
struct FigureTarget {
  common::v1::ScopeRef scope;
  std::string indicator;
  std::string field;
};

// The verdict on one update. `code` is OK, or the status a unary call answers with:
// INVALID_ARGUMENT (bad values), NOT_FOUND (an unknown area, patch, location or site; takes
// precedence) or PERMISSION_DENIED (the provider may not write a scope or indicator).
// `violations` lists every problem found, each naming its field.
struct Verdict {
  absl::StatusCode code = absl::StatusCode::kOk;
  std::vector<common::v1::FieldViolation> violations;
  bool ok() const { return code == absl::StatusCode::kOk; }
};

// Validates `update` (`serialized_bytes` long) from `provider` at `now`. Checks: size at most
// rules.max_update_bytes; update_id 1-128 printable ASCII; occurred_at set, a valid timestamp and
// at most rules.max_future_skew ahead of `now`; note at most 500 characters; entered_by a valid
// id; exactly one report; per report every count >= 0, percentages 0-100 (except where the
// contract allows more), finite numbers, enums stated, days "YYYY-MM-DD" (D2A week starting on a
// Monday, a day not after occurred_at's local day), time periods ordered; every scope known; and
// the provider may write every scope and indicator the update touches.
Verdict ValidateCapacityUpdate(const v1::CapacityUpdate& update, size_t serialized_bytes,
                               const reference::v1::Provider& provider,
                               const ReferenceIndex& reference, const CapacityRules& rules,
                               absl::Time now);

// The figures `update` writes (a weather alert with no areas writes every area), for the
// authorisation check. Scopes are not checked for existence here.
std::vector<FigureTarget> FigureTargets(const v1::CapacityUpdate& update,
                                        const ReferenceIndex& reference);

// True when `scope` is among the provider's `may_write`.
bool MayWriteScope(const reference::v1::Provider& provider, const common::v1::ScopeRef& scope);
// True when the provider's `indicators` is empty (any) or lists `indicator`.
bool MayReport(const reference::v1::Provider& provider, absl::string_view indicator);

// A field violation.
common::v1::FieldViolation Violation(absl::string_view field, absl::string_view reason);

// 1 to 128 printable ASCII characters (update ids, alert refs, referral ids).
bool IsValidExternalId(absl::string_view id);

// Parses "YYYY-MM-DD" strictly.
bool ParseDay(absl::string_view text, absl::CivilDay* day);

}  // namespace resilience::capacity

#endif  // RESILIENCE_SERVICES_CAPACITY_CORE_UPDATE_VALIDATION_H_
