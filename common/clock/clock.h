// The source of time for every time rule. Services take a `Clock&` and never read the system
// clock themselves, so tests and scenario replays drive time (a day in seconds). Thread-safe.
#ifndef RESILIENCE_COMMON_CLOCK_CLOCK_H_
#define RESILIENCE_COMMON_CLOCK_CLOCK_H_

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
  absl::Time Now() const override;

 private:
  absl::Time start_;
  absl::Time real_start_;
  double speed_;
};

}  // namespace resilience

#endif  // RESILIENCE_COMMON_CLOCK_CLOCK_H_
