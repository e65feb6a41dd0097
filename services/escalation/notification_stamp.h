// Stamps every alert transition, just before it is recorded, with its notification group and the
// silence covering it (core/notification_rules.h), reading the active silences from Redis at most
// once a second. Thread-safe.
#ifndef RESILIENCE_SERVICES_ESCALATION_NOTIFICATION_STAMP_H_
#define RESILIENCE_SERVICES_ESCALATION_NOTIFICATION_STAMP_H_

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "escalation/v1/alerts.pb.h"
#include "services/escalation/workflow_state.h"

namespace resilience::escalation {

class NotificationStamp {
 public:
  // `silences` (not owned) is read for the active silences; `group_window` groups alerts.
  NotificationStamp(WorkflowState* silences, absl::Duration group_window)
      : silences_(silences), group_window_(group_window) {}

  // Sets the alert's group id and silence id at `now`. A Redis failure leaves the last known
  // silences in use (a silence is a courtesy; the alert itself must not wait for it).
  void Stamp(v1::Alert* alert, absl::Time now);

  // Forgets the cached silences (a silence was just created or ended).
  void Invalidate();

 private:
  WorkflowState* silences_;
  absl::Duration group_window_;
  absl::Mutex mu_;
  std::vector<v1::Silence> cached_ ABSL_GUARDED_BY(mu_);
  absl::Time loaded_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_NOTIFICATION_STAMP_H_
