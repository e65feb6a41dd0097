// Reads a topic from its beginning to its current end, outside any consumer group: how a
// service rebuilds in-memory state from its own compacted log at start-up. Thread-compatible.
#ifndef RESILIENCE_COMMON_KAFKA_TOPIC_READER_H_
#define RESILIENCE_COMMON_KAFKA_TOPIC_READER_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/record.h"

namespace resilience::kafka {

// Calls `on_record` for every record of every partition of `topic` that exists when the call
// starts, in offset order per partition, then returns OK. Blocks. UNAVAILABLE when the broker
// does not answer or the end is not reached within `timeout`; NOT_FOUND for an unknown topic.
// Returns the first error `on_record` returns.
absl::Status ReadTopicToEnd(const ClientOptions& client, const std::string& topic,
                            const std::function<absl::Status(const ConsumedRecord&)>& on_record,
                            absl::Duration timeout = absl::Minutes(5));

// The offsets consumer group `group` has committed on each partition of `topic` (the next
// offset it will read); partitions with nothing committed map to their low watermark. Does not
// join the group. UNAVAILABLE when the broker does not answer; a partition's own error (its
// offsets still loading on the group's coordinator, say) as that error, never as "nothing".
absl::StatusOr<std::map<int32_t, int64_t>> CommittedOffsets(const ClientOptions& client,
                                                            const std::string& group,
                                                            const std::string& topic);

}  // namespace resilience::kafka

#endif  // RESILIENCE_COMMON_KAFKA_TOPIC_READER_H_
