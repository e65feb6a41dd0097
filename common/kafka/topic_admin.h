// Creates (and deletes) the project's topics (deploy/topics.textproto) through the Kafka admin
// API.
// Thread-compatible.
#ifndef RESILIENCE_COMMON_KAFKA_TOPIC_ADMIN_H_
#define RESILIENCE_COMMON_KAFKA_TOPIC_ADMIN_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/record.h"

namespace resilience::kafka {

struct TopicDefinition {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  // Retention; absl::InfiniteDuration() keeps records forever.
  absl::Duration retention = absl::InfiniteDuration();
  // Log compaction (latest record per key kept).
  bool compacted = false;
};

// Creates each topic that does not exist yet; existing topics are left as they are (OK).
// Returns once every partition of every topic has a leader, so clients can use them at once.
// UNAVAILABLE when the broker does not answer within `timeout`.
absl::Status CreateTopics(const ClientOptions& client, const std::vector<TopicDefinition>& topics,
                          absl::Duration timeout = absl::Seconds(30));

// Deletes the named topics; ones that do not exist are skipped (OK), so it is safe to run twice.
// UNAVAILABLE when the broker does not answer within `timeout`.
absl::Status DeleteTopics(const ClientOptions& client, const std::vector<std::string>& names,
                          absl::Duration timeout = absl::Seconds(30));

// Names of the topics the cluster has. UNAVAILABLE when the broker does not answer.
absl::StatusOr<std::vector<std::string>> ListTopics(const ClientOptions& client,
                                                    absl::Duration timeout = absl::Seconds(10));

}  // namespace resilience::kafka

#endif  // RESILIENCE_COMMON_KAFKA_TOPIC_ADMIN_H_
