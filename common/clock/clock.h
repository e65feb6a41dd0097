// The source of time for every time rule. Services take a `Clock&` and never read the system
// clock themselves, so tests and scenario replays drive time (a day in seconds). Thread-safe.
#ifndef RESILIENCE_COMMON_CLOCK_CLOCK_H_
#define RESILIENCE_COMMON_CLOCK_CLOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace resilience {

// Tells the current time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // The current time.
  virtual absl::Time Now() const = 0;
  // The process-wide real clock (never null, never deleted).
  static Clock& Real();
};

// A clock that moves only when told to. For tests and scenario replays.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override;
  // Moves time forward by `d` (>= 0).
  void Advance(absl::Duration d);
  // Sets the time; may move backwards only in tests of the clock itself.
  void Set(absl::Time t);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

// A clock that runs `speed` times faster than real time from `start` (scenario replays on a
// compressed day). speed 1 is real time shifted to `start`.
class ScaledClock final : public Clock {
 public:
  ScaledClock(absl::Time start, double speed);
  // Reads `start` at the real moment `real_epoch` (which may be past or future), so processes
  // started one after another agree on the time.
  ScaledClock(absl::Time start, double speed, absl::Time real_epoch);
  absl::Time Now() const override;

 private:
  absl::Time start_;
  absl::Time real_start_;
  double speed_;
};

// The clock a service runs on, from its flags: the real clock when `start` (RFC 3339) is empty,
// else a ScaledClock reading `start` at real time `epoch_unix_seconds` (0: at this call) and
// running `speed` times faster. INVALID_ARGUMENT naming --clock_start or --clock_speed.
absl::StatusOr<std::unique_ptr<Clock>> ReplayClockFromFlags(const std::string& start, double speed,
                                                            double epoch_unix_seconds);

}  // namespace resilience

#endif  // RESILIENCE_COMMON_CLOCK_CLOCK_H_
