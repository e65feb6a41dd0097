// Area, county and board-area levels, declarations, and the de-escalation hold.
#include "services/escalation/core/opel_levels.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/escalation/core/level_hold.h"

namespace resilience::escalation {
namespace {

using common::v1::OpelLevel;
using ::testing::ElementsAre;
constexpr OpelLevel kUnknown = common::v1::OPEL_LEVEL_UNSPECIFIED;
constexpr OpelLevel kGreen = common::v1::OPEL_LEVEL_1_GREEN;
constexpr OpelLevel kAmber = common::v1::OPEL_LEVEL_2_AMBER;
constexpr OpelLevel kRed = common::v1::OPEL_LEVEL_3_RED;
constexpr OpelLevel kBlack = common::v1::OPEL_LEVEL_4_BLACK;

TEST(AreaLevelTest, HighestLevelReachedByTheQuorum) {
  std::vector<LevelInput> in = {{"staffing", kRed}, {"beds", kAmber}, {"keah", kGreen}};
  auto one = LevelByQuorum(in, 1);
  EXPECT_EQ(one.level, kRed);
  EXPECT_THAT(one.because, ElementsAre("staffing"));
  auto two = LevelByQuorum(in, 2);
  EXPECT_EQ(two.level, kAmber);  // staffing and beds stand at Amber or above
  EXPECT_THAT(two.because, ElementsAre("staffing", "beds"));
  EXPECT_EQ(LevelByQuorum(in, 3).level, kGreen);
  EXPECT_EQ(LevelByQuorum(in, 0).level, kRed);  // 0 means 1
}

TEST(AreaLevelTest, StaleIndicatorsDoNotCountAndCoverageSaysSo) {
  std::vector<LevelInput> in = {{"staffing", kBlack, false}, {"beds", kAmber}, {"keah", kGreen}};
  auto l = LevelByQuorum(in, 1, 4);
  EXPECT_EQ(l.level, kAmber);
  EXPECT_EQ(l.fresh, 2u);
  EXPECT_EQ(l.expected, 4u);
  EXPECT_DOUBLE_EQ(l.coverage, 0.5);
}

TEST(AreaLevelTest, NothingFreshIsUnknownNotGreen) {
  EXPECT_EQ(LevelByQuorum({{"staffing", kRed, false}}, 1).level, kUnknown);
  EXPECT_EQ(LevelByQuorum({}, 1).level, kUnknown);
}

// DESIGN 4.2: board area system level needs five triggers at L or above (2021 edition).
TEST(BoardAreaLevelTest, FiveTriggersMoveTheSystem) {
  std::vector<LevelInput> in = {{"site/a", kBlack}, {"site/b", kRed},   {"site/c", kRed},
                                {"area/x", kRed},   {"area/y", kAmber}, {"weather", kAmber}};
  EXPECT_EQ(LevelByQuorum(in, 5).level, kAmber);  // six at Amber+, only four at Red+
  in.push_back({"outbreak", kRed});
  EXPECT_EQ(LevelByQuorum(in, 5).level, kRed);
}

TEST(CountyLevelTest, TableTwoWording) {
  auto areas = [](std::vector<OpelLevel> levels) {
    std::vector<LevelInput> out;
    for (size_t i = 0; i < levels.size(); ++i) out.push_back({"area/" + std::to_string(i), levels[i]});
    return out;
  };
  EXPECT_EQ(CountyLevel(areas({kGreen, kGreen, kGreen, kGreen}), {}, 1).level, kGreen);
  // "In some areas": any area at 2 or above.
  EXPECT_EQ(CountyLevel(areas({kRed, kGreen, kGreen, kGreen}), {}, 1).level, kAmber);
  // "County-wide": every area (local default share 1) at 2 or above.
  auto all = CountyLevel(areas({kAmber, kAmber, kRed, kAmber}), {}, 1);
  EXPECT_EQ(all.level, kRed);
  EXPECT_EQ(all.because.size(), 4u);
  // A configured share: three of four is county-wide at 0.75, not at 1.
  EXPECT_EQ(CountyLevel(areas({kAmber, kAmber, kRed, kGreen}), {}, 0.75).level, kRed);
  EXPECT_EQ(CountyLevel(areas({kAmber, kAmber, kRed, kGreen}), {}, 1).level, kAmber);
  // Black: every area at 4, or a county-scoped indicator Black (no assessment bed anywhere).
  EXPECT_EQ(CountyLevel(areas({kBlack, kBlack, kBlack, kBlack}), {}, 1).level, kBlack);
  auto beds = CountyLevel(areas({kGreen, kGreen, kGreen, kGreen}),
                          {{"county_assessment_beds_available", kBlack}}, 1);
  EXPECT_EQ(beds.level, kBlack);
  EXPECT_THAT(beds.because, ElementsAre("county_assessment_beds_available"));
  // An area with no fresh data cannot make the county-wide share.
  std::vector<LevelInput> with_unknown = areas({kAmber, kAmber, kAmber});
  with_unknown.push_back({"area/3", kUnknown});
  EXPECT_EQ(CountyLevel(with_unknown, {}, 1).level, kAmber);
  EXPECT_EQ(CountyLevel({}, {}, 1).level, kUnknown);
}

TEST(DeclarationTest, LastsUntilTheNextDailyDeclarationOrWithdrawal) {
  absl::TimeZone london;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/London", &london));
  const absl::Time monday_0900 = absl::FromCivil(absl::CivilMinute(2026, 11, 23, 9, 0), london);
  const absl::Time tuesday_1030 = absl::FromCivil(absl::CivilMinute(2026, 11, 24, 10, 30), london);
  EXPECT_EQ(DeclarationExpiry(monday_0900, london), tuesday_1030);
  v1::Declaration d;
  d.set_level(kRed);
  *d.mutable_declared_at() = ToProtoTime(monday_0900);
  *d.mutable_expires_at() = ToProtoTime(tuesday_1030);
  // A figure timed just before the declaration still sees it (it is the official level now).
  EXPECT_EQ(EffectiveLevel(kAmber, d, monday_0900 - absl::Minutes(1)), kRed);
  EXPECT_EQ(EffectiveLevel(kAmber, d, monday_0900), kRed);
  EXPECT_EQ(EffectiveLevel(kAmber, d, tuesday_1030 - absl::Seconds(1)), kRed);
  EXPECT_EQ(EffectiveLevel(kAmber, d, tuesday_1030), kAmber);  // lapsed
  EXPECT_EQ(EffectiveLevel(kAmber, std::nullopt, monday_0900), kAmber);  // withdrawn / none
}

class LevelHoldTest : public ::testing::Test {
 protected:
  const absl::Time t0_ = absl::FromUnixSeconds(1795000000);
  HoldRule rule_{absl::Hours(24), 40.0};
};

TEST_F(LevelHoldTest, RisesAtOnce) {
  HeldLevel h = ApplyHold({}, kAmber, t0_, 10, rule_);
  EXPECT_EQ(h.level, kAmber);
  h = ApplyHold(h, kBlack, t0_ + absl::Minutes(1), 10, rule_);
  EXPECT_EQ(h.level, kBlack);
  EXPECT_EQ(h.since, t0_ + absl::Minutes(1));
}

TEST_F(LevelHoldTest, StepsDownOnlyAfterTheHoldAndWithReferralsLow) {
  HeldLevel h = ApplyHold({}, kRed, t0_, 10, rule_);
  h = ApplyHold(h, kAmber, t0_ + absl::Hours(1), 10, rule_);
  EXPECT_EQ(h.level, kRed);
  EXPECT_EQ(h.pending, kAmber);
  EXPECT_EQ(h.StepDownNotBefore(rule_), t0_ + absl::Hours(25));
  h = ApplyHold(h, kAmber, t0_ + absl::Hours(25) - absl::Seconds(1), 10, rule_);
  EXPECT_EQ(h.level, kRed);  // one second short
  // Time has passed but referrals are above the normal level: still held.
  HeldLevel busy = ApplyHold(h, kAmber, t0_ + absl::Hours(25), 41, rule_);
  EXPECT_EQ(busy.level, kRed);
  // Unknown referrals: no stepping down blind.
  EXPECT_EQ(ApplyHold(h, kAmber, t0_ + absl::Hours(25), std::nullopt, rule_).level, kRed);
  h = ApplyHold(h, kAmber, t0_ + absl::Hours(25), 40, rule_);  // at the limit: allowed
  EXPECT_EQ(h.level, kAmber);
  EXPECT_EQ(h.pending, kUnknown);
}

TEST_F(LevelHoldTest, ARiseBackCancelsThePendingStepDown) {
  HeldLevel h = ApplyHold({}, kRed, t0_, 0, rule_);
  h = ApplyHold(h, kGreen, t0_ + absl::Hours(1), 0, rule_);
  h = ApplyHold(h, kRed, t0_ + absl::Hours(2), 0, rule_);
  EXPECT_EQ(h.pending, kUnknown);
  h = ApplyHold(h, kGreen, t0_ + absl::Hours(3), 0, rule_);
  EXPECT_EQ(h.pending_since, t0_ + absl::Hours(3));  // the hold starts again
  EXPECT_EQ(ApplyHold(h, kGreen, t0_ + absl::Hours(26), 0, rule_).level, kRed);
  EXPECT_EQ(ApplyHold(h, kGreen, t0_ + absl::Hours(27), 0, rule_).level, kGreen);
}

TEST_F(LevelHoldTest, StepsTheHighestLevelSeenDuringTheHoldThenOnwardStepByStep) {
  HeldLevel h = ApplyHold({}, kBlack, t0_, 0, rule_);
  h = ApplyHold(h, kGreen, t0_ + absl::Hours(1), 0, rule_);
  h = ApplyHold(h, kAmber, t0_ + absl::Hours(2), 0, rule_);  // a bump during the hold
  h = ApplyHold(h, kGreen, t0_ + absl::Hours(25), 0, rule_);
  EXPECT_EQ(h.level, kAmber);  // not straight to Green
  EXPECT_EQ(h.pending, kGreen);
  EXPECT_EQ(h.pending_since, t0_ + absl::Hours(25));
  h = ApplyHold(h, kGreen, t0_ + absl::Hours(49), 0, rule_);
  EXPECT_EQ(h.level, kGreen);
}

TEST_F(LevelHoldTest, NoReferralConditionWhenTheScopeHasNone) {
  HoldRule rule{absl::Hours(24), std::nullopt};
  HeldLevel h = ApplyHold({}, kRed, t0_, std::nullopt, rule);
  h = ApplyHold(h, kGreen, t0_ + absl::Hours(1), std::nullopt, rule);
  EXPECT_EQ(ApplyHold(h, kGreen, t0_ + absl::Hours(25), std::nullopt, rule).level, kGreen);
}

}  // namespace
}  // namespace resilience::escalation
