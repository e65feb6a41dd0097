// The time a published staffing figure carries. Consumers keep, per team, the figure with the
// later occurred_at, so a figure must never be stamped later than its content (it would hide
// every later figure stamped with a provider's earlier time) nor earlier than a figure already
// published (it would be ignored). Two defects of that kind are checked here: a restart
// re-published figures stamped with the restart's time, and a provider's late change to another
// absence of the team was published stamped with its own, earlier, time.
#include "services/workforce/staffing_publisher.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/clock/proto_time.h"
#include "common/status/status_macros.h"
#include "events/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/workforce/change_recorder.h"
#include "services/workforce/core/staffing_report.h"
#include "services/workforce/core/workforce_update.h"
#include "tests/testing/status_matchers.h"

namespace resilience::workforce {
namespace {

using ::resilience::testing::IsOk;

const absl::Time kMorning = absl::FromCivil(absl::CivilSecond(2026, 12, 1, 9, 0, 0), absl::UTCTimeZone());

// Keeps what it is given; every send succeeds.
class RecordingProducer final : public kafka::Producer {
 public:
  absl::Status Send(const kafka::OutgoingRecord& record) override {
    absl::MutexLock lock(&mu_);
    records_.push_back(record);
    return absl::OkStatus();
  }
  std::vector<absl::Status> SendAll(const std::vector<kafka::OutgoingRecord>& records) override {
    std::vector<absl::Status> out;
    for (const auto& r : records) out.push_back(Send(r));
    return out;
  }
  void SendAsync(const kafka::OutgoingRecord& record,
                 std::function<void(absl::Status)> done) override {
    done(Send(record));
  }
  // The staffing figures published for `team`, in order.
  std::vector<events::v1::DomainEvent> Figures(const std::string& team) {
    absl::MutexLock lock(&mu_);
    std::vector<events::v1::DomainEvent> out;
    for (const auto& r : records_) {
      events::v1::DomainEvent e;
      if (r.topic == "workforce" && e.ParseFromString(r.value) &&
          e.envelope().scope().id() == team) {
        out.push_back(e);
      }
    }
    return out;
  }
  std::vector<kafka::OutgoingRecord> Records() {
    absl::MutexLock lock(&mu_);
    return records_;
  }

 private:
  absl::Mutex mu_;
  std::vector<kafka::OutgoingRecord> records_;
};

class StaffingPublisherTest : public ::testing::Test {
 protected:
  StaffingPublisherTest() : clock_(kMorning) {}

  // A fresh service state holding one 20 WTE Short-term Pathway team of the reference data
  // (applied to the ledger directly, as the service's main does).
  std::unique_ptr<WorkforceState> NewState() {
    auto state = std::make_unique<WorkforceState>(absl::UTCTimeZone());
    v1::WorkforceChange team;
    team.mutable_team()->set_id("stp-west-kent");
    team.mutable_team()->set_area_id("west-kent");
    team.mutable_team()->set_kind(reference::v1::TEAM_KIND_SHORT_TERM_PATHWAY);
    team.mutable_team()->set_establishment_wte(20);
    absl::MutexLock lock(&state->mu);
    state->ledger.Apply(team);
    return state;
  }

  // An absence of one person in the team, made at `occurred_at` under update `update_id`.
  v1::WorkforceUpdate Absence(const std::string& update_id, absl::Time occurred_at) {
    v1::WorkforceUpdate u;
    u.set_update_id(update_id);
    *u.mutable_occurred_at() = ToProtoTime(occurred_at);
    auto* a = u.mutable_absence();
    a->set_absence_id("absence-" + update_id);
    a->set_person_ref("person-" + update_id);
    a->set_team_id("stp-west-kent");
    a->set_kind(v1::ABSENCE_KIND_SICKNESS);
    *a->mutable_starts_at() = ToProtoTime(kMorning - absl::Hours(2));
    return u;
  }

  // Records `update` through the service's change recorder; its acknowledgement's outcome.
  common::v1::UpdateAck::Outcome Record(WorkforceState& state, RecordingProducer& producer,
                                        const v1::WorkforceUpdate& update) {
    ChangeRecorder recorder(&state, &producer, &clock_, &metrics_, {});
    absl::Notification answered;
    common::v1::UpdateAck ack;
    recorder.Submit(update, "rostering-kcc", [&](common::v1::UpdateAck a) {
      ack = std::move(a);
      answered.Notify();
    });
    answered.WaitForNotification();
    return ack.outcome();
  }

  absl::StatusOr<int> Publish(WorkforceState& state, RecordingProducer& producer) {
    StaffingPublisher publisher(&state, &producer, &clock_, &metrics_, {});
    return publisher.PublishDue();
  }

