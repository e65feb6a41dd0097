#include "common/clock/clock.h"

#include "absl/strings/str_cat.h"

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

ScaledClock::ScaledClock(absl::Time start, double speed, absl::Time real_epoch)
    : start_(start), real_start_(real_epoch), speed_(speed) {}

absl::StatusOr<std::unique_ptr<Clock>> ReplayClockFromFlags(const std::string& start, double speed,
                                                            double epoch_unix_seconds) {
  if (start.empty()) return std::unique_ptr<Clock>();
  absl::Time at;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, start, &at, &err)) {
    return absl::InvalidArgumentError(absl::StrCat("--clock_start: ", err));
  }
  if (!(speed > 0)) return absl::InvalidArgumentError("--clock_speed: must be positive");
  const absl::Time epoch = epoch_unix_seconds > 0
                               ? absl::UnixEpoch() + absl::Seconds(epoch_unix_seconds)
                               : absl::Now();
  return std::unique_ptr<Clock>(std::make_unique<ScaledClock>(at, speed, epoch));
}

absl::Time ScaledClock::Now() const { return start_ + (absl::Now() - real_start_) * speed_; }

}  // namespace resilience
