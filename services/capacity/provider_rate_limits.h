// The per-provider rate limits of the capacity service (`CapacityConfig.rate_limit` and
// `rate_limit_by_provider`): one token bucket per provider, shared by its streams and unary calls,
// on the real clock (it protects this process, whatever clock the rules run on). Thread-safe.
#ifndef RESILIENCE_SERVICES_CAPACITY_PROVIDER_RATE_LIMITS_H_
#define RESILIENCE_SERVICES_CAPACITY_PROVIDER_RATE_LIMITS_H_

#include <map>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "capacity/v1/config.pb.h"
#include "services/capacity/core/token_bucket.h"

namespace resilience::capacity {

class ProviderRateLimits {
 public:
  // Limits from `config`; zeros mean 50 updates/s and a burst of 500.
  explicit ProviderRateLimits(const v1::CapacityConfig& config);

  // For a unary call: takes a token (ZeroDuration) or returns how long until one is there.
  absl::Duration TryTake(const std::string& provider_id);
  // For a stream: takes a token, going into debt, and returns how long to wait before reading on.
  absl::Duration Reserve(const std::string& provider_id);

 private:
  TokenBucket& BucketLocked(const std::string& provider_id, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  v1::ProviderRateLimit default_;
  std::map<std::string, v1::ProviderRateLimit> by_provider_;
  absl::Mutex mu_;
  std::map<std::string, TokenBucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resilience::capacity

#endif  // RESILIENCE_SERVICES_CAPACITY_PROVIDER_RATE_LIMITS_H_
