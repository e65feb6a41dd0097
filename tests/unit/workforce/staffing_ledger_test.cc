// The staffing ledger: the plan's trigger edges, overlapping and open-ended absences,
// redeployments on both sides, cover, manual counts, midnight transitions, and later-wins.
#include "services/workforce/core/staffing_ledger.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/workforce/core/staffing_level.h"

namespace resilience::workforce {
namespace {

using common::v1::OpelLevel;

absl::TimeZone London() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &zone));
  return zone;
}

// Monday 23 November 2026, in London (GMT in November).
absl::Time At(int day, int hour, int minute = 0) {
  return absl::FromCivil(absl::CivilMinute(2026, 11, day, hour, minute), London());
}

class StaffingLedgerTest : public ::testing::Test {
 protected:
  StaffingLedgerTest() : ledger_(London()) {
    AddTeam("stp-west-kent", "west-kent", 20);
    AddTeam("stp-north-kent", "north-kent", 10);
  }

  void AddTeam(const std::string& id, const std::string& area, double wte) {
    v1::WorkforceChange c;
    c.mutable_team()->set_id(id);
    c.mutable_team()->set_area_id(area);
    c.mutable_team()->set_kind(reference::v1::TEAM_KIND_SHORT_TERM_PATHWAY);
    c.mutable_team()->set_establishment_wte(wte);
    ASSERT_TRUE(ledger_.Apply(c));
  }

  bool Absence(const std::string& id, const std::string& person, absl::Time start,
               std::optional<absl::Time> end, double wte = 1.0,
               const std::string& team = "stp-west-kent", absl::Time changed = At(1, 0)) {
    v1::WorkforceChange c;
    *c.mutable_occurred_at() = ToProtoTime(changed);
    auto* a = c.mutable_absence();
    a->set_absence_id(id);
    a->set_person_ref(person);
    a->set_team_id(team);
    a->set_kind(v1::ABSENCE_KIND_SICKNESS);
    *a->mutable_starts_at() = ToProtoTime(start);
    if (end) *a->mutable_ends_at() = ToProtoTime(*end);
    a->set_wte(wte);
    return ledger_.Apply(c);
  }

  v1::StaffingPoint Now(absl::Time t, const std::string& team = "stp-west-kent") {
    return ledger_.StaffingAt(*ledger_.FindTeam(team), t);
  }

  StaffingLedger ledger_;
};

// Plan 4.3, at every edge: 70.0 Green, 69.99 Amber, 50.0 Amber, 49.99 Red, 35.0 Red, 34.99 Black.
TEST(StaffingLevelTest, EveryTriggerEdge) {
  const std::vector<std::pair<double, OpelLevel>> edges = {
      {100, common::v1::OPEL_LEVEL_1_GREEN}, {70.0, common::v1::OPEL_LEVEL_1_GREEN},
      {69.99, common::v1::OPEL_LEVEL_2_AMBER}, {50.0, common::v1::OPEL_LEVEL_2_AMBER},
      {49.99, common::v1::OPEL_LEVEL_3_RED}, {35.0, common::v1::OPEL_LEVEL_3_RED},
      {34.99, common::v1::OPEL_LEVEL_4_BLACK}, {0, common::v1::OPEL_LEVEL_4_BLACK}};
  for (const auto& [pct, level] : edges) EXPECT_EQ(StaffingLevelOf(pct), level) << pct;
}

TEST_F(StaffingLedgerTest, EdgesReachedThroughAbsences) {
  // 20 WTE: 6 absent = 70% Green; 6.002 absent = 69.99% Amber; 10 absent = 50% Amber;
  // 10.002 = 49.99% Red; 13 = 35% Red; 13.002 = 34.99% Black.
  struct Case {
    double absent;
    OpelLevel level;
  };
  for (const Case& c : {Case{6, common::v1::OPEL_LEVEL_1_GREEN}, Case{6.002, common::v1::OPEL_LEVEL_2_AMBER},
                        Case{10, common::v1::OPEL_LEVEL_2_AMBER}, Case{10.002, common::v1::OPEL_LEVEL_3_RED},
                        Case{13, common::v1::OPEL_LEVEL_3_RED}, Case{13.002, common::v1::OPEL_LEVEL_4_BLACK}}) {
    StaffingLedger ledger(London());
    v1::WorkforceChange team;
    team.mutable_team()->set_id("t");
    team.mutable_team()->set_establishment_wte(20);
    ledger.Apply(team);
    // Whole people, then the remainder as a part-time absence.
    int whole = static_cast<int>(c.absent);
    for (int i = 0; i <= whole; ++i) {
      double wte = i < whole ? 1.0 : c.absent - whole;
      if (wte <= 0) continue;
      v1::WorkforceChange a;
      a.mutable_absence()->set_absence_id("a" + std::to_string(i));
      a.mutable_absence()->set_person_ref("p" + std::to_string(i));
      a.mutable_absence()->set_team_id("t");
      *a.mutable_absence()->mutable_starts_at() = ToProtoTime(At(23, 0));
      a.mutable_absence()->set_wte(wte);
      ledger.Apply(a);
    }
    auto p = ledger.StaffingAt(*ledger.FindTeam("t"), At(23, 12));
    EXPECT_EQ(p.level(), c.level) << c.absent << " absent, " << p.staffing_pct() << "%";
  }
}

