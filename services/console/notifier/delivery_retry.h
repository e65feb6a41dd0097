// When a failed webhook delivery is tried again: exponential backoff with jitter, a server's
// Retry-After honoured up to the longest wait, and which HTTP outcomes are worth retrying
// (connection errors, timeouts, 429 and 5xx; any other 4xx means the route is wrong). Pure
// functions; thread-safe.
#ifndef RESILIENCE_SERVICES_CONSOLE_NOTIFIER_DELIVERY_RETRY_H_
#define RESILIENCE_SERVICES_CONSOLE_NOTIFIER_DELIVERY_RETRY_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/console/console_config.h"

namespace resilience::console {

enum class AttemptOutcome {
  kDelivered,  // 2xx
  kRetry,      // worth another attempt
  kRejected,   // the receiver refused it for good (4xx other than 408 and 429)
};

// Outcome of one attempt; `http_status` 0 means no response (connection error or timeout).
AttemptOutcome ClassifyAttempt(int http_status);

// The wait before retry number `retry` (1 = the first retry): initial * multiplier^(retry-1),
// varied by +/- jitter share using `unit_random` in [0, 1) (0.5 = no change), capped at the
// longest wait. A Retry-After, when given, replaces it (capped at the longest wait too).
absl::Duration BackoffBefore(int retry, const EffectiveRetryPolicy& policy, double unit_random,
                             std::optional<absl::Duration> retry_after = std::nullopt);

// A Retry-After header value: delay seconds, or an HTTP date (RFC 7231 IMF-fixdate) relative to
// `now`. nullopt when empty or unreadable; a date in the past is zero.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_NOTIFIER_DELIVERY_RETRY_H_
