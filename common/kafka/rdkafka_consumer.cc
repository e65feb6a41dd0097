#include "common/kafka/rdkafka_consumer.h"

#include <algorithm>

#include <librdkafka/rdkafkacpp.h>

#include "absl/strings/str_cat.h"
#include "common/kafka/rdkafka_common.h"
#include "common/log/log.h"

namespace resilience::kafka {
namespace {

// Eager rebalancing: on revoke, drop the assignment; records not yet committed are redelivered
// to the partition's next owner, which is safe because effects are idempotent by event id.
class AssignmentTracker final : public RdKafka::RebalanceCb {
 public:
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    static auto log = Logger("kafka");
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      log->info("consumer assigned {} partition(s)", partitions.size());
      consumer->assign(partitions);
    } else {
      log->info("consumer revoked {} partition(s)", partitions.size());
      consumer->unassign();
    }
  }
};

class RdKafkaConsumer final : public Consumer {
 public:
  RdKafkaConsumer(std::unique_ptr<AssignmentTracker> tracker,
                  std::unique_ptr<RdKafka::KafkaConsumer> consumer, bool background_commit)
      : tracker_(std::move(tracker)),
        consumer_(std::move(consumer)),
        background_commit_(background_commit) {}

  ~RdKafkaConsumer() override { Close(); }

  absl::StatusOr<std::optional<ConsumedRecord>> Poll(absl::Duration timeout) override {
    std::unique_ptr<RdKafka::Message> msg(
        consumer_->consume(static_cast<int>(absl::ToInt64Milliseconds(timeout))));
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR:
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        return std::nullopt;
      default:
        return internal::ToStatus(msg->err(), "kafka consume");
    }
    ConsumedRecord r;
    r.topic = msg->topic_name();
    r.partition = msg->partition();
    r.offset = msg->offset();
    if (msg->key() != nullptr) r.key = *msg->key();
    if (msg->payload() != nullptr) {
      r.value.assign(static_cast<const char*>(msg->payload()), msg->len());
    }
    RdKafka::MessageTimestamp ts = msg->timestamp();
    if (ts.type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE) {
      r.timestamp = absl::FromUnixMillis(ts.timestamp);
    }
    if (RdKafka::Headers* headers = msg->headers()) {
      for (const RdKafka::Headers::Header& h : headers->get_all()) {
        r.headers.emplace_back(h.key(), std::string(static_cast<const char*>(h.value()),
                                                    h.value_size()));
      }
    }
    return r;
  }

  absl::Status Commit(const ConsumedRecord& record) override {
    std::vector<RdKafka::TopicPartition*> offsets = {
        RdKafka::TopicPartition::create(record.topic, record.partition, record.offset + 1)};
    RdKafka::ErrorCode err = background_commit_ ? consumer_->offsets_store(offsets)
                                                : consumer_->commitSync(offsets);
    if (err == RdKafka::ERR_NO_ERROR) err = offsets[0]->err();
    RdKafka::TopicPartition::destroy(offsets);
    return internal::ToStatus(err, absl::StrCat("kafka commit ", record.topic, "[",
                                                record.partition, "]@", record.offset));
  }

  absl::Status CommitStored() override {
    if (!background_commit_) return absl::OkStatus();
    // With no offsets given, librdkafka commits the stored offsets of the assignment.
    RdKafka::ErrorCode err = consumer_->commitSync();
    if (err == RdKafka::ERR__NO_OFFSET) return absl::OkStatus();  // nothing stored since
    return internal::ToStatus(err, "kafka commit of stored offsets");
  }

  absl::Status Rewind(const ConsumedRecord& record) override {
    std::unique_ptr<RdKafka::TopicPartition> tp(
        RdKafka::TopicPartition::create(record.topic, record.partition, record.offset));
    return internal::ToStatus(consumer_->seek(*tp, 5000),
                              absl::StrCat("kafka seek ", record.topic, "[", record.partition,
                                           "]@", record.offset));
  }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    consumer_->close();
  }

 private:
  std::unique_ptr<AssignmentTracker> tracker_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  const bool background_commit_;
  bool closed_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Consumer>> NewRdKafkaConsumer(const ConsumerOptions& options) {
  if (options.group_id.empty()) return absl::InvalidArgumentError("kafka: group_id is required");
  if (options.topics.empty()) return absl::InvalidArgumentError("kafka: no topics to consume");
  auto conf = internal::BuildConf(
      options.client,
      {{"group.id", options.group_id},
       // Only offsets stored by Commit are ever committed, by Commit itself or in the background.
       {"enable.auto.commit", options.commit_interval > absl::ZeroDuration() ? "true" : "false"},
       {"auto.commit.interval.ms",
        std::to_string(std::max<int64_t>(1, absl::ToInt64Milliseconds(options.commit_interval)))},
       {"enable.auto.offset.store", "false"},
       {"auto.offset.reset", options.offset_reset},
       {"enable.partition.eof", "false"},
       // librdkafka holds a partition's next fetch back by this after an empty one (500 ms by
       // default), so a record arriving on a quiet partition could wait for it.
       {"fetch.error.backoff.ms", "10"},
       {"session.timeout.ms",
        std::to_string(absl::ToInt64Milliseconds(options.session_timeout))},
       {"heartbeat.interval.ms",
        std::to_string(absl::ToInt64Milliseconds(options.session_timeout) / 4)}});
  if (!conf.ok()) return conf.status();
  auto tracker = std::make_unique<AssignmentTracker>();
  std::string err;
  if ((*conf)->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(tracker.get()), err) !=
      RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("kafka rebalance_cb: ", err));
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!consumer) return absl::InvalidArgumentError(absl::StrCat("kafka consumer: ", err));
  RdKafka::ErrorCode sub = consumer->subscribe(options.topics);
  if (sub != RdKafka::ERR_NO_ERROR) return internal::ToStatus(sub, "kafka subscribe");
  return std::unique_ptr<Consumer>(new RdKafkaConsumer(std::move(tracker), std::move(consumer),
                                                     options.commit_interval > absl::ZeroDuration()));
}

}  // namespace resilience::kafka
