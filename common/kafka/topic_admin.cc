#include "common/kafka/topic_admin.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/rdkafka_common.h"

namespace resilience::kafka {
namespace {

absl::StatusOr<std::unique_ptr<RdKafka::Producer>> AdminHandle(const ClientOptions& client) {
  auto conf = internal::BuildConf(client, {});
  if (!conf.ok()) return conf.status();
  std::string err;
  std::unique_ptr<RdKafka::Producer> handle(RdKafka::Producer::create(conf->get(), err));
  if (!handle) return absl::InvalidArgumentError(absl::StrCat("kafka admin: ", err));
  return handle;
}

}  // namespace

absl::Status CreateTopics(const ClientOptions& client, const std::vector<TopicDefinition>& topics,
                          absl::Duration timeout) {
  if (topics.empty()) return absl::OkStatus();
  auto handle = AdminHandle(client);
  if (!handle.ok()) return handle.status();
  rd_kafka_t* rk = (*handle)->c_ptr();
  char errstr[512];
  std::vector<rd_kafka_NewTopic_t*> new_topics;
  for (const TopicDefinition& t : topics) {
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(t.name.c_str(), t.partitions,
                                                    t.replication_factor, errstr, sizeof(errstr));
    if (nt == nullptr) {
      rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());
      return absl::InvalidArgumentError(absl::StrCat("topic ", t.name, ": ", errstr));
    }
    std::string retention = t.retention == absl::InfiniteDuration()
                                ? "-1"
                                : std::to_string(absl::ToInt64Milliseconds(t.retention));
    rd_kafka_NewTopic_set_config(nt, "retention.ms", retention.c_str());
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", t.compacted ? "compact" : "delete");
    new_topics.push_back(nt);
  }
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(
      opts, static_cast<int>(absl::ToInt64Milliseconds(timeout)), errstr, sizeof(errstr));
  rd_kafka_AdminOptions_set_request_timeout(
      opts, static_cast<int>(absl::ToInt64Milliseconds(timeout)), errstr, sizeof(errstr));
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, new_topics.data(), new_topics.size(), opts, queue);
  rd_kafka_event_t* event =
      rd_kafka_queue_poll(queue, static_cast<int>(absl::ToInt64Milliseconds(timeout)) + 5000);
  absl::Status status = absl::OkStatus();
  if (event == nullptr) {
    status = absl::UnavailableError("kafka admin: no answer to CreateTopics");
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = absl::UnavailableError(
        absl::StrCat("kafka admin: CreateTopics: ", rd_kafka_event_error_string(event)));
  } else {
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &n);
    for (size_t i = 0; i < n && status.ok(); ++i) {
      rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        status = absl::InternalError(absl::StrCat("kafka admin: topic ",
                                                  rd_kafka_topic_result_name(results[i]), ": ",
                                                  rd_kafka_topic_result_error_string(results[i])));
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());
  if (!status.ok()) return status;
  // A new topic takes a moment to reach the broker's metadata and elect leaders; until then
  // clients see "unknown topic". Return only once every partition has a leader.
  const absl::Time deadline = absl::Now() + timeout;
  absl::Duration backoff = absl::Milliseconds(20);
  while (true) {
    RdKafka::Metadata* raw = nullptr;
    RdKafka::ErrorCode err = (*handle)->metadata(true, nullptr, &raw, 5000);
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    size_t ready = 0;
    if (err == RdKafka::ERR_NO_ERROR) {
      for (const TopicDefinition& t : topics) {
        for (const RdKafka::TopicMetadata* m : *metadata->topics()) {
          if (m->topic() != t.name || m->err() != RdKafka::ERR_NO_ERROR ||
              static_cast<int>(m->partitions()->size()) < t.partitions) {
            continue;
          }
          bool led = true;
          for (const RdKafka::PartitionMetadata* p : *m->partitions()) led = led && p->leader() >= 0;
          if (led) ++ready;
        }
      }
    }
    if (ready == topics.size()) return absl::OkStatus();
    if (absl::Now() + backoff > deadline) {
      return absl::UnavailableError(absl::StrCat("kafka admin: ", topics.size() - ready,
                                                 " topic(s) created but without leaders in time"));
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(500));
  }
}

absl::StatusOr<std::vector<std::string>> ListTopics(const ClientOptions& client,
                                                    absl::Duration timeout) {
  auto handle = AdminHandle(client);
  if (!handle.ok()) return handle.status();
  RdKafka::Metadata* raw = nullptr;
  RdKafka::ErrorCode err = (*handle)->metadata(
      true, nullptr, &raw, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (err != RdKafka::ERR_NO_ERROR) return internal::ToStatus(err, "kafka metadata");
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  std::vector<std::string> names;
  for (const RdKafka::TopicMetadata* t : *metadata->topics()) names.push_back(t->topic());
  return names;
}

}  // namespace resilience::kafka
