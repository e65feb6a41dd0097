// The console's typed configuration (proto/console/v1/config.proto): checked at start-up against
// the reference data, with the documented defaults filled in, so the rest of the console never
// looks at a zero and wonders what it means. Pure functions; thread-compatible.
#ifndef RESILIENCE_SERVICES_CONSOLE_CONSOLE_CONFIG_H_
#define RESILIENCE_SERVICES_CONSOLE_CONSOLE_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/reference/reference_index.h"
#include "console/v1/config.pb.h"

namespace resilience::console {

// INVALID_ARGUMENT "path: field: reason" for the first problem: a missing address, a malformed or
// duplicate user id, a role or area unknown to `reference`, a password hash that is not 64
// lower-case hex characters, a route without a URL or with a bad id, a retry policy out of range.
absl::Status ValidateConsoleConfig(const v1::ConsoleConfig& config, const ReferenceIndex& reference,
                                   const std::string& path);

// The retry policy with every default applied (config comments give them).
struct EffectiveRetryPolicy {
  int max_attempts = 6;
  absl::Duration initial_backoff = absl::Seconds(1);
  double multiplier = 2;
  absl::Duration max_backoff = absl::Seconds(60);
  double jitter = 0.2;
};
EffectiveRetryPolicy RetryPolicyOf(const v1::NotifierConfig& notifier);

// Session lifetime with the default applied (720 minutes).
absl::Duration SessionLifetimeOf(const v1::ConsoleConfig& config);

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_CONSOLE_CONFIG_H_
