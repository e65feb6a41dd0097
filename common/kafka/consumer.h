// Reads records of a consumer group with commit-after-effect: nothing is committed automatically;
// the caller commits a record only after its effect is applied (in Redis), so a crash before the
// commit redelivers the record, and effects are idempotent by event id. Implementations are
// thread-compatible: one thread polls, commits and rewinds.
#ifndef RESILIENCE_COMMON_KAFKA_CONSUMER_H_
#define RESILIENCE_COMMON_KAFKA_CONSUMER_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/record.h"

namespace resilience::kafka {

class Consumer {
 public:
  virtual ~Consumer() = default;

  // Waits up to `timeout` for the next record of the subscribed topics. Returns nullopt when none
  // arrived in time (also while a rebalance is in progress); UNAVAILABLE on a broker error that
  // the caller should log and retry after a pause.
  virtual absl::StatusOr<std::optional<ConsumedRecord>> Poll(absl::Duration timeout) = 0;

  // Records that `record` and everything before it in its partition are applied: synchronously,
  // or, where the consumer was created with a commit interval, at the next background commit.
  // ABORTED when the partition was revoked by a rebalance meanwhile (its new owner will redeliver;
  // the effect is idempotent, so this is harmless); UNAVAILABLE when the broker is unreachable.
  virtual absl::Status Commit(const ConsumedRecord& record) = 0;

  // Commits synchronously what Commit has stored and not yet committed (for a consumer with a
  // commit interval; otherwise there is nothing to do). For a step that reads the committed
  // offsets, such as rebuilding a view up to them.
  virtual absl::Status CommitStored() = 0;
  // Makes the next Poll of `record`'s partition return `record` again (after a retryable failure
  // to apply it).
  virtual absl::Status Rewind(const ConsumedRecord& record) = 0;

  // Leaves the group cleanly (so partitions move to other members at once). Idempotent; also
  // done by the destructor.
  virtual void Close() = 0;
};

}  // namespace resilience::kafka

#endif  // RESILIENCE_COMMON_KAFKA_CONSUMER_H_
