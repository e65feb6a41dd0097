// Reporting deadlines that follow the level, and re-notification up the role chain.
#include "services/escalation/core/time_rules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resilience::escalation {
namespace {

using RC = reference::v1::ReportingCadence;
using ::testing::ElementsAre;

class TimeRulesTest : public ::testing::Test {
 protected:
  TimeRulesTest() { EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &zone_)); }
  // November 2026 in London; Monday 23rd.
  absl::Time At(int day, int hour, int minute = 0) {
    return absl::FromCivil(absl::CivilMinute(2026, 11, day, hour, minute), zone_);
  }
  std::optional<absl::Time> Missed(RC cadence, common::v1::OpelLevel level, absl::Time last,
                                   absl::Time now) {
    return MissedDeadline(cadence, level, last, now, zone_);
  }
  absl::TimeZone zone_;
};

TEST_F(TimeRulesTest, Opel1IsDaily) {
  const auto L = common::v1::OPEL_LEVEL_1_GREEN;
  EXPECT_EQ(Missed(RC::REPORTING_CADENCE_FOLLOWS_LEVEL, L, At(23, 9), At(23, 23, 59)), std::nullopt);
  EXPECT_EQ(Missed(RC::REPORTING_CADENCE_FOLLOWS_LEVEL, L, At(23, 9), At(24, 23, 59)), std::nullopt);
  EXPECT_EQ(Missed(RC::REPORTING_CADENCE_FOLLOWS_LEVEL, L, At(23, 9), At(25, 0, 1)), At(25, 0));
  EXPECT_EQ(NextDeadline(RC::REPORTING_CADENCE_FOLLOWS_LEVEL, L, At(23, 9), At(23, 12), zone_), At(25, 0));
}

TEST_F(TimeRulesTest, Opel2IsBy1030) {
  const auto L = common::v1::OPEL_LEVEL_2_AMBER;
  const auto C = RC::REPORTING_CADENCE_FOLLOWS_LEVEL;
  EXPECT_EQ(Missed(C, L, At(23, 9), At(24, 10, 29)), std::nullopt);
  EXPECT_EQ(Missed(C, L, At(23, 9), At(24, 10, 30)), At(24, 10, 30));
  EXPECT_EQ(Missed(C, L, At(24, 10, 29), At(24, 10, 30)), std::nullopt);  // just in time
  // Updated late (11:00) on Monday: fresh until Tuesday 10:30.
  EXPECT_EQ(Missed(C, L, At(23, 11), At(24, 10, 0)), std::nullopt);
  EXPECT_EQ(NextDeadline(C, L, At(23, 11), At(23, 12), zone_), At(24, 10, 30));
  EXPECT_EQ(NextDeadline(C, L, At(23, 8), At(23, 9), zone_), At(24, 10, 30));
  EXPECT_EQ(NextDeadline(C, L, At(22, 8), At(23, 9), zone_), At(23, 10, 30));
}

TEST_F(TimeRulesTest, Opel3And4AreTwiceDaily) {
  for (auto L : {common::v1::OPEL_LEVEL_3_RED, common::v1::OPEL_LEVEL_4_BLACK}) {
    const auto C = RC::REPORTING_CADENCE_FOLLOWS_LEVEL;
    EXPECT_EQ(Missed(C, L, At(23, 9), At(23, 15, 29)), std::nullopt);
    EXPECT_EQ(Missed(C, L, At(23, 9), At(23, 15, 30)), At(23, 15, 30));
    EXPECT_EQ(Missed(C, L, At(23, 14, 0), At(23, 15, 30)), std::nullopt);  // 14:00 is inside
    EXPECT_EQ(Missed(C, L, At(23, 13, 59), At(23, 15, 30)), At(23, 15, 30));  // too early
    EXPECT_EQ(NextDeadline(C, L, At(23, 9), At(23, 11), zone_), At(23, 15, 30));
    EXPECT_EQ(NextDeadline(C, L, At(23, 14, 30), At(23, 14, 45), zone_), At(24, 10, 30));
  }
  // Vacant bed indicators: twice daily whatever the level.
  EXPECT_EQ(Missed(RC::REPORTING_CADENCE_TWICE_DAILY, common::v1::OPEL_LEVEL_1_GREEN, At(23, 9),
                   At(23, 15, 30)),
            At(23, 15, 30));
}

TEST_F(TimeRulesTest, AcuteAssessmentsBy10EveryDay) {
  const auto C = RC::REPORTING_CADENCE_ACUTE_DAILY_BY_10;
  const auto L = common::v1::OPEL_LEVEL_1_GREEN;
  EXPECT_EQ(Missed(C, L, At(28, 9, 59), At(29, 9, 59)), std::nullopt);  // Saturday, Sunday too
  EXPECT_EQ(Missed(C, L, At(28, 9, 59), At(29, 10, 0)), At(29, 10, 0));
  EXPECT_EQ(Missed(RC::REPORTING_CADENCE_ON_EVENT, L, At(1, 0), At(29, 10, 0)), std::nullopt);
  EXPECT_EQ(NextDeadline(RC::REPORTING_CADENCE_ON_EVENT, L, At(1, 0), At(29, 10, 0), zone_),
            absl::InfiniteFuture());
}