  SimulatedClock clock_;
  MetricsRegistry metrics_;
};

TEST_F(StaffingPublisherTest, RestartRepublishesAFigureWithItsUpdateAndTimeNotTheRestarts) {
  // Before the crash: two absences recorded, the second figure's publication left unconfirmed
  // (its mark written, then the process lost).
  const v1::WorkforceChange first =
      ToChange(Absence("u1", kMorning - absl::Minutes(5)), "rostering-kcc", kMorning);
  const v1::WorkforceChange second =
      ToChange(Absence("u2", kMorning - absl::Minutes(2)), "rostering-kcc", kMorning);
  std::vector<v1::WorkforceChange> log = {first, second};
  v1::WorkforceChange mark;
  mark.mutable_published()->set_scope_id("stp-west-kent");
  mark.mutable_published()->set_staffing_pct(90);
  mark.mutable_published()->set_confirmed(false);
  log.push_back(mark);

  // The restart, ten minutes later, rebuilds from the log.
  clock_.Advance(absl::Minutes(10));
  auto state = NewState();
  ASSERT_THAT(ChangeRecorder::Rebuild(state.get(), [&](const auto& apply) {
    for (const auto& c : log) RETURN_IF_ERROR(apply("key", c.SerializeAsString()));
    return absl::OkStatus();
  }), IsOk());
  RecordingProducer producer;
  ASSERT_THAT(Publish(*state, producer), IsOk());

  const auto figures = producer.Figures("stp-west-kent");
  ASSERT_EQ(figures.size(), 1u);
  EXPECT_DOUBLE_EQ(figures[0].observation().number(), 90);
  // As the undisturbed service published it: the second update's figure, at its time.
  EXPECT_EQ(FromProtoTime(figures[0].envelope().occurred_at()), kMorning - absl::Minutes(2));
  EXPECT_EQ(figures[0].envelope().event_id(), StaffingEventId("rostering-kcc", "u2", "stp-west-kent"));
  EXPECT_EQ(figures[0].envelope().provenance().update_id(), "u2");
}

TEST_F(StaffingPublisherTest, TeamNeverChangedIsPublishedAtStartUpAsOfNow) {
  auto state = NewState();
  RecordingProducer producer;
  ASSERT_THAT(Publish(*state, producer), IsOk());
  const auto figures = producer.Figures("stp-west-kent");
  ASSERT_EQ(figures.size(), 1u);
  EXPECT_DOUBLE_EQ(figures[0].observation().number(), 100);
  EXPECT_EQ(FromProtoTime(figures[0].envelope().occurred_at()), kMorning);
}

TEST_F(StaffingPublisherTest, LateChangeIsStampedNoEarlierThanTheFigureBeforeIt) {
  auto state = NewState();
  RecordingProducer producer;
  ASSERT_THAT(Publish(*state, producer), IsOk());  // start-up: 100%
  const auto accepted = common::v1::UpdateAck::OUTCOME_ACCEPTED;
  ASSERT_EQ(Record(*state, producer, Absence("u1", kMorning - absl::Minutes(1))), accepted);
  ASSERT_THAT(Publish(*state, producer), IsOk());
  // Another absence, made earlier but sent later (a provider's queue drained late).
  ASSERT_EQ(Record(*state, producer, Absence("u2", kMorning - absl::Minutes(30))), accepted);
  ASSERT_THAT(Publish(*state, producer), IsOk());

  const auto figures = producer.Figures("stp-west-kent");
  ASSERT_EQ(figures.size(), 3u);
  EXPECT_DOUBLE_EQ(figures[2].observation().number(), 90);
  EXPECT_EQ(figures[2].envelope().provenance().update_id(), "u2");
  EXPECT_EQ(FromProtoTime(figures[2].envelope().occurred_at()),
            FromProtoTime(figures[1].envelope().occurred_at()));
  EXPECT_EQ(FromProtoTime(figures[1].envelope().occurred_at()), kMorning - absl::Minutes(1));
}

// A provider's clock a few seconds ahead of the service's (within the skew ingest accepts):
// its staffing count, dated ahead, used to be left out of the figure carrying its update (the
// figure at the service's now), so that figure read as before the count and nothing published
// the count once the clock passed its time. Found by the fault test's unpaced providers.
TEST_F(StaffingPublisherTest, StaffingCountDatedAheadOfTheClockCountsInItsFigure) {
  auto state = NewState();
  RecordingProducer producer;
  ASSERT_THAT(Publish(*state, producer), IsOk());  // start-up: 100%
  const absl::Time ahead = kMorning + absl::Seconds(20);
  v1::WorkforceUpdate count;
  count.set_update_id("count-1");
  *count.mutable_occurred_at() = ToProtoTime(ahead);
  count.mutable_staffing()->set_team_id("stp-west-kent");
  count.mutable_staffing()->set_available_wte(15);
  *count.mutable_staffing()->mutable_occurred_at() = count.occurred_at();
  ASSERT_EQ(Record(*state, producer, count), common::v1::UpdateAck::OUTCOME_ACCEPTED);
  ASSERT_THAT(Publish(*state, producer), IsOk());

  const auto figures = producer.Figures("stp-west-kent");
  ASSERT_EQ(figures.size(), 2u);
  EXPECT_DOUBLE_EQ(figures[1].observation().number(), 75);
  EXPECT_EQ(figures[1].envelope().provenance().update_id(), "count-1");
  EXPECT_EQ(FromProtoTime(figures[1].envelope().occurred_at()), ahead);
}

}  // namespace
}  // namespace resilience::workforce
