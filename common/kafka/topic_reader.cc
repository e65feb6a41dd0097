#include "common/kafka/topic_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/ids/uuid.h"
#include "common/kafka/rdkafka_common.h"

namespace resilience::kafka {

namespace {

// Reads every partition to its high watermark at the start.
absl::Status ReadTopic(const ClientOptions& client, const std::string& topic,
                       const std::function<absl::Status(const ConsumedRecord&)>& on_record,
                       absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  // A throwaway group id: KafkaConsumer needs one, but nothing is committed or joined.
  auto conf = internal::BuildConf(client, {{"group.id", "reader-" + NewRandomUuid()},
                                           {"enable.auto.commit", "false"},
                                           {"enable.partition.eof", "false"}});
  if (!conf.ok()) return conf.status();
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!consumer) return absl::InvalidArgumentError(absl::StrCat("kafka reader: ", err));

  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), topic, nullptr, err));
  RdKafka::Metadata* raw = nullptr;
  RdKafka::ErrorCode code = consumer->metadata(false, handle.get(), &raw, timeout_ms);
  if (code != RdKafka::ERR_NO_ERROR) return internal::ToStatus(code, "kafka metadata " + topic);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (metadata->topics()->empty() || metadata->topics()->at(0)->err() != RdKafka::ERR_NO_ERROR) {
    return absl::NotFoundError(absl::StrCat("kafka topic ", topic, " does not exist"));
  }
  std::map<int32_t, int64_t> end;  // partition -> high watermark when we started
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const RdKafka::PartitionMetadata* p : *metadata->topics()->at(0)->partitions()) {
    int64_t low = 0, high = 0;
    // A topic created a moment ago may not have its leader yet: retry transient errors.
    absl::Duration backoff = absl::Milliseconds(50);
    while (true) {
      code = consumer->query_watermark_offsets(topic, p->id(), &low, &high, timeout_ms);
      if (code == RdKafka::ERR_NO_ERROR ||
          !absl::IsUnavailable(internal::ToStatus(code, "")) || absl::Now() + backoff > deadline) {
        break;
      }
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(1));
    }
    if (code != RdKafka::ERR_NO_ERROR) {
      RdKafka::TopicPartition::destroy(assignment);
      return internal::ToStatus(code, "kafka watermarks " + topic);
    }
    if (high > low) {
      end[p->id()] = high;
      assignment.push_back(
          RdKafka::TopicPartition::create(topic, p->id(), RdKafka::Topic::OFFSET_BEGINNING));
    }
  }
  if (assignment.empty()) {
    consumer->close();
    return absl::OkStatus();
  }
  consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  absl::Status status = absl::OkStatus();
  while (!end.empty() && status.ok()) {
    if (absl::Now() > deadline) {
      status = absl::UnavailableError(absl::StrCat("kafka reader: ", topic, " not read to its end in time"));
      break;
    }
    std::unique_ptr<RdKafka::Message> msg(consumer->consume(200));
    if (msg->err() == RdKafka::ERR__TIMED_OUT) continue;
    if (msg->err() != RdKafka::ERR_NO_ERROR) {
      status = internal::ToStatus(msg->err(), "kafka reader " + topic);
      if (absl::IsUnavailable(status)) status = absl::OkStatus();  // transient: keep reading
      continue;
    }
    ConsumedRecord r;
    r.topic = msg->topic_name();
    r.partition = msg->partition();
    r.offset = msg->offset();
    if (msg->key() != nullptr) r.key = *msg->key();
    if (msg->payload() != nullptr) r.value.assign(static_cast<const char*>(msg->payload()), msg->len());
    status = on_record(r);
    auto it = end.find(r.partition);
    if (it != end.end() && r.offset + 1 >= it->second) end.erase(it);
  }
  consumer->close();
  return status;
}

}  // namespace

absl::Status ReadTopicToEnd(const ClientOptions& client, const std::string& topic,
                            const std::function<absl::Status(const ConsumedRecord&)>& on_record,
                            absl::Duration timeout) {
  return ReadTopic(client, topic, on_record, timeout);
}

absl::StatusOr<std::map<int32_t, int64_t>> CommittedOffsets(const ClientOptions& client,
                                                            const std::string& group,
                                                            const std::string& topic) {
  // The group's id, to read its committed offsets; this consumer never subscribes, so it does
  // not join the group or disturb its members.
  auto conf = internal::BuildConf(client, {{"group.id", group}, {"enable.auto.commit", "false"}});
  if (!conf.ok()) return conf.status();
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!consumer) return absl::InvalidArgumentError(absl::StrCat("kafka offsets: ", err));
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), topic, nullptr, err));
  RdKafka::Metadata* raw = nullptr;
  RdKafka::ErrorCode code = consumer->metadata(false, handle.get(), &raw, 10000);
  if (code != RdKafka::ERR_NO_ERROR) return internal::ToStatus(code, "kafka metadata " + topic);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (metadata->topics()->empty() || metadata->topics()->at(0)->err() != RdKafka::ERR_NO_ERROR) {
    return absl::NotFoundError(absl::StrCat("kafka topic ", topic, " does not exist"));
  }
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const RdKafka::PartitionMetadata* p : *metadata->topics()->at(0)->partitions()) {
    partitions.push_back(RdKafka::TopicPartition::create(topic, p->id()));
  }
  code = consumer->committed(partitions, 10000);
  std::map<int32_t, int64_t> out;
  absl::Status status = internal::ToStatus(code, "kafka committed offsets " + topic);
  for (RdKafka::TopicPartition* tp : partitions) {
    if (!status.ok()) break;
    // A partition's own error (its coordinator still loading the group's offsets, say) is not
    // "nothing committed": reading from the start would leave out what the group applied.
    if (tp->err() != RdKafka::ERR_NO_ERROR) {
      status = internal::ToStatus(tp->err(), absl::StrCat("kafka committed offset ", topic, "[",
                                                          tp->partition(), "]"));
      break;
    }
    int64_t offset = tp->offset();
    if (offset < 0) {
      int64_t low = 0, high = 0;
      code = consumer->query_watermark_offsets(topic, tp->partition(), &low, &high, 10000);
      if (code != RdKafka::ERR_NO_ERROR) status = internal::ToStatus(code, "kafka watermarks " + topic);
      offset = low;
    }
    out[tp->partition()] = offset;
  }
  RdKafka::TopicPartition::destroy(partitions);
  consumer->close();
  if (!status.ok()) return status;
  return out;
}

}  // namespace resilience::kafka
