#include "services/escalation/notification_stamp.h"

#include "services/escalation/core/notification_rules.h"

namespace resilience::escalation {

void NotificationStamp::Stamp(v1::Alert* alert, absl::Time now) {
  std::vector<v1::Silence> silences;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time real_now = absl::Now();
    if (real_now - loaded_at_ >= absl::Seconds(1)) {
      auto active = silences_->ActiveSilences();
      if (active.ok()) cached_ = *std::move(active);
      loaded_at_ = real_now;
    }
    silences = cached_;
  }
  StampNotification(alert, silences, group_window_, now);
}

void NotificationStamp::Invalidate() {
  absl::MutexLock lock(&mu_);
  loaded_at_ = absl::InfinitePast();
}

}  // namespace resilience::escalation
