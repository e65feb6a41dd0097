// Records workforce updates: validates each against the ledger, writes accepted changes to the
// `workforce-changes` log (acks=all) in arrival order, applies them, marks the teams they move
// for re-publication and answers each with one UpdateAck. One writer thread batches whatever
// has queued, so log order and apply order are the same. Thread-safe.
#ifndef RESILIENCE_SERVICES_WORKFORCE_CHANGE_RECORDER_H_
#define RESILIENCE_SERVICES_WORKFORCE_CHANGE_RECORDER_H_

#include <deque>
#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/clock/clock.h"
#include "common/kafka/producer.h"
#include "common/metrics/metrics.h"
#include "common/reference/reference_index.h"
#include "services/workforce/workforce_state.h"
#include "workforce/v1/workforce.pb.h"

namespace resilience::workforce {

struct ChangeRecorderOptions {
  // Full name of the changes log topic.
  std::string changes_topic = "workforce-changes";
  // How far in the future occurred_at may be (DESIGN 3: 5 minutes).
  absl::Duration max_future_skew = absl::Minutes(5);
  // When set, a provider may change only the teams in its reference `may_write` (refused with
  // field "provider"); null: no check. Not owned.
  const ReferenceIndex* reference = nullptr;
};

class ChangeRecorder {
 public:
  // Nothing owned; all must outlive the recorder. Starts the writer thread.
  ChangeRecorder(WorkforceState* state, kafka::Producer* producer, const Clock* clock,
                 MetricsRegistry* metrics, ChangeRecorderOptions options);
  ~ChangeRecorder();  // finishes what is queued, then stops

  // Queues an update from `provider_id`; `done` runs exactly once, on the writer thread, with the
  // acknowledgement (ACCEPTED, DUPLICATE, REJECTED with violations, or RETRY when Kafka did not
  // take it). `done` must not block.
  void Submit(v1::WorkforceUpdate update, std::string provider_id,
              std::function<void(common::v1::UpdateAck)> done);

  // Records a team change (UpsertTeam). Blocks until recorded. INVALID_ARGUMENT with field
  // violations; UNAVAILABLE when Kafka did not take it.
  absl::Status RecordTeam(const reference::v1::Team& team, const std::string& changed_by,
                          const std::string& reason);

  // Replays the log into `state` (start-up, before any Submit). `read` is the log reader.
  static absl::Status Rebuild(
      WorkforceState* state,
      const std::function<absl::Status(
          const std::function<absl::Status(const std::string& key, const std::string& value)>&)>&
          read);

 private:
  struct Pending {
    v1::WorkforceUpdate update;
    std::string provider_id;
    std::function<void(common::v1::UpdateAck)> done;
  };
  void WriteLoop();
  void WriteBatch(std::deque<Pending> batch);

  WorkforceState* state_;
  kafka::Producer* producer_;
  const Clock* clock_;
  ChangeRecorderOptions options_;
  Counter* accepted_;
  Counter* duplicate_;
  Counter* rejected_;
  Counter* retry_;

  absl::Mutex queue_mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stop_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::thread writer_;
};

// The event id of a change record, and of the staffing observation an update causes for a team.
std::string ChangeEventId(const std::string& provider_id, const std::string& update_id);

}  // namespace resilience::workforce

#endif  // RESILIENCE_SERVICES_WORKFORCE_CHANGE_RECORDER_H_
