#include "common/kafka/topic_admin.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <functional>

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

// Sends one topic admin request (`issue` puts it on the queue with the options) and waits for
// its answer. OK when the request and each topic in it succeeded, or failed only with
// `tolerated` (the topic already exists, say, or no longer does).
absl::Status RunTopicRequest(
    rd_kafka_t* rk, rd_kafka_admin_op_t op, const char* what, absl::Duration timeout,
    rd_kafka_resp_err_t tolerated,
    const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& issue,
    const std::function<const rd_kafka_topic_result_t**(rd_kafka_event_t*, size_t*)>&
        results_of) {
  char errstr[512];
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, op);
  rd_kafka_AdminOptions_set_operation_timeout(
      opts, static_cast<int>(absl::ToInt64Milliseconds(timeout)), errstr, sizeof(errstr));
  rd_kafka_AdminOptions_set_request_timeout(
      opts, static_cast<int>(absl::ToInt64Milliseconds(timeout)), errstr, sizeof(errstr));
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  issue(opts, queue);
  rd_kafka_event_t* event =
      rd_kafka_queue_poll(queue, static_cast<int>(absl::ToInt64Milliseconds(timeout)) + 5000);
  absl::Status status = absl::OkStatus();
  if (event == nullptr) {
    status = absl::UnavailableError(absl::StrCat("kafka admin: no answer to ", what));
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = absl::UnavailableError(
        absl::StrCat("kafka admin: ", what, ": ", rd_kafka_event_error_string(event)));
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results = results_of(event, &n);
    for (size_t i = 0; i < n && status.ok(); ++i) {
      rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != tolerated) {
        status = absl::InternalError(absl::StrCat("kafka admin: topic ",
                                                  rd_kafka_topic_result_name(results[i]), ": ",
                                                  rd_kafka_topic_result_error_string(results[i])));
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(opts);
  return status;
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
  absl::Status status = RunTopicRequest(
      rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, "CreateTopics", timeout,
      RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS,
      [&](rd_kafka_AdminOptions_t* opts, rd_kafka_queue_t* queue) {
        rd_kafka_CreateTopics(rk, new_topics.data(), new_topics.size(), opts, queue);
      },
      [](rd_kafka_event_t* event, size_t* n) {
        return rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), n);
      });
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

absl::Status DeleteTopics(const ClientOptions& client, const std::vector<std::string>& names,
                          absl::Duration timeout) {
  if (names.empty()) return absl::OkStatus();
  auto handle = AdminHandle(client);
  if (!handle.ok()) return handle.status();
  rd_kafka_t* rk = (*handle)->c_ptr();
  std::vector<rd_kafka_DeleteTopic_t*> doomed;
  for (const std::string& name : names) doomed.push_back(rd_kafka_DeleteTopic_new(name.c_str()));
  absl::Status status = RunTopicRequest(
      rk, RD_KAFKA_ADMIN_OP_DELETETOPICS, "DeleteTopics", timeout,
      RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
      [&](rd_kafka_AdminOptions_t* opts, rd_kafka_queue_t* queue) {
        rd_kafka_DeleteTopics(rk, doomed.data(), doomed.size(), opts, queue);
      },
      [](rd_kafka_event_t* event, size_t* n) {
        return rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), n);
      });
  rd_kafka_DeleteTopic_destroy_array(doomed.data(), doomed.size());
  return status;
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
