// Publishes records to Kafka with the platform's delivery guarantee: idempotent producer,
// acks=all, so an OK status means the record is durably in the log exactly once.
// Implementations are thread-safe.
#ifndef RESILIENCE_COMMON_KAFKA_PRODUCER_H_
#define RESILIENCE_COMMON_KAFKA_PRODUCER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/kafka/record.h"

namespace resilience::kafka {

class Producer {
 public:
  virtual ~Producer() = default;

  // Sends one record and blocks until the broker acknowledged it (acks=all). Returns OK once
  // durably written; UNAVAILABLE when it was not delivered within the delivery timeout (the
  // broker is down: retry); INVALID_ARGUMENT when the broker refuses it (unknown topic, too
  // large): never retried.
  virtual absl::Status Send(const OutgoingRecord& record) = 0;

  // Sends records together and blocks until each is acknowledged or failed; one status per
  // record, in order. Records with one key keep their order.
  virtual std::vector<absl::Status> SendAll(const std::vector<OutgoingRecord>& records) = 0;

  // Sends without blocking; `done` runs once with the outcome (as Send's), on a producer thread,
  // so it must not block. For callback-API gRPC handlers that answer when Kafka has the record.
  virtual void SendAsync(const OutgoingRecord& record, std::function<void(absl::Status)> done) = 0;

  // Looks up where `topics` live (partitions and leaders) before a send needs it, waiting up to
  // `timeout`: otherwise the first record to each topic after a start waits for that lookup
  // (over half a second here), and every record behind it. Best effort: what cannot be looked
  // up now is looked up by the first send, which reports any failure.
  virtual void Prepare(const std::vector<std::string>& topics, absl::Duration timeout) {}
};

}  // namespace resilience::kafka

#endif  // RESILIENCE_COMMON_KAFKA_PRODUCER_H_
