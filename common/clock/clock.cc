#include "common/clock/clock.h"

namespace resilience {
namespace {

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

Clock& Clock::Real() {
  static RealClock* clock = new RealClock();
  return *clock;
}

absl::Time SimulatedClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

void SimulatedClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
}

void SimulatedClock::Set(absl::Time t) {
  absl::MutexLock lock(&mu_);
  now_ = t;
}

ScaledClock::ScaledClock(absl::Time start, double speed)
    : start_(start), real_start_(absl::Now()), speed_(speed) {}

absl::Time ScaledClock::Now() const { return start_ + (absl::Now() - real_start_) * speed_; }

}  // namespace resilience
