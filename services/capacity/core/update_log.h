// What the capacity service remembers about the updates it answered: the accepted update ids (a
// retry within the idempotency window is answered DUPLICATE with the original event ids) and,
// per provider, the log behind ListProviderUpdates (each update as first received, the answer
// given at its last receipt, how often it came, and for accepted ones the figures recorded).
// Not thread-safe: the owner locks.
#ifndef RESILIENCE_SERVICES_CAPACITY_CORE_UPDATE_LOG_H_
#define RESILIENCE_SERVICES_CAPACITY_CORE_UPDATE_LOG_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "capacity/v1/capacity.pb.h"
#include "capacity/v1/changes.pb.h"
#include "common/v1/types.pb.h"
#include "services/capacity/core/fact_store.h"

namespace resilience::capacity {

struct UpdateLogOptions {
  // How long an accepted update id is answered DUPLICATE. Default 72 h.
  absl::Duration idempotency_window = absl::Hours(72);
  // How long the log keeps an update (by its last receipt). Default 72 h.
  absl::Duration retention = absl::Hours(72);
  // Most updates kept per provider, oldest dropped first. Default 10000.
  size_t max_per_provider = 10000;
};

class UpdateLog {
 public:
  explicit UpdateLog(UpdateLogOptions options) : options_(options) {}

  // The ACCEPTED acknowledgement of `update_id` from `provider_id`, if it was accepted within the
  // idempotency window before `now`; null otherwise.
  const common::v1::UpdateAck* FindAccepted(const std::string& provider_id,
                                            const std::string& update_id, absl::Time now) const;

  // Records an accepted update (just recorded, or read back from the changes log at start-up).
  void RecordAccepted(const v1::CapacityChange& change);

  // Records any other answer (DUPLICATE, REJECTED, SUPERSEDED, RETRY) given at `received_at`.
  void RecordAnswer(const std::string& provider_id, const v1::CapacityUpdate& update,
                    const common::v1::UpdateAck& ack, absl::Time received_at,
                    v1::Transport transport);

  // One page of `provider_id`'s log, newest first, with each figure's `current` flag (and what
  // superseded it) from `facts`. INVALID_ARGUMENT (with field violations) for a limit above 500
  // or a malformed page token.
  absl::StatusOr<v1::ListProviderUpdatesResponse> List(const std::string& provider_id,
                                                       const v1::ListProviderUpdatesRequest& request,
                                                       const FactStore& facts) const;

  // Forgets update ids past the idempotency window and log entries past retention at `now`.
  void Expire(absl::Time now);

  // Accepted update ids remembered (a gauge).
  size_t accepted_count() const { return accepted_.size(); }

 private:
  struct Accepted {
    common::v1::UpdateAck ack;
    absl::Time first_received_at;
  };
  // Log order: last receipt, then arrival sequence.
  using LogKey = std::pair<absl::Time, uint64_t>;
  struct ProviderLog {
    std::map<LogKey, v1::ProviderUpdateRecord> records;
    std::map<std::string, LogKey> by_update_id;
  };
  // Moves (or creates) the record of `update_id` to the front of the log at `received_at`.
  v1::ProviderUpdateRecord* Touch(const std::string& provider_id, const std::string& update_id,
                                  absl::Time received_at);

  UpdateLogOptions options_;
  uint64_t next_seq_ = 0;
  // "<provider>\n<update id>" -> its acceptance.
  std::map<std::string, Accepted> accepted_;
  std::map<std::string, ProviderLog> logs_;
};

}  // namespace resilience::capacity

#endif  // RESILIENCE_SERVICES_CAPACITY_CORE_UPDATE_LOG_H_
