// The replay's clock: scenario time running `speed` times faster than real time from a shared
// anchor, the same mapping every service of the replay was started with (deploy/services.sh
// passes each service the --clock_start that corresponds to its launch moment), so the replayer
// and the services agree on the time of day. Waiting for the scenario clock is the only waiting
// the replayer does that is not on a condition. Thread-safe.
#ifndef RESILIENCE_TOOLS_SCENARIO_SCENARIO_CLOCK_H_
#define RESILIENCE_TOOLS_SCENARIO_SCENARIO_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace resilience::scenario {

class ScenarioClock {
 public:
  virtual ~ScenarioClock() = default;
  // Scenario time now.
  virtual absl::Time Now() const = 0;
  // Blocks until Now() >= `t` or `at_most` of real time has passed, whichever is first.
  virtual void WaitUntil(absl::Time t, absl::Duration at_most) = 0;
  // Scenario time that passes in `real` of real time.
  virtual absl::Duration ScenarioDuration(absl::Duration real) const = 0;
};

// Scenario time = start + (real now - epoch) * speed.
class AnchoredClock final : public ScenarioClock {
 public:
  // `speed` > 0; `epoch` is the real time at which the scenario clock read `start`.
  AnchoredClock(absl::Time start, absl::Time epoch, double speed)
      : start_(start), epoch_(epoch), speed_(speed) {}
  absl::Time Now() const override;
  void WaitUntil(absl::Time t, absl::Duration at_most) override;
  absl::Duration ScenarioDuration(absl::Duration real) const override { return real * speed_; }

 private:
  absl::Time start_;
  absl::Time epoch_;
  double speed_;
};

// A clock that moves only when waited on (tests): WaitUntil jumps straight to `t`, or by the
// scenario time `at_most` stands for at the given speed.
class SteppedClock final : public ScenarioClock {
 public:
  SteppedClock(absl::Time start, double speed) : now_(start), speed_(speed) {}
  absl::Time Now() const override;
  void WaitUntil(absl::Time t, absl::Duration at_most) override;
  absl::Duration ScenarioDuration(absl::Duration real) const override { return real * speed_; }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  double speed_;
};

}  // namespace resilience::scenario

#endif  // RESILIENCE_TOOLS_SCENARIO_SCENARIO_CLOCK_H_
