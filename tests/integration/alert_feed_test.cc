// The alert feed after a rebuild of the live view. A rebuild (Redis lost) writes the alert
// stream back from the alerts topic, revisions the feed had already relayed among them; a
// subscriber connected through the wipe once received them all a second time, and again on
// reconnecting with a token from before the wipe. The feed now tells its listeners which
// entries are such repeats, so only their position moves on. Against the real Redis.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/redis/hiredis_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/escalation/alert_feed.h"
#include "services/escalation/live_state.h"
#include "tests/testing/infra.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait_for.h"

namespace resilience::testing {
namespace {

using ::testing::ElementsAre;

// Records what the feed hands it: "<alert id>#<revision>", with " repeat" for repeats.
class RecordingListener : public escalation::AlertFeedListener {
 public:
  void OnEntry(const escalation::StreamEntry& entry, bool repeat) override {
    absl::MutexLock lock(&mu_);
    seen_.push_back(absl::StrCat(entry.alert.alert_id(), "#", entry.alert.revision(),
                                 repeat ? " repeat" : ""));
  }
  void OnIdle(absl::Time) override {}
  void OnShutdown() override {}

  std::vector<std::string> Seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> seen_;
};

class AlertFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis::ClientOptions options;
    options.port = RedisPort();
    writer_ = redis::NewHiredisClient(options);
    reader_ = redis::NewHiredisClient(options);
    ns_ = UniqueNamespace("alertfeed");
    live_ = std::make_unique<escalation::LiveState>(reader_.get(), ns_, 1000);
  }

  // Appends a revision of an alert to the stream, as the pipeline and a rebuild do.
  // `id` "*" lets Redis number the entry.
  void Add(const std::string& alert_id, int64_t revision, const std::string& id = "*") {
    escalation::v1::Alert alert;
    alert.set_alert_id(alert_id);
    alert.set_revision(revision);
    ASSERT_THAT(writer_->Run({"XADD", live_->StreamKey(), id, "alert_id", alert_id, "alert",
                              alert.SerializeAsString()}),
                IsOk());
  }

  std::unique_ptr<redis::Client> writer_, reader_;
  std::string ns_;
  std::unique_ptr<escalation::LiveState> live_;
};

TEST_F(AlertFeedTest, RevisionsWrittenBackByARebuildReachListenersAsRepeats) {
  escalation::AlertFeed feed(live_.get());
  ASSERT_THAT(feed.Start(), IsOk());
  RecordingListener listener;
  feed.Add(&listener);
  Add("indicator-level/area/west-kent/beds/1", 1);
  Add("indicator-level/area/west-kent/beds/1", 2);
  ASSERT_TRUE(WaitFor([&] { return listener.Seen().size() == 2; }, absl::Seconds(10)));

  // Wiped and rebuilt: the stream starts again, holding both revisions, then the pipeline
  // goes on with a revision nobody has had yet.
  auto last = live_->LastStreamId();
  ASSERT_THAT(last, IsOk());
  auto last_id = escalation::ParseStreamId(*last);
  ASSERT_THAT(last_id, IsOk());
  ASSERT_THAT(writer_->Run({"DEL", live_->StreamKey()}), IsOk());
  // A rebuild comes later than the stream's last entry; in this test, perhaps the same
  // millisecond, so its first entry is numbered explicitly after it.
  Add("indicator-level/area/west-kent/beds/1", 1, absl::StrCat(last_id->ms + 1, "-0"));
  Add("indicator-level/area/west-kent/beds/1", 2);
  Add("indicator-level/area/west-kent/beds/1", 3);
  ASSERT_TRUE(WaitFor([&] { return listener.Seen().size() == 5; }, absl::Seconds(10)))
      << ::testing::PrintToString(listener.Seen());
  EXPECT_THAT(listener.Seen(), ElementsAre("indicator-level/area/west-kent/beds/1#1",
                                           "indicator-level/area/west-kent/beds/1#2",
                                           "indicator-level/area/west-kent/beds/1#1 repeat",
                                           "indicator-level/area/west-kent/beds/1#2 repeat",
                                           "indicator-level/area/west-kent/beds/1#3"));
  feed.Remove(&listener);
}

// Only as many revisions as it is told to remember: an older one is relayed as new again
// (a subscriber deduplicates by alert id and revision), so memory stays bounded.
TEST(RelayedRevisionsTest, RemembersTheMostRecentRevisionsOnly) {
  escalation::RelayedRevisions relayed(2);
  escalation::v1::Alert a1, a2, b1;
  a1.set_alert_id("a");
  a1.set_revision(1);
  a2.set_alert_id("a");
  a2.set_revision(2);
  b1.set_alert_id("b");
  b1.set_revision(1);
  EXPECT_TRUE(relayed.FirstTime(a1));
  EXPECT_TRUE(relayed.FirstTime(a2));
  EXPECT_FALSE(relayed.FirstTime(a1));
  EXPECT_FALSE(relayed.FirstTime(a2));
  EXPECT_TRUE(relayed.FirstTime(b1));  // forgets a#1
  EXPECT_TRUE(relayed.FirstTime(a1));
  EXPECT_FALSE(relayed.FirstTime(b1));
}

}  // namespace
}  // namespace resilience::testing
