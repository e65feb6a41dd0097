// The Consumer over librdkafka's C++ KafkaConsumer, with auto-commit off and eager rebalancing.
// Thread-compatible.
#ifndef RESILIENCE_COMMON_KAFKA_RDKAFKA_CONSUMER_H_
#define RESILIENCE_COMMON_KAFKA_RDKAFKA_CONSUMER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/kafka/consumer.h"

namespace resilience::kafka {

struct ConsumerOptions {
  ClientOptions client;
  // Consumer group id. Required.
  std::string group_id;
  // Topics to subscribe to. Required.
  std::vector<std::string> topics;
  // Where a group with no committed offset starts: "earliest" (default, so nothing published
  // before the first start is missed) or "latest".
  std::string offset_reset = "earliest";
  // How long the broker waits for a silent member before rebalancing (session.timeout.ms).
  absl::Duration session_timeout = absl::Seconds(10);
  // Zero (default): Commit commits synchronously, one broker round trip per record. Positive:
  // Commit only stores the offset and the client commits stored offsets in the background at this
  // interval, when partitions are revoked and on Close (librdkafka's auto commit of stored
  // offsets). A crash then redelivers up to one interval of applied records; worth it only where
  // effects are idempotent and a round trip per record would limit throughput.
  absl::Duration commit_interval = absl::ZeroDuration();
};

// Creates a consumer and subscribes it. INVALID_ARGUMENT for missing options or a bad property.
absl::StatusOr<std::unique_ptr<Consumer>> NewRdKafkaConsumer(const ConsumerOptions& options);

}  // namespace resilience::kafka

#endif  // RESILIENCE_COMMON_KAFKA_RDKAFKA_CONSUMER_H_
