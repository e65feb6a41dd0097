// Reads a topic from its beginning to its current end, outside any consumer group: how a
// service rebuilds in-memory state from its own compacted log at start-up. Thread-compatible.
#ifndef RESILIENCE_COMMON_KAFKA_TOPIC_READER_H_
#define RESILIENCE_COMMON_KAFKA_TOPIC_READER_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
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

}  // namespace resilience::kafka

#endif  // RESILIENCE_COMMON_KAFKA_TOPIC_READER_H_
