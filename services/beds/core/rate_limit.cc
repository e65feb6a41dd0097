#include "services/beds/core/rate_limit.h"

#include <algorithm>

namespace resilience::beds {

void TokenBucket::Refill(absl::Time now) {
  if (now > updated_) {
    tokens_ = std::min(limit_.burst, tokens_ + absl::ToDoubleSeconds(now - updated_) * limit_.per_second);
    updated_ = now;
  }
}

bool TokenBucket::TryTake(absl::Time now) {
  Refill(now);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

absl::Duration TokenBucket::Take(absl::Time now) {
  Refill(now);
  tokens_ -= 1;
  if (tokens_ >= 0 || limit_.per_second <= 0) return absl::ZeroDuration();
  return absl::Seconds(-tokens_ / limit_.per_second);
}

RateLimit ProviderRateLimits::LimitOf(const std::string& provider) const {
  auto it = by_provider_.find(provider);
  return it == by_provider_.end() ? fallback_ : it->second;
}

TokenBucket& ProviderRateLimits::Bucket(const std::string& provider, absl::Time now) {
  auto it = buckets_.find(provider);
  if (it == buckets_.end()) it = buckets_.emplace(provider, TokenBucket(LimitOf(provider), now)).first;
  return it->second;
}

}  // namespace resilience::beds
