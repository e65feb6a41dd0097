// Records capacity updates with the outbox discipline of DESIGN 6: an update is answered
// ACCEPTED only once Kafka has confirmed (acks=all, idempotent producer) both its events on the
// `capacity` topic and its change record on the compacted `capacity-changes` log, and only then
// applied. The change record is sent only after its events are confirmed: the two topics are
// written apart (no transaction spans them), and the changes log is what a restarted service
// believes was recorded, so it must never hold an update whose events a crash lost. A crash
// between the two leaves events without their change record; the provider's retry (same update
// id, same event ids) writes them again, which readers deduplicate by event id. When Kafka has not confirmed within the answer timeout (the broker is down), the
// update is answered RETRY; its records stay queued in the producer, which goes on trying under
// the same idempotent sequence numbers, so when the broker is back they are written exactly once
// and the update is applied then (the provider's retry is answered DUPLICATE). Records the
// producer finally gives up on are not applied. A retry of an accepted update id is answered
// DUPLICATE with the original event ids; a figure older than the one held is answered
// SUPERSEDED. One writer thread plans whatever has queued, in arrival order, and sends it as a
// batch without waiting for earlier batches (several are in flight; figures still being recorded
// count as held when planning). The same thread publishes the figures that change with time
// alone (weather alerts starting and ending) and expires old update ids. Thread-safe.
#ifndef RESILIENCE_SERVICES_CAPACITY_UPDATE_RECORDER_H_
#define RESILIENCE_SERVICES_CAPACITY_UPDATE_RECORDER_H_

#include <atomic>
#include <deque>
#include <map>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "capacity/v1/capacity.pb.h"
#include "capacity/v1/changes.pb.h"
#include "common/clock/clock.h"
#include "common/kafka/producer.h"
#include "common/metrics/metrics.h"
#include "common/reference/reference_index.h"
#include "services/capacity/capacity_state.h"
#include "services/capacity/core/capacity_rules.h"
#include "services/capacity/core/fact_store.h"
#include "services/capacity/core/update_plan.h"

namespace resilience::capacity {

struct UpdateRecorderOptions {
  // Full topic names (with any prefix).
  std::string capacity_topic = "capacity";
  std::string changes_topic = "capacity-changes";
  // How often (real time) the writer looks whether time alone changed a figure.
  absl::Duration tick = absl::Milliseconds(200);
  // How long Kafka may take to confirm an update before it is answered RETRY. Default 30 s.
  absl::Duration answer_timeout = absl::Seconds(30);
  // Batches sent to Kafka and not yet confirmed, at most; and updates per batch, at most. When
  // the batches in flight are all past the answer timeout, further updates are answered RETRY
  // at once.
  size_t max_batches_in_flight = 64;
  size_t max_batch_updates = 4096;
};

// One update to answer.
struct Submission {
  v1::CapacityUpdate update;
  // The authenticated sender (reference data; outlives the recorder).
  const reference::v1::Provider* provider = nullptr;
  v1::Transport transport = v1::TRANSPORT_UNSPECIFIED;
  // Serialised size of the update as received.
  size_t bytes = 0;
};

// The answer to one update: the acknowledgement, and the status a unary call returns: OK for
// ACCEPTED, DUPLICATE and SUPERSEDED; INVALID_ARGUMENT, NOT_FOUND or PERMISSION_DENIED carrying
// the field violations for REJECTED; UNAVAILABLE for RETRY.
struct Answer {
  common::v1::UpdateAck ack;
  absl::Status status;
};

class UpdateRecorder {
 public:
  // Nothing owned except the reference index; all must outlive the recorder. Starts the writer.
  UpdateRecorder(CapacityState* state, std::shared_ptr<const ReferenceIndex> reference,
                 const CapacityRules* rules, kafka::Producer* producer, const Clock* clock,
                 MetricsRegistry* metrics, UpdateRecorderOptions options);
  ~UpdateRecorder();  // answers what is queued, then stops

  // Answers `submission`. `done` runs exactly once: on the calling thread for DUPLICATE and
  // REJECTED (decided without Kafka), on the writer thread otherwise. It must not block.
  void Submit(Submission submission, std::function<void(Answer)> done);

  // Replays the changes log into `state` (start-up, before any Submit): facts, accepted update
  // ids and the update log. `read` calls its argument for each record (key, value).
  // DATA_LOSS for an unreadable record.
  static absl::Status Rebuild(
      CapacityState* state, absl::Time now,
      const std::function<absl::Status(
          const std::function<absl::Status(const std::string& key, const std::string& value)>&)>&
          read);

