// The Producer over librdkafka's C++ API. Thread-safe. A background thread serves delivery
// reports; each Send waits for its own report.
#ifndef RESILIENCE_COMMON_KAFKA_RDKAFKA_PRODUCER_H_
#define RESILIENCE_COMMON_KAFKA_RDKAFKA_PRODUCER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/kafka/producer.h"

namespace resilience::kafka {

struct ProducerOptions {
  ClientOptions client;
  // How long a record may wait for delivery before Send returns UNAVAILABLE (message.timeout.ms).
  // Default 30 s: long enough to ride over a broker restart.
  absl::Duration delivery_timeout = absl::Seconds(30);
  // Batching delay (linger.ms). Default 5 ms.
  absl::Duration linger = absl::Milliseconds(5);
};

// Creates a producer with enable.idempotence=true and acks=all. INVALID_ARGUMENT for a bad
// property.
absl::StatusOr<std::unique_ptr<Producer>> NewRdKafkaProducer(const ProducerOptions& options);

}  // namespace resilience::kafka

#endif  // RESILIENCE_COMMON_KAFKA_RDKAFKA_PRODUCER_H_
