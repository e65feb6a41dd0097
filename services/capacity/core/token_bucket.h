// A token bucket: the per-provider rate limit of the capacity service (`ProviderRateLimit`).
// Tokens accrue at `rate` per second up to `burst`; an update takes one. Time is passed in, so
// the rule is tested without a clock. Not thread-safe: the owner locks.
#ifndef RESILIENCE_SERVICES_CAPACITY_CORE_TOKEN_BUCKET_H_
#define RESILIENCE_SERVICES_CAPACITY_CORE_TOKEN_BUCKET_H_

#include "absl/time/time.h"

namespace resilience::capacity {

class TokenBucket {
 public:
  // Full at `now`. `rate` > 0 tokens per second, `burst` >= 1.
  TokenBucket(double rate, double burst, absl::Time now);

  // Takes a token if one is there (returns ZeroDuration); otherwise takes nothing and returns how
  // long until one will be: the retry hint of RESOURCE_EXHAUSTED.
  absl::Duration TryTake(absl::Time now);

  // Takes a token even when none is there, going into debt, and returns how long the caller
  // should wait before acting on it (ZeroDuration when a token was there). How a stream is read
  // more slowly instead of refused: its updates are delayed, never dropped.
  absl::Duration Reserve(absl::Time now);

 private:
  void Refill(absl::Time now);
  // How long until `missing` tokens have accrued.
  absl::Duration Wait(double missing) const;
  double rate_;
  double burst_;
  double tokens_;
  absl::Time last_;
};

}  // namespace resilience::capacity

#endif  // RESILIENCE_SERVICES_CAPACITY_CORE_TOKEN_BUCKET_H_