 private:
  struct Pending {
    Submission submission;
    absl::Time received_at;
    std::function<void(Answer)> done;
  };
  // One update being recorded, and the repeats of its update id that arrived meanwhile.
  struct Item {
    Pending pending;
    UpdatePlan plan;
    v1::CapacityChange change;
    std::string key;  // "<provider>/<update id>"
    // Its event records in the batch's `sent`, and its change record's index there (once sent).
    size_t first_record = 0;
    size_t records = 0;
    std::optional<size_t> change_record;
    std::vector<Pending> repeats;
  };
  // Updates sent to Kafka together, events first, then the change records of the updates whose
  // events were confirmed; applied when every record is confirmed or failed.
  struct Batch {
    uint64_t id = 0;
    std::vector<Item> items;
    std::vector<absl::Status> sent;  // per record, written by delivery reports
    std::atomic<size_t> remaining{0};
    bool changes_sent = false;  // the second phase has started
    absl::Time started;
    // Answered RETRY because Kafka took too long; applied (silently) if it confirms later.
    bool answered_early = false;
  };
  void WriteLoop();
  // Plans `updates`, answers those decided without Kafka, sends the rest as one batch.
  void Send(std::deque<Pending> updates);
  // Sends the change records of batch `id` whose events Kafka confirmed (the second phase).
  // False when there were none to send, so the batch is finished.
  bool SendChanges(Batch* batch);
  // Applies what Kafka confirmed of batch `id` and answers its updates.
  void Finish(uint64_t id);
  // Answers RETRY to the updates of batches Kafka has not confirmed within the answer timeout,
  // and to queued updates when the pipeline is full of such batches.
  void AnswerOverdue(std::deque<Pending>* queued);
  // Sends the figures time alone changed (unless earlier ones are still being recorded).
  void PublishTimeDriven(absl::Time now);
  // Applies what Kafka confirmed of them (after sending the change records of the confirmed
  // events first).
  void FinishDerived();
  // Forgets expired update ids and log entries.
  void Expire(absl::Time now);
  void Count(const common::v1::UpdateAck& ack);
  // Records the answer in the update log (unless ACCEPTED, recorded with its change) and gives it.
  void Reply(Pending& p, common::v1::UpdateAck ack, absl::Status status);

  CapacityState* state_;
  std::shared_ptr<const ReferenceIndex> reference_;
  const CapacityRules* rules_;
  kafka::Producer* producer_;
  const Clock* clock_;
  UpdateRecorderOptions options_;
  Counter* accepted_;
  Counter* duplicate_;
  Counter* rejected_;
  Counter* superseded_;
  Counter* retry_;
  Histogram* record_seconds_;
  Histogram* batch_size_;
  Gauge* remembered_ids_;
  Gauge* batches_in_flight_;
  absl::Time next_expiry_;

  // Figures time alone changed, being recorded.
  // Figures time alone changed: their events, then the change records of those confirmed.
  struct DerivedBatch {
    std::vector<v1::CapacityFacts> facts;  // one per figure
    std::vector<kafka::OutgoingRecord> changes;  // one per figure
    std::vector<absl::Status> sent;  // events, then changes: 2 per figure
    std::atomic<size_t> remaining{0};
    bool changes_sent = false;
  };
  static constexpr uint64_t kDerivedBatch = ~uint64_t{0};

  // Writer thread only.
  uint64_t next_batch_ = 0;
  std::unique_ptr<DerivedBatch> derived_;
  std::map<uint64_t, std::unique_ptr<Batch>> in_flight_;
  // Update ids being recorded -> their batch and item.
  std::map<std::string, std::pair<uint64_t, size_t>> in_flight_keys_;
  // Facts of the batches in flight, for planning.
  FactStore pending_facts_;

  absl::Mutex queue_mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(queue_mu_);
  // Batches whose every record Kafka has reported on.
  std::deque<uint64_t> completed_ ABSL_GUARDED_BY(queue_mu_);
  bool stop_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::thread writer_;
};

// The status of an unary answer for a rejection: `code` with the violations as message and
// payload (ToGrpcStatus sends them as the field-violations trailer).
absl::Status RejectionStatus(absl::StatusCode code,
                             const std::vector<common::v1::FieldViolation>& violations);

}  // namespace resilience::capacity

#endif  // RESILIENCE_SERVICES_CAPACITY_UPDATE_RECORDER_H_
