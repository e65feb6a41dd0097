#include "tests/testing/kafka_lag.h"

#include <librdkafka/rdkafkacpp.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace resilience::testing {

namespace {

// A consumer with the group's id, to read or commit its offsets; it never subscribes, so it does
// not join the group or disturb its members.
absl::StatusOr<std::unique_ptr<RdKafka::KafkaConsumer>> GroupClient(const std::string& bootstrap,
                                                                    const std::string& group) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("group.id", group, err);
  conf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) return absl::InternalError(absl::StrCat("kafka group client: ", err));
  return consumer;
}

}  // namespace

absl::StatusOr<int64_t> GroupLag(const std::string& bootstrap, const std::string& group,
                                 const std::vector<std::string>& topics) {
  auto client = GroupClient(bootstrap, group);
  if (!client.ok()) return client.status();
  RdKafka::KafkaConsumer* consumer = client->get();
  std::string err;
  int64_t lag = 0;
  for (const std::string& topic : topics) {
    std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer, topic, nullptr, err));
    RdKafka::Metadata* raw = nullptr;
    if (consumer->metadata(false, handle.get(), &raw, 5000) != RdKafka::ERR_NO_ERROR) {
      return absl::UnavailableError("kafka lag: no metadata for " + topic);
    }
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (metadata->topics()->empty()) return absl::NotFoundError("no topic " + topic);
    std::vector<RdKafka::TopicPartition*> partitions;
    for (const auto* p : *metadata->topics()->at(0)->partitions()) {
      partitions.push_back(RdKafka::TopicPartition::create(topic, p->id()));
    }
    const RdKafka::ErrorCode code = consumer->committed(partitions, 5000);
    if (code != RdKafka::ERR_NO_ERROR) {
      RdKafka::TopicPartition::destroy(partitions);
      return absl::UnavailableError(absl::StrCat("kafka lag: committed: ", RdKafka::err2str(code)));
    }
    for (RdKafka::TopicPartition* tp : partitions) {
      int64_t low = 0, high = 0;
      if (consumer->query_watermark_offsets(topic, tp->partition(), &low, &high, 5000) !=
          RdKafka::ERR_NO_ERROR) {
        RdKafka::TopicPartition::destroy(partitions);
        return absl::UnavailableError("kafka lag: no watermarks for " + topic);
      }
      const int64_t committed = tp->offset() >= 0 ? tp->offset() : low;
      lag += high - committed;
    }
    RdKafka::TopicPartition::destroy(partitions);
  }
  consumer->close();
  return lag;
}

absl::Status RewindGroup(const std::string& bootstrap, const std::string& group,
                         const std::vector<std::string>& topics) {
  auto client = GroupClient(bootstrap, group);
  if (!client.ok()) return client.status();
  RdKafka::KafkaConsumer* consumer = client->get();
  std::string err;
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const std::string& topic : topics) {
    std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer, topic, nullptr, err));
    RdKafka::Metadata* raw = nullptr;
    if (consumer->metadata(false, handle.get(), &raw, 5000) != RdKafka::ERR_NO_ERROR) {
      RdKafka::TopicPartition::destroy(partitions);
      return absl::UnavailableError("kafka rewind: no metadata for " + topic);
    }
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    for (const auto* p : *metadata->topics()->at(0)->partitions()) {
      int64_t low = 0, high = 0;
      if (consumer->query_watermark_offsets(topic, p->id(), &low, &high, 5000) !=
          RdKafka::ERR_NO_ERROR) {
        RdKafka::TopicPartition::destroy(partitions);
        return absl::UnavailableError("kafka rewind: no watermarks for " + topic);
      }
      partitions.push_back(RdKafka::TopicPartition::create(topic, p->id(), low));
    }
  }
  // Accepted only from outside the group while it has no members.
  const RdKafka::ErrorCode code = consumer->commitSync(partitions);
  RdKafka::TopicPartition::destroy(partitions);
  consumer->close();
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::FailedPreconditionError(absl::StrCat("kafka rewind: ", RdKafka::err2str(code)));
  }
  return absl::OkStatus();
}

}  // namespace resilience::testing
