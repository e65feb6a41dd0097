#include "tools/scenario/scenario_clock.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace resilience::scenario {

absl::Time AnchoredClock::Now() const { return start_ + (absl::Now() - epoch_) * speed_; }

void AnchoredClock::WaitUntil(absl::Time t, absl::Duration at_most) {
  const absl::Duration until = (t - Now()) / speed_;
  if (until <= absl::ZeroDuration()) return;
  absl::SleepFor(std::min(until, at_most));
}

absl::Time SteppedClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

void SteppedClock::WaitUntil(absl::Time t, absl::Duration at_most) {
  absl::MutexLock lock(&mu_);
  if (t <= now_) return;
  now_ = std::min(t, now_ + at_most * speed_);
}

}  // namespace resilience::scenario