TEST_F(TimeRulesTest, WindowsFollowTheClockChange) {
  // Sunday 29 March 2026: the clocks go forward; 10:30 local is 09:30 UTC.
  const absl::Time t = absl::FromCivil(absl::CivilMinute(2026, 3, 29, 8, 0), zone_);
  auto windows = WindowsOfDay(RC::REPORTING_CADENCE_FOLLOWS_LEVEL, common::v1::OPEL_LEVEL_2_AMBER, t, zone_);
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(windows[0].closes, absl::FromCivil(absl::CivilMinute(2026, 3, 29, 9, 30), absl::UTCTimeZone()));
}

TEST_F(TimeRulesTest, MissedDeadlineAtAnyLevelIsMissedAtSomeLevel) {
  const std::vector<common::v1::OpelLevel> levels = {
      common::v1::OPEL_LEVEL_UNSPECIFIED, common::v1::OPEL_LEVEL_1_GREEN,
      common::v1::OPEL_LEVEL_2_AMBER, common::v1::OPEL_LEVEL_3_RED,
      common::v1::OPEL_LEVEL_4_BLACK};
  int missed = 0, kept = 0;
  for (RC cadence : {RC::REPORTING_CADENCE_UNSPECIFIED, RC::REPORTING_CADENCE_ON_EVENT,
                     RC::REPORTING_CADENCE_FOLLOWS_LEVEL, RC::REPORTING_CADENCE_TWICE_DAILY,
                     RC::REPORTING_CADENCE_ACUTE_DAILY_BY_10}) {
    // Every half hour of three days (across the clock change is WindowsFollowTheClockChange's),
    // each against updates from 40 hours before to just before.
    for (int step = 0; step < 3 * 48; ++step) {
      const absl::Time now = At(23, 0) + absl::Minutes(30 * step);
      for (int back = 1; back <= 80; back += 3) {
        const absl::Time last = now - absl::Minutes(30 * back);
        bool any = false;
        for (auto level : levels) any = any || Missed(cadence, level, last, now).has_value();
        EXPECT_EQ(MissedDeadlineAtAnyLevel(cadence, last, now, zone_), any)
            << "cadence " << cadence << " last " << last << " now " << now;
        (any ? missed : kept)++;
      }
    }
  }
  // The grid has both answers.
  EXPECT_GT(missed, 100);
  EXPECT_GT(kept, 100);
}

TEST(RenotifyTest, PerLevelPeriods) {
  const absl::Time t0 = absl::FromUnixSeconds(1795000000);
  RenotifyRule rule;
  EXPECT_EQ(RenotificationsDue(common::v1::OPEL_LEVEL_3_RED, t0, t0 + absl::Minutes(59), rule), 0);
  EXPECT_EQ(RenotificationsDue(common::v1::OPEL_LEVEL_3_RED, t0, t0 + absl::Minutes(60), rule), 1);
  EXPECT_EQ(RenotificationsDue(common::v1::OPEL_LEVEL_4_BLACK, t0, t0 + absl::Minutes(150), rule), 2);
  EXPECT_EQ(RenotificationsDue(common::v1::OPEL_LEVEL_2_AMBER, t0, t0 + absl::Minutes(239), rule), 0);
  EXPECT_EQ(RenotificationsDue(common::v1::OPEL_LEVEL_2_AMBER, t0, t0 + absl::Minutes(240), rule), 1);
}

TEST(RenotifyTest, EscalatesUpTheChainAndStopsAtTheTop) {
  google::protobuf::RepeatedPtrField<reference::v1::Role> roles;
  auto add = [&](const char* id, const char* up) {
    auto* r = roles.Add();
    r->set_id(id);
    r->set_escalates_to(up);
  };
  add("senior_practitioner", "stp_team_manager");
  add("stp_team_manager", "stp_operational_manager");
  add("stp_operational_manager", "assistant_director");
  add("assistant_director", "director_asc");
  add("director_asc", "");
  EXPECT_THAT(EscalationChain("stp_team_manager", 0, roles), ElementsAre("stp_team_manager"));
  EXPECT_THAT(EscalationChain("stp_team_manager", 2, roles),
              ElementsAre("stp_team_manager", "stp_operational_manager", "assistant_director"));
  EXPECT_EQ(EscalationChain("senior_practitioner", 9, roles).size(), 5u);
  add("loop_a", "loop_b");
  add("loop_b", "loop_a");
  EXPECT_THAT(EscalationChain("loop_a", 5, roles), ElementsAre("loop_a", "loop_b"));
}

}  // namespace
}  // namespace resilience::escalation
