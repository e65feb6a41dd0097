#include "services/console/notifier/delivery_retry.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace resilience::console {

AttemptOutcome ClassifyAttempt(int http_status) {
  if (http_status >= 200 && http_status < 300) return AttemptOutcome::kDelivered;
  if (http_status == 0 || http_status == 408 || http_status == 429 || http_status >= 500) {
    return AttemptOutcome::kRetry;
  }
  return AttemptOutcome::kRejected;
}

absl::Duration BackoffBefore(int retry, const EffectiveRetryPolicy& policy, double unit_random,
                             std::optional<absl::Duration> retry_after) {
  if (retry_after.has_value()) {
    return std::clamp(*retry_after, absl::ZeroDuration(), policy.max_backoff);
  }
  const double base_ms = absl::ToDoubleMilliseconds(policy.initial_backoff) *
                         std::pow(policy.multiplier, std::max(0, retry - 1));
  const double capped_ms = std::min(base_ms, absl::ToDoubleMilliseconds(policy.max_backoff));
  const double varied_ms = capped_ms * (1.0 + policy.jitter * (2.0 * unit_random - 1.0));
  return std::clamp(absl::Milliseconds(varied_ms), absl::ZeroDuration(), policy.max_backoff);
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    if (seconds < 0) return std::nullopt;
    return absl::Seconds(seconds);
  }
  absl::Time at;
  std::string error;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(value), absl::UTCTimeZone(), &at,
                       &error)) {
    return std::nullopt;
  }
  return std::max(at - now, absl::ZeroDuration());
}

}  // namespace resilience::console