TEST_F(StaffingLedgerTest, OverlappingAbsencesOfOnePersonCountOnce) {
  Absence("sick", "p1", At(23, 0), At(26, 0));
  Absence("leave", "p1", At(24, 0), At(28, 0));  // overlaps the sickness
  Absence("training", "p1", At(24, 9), At(24, 13), 0.5);
  EXPECT_DOUBLE_EQ(Now(At(24, 10)).absent_wte(), 1.0);
  EXPECT_DOUBLE_EQ(Now(At(24, 10)).available_wte(), 19.0);
  Absence("other", "p2", At(24, 0), At(25, 0), 0.5);
  EXPECT_DOUBLE_EQ(Now(At(24, 10)).absent_wte(), 1.5);
}

TEST_F(StaffingLedgerTest, OpenEndedSicknessCountsUntilCancelledOrEnded) {
  Absence("open", "p1", At(23, 0), std::nullopt);
  EXPECT_DOUBLE_EQ(Now(At(30, 12)).absent_wte(), 1.0);
  EXPECT_DOUBLE_EQ(ledger_.StaffingOnDay(*ledger_.FindTeam("stp-west-kent"),
                                         absl::CivilDay(2027, 1, 10)).absent_wte(), 1.0);
  // The return date becomes known: an update with a later occurred_at ends it.
  ASSERT_TRUE(Absence("open", "p1", At(23, 0), At(25, 0), 1.0, "stp-west-kent", At(24, 8)));
  EXPECT_DOUBLE_EQ(Now(At(30, 12)).absent_wte(), 0.0);
  v1::WorkforceChange cancel;
  cancel.set_cancelled_absence_id("open");
  *cancel.mutable_occurred_at() = ToProtoTime(At(24, 9));
  ASSERT_TRUE(ledger_.Apply(cancel));
  EXPECT_DOUBLE_EQ(Now(At(24, 10)).absent_wte(), 0.0);
  EXPECT_EQ(ledger_.FindAbsence("open"), nullptr);
}

TEST_F(StaffingLedgerTest, LaterChangeWinsAndALateOlderRetryIsIgnored) {
  ASSERT_TRUE(Absence("a", "p1", At(23, 0), At(30, 0), 1.0, "stp-west-kent", At(23, 10)));
  EXPECT_FALSE(Absence("a", "p1", At(23, 0), At(24, 0), 1.0, "stp-west-kent", At(23, 9)));
  EXPECT_DOUBLE_EQ(Now(At(27, 12)).absent_wte(), 1.0);
}

TEST_F(StaffingLedgerTest, RedeploymentAddsToTheReceiverAndSubtractsFromTheLender) {
  v1::WorkforceChange c;
  auto* r = c.mutable_redeployment();
  r->set_redeployment_id("r1");
  r->set_from_team_id("stp-north-kent");
  r->set_to_team_id("stp-west-kent");
  r->set_wte(2);
  *r->mutable_starts_at() = ToProtoTime(At(24, 0));
  *r->mutable_ends_at() = ToProtoTime(At(26, 0));
  ASSERT_TRUE(ledger_.Apply(c));
  EXPECT_DOUBLE_EQ(Now(At(23, 12)).available_wte(), 20);  // not yet
  EXPECT_DOUBLE_EQ(Now(At(24, 12)).available_wte(), 22);
  EXPECT_DOUBLE_EQ(Now(At(24, 12)).redeployed_in_wte(), 2);
  EXPECT_DOUBLE_EQ(Now(At(24, 12), "stp-north-kent").available_wte(), 8);
  EXPECT_DOUBLE_EQ(Now(At(24, 12), "stp-north-kent").redeployed_out_wte(), 2);
  EXPECT_DOUBLE_EQ(Now(At(26, 0)).available_wte(), 20);  // ended (end is exclusive)
}

