// Per-provider token buckets (config ProviderRateLimit): a provider may send `per_second`
// updates per second on average and `burst` at once. A unary call over the limit is refused;
// a stream over it is read more slowly instead (the caller waits what Take returns before
// reading the next update), so no update is refused for speed alone. Pure code: time is passed
// in. Thread-compatible: the service guards it with a mutex.
#ifndef RESILIENCE_SERVICES_BEDS_CORE_RATE_LIMIT_H_
#define RESILIENCE_SERVICES_BEDS_CORE_RATE_LIMIT_H_

#include <map>
#include <string>

#include "absl/time/time.h"

namespace resilience::beds {

struct RateLimit {
  double per_second = 50;  // config default
  double burst = 500;      // config default
};

class TokenBucket {
 public:
  TokenBucket(RateLimit limit, absl::Time now)
      : limit_(limit), tokens_(limit.burst), updated_(now) {}
  // Takes a token when one is there at `now`; false (nothing taken) otherwise.
  bool TryTake(absl::Time now);
  // Takes a token, borrowing one when none is there; returns how long until the bucket is out
  // of debt (zero when a token was there).
  absl::Duration Take(absl::Time now);

 private:
  void Refill(absl::Time now);
  RateLimit limit_;
  double tokens_;
  absl::Time updated_;
};

// The buckets of every provider, each with its own limit (or the default).
class ProviderRateLimits {
 public:
  ProviderRateLimits(RateLimit fallback, std::map<std::string, RateLimit> by_provider)
      : fallback_(fallback), by_provider_(std::move(by_provider)) {}
  bool TryTake(const std::string& provider, absl::Time now) { return Bucket(provider, now).TryTake(now); }
  absl::Duration Take(const std::string& provider, absl::Time now) {
    return Bucket(provider, now).Take(now);
  }
  RateLimit LimitOf(const std::string& provider) const;

 private:
  TokenBucket& Bucket(const std::string& provider, absl::Time now);
  RateLimit fallback_;
  std::map<std::string, RateLimit> by_provider_;
  std::map<std::string, TokenBucket> buckets_;
};

}  // namespace resilience::beds

#endif  // RESILIENCE_SERVICES_BEDS_CORE_RATE_LIMIT_H_
