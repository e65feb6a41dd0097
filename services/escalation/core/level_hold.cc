#include "services/escalation/core/level_hold.h"

#include <algorithm>

#include "services/escalation/core/levels.h"

namespace resilience::escalation {

absl::Time HeldLevel::StepDownNotBefore(const HoldRule& rule) const {
  if (!IsLevel(pending)) return absl::InfiniteFuture();
  return pending_since + rule.hold;
}

HeldLevel ApplyHold(const HeldLevel& current, common::v1::OpelLevel raw, absl::Time now,
                    std::optional<double> referrals, const HoldRule& rule) {
  HeldLevel next = current;
  if (!IsLevel(raw)) return next;  // no figure: nothing to decide on
  if (!IsLevel(current.level) || raw > current.level) {
    // Rise (or first figure): at once.
    return HeldLevel{raw, now, common::v1::OPEL_LEVEL_UNSPECIFIED, absl::InfinitePast()};
  }
  if (raw == current.level) {
    next.pending = common::v1::OPEL_LEVEL_UNSPECIFIED;
    next.pending_since = absl::InfinitePast();
    return next;
  }
  // Lower: start or continue the hold.
  if (!IsLevel(next.pending)) {
    next.pending = raw;
    next.pending_since = now;
  } else {
    next.pending = std::max(next.pending, raw);
  }
  const bool held_long_enough = now - next.pending_since >= rule.hold;
  const bool referrals_ok = !rule.referral_limit.has_value() ||
                            (referrals.has_value() && *referrals <= *rule.referral_limit);
  if (held_long_enough && referrals_ok) {
    const common::v1::OpelLevel to = next.pending;
    next = HeldLevel{to, now, common::v1::OPEL_LEVEL_UNSPECIFIED, absl::InfinitePast()};
    if (raw < to) {
      next.pending = raw;
      next.pending_since = now;
    }
  }
  return next;
}

}  // namespace resilience::escalation