TEST_F(StaffingLedgerTest, CoverCountsForItsDayAndIsReportedApart) {
  Absence("a", "p1", At(23, 0), At(25, 0));
  v1::WorkforceChange c;
  auto* b = c.mutable_cover();
  b->set_booking_id("b1");
  b->set_team_id("stp-west-kent");
  b->set_day("2026-11-24");
  b->set_wte(1);
  b->set_source(v1::CoverBooking::SOURCE_AGENCY);
  ASSERT_TRUE(ledger_.Apply(c));
  EXPECT_DOUBLE_EQ(Now(At(23, 12)).available_wte(), 19);
  EXPECT_DOUBLE_EQ(Now(At(24, 12)).available_wte(), 20);
  EXPECT_DOUBLE_EQ(Now(At(24, 12)).cover_wte(), 1);
  EXPECT_DOUBLE_EQ(Now(At(25, 12)).cover_wte(), 0);
}

TEST_F(StaffingLedgerTest, ManualCountHoldsUntilMidnight) {
  Absence("a", "p1", At(23, 0), At(30, 0));
  v1::WorkforceChange c;
  c.mutable_manual_count()->set_team_id("stp-west-kent");
  c.mutable_manual_count()->set_available_wte(9);
  *c.mutable_occurred_at() = ToProtoTime(At(23, 9));
  ASSERT_TRUE(ledger_.Apply(c));
  EXPECT_DOUBLE_EQ(Now(At(23, 8)).available_wte(), 19);  // before the count
  EXPECT_DOUBLE_EQ(Now(At(23, 12)).available_wte(), 9);
  EXPECT_DOUBLE_EQ(Now(At(23, 12)).staffing_pct(), 45);
  EXPECT_DOUBLE_EQ(Now(At(24, 0)).available_wte(), 19);  // the next day: computed again
  auto team = *ledger_.FindTeam("stp-west-kent");
  EXPECT_DOUBLE_EQ(ledger_.StaffingOnDay(team, absl::CivilDay(2026, 11, 23)).available_wte(), 9);
  EXPECT_DOUBLE_EQ(ledger_.StaffingOnDay(team, absl::CivilDay(2026, 11, 24)).available_wte(), 19);
}

TEST_F(StaffingLedgerTest, MidnightTransitions) {
  // Sick from Monday 00:00 to Wednesday 00:00.
  Absence("a", "p1", At(23, 0), At(25, 0));
  EXPECT_EQ(ledger_.NextTransitionAfter(At(22, 12)), At(23, 0));
  EXPECT_EQ(ledger_.NextTransitionAfter(At(23, 0)), At(24, 0));  // next midnight comes first
  EXPECT_EQ(ledger_.NextTransitionAfter(At(24, 12)), At(25, 0));
  EXPECT_DOUBLE_EQ(Now(At(24, 23, 59)).absent_wte(), 1);
  EXPECT_DOUBLE_EQ(Now(At(25, 0)).absent_wte(), 0);
  // An absence ending mid-morning is a transition before midnight.
  Absence("b", "p2", At(24, 0), At(24, 11));
  EXPECT_EQ(ledger_.NextTransitionAfter(At(24, 9)), At(24, 11));
  // Looking back (what a restarted service stamps a figure with): the latest bound or midnight
  // at or before the instant, inclusive.
  EXPECT_EQ(ledger_.LastTransitionAtOrBefore(At(24, 10)), At(24, 0));
  EXPECT_EQ(ledger_.LastTransitionAtOrBefore(At(24, 11)), At(24, 11));
  EXPECT_EQ(ledger_.LastTransitionAtOrBefore(At(24, 23, 59)), At(24, 11));
  EXPECT_EQ(ledger_.LastTransitionAtOrBefore(At(25, 0)), At(25, 0));
  EXPECT_EQ(ledger_.LastTransitionAtOrBefore(At(26, 8)), At(26, 0));  // only midnight left
}

TEST_F(StaffingLedgerTest, DaysAheadCountAnythingOverlappingTheDay) {
  Absence("half", "p1", At(25, 9), At(25, 13), 0.5);
  auto team = *ledger_.FindTeam("stp-west-kent");
  EXPECT_DOUBLE_EQ(ledger_.StaffingOnDay(team, absl::CivilDay(2026, 11, 24)).absent_wte(), 0);
  EXPECT_DOUBLE_EQ(ledger_.StaffingOnDay(team, absl::CivilDay(2026, 11, 25)).absent_wte(), 0.5);
  EXPECT_EQ(ledger_.StaffingOnDay(team, absl::CivilDay(2026, 11, 25)).day(), "2026-11-25");
  EXPECT_EQ(ledger_.AbsencesOn("stp-west-kent", absl::CivilDay(2026, 11, 25)).size(), 1u);
  EXPECT_TRUE(ledger_.AbsencesOn("stp-west-kent", absl::CivilDay(2026, 11, 26)).empty());
}

}  // namespace
}  // namespace resilience::workforce
