#include "services/capacity/provider_rate_limits.h"

#include "absl/time/clock.h"

namespace resilience::capacity {

ProviderRateLimits::ProviderRateLimits(const v1::CapacityConfig& config)
    : default_(config.rate_limit()),
      by_provider_(config.rate_limit_by_provider().begin(), config.rate_limit_by_provider().end()) {}

TokenBucket& ProviderRateLimits::BucketLocked(const std::string& provider_id, absl::Time now) {
  auto it = buckets_.find(provider_id);
  if (it != buckets_.end()) return it->second;
  auto limit = by_provider_.find(provider_id);
  const v1::ProviderRateLimit& l = limit == by_provider_.end() ? default_ : limit->second;
  const double rate = l.updates_per_second() > 0 ? l.updates_per_second() : 50;
  const double burst = l.burst() > 0 ? l.burst() : 500;
  return buckets_.emplace(provider_id, TokenBucket(rate, burst, now)).first->second;
}

absl::Duration ProviderRateLimits::TryTake(const std::string& provider_id) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  return BucketLocked(provider_id, now).TryTake(now);
}

absl::Duration ProviderRateLimits::Reserve(const std::string& provider_id) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  return BucketLocked(provider_id, now).Reserve(now);
}

}  // namespace resilience::capacity
