// Waiting on a condition with a deadline: the only way tests synchronise with other threads and
// processes (never a bare sleep).
#ifndef RESILIENCE_TESTS_TESTING_WAIT_FOR_H_
#define RESILIENCE_TESTS_TESTING_WAIT_FOR_H_

#include <functional>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace resilience::testing {

// Polls `condition` every `poll` until it is true (returns true) or `deadline` passes (false).
inline bool WaitFor(const std::function<bool()>& condition, absl::Duration deadline,
                    absl::Duration poll = absl::Milliseconds(20)) {
  const absl::Time end = absl::Now() + deadline;
  while (true) {
    if (condition()) return true;
    if (absl::Now() >= end) return false;
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(poll));
  }
}

}  // namespace resilience::testing

#endif  // RESILIENCE_TESTS_TESTING_WAIT_FOR_H_
