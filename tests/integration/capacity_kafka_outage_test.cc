// The capacity service's outbox discipline against the real broker, stopped and started again
// by the project's script: while Kafka is down updates are answered RETRY (streams) and
// UNAVAILABLE (unary), never ACCEPTED; once it is back the same updates, resent with the same ids,
// are taken (ACCEPTED, or DUPLICATE when the copy queued during the outage was written first)
// and each is on the topic exactly once; nothing accepted before is lost or doubled.
// Stops the test instance's broker: runs alone (INFRA, RESOURCE_LOCK infra_heavy).
#include <algorithm>
#include <cstdlib>
#include <set>

#include "gmock/gmock.h"
#include "tests/integration/capacity_fixture.h"

namespace resilience::testing {
namespace {

// Runs deploy/kafka/kafka.sh `command` for this ctest run's instance.
int KafkaScript(const std::string& command) {
  const char* instance = std::getenv("RESILIENCE_INSTANCE");
  const std::string cmd = "env RESILIENCE_INSTANCE=" + std::string(instance ? instance : "test") +
                          " bash " + SourceDir() + "/deploy/kafka/kafka.sh " + command;
  return std::system(cmd.c_str());
}

class CapacityKafkaOutageTest : public CapacityServiceTest {
 protected:
  void TearDown() override {
    // Whatever happened, leave the broker running for the tests after this one.
    if (broker_stopped_) KafkaScript("start");
    CapacityServiceTest::TearDown();
  }
  bool broker_stopped_ = false;
};

TEST_F(CapacityKafkaOutageTest, UnavailableWhileDownThenFlowsWithNothingLostOrDoubled) {
  ASSERT_NO_FATAL_FAILURE(Start([](cap::CapacityConfig* c) { c->set_kafka_delivery_timeout_ms(3000); }));
  TopicEvents events(ns_ + "capacity");
  const absl::Time t0 = absl::Now() - absl::Minutes(2);
  const std::vector<std::string> patches = {"keah-swale", "keah-thanet", "keah-ashford",
                                            "keah-maidstone"};
  // Before: accepted and published.
  ASSERT_THAT(Submit(Keah("before-1", "keah-sevenoaks", cap::KEAH_CAPACITY_LEVEL_LIMITED, t0),
                     "keah-rostering"),
              IsOk());
  ASSERT_TRUE(WaitFor([&] { return !events.Of("before-1").empty(); }, absl::Seconds(30)));

  ASSERT_EQ(KafkaScript("stop"), 0);
  broker_stopped_ = true;

  std::vector<cap::CapacityUpdate> during;
  for (int i = 0; i < 8; ++i) {
    during.push_back(Keah("during-" + std::to_string(i), patches[i % patches.size()],
                          cap::KEAH_CAPACITY_LEVEL_VERY_LIMITED, t0 + absl::Seconds(1 + i)));
  }
  auto [acks, status] = Stream(during, "keah-rostering");
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(acks.size(), during.size());
  for (const auto& a : acks) {
    EXPECT_EQ(a.outcome(), Ack::OUTCOME_RETRY) << a.update_id() << ": " << a.message();
    EXPECT_TRUE(a.event_id().empty());
  }
  cap::CapacityUpdate unary = CaseLoad("during-unary", "west-kent", 77, t0 + absl::Seconds(30));
  EXPECT_THAT(Submit(unary, "kcc-mosaic"), StatusIs(absl::StatusCode::kUnavailable));

  ASSERT_EQ(KafkaScript("start"), 0);
  broker_stopped_ = false;

  // The provider resends what was not taken, with the same ids, until it is.
  std::map<std::string, Ack> taken;
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<cap::CapacityUpdate> left;
        for (const auto& u : during) {
          if (!taken.contains(u.update_id())) left.push_back(u);
        }
        if (!left.empty()) {
          auto [again, s] = Stream(left, "keah-rostering");
          for (const auto& a : again) {
            // DUPLICATE: the copy sent while Kafka was down was written once it came back.
            if (a.outcome() == Ack::OUTCOME_ACCEPTED || a.outcome() == Ack::OUTCOME_DUPLICATE) {
              taken[a.update_id()] = a;
            }
          }
        }
        if (!taken.contains("during-unary")) {
          auto a = Submit(unary, "kcc-mosaic");
          if (a.ok() && (a->outcome() == Ack::OUTCOME_ACCEPTED ||
                         a->outcome() == Ack::OUTCOME_DUPLICATE)) {
            taken["during-unary"] = *a;
          }
        }
        return taken.size() == during.size() + 1;
      },
      absl::Seconds(120), absl::Milliseconds(500)));
  // A further resend is a duplicate, with the same event ids.
  EXPECT_FALSE(taken["during-unary"].event_id().empty());
  auto dup = Submit(unary, "kcc-mosaic");
  ASSERT_THAT(dup, IsOk());
  EXPECT_EQ(dup->outcome(), Ack::OUTCOME_DUPLICATE);
  EXPECT_EQ(dup->event_id(), taken["during-unary"].event_id());

  // Every update's events are on the topic exactly once, the earlier one included.
  std::set<std::string> expected;
  for (const auto& [id, a] : taken) expected.insert(a.event_ids().begin(), a.event_ids().end());
  ASSERT_TRUE(WaitFor(
      [&] {
        std::set<std::string> seen;
        for (const auto& e : events.All()) seen.insert(e.envelope().event_id());
        return std::includes(seen.begin(), seen.end(), expected.begin(), expected.end());
      },
      absl::Seconds(60)));
  std::map<std::string, int> times;
  for (const auto& e : events.All()) ++times[e.envelope().event_id()];
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << "event " << id << " published " << n << " times";
  EXPECT_EQ(events.Of("before-1").size(), 2u);  // the patch figure and the county count
  for (const auto& u : during) {
    EXPECT_GE(events.Of(u.update_id()).size(), 1u) << u.update_id();
  }
}

}  // namespace
}  // namespace resilience::testing
