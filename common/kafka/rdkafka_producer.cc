#include "common/kafka/rdkafka_producer.h"

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/kafka/rdkafka_common.h"

namespace resilience::kafka {
namespace {

// One in-flight record; the delivery report fills `status` and notifies, or, for SendAsync,
// calls `callback` and deletes the Delivery.
struct Delivery {
  absl::Status status;
  absl::Notification done;
  std::function<void(absl::Status)> callback;
};

class DeliveryReporter final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    auto* delivery = static_cast<Delivery*>(message.msg_opaque());
    if (delivery == nullptr) return;
    absl::Status status = internal::ToStatus(
        message.err(), absl::StrCat("kafka delivery to ", message.topic_name()));
    if (delivery->callback) {
      delivery->callback(std::move(status));
      delete delivery;
      return;
    }
    delivery->status = std::move(status);
    delivery->done.Notify();
  }
};

class RdKafkaProducer final : public Producer {
 public:
  RdKafkaProducer(std::unique_ptr<DeliveryReporter> reporter,
                  std::unique_ptr<RdKafka::Producer> producer, absl::Duration delivery_timeout)
      : reporter_(std::move(reporter)),
        producer_(std::move(producer)),
        delivery_timeout_(delivery_timeout),
        poller_([this] {
          while (!stop_.load()) producer_->poll(50);
        }) {}

  ~RdKafkaProducer() override {
    producer_->flush(static_cast<int>(absl::ToInt64Milliseconds(delivery_timeout_)));
    stop_ = true;
    poller_.join();
  }

  absl::Status Send(const OutgoingRecord& record) override {
    return SendAll({record}).front();
  }

  void SendAsync(const OutgoingRecord& record,
                 std::function<void(absl::Status)> done) override {
    auto* delivery = new Delivery();
    delivery->callback = std::move(done);
    absl::Status s = Enqueue(record, delivery);
    if (!s.ok()) {
      auto callback = std::move(delivery->callback);
      delete delivery;
      callback(std::move(s));
    }
  }

  void Prepare(const std::vector<std::string>& topics, absl::Duration timeout) override {
    const absl::Time deadline = absl::Now() + timeout;
    for (const std::string& name : topics) {
      std::string error;
      std::unique_ptr<RdKafka::Topic> topic(
          RdKafka::Topic::create(producer_.get(), name, nullptr, error));
      if (topic == nullptr) continue;
      const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
      if (left <= 0) break;
      RdKafka::Metadata* metadata = nullptr;
      if (producer_->metadata(false, topic.get(), &metadata, static_cast<int>(left)) ==
          RdKafka::ERR_NO_ERROR) {
        delete metadata;
      }
    }
  }

  std::vector<absl::Status> SendAll(const std::vector<OutgoingRecord>& records) override {
    std::vector<Delivery> deliveries(records.size());
    std::vector<bool> enqueued(records.size(), false);
    for (size_t i = 0; i < records.size(); ++i) {
      absl::Status s = Enqueue(records[i], &deliveries[i]);
      if (s.ok()) {
        enqueued[i] = true;
      } else {
        deliveries[i].status = s;
      }
    }
    std::vector<absl::Status> out;
    out.reserve(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      if (enqueued[i]) {
        // librdkafka always reports, at the latest when message.timeout.ms passes; the extra
        // margin only guards against a stuck poller.
        if (!deliveries[i].done.WaitForNotificationWithTimeout(delivery_timeout_ +
                                                               absl::Seconds(10))) {
          // The report may still arrive and touch `deliveries`; flush before returning so it
          // cannot outlive this frame.
          producer_->flush(-1);
        }
      }
      out.push_back(deliveries[i].status);
    }
    return out;
  }

 private:
  absl::Status Enqueue(const OutgoingRecord& record, Delivery* delivery) {
    const absl::Time deadline = absl::Now() + delivery_timeout_;
    while (true) {
      RdKafka::Headers* headers = nullptr;
      if (!record.headers.empty()) {
        headers = RdKafka::Headers::create();
        for (const auto& [k, v] : record.headers) headers->add(k, v.data(), v.size());
      }
      RdKafka::ErrorCode err = producer_->produce(
          record.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
          const_cast<char*>(record.value.data()), record.value.size(), record.key.data(),
          record.key.size(), 0, headers, delivery);
      if (err == RdKafka::ERR_NO_ERROR) return absl::OkStatus();
      delete headers;  // not taken over by librdkafka on failure
      if (err != RdKafka::ERR__QUEUE_FULL || absl::Now() > deadline) {
        return internal::ToStatus(err, absl::StrCat("kafka produce to ", record.topic));
      }
      producer_->poll(10);  // the local queue is full: let deliveries drain
    }
  }

  std::unique_ptr<DeliveryReporter> reporter_;
  std::unique_ptr<RdKafka::Producer> producer_;
  absl::Duration delivery_timeout_;
  std::atomic<bool> stop_{false};
  std::thread poller_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Producer>> NewRdKafkaProducer(const ProducerOptions& options) {
  auto conf = internal::BuildConf(
      options.client,
      {{"enable.idempotence", "true"},
       {"acks", "all"},
       {"message.timeout.ms", std::to_string(absl::ToInt64Milliseconds(options.delivery_timeout))},
       {"linger.ms", std::to_string(absl::ToInt64Milliseconds(options.linger))}});
  if (!conf.ok()) return conf.status();
  auto reporter = std::make_unique<DeliveryReporter>();
  std::string err;
  if ((*conf)->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(reporter.get()), err) !=
      RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("kafka dr_cb: ", err));
  }
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf->get(), err));
  if (!producer) return absl::InvalidArgumentError(absl::StrCat("kafka producer: ", err));
  return std::unique_ptr<Producer>(new RdKafkaProducer(
      std::move(reporter), std::move(producer), options.delivery_timeout));
}

}  // namespace resilience::kafka
