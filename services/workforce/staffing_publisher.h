// Publishes each Short-term Pathway team's staffing (indicator stp_staffing_pct) and the county
// figure (stp_staffing_pct_county) on the `workforce` topic whenever it changes: because an
// update moved it, or because time passed (an absence starting or ending at midnight), driven
// by the injected clock. A figure is published only when it differs from the last one
// published, which is recorded in the changes log (marked before publishing, confirmed after),
// so a restart publishes only what changed while the service was down, and the current figure
// whenever a crash left it unknown whether the last one went out.
//
// A figure's occurred_at is when its content took effect, never the time of publishing:
// consumers keep the figure with the later occurred_at. So it carries the update that last moved
// the team (at no earlier time than the team's previous figure) or the transition that passed;
// after a restart, the figure as its last change or passed transition made it, with that
// update's id and time, as the undisturbed service would have published it. Only a team that
// never changed is published at start-up as of now. Thread-safe.
#ifndef RESILIENCE_SERVICES_WORKFORCE_STAFFING_PUBLISHER_H_
#define RESILIENCE_SERVICES_WORKFORCE_STAFFING_PUBLISHER_H_

#include <atomic>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/kafka/producer.h"
#include "common/metrics/metrics.h"
#include "services/workforce/workforce_state.h"

namespace resilience::workforce {

struct StaffingPublisherOptions {
  // Full topic names.
  std::string workforce_topic = "workforce";
  std::string changes_topic = "workforce-changes";
  // The county scope id for the county-wide figure.
  std::string county_id = "kent";
  // How often, in real time, the publisher looks at the clock for transitions that passed.
  // Default 200 ms. Changes from updates are published at once.
  absl::Duration poll_interval = absl::Milliseconds(200);
};

class StaffingPublisher {
 public:
  // Nothing owned; all must outlive the publisher.
  StaffingPublisher(WorkforceState* state, kafka::Producer* producer, const Clock* clock,
                    MetricsRegistry* metrics, StaffingPublisherOptions options);
  ~StaffingPublisher();  // stops

  // Starts the publishing thread. The first round looks at every team (start-up catch-up).
  void Start();
  void Stop();

  // One round at the clock's now: publishes what changed. Returns how many figures were
  // published; UNAVAILABLE when Kafka did not take them (they stay due).
  absl::StatusOr<int> PublishDue();

 private:
  void Loop();

  WorkforceState* state_;
  kafka::Producer* producer_;
  const Clock* clock_;
  StaffingPublisherOptions options_;
  Counter* published_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace resilience::workforce

#endif  // RESILIENCE_SERVICES_WORKFORCE_STAFFING_PUBLISHER_H_
