// The capacity service's in-memory state, shared by the recorder (writes), the gRPC service
// (queries, and the answers it gives without recording) and start-up (replay of the changes
// log), under one mutex. Rebuilt at start-up from the `capacity-changes` topic.
#ifndef RESILIENCE_SERVICES_CAPACITY_CAPACITY_STATE_H_
#define RESILIENCE_SERVICES_CAPACITY_CAPACITY_STATE_H_

#include "absl/synchronization/mutex.h"
#include "services/capacity/core/fact_store.h"
#include "services/capacity/core/update_log.h"

namespace resilience::capacity {

struct CapacityState {
  explicit CapacityState(UpdateLogOptions log_options) : log(log_options) {}

  absl::Mutex mu;
  // Figures and facts confirmed by Kafka.
  FactStore facts ABSL_GUARDED_BY(mu);
  // Accepted update ids and every provider's recent updates with their answers.
  UpdateLog log ABSL_GUARDED_BY(mu);
};

}  // namespace resilience::capacity

#endif  // RESILIENCE_SERVICES_CAPACITY_CAPACITY_STATE_H_
