// Which figures an area's, the county's and a board area's levels rest on (the coverage
// denominators), from the shipped Kent and Medway reference data.
#include "services/escalation/core/area_figures.h"

#include <set>

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"

namespace resilience::escalation {
namespace {

std::shared_ptr<const ReferenceIndex> Reference() {
  static auto* ref = new std::shared_ptr<const ReferenceIndex>(*ReferenceIndex::Load(
      ::resilience::testing::SourceDir() + "/deploy/config/kent-medway/reference.textproto"));
  return *ref;
}

std::set<std::string> Keys(const std::vector<ExpectedFigure>& figures) {
  std::set<std::string> keys;
  for (const auto& f : figures) keys.insert(f.key);
  return keys;
}

TEST(AreaFiguresTest, AreaExpectsItsTeamsPatchesUnitsAndAreaCounts) {
  auto keys = Keys(ExpectedAreaFigures(*Reference(), "west-kent"));
  EXPECT_TRUE(keys.count("team/stp-west-kent|stp_staffing_pct"));
  EXPECT_TRUE(keys.count("area/west-kent|referrals_pending_assessment"));
  EXPECT_FALSE(keys.count("team/stp-north-kent|stp_staffing_pct"));
  for (const auto& k : keys) EXPECT_EQ(k.find("weather_alert"), std::string::npos) << k;  // context only
}

TEST(AreaFiguresTest, BoardAreaExpectsItsSitesLocalitiesAndExternalTriggers) {
  auto keys = Keys(ExpectedBoardFigures(*Reference(), "west-kent"));
  EXPECT_TRUE(keys.count("acute_site/maidstone|acute_opel_assessment"));
  EXPECT_TRUE(keys.count("acute_site/tunbridge-wells|acute_opel_assessment"));
  EXPECT_FALSE(keys.count("acute_site/qeqm|acute_opel_assessment"));
  EXPECT_TRUE(keys.count("team/stp-west-kent|stp_staffing_pct"));
  EXPECT_TRUE(keys.count("area/west-kent|weather_alert"));
  EXPECT_TRUE(keys.count("county/kent|nhs111_call_volume_pct"));
  EXPECT_TRUE(ExpectedBoardFigures(*Reference(), "no-such-board").empty());
}

TEST(AreaFiguresTest, CountyExpectsItsCountyScopedFigures) {
  auto keys = Keys(ExpectedCountyFigures(*Reference()));
  EXPECT_TRUE(keys.count("county/kent|stp_staffing_pct_county"));
  EXPECT_TRUE(keys.count("county/kent|county_assessment_beds_available"));
}

// A figure replacing one of the same held level while that one is still fresh leaves every level
// as it was; anything else sends the roll-ups round.
class FigureCanMoveLevelsTest : public ::testing::Test {
 protected:
  FigureCanMoveLevelsTest() {
    zone_ = absl::FixedTimeZone(0);  // London in winter
    def_.set_id("stp_staffing_pct");
    def_.set_cadence(reference::v1::REPORTING_CADENCE_FOLLOWS_LEVEL);
    scope_.set_kind(common::v1::SCOPE_KIND_TEAM);
    scope_.set_id("stp-west-kent");
  }
  // 26 November 2026 at hh:mm.
  absl::Time At(int hh, int mm) const {
    return absl::FromCivil(absl::CivilMinute(2026, 11, 26, hh, mm), zone_);
  }
  v1::IndicatorStatus Figure(common::v1::OpelLevel held, absl::Time accepted) const {
    v1::IndicatorStatus s;
    s.set_held_level(held);
    s.mutable_latest()->set_value(60);
    *s.mutable_latest()->mutable_provenance()->mutable_accepted_at() = ToProtoTime(accepted);
    return s;
  }
  absl::TimeZone zone_;
  reference::v1::IndicatorDefinition def_;
  common::v1::ScopeRef scope_;
};

TEST_F(FigureCanMoveLevelsTest, TheSameLevelAgainWhileFreshMovesNothing) {
  const auto previous = Figure(common::v1::OPEL_LEVEL_2_AMBER, At(9, 0));
  EXPECT_FALSE(FigureCanMoveLevels(&previous, Figure(common::v1::OPEL_LEVEL_2_AMBER, At(9, 5)),
                                   def_, scope_, At(9, 5), zone_));
}

TEST_F(FigureCanMoveLevelsTest, TheFirstFigureOrANewHeldLevelCan) {
  const auto next = Figure(common::v1::OPEL_LEVEL_2_AMBER, At(9, 5));
  EXPECT_TRUE(FigureCanMoveLevels(nullptr, next, def_, scope_, At(9, 5), zone_));
  const auto green = Figure(common::v1::OPEL_LEVEL_1_GREEN, At(9, 0));
  EXPECT_TRUE(FigureCanMoveLevels(&green, next, def_, scope_, At(9, 5), zone_));
}

TEST_F(FigureCanMoveLevelsTest, ReplacingAFigureStaleUnderAnyLevelsCadenceCan) {
  // Updated at 09:00: at OPEL 3 the 14:00-15:30 window was missed by 16:00, though a daily
  // cadence (OPEL 1) would still count it fresh. The area may be at OPEL 3, so it counts.
  const auto previous = Figure(common::v1::OPEL_LEVEL_2_AMBER, At(9, 0));
  EXPECT_TRUE(FigureCanMoveLevels(&previous, Figure(common::v1::OPEL_LEVEL_2_AMBER, At(16, 0)),
                                  def_, scope_, At(16, 0), zone_));
  // Just inside: at 15:29 the afternoon window has not closed.
  EXPECT_FALSE(FigureCanMoveLevels(&previous, Figure(common::v1::OPEL_LEVEL_2_AMBER, At(15, 29)),
                                   def_, scope_, At(15, 29), zone_));
}

TEST_F(FigureCanMoveLevelsTest, ValuesTheRollUpsReadAlwaysCan) {
  const auto previous = Figure(common::v1::OPEL_LEVEL_2_AMBER, At(9, 0));
  const auto next = Figure(common::v1::OPEL_LEVEL_2_AMBER, At(9, 5));
  reference::v1::IndicatorDefinition referrals = def_;
  referrals.set_id(kReferralsIndicatorId);
  EXPECT_TRUE(FigureCanMoveLevels(&previous, next, referrals, scope_, At(9, 5), zone_));
  common::v1::ScopeRef site;
  site.set_kind(common::v1::SCOPE_KIND_ACUTE_SITE);
  site.set_id("mtw-maidstone");
  EXPECT_TRUE(FigureCanMoveLevels(&previous, next, def_, site, At(9, 5), zone_));
}

}  // namespace
}  // namespace resilience::escalation
