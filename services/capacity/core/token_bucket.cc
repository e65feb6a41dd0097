#include "services/capacity/core/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace resilience::capacity {

TokenBucket::TokenBucket(double rate, double burst, absl::Time now)
    : rate_(rate > 0 ? rate : 1), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

absl::Duration TokenBucket::Wait(double missing) const {
  // To the nearest microsecond (floating-point sums of refills are not exact), at least one.
  return absl::Microseconds(std::max<int64_t>(1, std::llround(missing / rate_ * 1e6)));
}

void TokenBucket::Refill(absl::Time now) {
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * rate_);
    last_ = now;
  }
}

absl::Duration TokenBucket::TryTake(absl::Time now) {
  Refill(now);
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return absl::ZeroDuration();
  }
  return Wait(1 - tokens_);
}

absl::Duration TokenBucket::Reserve(absl::Time now) {
  Refill(now);
  tokens_ -= 1;
  if (tokens_ >= 0) return absl::ZeroDuration();
  return Wait(-tokens_);
}

}  // namespace resilience::capacity
