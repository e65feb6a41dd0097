// Shared fixture of the capacity service's integration tests: a real capacity-service binary on
// port 0 against the real test broker, with a unique topic prefix, a config derived from the Kent
// and Medway one, clients that authenticate with the reference data's development tokens, and a
// reader of what the service published. Header-only, test-only.
#ifndef RESILIENCE_TESTS_INTEGRATION_CAPACITY_FIXTURE_H_
#define RESILIENCE_TESTS_INTEGRATION_CAPACITY_FIXTURE_H_

#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "capacity/v1/capacity.grpc.pb.h"
#include "capacity/v1/config.pb.h"
#include "common/clock/proto_time.h"
#include "common/config/text_proto.h"
#include "common/grpc/status_conversion.h"
#include "common/kafka/rdkafka_consumer.h"
#include "events/v1/events.pb.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace resilience::testing {

namespace cap = capacity::v1;
using Ack = common::v1::UpdateAck;

// Reads every DomainEvent published on one topic, in the background. Records are kept by
// partition and offset, so a record read twice (the reader's group restarting from the beginning
// after a broker restart) counts once.
class TopicEvents {
 public:
  explicit TopicEvents(const std::string& topic) {
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
        events_[{(*r)->partition, (*r)->offset}] = std::move(e);
      }
    });
  }
  ~TopicEvents() {
    stop_ = true;
    thread_.join();
  }
  std::vector<events::v1::DomainEvent> All() {
    absl::MutexLock lock(&mu_);
    std::vector<events::v1::DomainEvent> out;
    for (const auto& [position, e] : events_) out.push_back(e);
    return out;
  }
  // Events whose envelope names `update_id` (any provider).
  std::vector<events::v1::DomainEvent> Of(const std::string& update_id) {
    std::vector<events::v1::DomainEvent> out;
    for (auto& e : All()) {
      if (e.envelope().provenance().update_id() == update_id) out.push_back(e);
    }
    return out;
  }
  bool WaitForCount(size_t n, absl::Duration deadline = absl::Seconds(60)) {
    return WaitFor([&] { return All().size() >= n; }, deadline);
  }

 private:
  std::unique_ptr<kafka::Consumer> consumer_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  absl::Mutex mu_;
  std::map<std::pair<int32_t, int64_t>, events::v1::DomainEvent> events_;
};

// The Kent and Medway capacity config with `edit` applied, written to a file for the service.
inline std::string WriteCapacityConfig(const std::string& ns,
                                       const std::function<void(cap::CapacityConfig*)>& edit) {
  auto config = LoadTextProto<cap::CapacityConfig>(
      SourceDir() + "/deploy/config/kent-medway/capacity.textproto");
  EXPECT_THAT(config, IsOk());
  config->set_reference_path(SourceDir() + "/deploy/config/kent-medway/reference.textproto");
  if (edit) edit(&*config);
  std::string text;
  google::protobuf::TextFormat::PrintToString(*config, &text);
  const std::string path = ::testing::TempDir() + "/" + ns + "capacity.textproto";
  std::ofstream(path) << text;
  return path;
}

class CapacityServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = UniqueNamespace("cap");
    ASSERT_THAT(CreateProjectTopics(ns_), IsOk());
  }
  void TearDown() override {
    if (HasFailure() && service_) std::cerr << service_->process.LogTail(60);
    if (!config_path_.empty()) std::remove(config_path_.c_str());
  }

  // Starts (or restarts) the service; `extra` adds flags such as --clock_start.
  void Start(const std::function<void(cap::CapacityConfig*)>& edit = nullptr,
             std::vector<std::string> extra = {}) {
    if (config_path_.empty() || edit) config_path_ = WriteCapacityConfig(ns_, edit);
    std::vector<std::string> args = {"--config=" + config_path_, "--grpc_address=127.0.0.1:0",
                                     "--metrics_address=127.0.0.1:0",
                                     "--kafka_bootstrap=" + KafkaBootstrap(),
                                     "--topic_prefix=" + ns_};
    args.insert(args.end(), extra.begin(), extra.end());
    auto service = StartService("capacity-service", args, absl::Seconds(60));
    ASSERT_THAT(service, IsOk());
    service_ = std::make_unique<RunningService>(*std::move(service));
    channel_ = grpc::CreateChannel(service_->address(), grpc::InsecureChannelCredentials());
    stub_ = cap::CapacityService::NewStub(channel_);
  }

  static void AsProvider(grpc::ClientContext* context, const std::string& provider) {
    context->AddMetadata("authorization", "Bearer dev-token-" + provider);
  }

  // SubmitUpdate as `provider`; the status carries field violations from the trailer.
  absl::StatusOr<Ack> Submit(const cap::CapacityUpdate& u, const std::string& provider) {
    grpc::ClientContext context;
    AsProvider(&context, provider);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    Ack ack;
    grpc::Status s = stub_->SubmitUpdate(&context, u, &ack);
    if (!s.ok()) return FromGrpcStatus(s, &context);
    return ack;
  }

  // Streams `updates` as `provider` and returns the acks (one per update, in order) and the
  // stream's final status.
  std::pair<std::vector<Ack>, grpc::Status> Stream(const std::vector<cap::CapacityUpdate>& updates,
                                                   const std::string& provider) {
    grpc::ClientContext context;
    AsProvider(&context, provider);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    auto stream = stub_->StreamUpdates(&context);
    std::vector<Ack> acks;
    std::thread reader([&] {
      Ack ack;
      while (stream->Read(&ack)) acks.push_back(ack);
    });
    for (const auto& u : updates) {
      if (!stream->Write(u)) break;
    }
    stream->WritesDone();
    reader.join();
    return {acks, stream->Finish()};
  }

  static cap::CapacityUpdate Update(const std::string& id, absl::Time occurred) {
    cap::CapacityUpdate u;
    u.set_update_id(id);
    *u.mutable_occurred_at() = ToProtoTime(occurred);
    return u;
  }
  static cap::CapacityUpdate Keah(const std::string& id, const std::string& patch,
                                  cap::KeahCapacityLevel level, absl::Time occurred = absl::Now()) {
    cap::CapacityUpdate u = Update(id, occurred);
    u.mutable_keah_daily_capacity()->set_patch_id(patch);
    u.mutable_keah_daily_capacity()->set_level(level);
    return u;
  }
  static cap::CapacityUpdate CaseLoad(const std::string& id, const std::string& area, int cases,
                                      absl::Time occurred = absl::Now()) {
    cap::CapacityUpdate u = Update(id, occurred);
    u.mutable_kcc_area_figures()->set_area_id(area);
    u.mutable_kcc_area_figures()->set_case_load(cases);
    return u;
  }

  std::string ns_;
  std::string config_path_;
  std::unique_ptr<RunningService> service_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<cap::CapacityService::Stub> stub_;
};

}  // namespace resilience::testing

#endif  // RESILIENCE_TESTS_INTEGRATION_CAPACITY_FIXTURE_H_
