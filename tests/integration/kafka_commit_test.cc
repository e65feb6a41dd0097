// Kafka round trip on the real broker: publish and consume in key order, and commit-after-effect:
// a consumer killed (SIGKILL) after applying an event but before committing gets the event again
// in its successor, and applying it twice changes nothing.
#include <algorithm>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/kafka/rdkafka_consumer.h"
#include "common/kafka/rdkafka_producer.h"
#include "common/kafka/topic_admin.h"
#include "common/redis/hiredis_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace resilience {
namespace {

using ::resilience::testing::IsOk;
using ::resilience::testing::WaitFor;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class KafkaCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = ::resilience::testing::UniqueNamespace("kafka");
    client_.bootstrap_servers = ::resilience::testing::KafkaBootstrap();
    topic_ = ns_ + "events";
    ASSERT_THAT(kafka::CreateTopics(client_, {{topic_, 1, 1}}), IsOk());
    kafka::ProducerOptions options;
    options.client = client_;
    auto producer = kafka::NewRdKafkaProducer(options);
    ASSERT_THAT(producer, IsOk());
    producer_ = *std::move(producer);
  }

  std::string ns_;
  std::string topic_;
  kafka::ClientOptions client_;
  std::unique_ptr<kafka::Producer> producer_;
};

TEST_F(KafkaCommitTest, RoundTripKeepsOrderPerKeyAndCarriesHeaders) {
  std::vector<kafka::OutgoingRecord> records;
  for (int i = 0; i < 50; ++i) {
    records.push_back({topic_, "team/stp-" + std::to_string(i % 3), std::to_string(i),
                       {{"event_id", "e" + std::to_string(i)}}});
  }
  for (const auto& s : producer_->SendAll(records)) ASSERT_THAT(s, IsOk());

  kafka::ConsumerOptions options;
  options.client = client_;
  options.group_id = ns_ + "g";
  options.topics = {topic_};
  auto consumer = kafka::NewRdKafkaConsumer(options);
  ASSERT_THAT(consumer, IsOk());
  std::vector<kafka::ConsumedRecord> got;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = (*consumer)->Poll(absl::Milliseconds(200));
        if (r.ok() && r->has_value()) got.push_back(**r);
        return got.size() == records.size();
      },
      absl::Seconds(60), absl::ZeroDuration()));
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].value, std::to_string(i));  // one partition: total order
    ASSERT_EQ(got[i].headers.size(), 1u);
    EXPECT_EQ(got[i].headers[0].second, "e" + std::to_string(i));
  }
  EXPECT_THAT((*consumer)->Commit(got.back()), IsOk());
}

// The load generator's cleanup: a finished run's topics go, and deleting again (or a topic that
// never existed) is not an error.
TEST_F(KafkaCommitTest, DeletedTopicsLeaveTheClusterAndDeletingTwiceIsHarmless) {
  const std::string other = ns_ + "other";
  ASSERT_THAT(kafka::CreateTopics(client_, {{other, 2, 1}}), IsOk());
  auto present = [&](const std::string& name) {
    auto names = kafka::ListTopics(client_);
    return names.ok() && std::find(names->begin(), names->end(), name) != names->end();
  };
  ASSERT_TRUE(present(topic_));
  ASSERT_TRUE(present(other));
  EXPECT_THAT(kafka::DeleteTopics(client_, {other}), IsOk());
  // Deletion reaches the metadata asynchronously.
  EXPECT_TRUE(WaitFor([&] { return !present(other); }, absl::Seconds(60)));
  EXPECT_TRUE(present(topic_));
  EXPECT_THAT(kafka::DeleteTopics(client_, {other, ns_ + "never-created"}), IsOk());
}

TEST_F(KafkaCommitTest, ProducingToAMissingTopicIsRefusedNotRetriedForever) {
  kafka::ProducerOptions options;
  options.client = client_;
  options.delivery_timeout = absl::Seconds(5);
  auto producer = kafka::NewRdKafkaProducer(options);
  ASSERT_THAT(producer, IsOk());
  absl::Status s = (*producer)->Send({ns_ + "no-such-topic", "k", "v", {}});
  EXPECT_FALSE(s.ok());
}

TEST_F(KafkaCommitTest, ConsumerKilledBeforeCommitIsRedeliveredAndEffectAppliesOnce) {
  ASSERT_THAT(producer_->Send({topic_, "event-1", "payload", {}}), IsOk());
  const std::string probe = ::resilience::testing::BinaryDir() + "/tests/consume_probe";
  const std::vector<std::string> args = {
      probe, "--bootstrap=" + client_.bootstrap_servers, "--topic=" + topic_,
      "--group=" + ns_ + "group", "--redis_port=" + std::to_string(::resilience::testing::RedisPort()),
      "--ns=" + ns_};

  // First consumer: applies the effect, then is killed before committing.
  const std::string log1 = ::testing::TempDir() + "/" + ns_ + "probe1.log";
  auto first = ::resilience::testing::ChildProcess::Start(args, log1);
  ASSERT_THAT(first, IsOk());
  ASSERT_TRUE(WaitFor([&] { return absl::StrContains(ReadFile(log1), "applied 0 count 1"); },
                      absl::Seconds(60)))
      << ReadFile(log1);
  first->Kill();

  // Its successor in the group gets the same record again (nothing was committed) and the
  // effect, keyed by event, does not count it twice.
  const std::string log2 = ::testing::TempDir() + "/" + ns_ + "probe2.log";
  std::vector<std::string> args2 = args;
  args2.push_back("--commit");
  auto second = ::resilience::testing::ChildProcess::Start(args2, log2);
  ASSERT_THAT(second, IsOk());
  ASSERT_TRUE(WaitFor([&] { return !second->Running(); }, absl::Seconds(90))) << ReadFile(log2);
  EXPECT_THAT(ReadFile(log2), ::testing::HasSubstr("applied 0 count 1"));
  EXPECT_THAT(ReadFile(log2), ::testing::HasSubstr("committed OK"));

  redis::ClientOptions redis_options;
  redis_options.port = ::resilience::testing::RedisPort();
  auto redis = redis::NewHiredisClient(redis_options);
  auto count = redis->Run({"GET", ns_ + "effect"});
  ASSERT_THAT(count, IsOk());
  EXPECT_EQ(count->str, "1");

  // After the commit, the group resumes after the record: the next one read is the next one.
  ASSERT_THAT(producer_->Send({topic_, "event-2", "payload", {}}), IsOk());
  kafka::ConsumerOptions options;
  options.client = client_;
  options.group_id = ns_ + "group";
  options.topics = {topic_};
  auto consumer = kafka::NewRdKafkaConsumer(options);
  ASSERT_THAT(consumer, IsOk());
  std::optional<kafka::ConsumedRecord> next;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = (*consumer)->Poll(absl::Milliseconds(200));
        if (r.ok() && r->has_value()) next = **r;
        return next.has_value();
      },
      absl::Seconds(60), absl::ZeroDuration()));
  EXPECT_EQ(next->offset, 1);
  EXPECT_EQ(next->key, "event-2");
}

}  // namespace
}  // namespace resilience
