// Internal to common/kafka: building librdkafka configurations and mapping its errors to Status.
#ifndef RESILIENCE_COMMON_KAFKA_RDKAFKA_COMMON_H_
#define RESILIENCE_COMMON_KAFKA_RDKAFKA_COMMON_H_

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/kafka/record.h"

namespace resilience::kafka::internal {

// A global configuration with the client options, then `fixed` (which wins over user
// properties), and a log/event callback writing to the "kafka" logger.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> BuildConf(
    const ClientOptions& client, const std::map<std::string, std::string>& fixed);

// UNAVAILABLE for transient broker/network errors, INVALID_ARGUMENT for refusals of the record
// itself, INTERNAL otherwise; the message names librdkafka's error.
absl::Status ToStatus(RdKafka::ErrorCode code, const std::string& context);

}  // namespace resilience::kafka::internal

#endif  // RESILIENCE_COMMON_KAFKA_RDKAFKA_COMMON_H_
