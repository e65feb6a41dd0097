// The de-escalation hold (DESIGN 4.1, plan section 8: "each indicator will be maintained at a
// lower level, dependent on the current number of referrals, before the step down"): a level
// rises at once; it steps down only after the lower level has held for `hold` and referrals in
// the scope are at or below the configured limit. Applies to indicators and levels alike.
// Pure code: time is passed in. Thread-safe (stateless function).
//
// Readings: while a step down is pending, the level it will step to is the highest raw level seen
// since the pending began (a brief dip does not count as holding); a raw level back at or above
// the held one cancels the pending step. After a step down, a still lower raw level starts a new
// hold (step by step, as a duty manager reads the plan). With no referral figure for the scope
// (nullopt), only the time condition applies.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_LEVEL_HOLD_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_LEVEL_HOLD_H_

#include <optional>

#include "absl/time/time.h"
#include "common/v1/types.pb.h"

namespace resilience::escalation {

struct HoldRule {
  // How long the lower level must hold. Local default 24 h.
  absl::Duration hold = absl::Hours(24);
  // Referrals at or below this allow the step down; nullopt: no referral condition (scopes with
  // no referral figure).
  std::optional<double> referral_limit;
};

// The held state of one indicator or level.
struct HeldLevel {
  common::v1::OpelLevel level = common::v1::OPEL_LEVEL_UNSPECIFIED;
  absl::Time since = absl::InfinitePast();
  // A lower level waiting out the hold, and since when.
  common::v1::OpelLevel pending = common::v1::OPEL_LEVEL_UNSPECIFIED;
  absl::Time pending_since = absl::InfinitePast();

  // When the pending step down may take effect on time alone (InfiniteFuture when none).
  absl::Time StepDownNotBefore(const HoldRule& rule) const;
};

// The held state after the raw level is `raw` at `now` with `referrals` in the scope. Call it on
// every new figure and on a timer (a hold can expire without a new figure).
HeldLevel ApplyHold(const HeldLevel& current, common::v1::OpelLevel raw, absl::Time now,
                    std::optional<double> referrals, const HoldRule& rule);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_LEVEL_HOLD_H_
