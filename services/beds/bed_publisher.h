// Publishes on the `beds` topic (1) every indicator figure that changed: per ICC / in-house
// location, per area (contracted homes) and for the county, whenever an update, a bed base
// change or time (a hold lapsing) moved it; and (2) every placement milestone that fell due on
// the injected clock. A figure is published only when it differs from the last one published,
// recorded in the changes log with its publication number, which also names its event id: a
// figure republished after a crash keeps its id. A milestone is recorded as fired in its
// placement's log record (through the ChangeWriter) after it is published, so it is published
// once per placement, also across restarts and when it fell due while the service was down.
// Thread-safe.
#ifndef RESILIENCE_SERVICES_BEDS_BED_PUBLISHER_H_
#define RESILIENCE_SERVICES_BEDS_BED_PUBLISHER_H_

#include <atomic>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/kafka/producer.h"
#include "common/metrics/metrics.h"
#include "services/beds/beds_state.h"
#include "services/beds/change_writer.h"

namespace resilience::beds {

struct BedPublisherOptions {
  // Full topic names.
  std::string beds_topic = "beds";
  std::string changes_topic = "beds-changes";
  // The county scope id for the county-wide figure.
  std::string county_id = "kent";
  // How often, in real time, the publisher looks at the clock for milestones falling due and
  // holds lapsing. Default 200 ms. Changes from updates are published at once.
  absl::Duration poll_interval = absl::Milliseconds(200);
};

class BedPublisher {
 public:
  // Nothing owned; all must outlive the publisher.
  BedPublisher(BedsState* state, ChangeWriter* writer, kafka::Producer* producer,
               const Clock* clock, MetricsRegistry* metrics, BedPublisherOptions options);
  ~BedPublisher();  // stops

  // Starts the publishing thread. The first round looks at every location (start-up catch-up).
  void Start();
  void Stop();

  // One round at the clock's now. Returns how many events were published; UNAVAILABLE when
  // Kafka did not take them (they stay due).
  absl::StatusOr<int> PublishDue();

 private:
  void Loop();
  absl::StatusOr<int> PublishFigures(absl::Time now);
  absl::StatusOr<int> PublishMilestones(absl::Time now);

  BedsState* state_;
  ChangeWriter* writer_;
  kafka::Producer* producer_;
  const Clock* clock_;
  BedPublisherOptions options_;
  Counter* figures_;
  Counter* milestones_;
  bool first_round_ = true;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace resilience::beds

#endif  // RESILIENCE_SERVICES_BEDS_BED_PUBLISHER_H_
