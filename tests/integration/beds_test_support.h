// Shared by the beds integration tests: starts the real beds-service binary on the test
// instance's broker in a namespace of its own, talks to it as a provider or staff client, and
// collects what it publishes on the `beds` topic.
#ifndef RESILIENCE_TESTS_INTEGRATION_BEDS_TEST_SUPPORT_H_
#define RESILIENCE_TESTS_INTEGRATION_BEDS_TEST_SUPPORT_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "beds/v1/beds.grpc.pb.h"
#include "common/kafka/rdkafka_consumer.h"
#include "events/v1/events.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace resilience::testing {

// Every event published on one topic, collected by a background consumer.
class BedsTopicEvents {
 public:
  explicit BedsTopicEvents(const std::string& topic) {
    kafka::ConsumerOptions options;
    options.client.bootstrap_servers = KafkaBootstrap();
    options.group_id = topic + "-reader";
    options.topics = {topic};
    auto consumer = kafka::NewRdKafkaConsumer(options);
    EXPECT_THAT(consumer, IsOk());
    consumer_ = *std::move(consumer);
    thread_ = std::thread([this] {
      while (!stop_) {
        auto r = consumer_->Poll(absl::Milliseconds(100));
        if (!r.ok() || !r->has_value()) continue;
        events::v1::DomainEvent e;
        if (!e.ParseFromString((*r)->value)) continue;
        absl::MutexLock lock(&mu_);
        events_.push_back(std::move(e));
      }
    });
  }
  ~BedsTopicEvents() {
    stop_ = true;
    thread_.join();
  }
  std::vector<events::v1::DomainEvent> All() {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  // Values of one indicator for one scope id, in order.
  std::vector<double> Values(const std::string& scope_id, const std::string& indicator) {
    std::vector<double> out;
    for (const auto& e : All()) {
      if (e.has_observation() && e.envelope().scope().id() == scope_id &&
          e.observation().indicator() == indicator) {
        out.push_back(e.observation().number());
      }
    }
    return out;
  }
  // Waits until the latest value of the indicator for the scope is `value`.
  bool WaitForLatest(const std::string& scope_id, const std::string& indicator, double value,
                     absl::Duration deadline = absl::Seconds(60)) {
    return WaitFor([&] {
      auto v = Values(scope_id, indicator);
      return !v.empty() && std::abs(v.back() - value) < 1e-9;
    }, deadline);
  }
  // Milestone events, as "<placement id>/<milestone name>".
  std::vector<std::string> Milestones() {
    std::vector<std::string> out;
    for (const auto& e : All()) {
      if (!e.has_placement_milestone()) continue;
      out.push_back(e.placement_milestone().placement_id() + "/" +
                    events::v1::PlacementMilestone::Milestone_Name(
                        e.placement_milestone().milestone()));
    }
    return out;
  }

 private:
  std::unique_ptr<kafka::Consumer> consumer_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<events::v1::DomainEvent> events_;
};

class BedsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = UniqueNamespace("beds");
    ASSERT_THAT(CreateProjectTopics(ns_), IsOk());
    config_ = SourceDir() + "/deploy/config/kent-medway/beds.textproto";
  }

  void TearDown() override {
    if (HasFailure() && service_) std::cerr << service_->process.LogTail(60);
  }

  // Starts (or restarts) the service, on a replayed clock from `clock_start` when given.
  void Start(std::optional<absl::Time> clock_start = std::nullopt) {
    std::vector<std::string> args = {
        "--config=" + config_,
        "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
        "--kafka_bootstrap=" + KafkaBootstrap(), "--topic_prefix=" + ns_};
    if (clock_start) {
      args.push_back("--clock_start=" +
                     absl::FormatTime(absl::RFC3339_full, *clock_start, absl::UTCTimeZone()));
    }
    auto service = StartService("beds-service", args);
    ASSERT_THAT(service, IsOk());
    service_ = std::make_unique<RunningService>(*std::move(service));
    stub_ = beds::v1::BedsService::NewStub(
        grpc::CreateChannel(service_->address(), grpc::InsecureChannelCredentials()));
  }

  // A unary call's status as absl::Status.
  static absl::Status ToStatus(const grpc::Status& s) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  }

  absl::StatusOr<common::v1::UpdateAck> Submit(const beds::v1::BedUpdate& u,
                                                const std::string& provider) {
    grpc::ClientContext context;
    context.AddMetadata("x-provider-id", provider);
    common::v1::UpdateAck ack;
    grpc::Status s = stub_->SubmitUpdate(&context, u, &ack);
    if (!s.ok()) return ToStatus(s);
    return ack;
  }

  // Sends updates on one stream, one acknowledgement each, in order.
  std::vector<common::v1::UpdateAck> Stream(const std::vector<beds::v1::BedUpdate>& updates,
                                            const std::string& provider) {
    grpc::ClientContext context;
    context.AddMetadata("x-provider-id", provider);
    auto stream = stub_->StreamUpdates(&context);
    std::vector<common::v1::UpdateAck> acks;
    for (const auto& u : updates) {
      if (!stream->Write(u)) break;
      common::v1::UpdateAck ack;
      if (!stream->Read(&ack)) break;
      acks.push_back(ack);
    }
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
    return acks;
  }

  absl::StatusOr<beds::v1::AvailabilityReport> Availability(
      const beds::v1::GetAvailabilityRequest& q) {
    grpc::ClientContext context;
    beds::v1::AvailabilityReport report;
    grpc::Status s = stub_->GetAvailability(&context, q, &report);
    if (!s.ok()) return ToStatus(s);
    return report;
  }

  // The counts of one location and bed type, as "total/occupied/held/closed/available".
  std::string Counts(const std::string& location_id, reference::v1::BedType type) {
    beds::v1::GetAvailabilityRequest q;
    q.add_location_ids(location_id);
    q.add_bed_types(type);
    auto report = Availability(q);
    if (!report.ok() || report->locations_size() != 1 || report->locations(0).beds_size() != 1) {
      return "missing";
    }
    const auto& b = report->locations(0).beds(0);
    return absl::StrCat(b.total(), "/", b.occupied(), "/", b.held(), "/", b.closed(), "/",
                        b.available());
  }

  std::string ns_;
  // The service's config file (the Kent and Medway default unless a test writes its own).
  std::string config_;
  std::unique_ptr<RunningService> service_;
  std::unique_ptr<beds::v1::BedsService::Stub> stub_;
};

}  // namespace resilience::testing

#endif  // RESILIENCE_TESTS_INTEGRATION_BEDS_TEST_SUPPORT_H_
