#include "tests/testing/kafka_lag.h"

#include <librdkafka/rdkafkacpp.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace resilience::testing {

absl::StatusOr<int64_t> GroupLag(const std::string& bootstrap, const std::string& group,
                                 const std::vector<std::string>& topics) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  // The group's id, to read its committed offsets; this consumer never subscribes, so it does
  // not join the group or disturb its members.
  conf->set("group.id", group, err);
  conf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) return absl::InternalError(absl::StrCat("kafka lag: ", err));
  int64_t lag = 0;
  for (const std::string& topic : topics) {
    std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), topic, nullptr, err));
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

}  // namespace resilience::testing
