// Which figures an area's, the county's and a board area's levels rest on (the coverage
// denominators), from the shipped Kent and Medway reference data.
#include "services/escalation/core/area_figures.h"

#include <set>

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

}  // namespace
}  // namespace resilience::escalation
