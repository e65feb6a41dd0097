// The Kafka record types shared by the producer and consumer interfaces.
#ifndef RESILIENCE_COMMON_KAFKA_RECORD_H_
#define RESILIENCE_COMMON_KAFKA_RECORD_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace resilience::kafka {

using Headers = std::vector<std::pair<std::string, std::string>>;

// A record to produce. `key` decides the partition: one scope's records share a key and so stay
// in order.
struct OutgoingRecord {
  std::string topic;
  std::string key;
  std::string value;
  Headers headers;
};

// A record as consumed, with the position needed to commit it.
struct ConsumedRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  absl::Time timestamp;
  Headers headers;
};

// Connection settings for producers, consumers and the admin client.
struct ClientOptions {
  // Comma-separated host:port list. Required.
  std::string bootstrap_servers;
  // client.id reported to the broker; default "resilience".
  std::string client_id = "resilience";
  // Extra librdkafka properties; cannot override the delivery guarantees the clients fix.
  std::map<std::string, std::string> properties;
};

}  // namespace resilience::kafka

#endif  // RESILIENCE_COMMON_KAFKA_RECORD_H_
