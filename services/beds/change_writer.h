// Writes every change of the beds service's state to the `beds-changes` log (acks=all) before
// it takes effect, one writer thread in arrival order: bed updates from providers, bed base and
// location changes, placements and fired milestones. A change is prepared against the state, its
// record written, and only then committed to memory and answered, so an answer always means
// "durably recorded". Changes that touch the same location, placement, person or update id never
// share a batch (a later one waits for the earlier one's commit), so each is checked against
// the state its predecessors left. Thread-safe.
#ifndef RESILIENCE_SERVICES_BEDS_CHANGE_WRITER_H_
#define RESILIENCE_SERVICES_BEDS_CHANGE_WRITER_H_

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "beds/v1/beds.pb.h"
#include "beds/v1/changes.pb.h"
#include "common/clock/clock.h"
#include "common/kafka/producer.h"
#include "common/metrics/metrics.h"
#include "services/beds/beds_state.h"

namespace resilience::beds {

struct ChangeWriterOptions {
  // Full name of the changes log topic.
  std::string changes_topic = "beds-changes";
  // How far in the future an update's occurred_at may be (DESIGN 3: 5 minutes).
  absl::Duration max_future_skew = absl::Minutes(5);
};

// The answer to one bed update: the acknowledgement, and for a rejection the status code a
// unary call returns (INVALID_ARGUMENT, NOT_FOUND or PERMISSION_DENIED).
struct UpdateResult {
  common::v1::UpdateAck ack;
  absl::StatusCode code = absl::StatusCode::kOk;
};

class ChangeWriter {
 public:
  // A record to write: its log key and value.
  struct Record {
    std::string key;
    v1::BedsChange change;
  };
  // One change. `keys` name what it touches ("location/x", "placement/y", "person/z", ...).
  struct Write {
    std::vector<std::string> keys;
    // Under the state lock, at `now`: the record to write; nullopt when nothing needs writing
    // (done is then called with OK); an error refuses the change (done gets it).
    std::function<absl::StatusOr<std::optional<Record>>(BedsState&, absl::Time now)> prepare;
    // Under the state lock, once the log has the record.
    std::function<void(BedsState&, const Record&, absl::Time now)> commit;
    // Outside the lock, exactly once: OK, the prepare error, or UNAVAILABLE when the log did not
    // take the record (retry). Must not block.
    std::function<void(const absl::Status&)> done;
  };

  // Nothing owned; all must outlive the writer. Starts the writer thread.
  ChangeWriter(BedsState* state, kafka::Producer* producer, const Clock* clock,
               MetricsRegistry* metrics, ChangeWriterOptions options);
  ~ChangeWriter();  // finishes what is queued, then stops

  void Submit(Write write);

  // A provider's bed update: `done` runs exactly once with ACCEPTED, DUPLICATE, REJECTED (with
  // violations and the code) or RETRY.
  void SubmitUpdate(v1::BedUpdate update, std::string provider_id,
                    std::function<void(UpdateResult)> done);

  // Reads the log into `state` (start-up, before any Submit). `read` is the log reader.
  static absl::Status Rebuild(
      BedsState* state,
      const std::function<absl::Status(
          const std::function<absl::Status(const std::string& key, const std::string& value)>&)>&
          read);

 private:
  void WriteLoop();
  void WriteBatch(std::deque<Write> batch);

  BedsState* state_;
  kafka::Producer* producer_;
  const Clock* clock_;
  ChangeWriterOptions options_;
  Counter* accepted_;
  Counter* duplicate_;
  Counter* rejected_;
  Counter* retry_;

  absl::Mutex queue_mu_;
  std::deque<Write> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stop_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::thread writer_;
};

}  // namespace resilience::beds

#endif  // RESILIENCE_SERVICES_BEDS_CHANGE_WRITER_H_
