// Acute OPEL scoring under the shipped NHS England 2023/24 framework: every band edge of every
// parameter, the 44 maximum, the level edges 11/12, 22/23, 33/34, missing parameters, the
// expected-attendance baseline, framework versions and the ICS roll-up.
#include "services/escalation/core/acute_score.h"

#include "absl/strings/match.h"
#include "common/config/text_proto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/status_matchers.h"

namespace resilience::escalation {
namespace {

using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;
using ::testing::HasSubstr;

const absl::Time kAt = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 9, 30, 0), absl::UTCTimeZone());

const v1::EscalationConfig& Config() {
  static const v1::EscalationConfig* config = [] {
    auto c = LoadTextProto<v1::EscalationConfig>(
        ::resilience::testing::SourceDir() + "/deploy/config/kent-medway/escalation.textproto");
    EXPECT_THAT(c, IsOk());
    return new v1::EscalationConfig(*c);
  }();
  return *config;
}

const AcuteFrameworks& Frameworks() {
  static const AcuteFrameworks* f = [] {
    auto built = AcuteFrameworks::FromConfig(Config().acute_frameworks());
    EXPECT_THAT(built, IsOk());
    return new AcuteFrameworks(*std::move(built));
  }();
  return *f;
}

reference::v1::AcuteSite Site(double expected_per_hour = 20) {
  reference::v1::AcuteSite site;
  site.set_id("maidstone");
  site.mutable_expected_attendance()->set_flat_per_hour(expected_per_hour);
  return site;
}

// A calm assessment: every parameter at 0 points.
events::v1::AcuteAssessment Calm() {
  events::v1::AcuteAssessment a;
  a.set_mean_ambulance_handover_minutes(10);
  a.set_ed_four_hour_performance_pct(97);
  a.set_ed_attendances_last_60_min(20);  // exactly expected
  a.set_majors_resus_occupancy_pct(70);
  a.set_median_time_to_treatment_minutes(45);
  a.set_patients_over_12h_in_ed_pct(1);
  a.set_ga_bed_occupancy_pct(90);
  a.set_escalation_beds_pct(1);
  a.set_nctr_beds_pct(8);
  return a;
}

v1::AcuteScore ScoreOf(const events::v1::AcuteAssessment& a, const reference::v1::AcuteSite& site = Site()) {
  auto s = Frameworks().Score(a, site, kAt, absl::UTCTimeZone());
  EXPECT_THAT(s, IsOk());
  return s.ok() ? *s : v1::AcuteScore();
}

struct Edge {
  double value;
  uint32_t points;
};

void ExpectEdges(void (events::v1::AcuteAssessment::*set)(double), const std::vector<Edge>& edges,
                 const char* what) {
  for (const Edge& e : edges) {
    events::v1::AcuteAssessment a = Calm();
    (a.*set)(e.value);
    EXPECT_EQ(ScoreOf(a).score(), e.points) << what << " = " << e.value;
  }
}

TEST(AcuteScoreTest, CalmAssessmentScoresZeroAndGreen) {
  auto s = ScoreOf(Calm());
  EXPECT_EQ(s.score(), 0);
  EXPECT_EQ(s.level(), common::v1::OPEL_LEVEL_1_GREEN);
  EXPECT_EQ(s.parameters_size(), 9);
  EXPECT_EQ(s.missing_parameters(), 0u);
  EXPECT_EQ(s.framework_version(), "nhse-opel-2023-24");
}

TEST(AcuteScoreTest, EveryBandEdgeOfEveryParameter) {
  using A = events::v1::AcuteAssessment;
  ExpectEdges(&A::set_mean_ambulance_handover_minutes,
              {{14.99, 0}, {15, 2}, {30, 2}, {30.01, 4}, {60, 4}, {60.01, 6}}, "handover");
  ExpectEdges(&A::set_ed_four_hour_performance_pct,
              {{95.01, 0}, {95, 1}, {76.01, 1}, {76, 2}, {60.01, 2}, {60, 4}, {0, 4}}, "4-hour");
  ExpectEdges(&A::set_majors_resus_occupancy_pct,
              {{80, 0}, {80.01, 2}, {100, 2}, {100.01, 4}, {120, 4}, {120.01, 6}}, "majors");
  ExpectEdges(&A::set_median_time_to_treatment_minutes,
              {{60, 0}, {60.01, 1}, {90, 1}, {90.01, 2}, {120, 2}, {120.01, 4}}, "treatment");
  ExpectEdges(&A::set_patients_over_12h_in_ed_pct,
              {{2, 0}, {2.01, 1}, {5, 1}, {5.01, 2}, {10, 2}, {10.01, 4}}, "12 hours");
  ExpectEdges(&A::set_ga_bed_occupancy_pct,
              {{92, 0}, {92.01, 2}, {95, 2}, {95.01, 4}, {98, 4}, {98.01, 6}}, "G&A");
  ExpectEdges(&A::set_escalation_beds_pct,
              {{2, 0}, {2.01, 1}, {4, 1}, {4.01, 2}, {6, 2}, {6.01, 4}}, "escalation beds");
  ExpectEdges(&A::set_nctr_beds_pct,
              {{10, 0}, {10.01, 2}, {13, 2}, {13.01, 4}, {15, 4}, {15.01, 6}}, "NCTR");
}

TEST(AcuteScoreTest, AttendancesAreScoredAgainstTheExpectedLevel) {
  // Expected 20 an hour: 20.4 is 2% over (0), 22 is 10% (1), 24 is 20% (2), 24.2 is 21% (4).
  ExpectEdges(&events::v1::AcuteAssessment::set_ed_attendances_last_60_min,
              {{10, 0}, {20.4, 0}, {20.6, 1}, {22, 1}, {22.2, 2}, {24, 2}, {24.2, 4}}, "attendances");
  // A profile by hour of day: 09:30 uses the 09:00-10:00 expectation.
  reference::v1::AcuteSite site;
  for (int h = 0; h < 24; ++h) site.mutable_expected_attendance()->mutable_by_hour()->add_per_hour(h == 9 ? 40 : 10);
  auto a = Calm();
  a.set_ed_attendances_last_60_min(40);
  EXPECT_EQ(ScoreOf(a, site).score(), 0);
  a.set_ed_attendances_last_60_min(50);  // 25% over
  EXPECT_EQ(ScoreOf(a, site).score(), 4);
  // No expected level configured: the parameter counts as not reported.
  EXPECT_EQ(ScoreOf(a, reference::v1::AcuteSite()).missing_parameters(), 1u);
}

TEST(AcuteScoreTest, MaximumIs44AndBlack) {
  events::v1::AcuteAssessment a;
  a.set_mean_ambulance_handover_minutes(90);
  a.set_ed_four_hour_performance_pct(50);
  a.set_ed_attendances_last_60_min(40);
  a.set_majors_resus_occupancy_pct(150);
  a.set_median_time_to_treatment_minutes(200);
  a.set_patients_over_12h_in_ed_pct(20);
  a.set_ga_bed_occupancy_pct(101);
  a.set_escalation_beds_pct(10);
  a.set_nctr_beds_pct(20);
  auto s = ScoreOf(a);
  EXPECT_EQ(s.score(), 44);
  EXPECT_EQ(s.level(), common::v1::OPEL_LEVEL_4_BLACK);
}

TEST(AcuteScoreTest, LevelEdges) {
  const auto& f = *Frameworks().Find("nhse-opel-2023-24", kAt).value();
  const std::vector<std::pair<double, common::v1::OpelLevel>> edges = {
      {0, common::v1::OPEL_LEVEL_1_GREEN},  {11, common::v1::OPEL_LEVEL_1_GREEN},
      {12, common::v1::OPEL_LEVEL_2_AMBER}, {22, common::v1::OPEL_LEVEL_2_AMBER},
      {23, common::v1::OPEL_LEVEL_3_RED},   {33, common::v1::OPEL_LEVEL_3_RED},
      {34, common::v1::OPEL_LEVEL_4_BLACK}, {44, common::v1::OPEL_LEVEL_4_BLACK}};
  for (const auto& [score, level] : edges) EXPECT_EQ(AcuteFrameworks::LevelOf(f, score), level) << score;
}

TEST(AcuteScoreTest, BreakdownSaysWhy) {
  auto a = Calm();
  a.set_median_time_to_treatment_minutes(90);  // the documented reading: exactly 90 scores 1
  a.clear_nctr_beds_pct();
  auto s = ScoreOf(a);
  EXPECT_EQ(s.score(), 1);
  EXPECT_EQ(s.missing_parameters(), 1u);
  bool found = false;
  for (const auto& p : s.parameters()) {
    if (p.parameter() == "Median time to treatment") {
      found = true;
      EXPECT_EQ(p.points(), 1u);
      EXPECT_EQ(p.value_text(), "90.0 min");
      EXPECT_THAT(p.band(), HasSubstr("<= 90"));
    }
    if (absl::StrContains(p.parameter(), "criteria to reside")) {
      EXPECT_EQ(p.value_text(), "not reported");
    }
  }
  EXPECT_TRUE(found);
}

// A later framework is added as config; past assessments are recomputed under the one then in
// force, or the one they name.
TEST(AcuteFrameworkVersionTest, PastScoresUseTheVersionInForce) {
  google::protobuf::RepeatedPtrField<v1::AcuteFramework> configs = Config().acute_frameworks();
  v1::AcuteFramework next = configs.Get(0);
  next.set_version("nhse-opel-2027-28");
  next.set_in_force_from("2027-04-01T00:00:00Z");
  // The later framework scores NCTR harder: > 5% already scores 6.
  for (auto& p : *next.mutable_parameters()) {
    if (p.parameter() != v1::ACUTE_PARAMETER_NCTR_PCT) continue;
    p.clear_bands();
    auto* low = p.add_bands();
    low->set_points(0);
    low->set_max(5);
    auto* high = p.add_bands();
    high->set_points(6);
    high->set_min(5);
    high->set_min_exclusive(true);
  }
  *configs.Add() = next;
  auto frameworks = AcuteFrameworks::FromConfig(configs);
  ASSERT_THAT(frameworks, IsOk());
  auto a = Calm();  // NCTR 8%
  const absl::Time in_2026 = kAt;
  const absl::Time in_2027 = kAt + absl::Hours(24 * 365);
  EXPECT_EQ(frameworks->Score(a, Site(), in_2026, absl::UTCTimeZone())->score(), 0);
  EXPECT_EQ(frameworks->Score(a, Site(), in_2027, absl::UTCTimeZone())->score(), 6);
  EXPECT_EQ(frameworks->Score(a, Site(), in_2027, absl::UTCTimeZone())->framework_version(), "nhse-opel-2027-28");
  a.set_framework_version("nhse-opel-2023-24");
  EXPECT_EQ(frameworks->Score(a, Site(), in_2027, absl::UTCTimeZone())->score(), 0);
  a.set_framework_version("no-such-version");
  EXPECT_THAT(frameworks->Score(a, Site(), in_2027, absl::UTCTimeZone()),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(AcuteFrameworkVersionTest, BrokenFrameworksAreRefused) {
  auto configs = Config().acute_frameworks();
  configs.Mutable(0)->mutable_parameters()->RemoveLast();
  EXPECT_THAT(AcuteFrameworks::FromConfig(configs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("all 9 are required")));
  configs = Config().acute_frameworks();
  configs.Mutable(0)->mutable_levels(1)->set_min_score(13);  // 12 in no level
  EXPECT_THAT(AcuteFrameworks::FromConfig(configs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("score 12")));
  configs = Config().acute_frameworks();
  configs.Mutable(0)->mutable_parameters(0)->mutable_bands(1)->set_min(16);  // gap 15-16
  EXPECT_THAT(AcuteFrameworks::FromConfig(configs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must meet")));
}

// ICS roll-up: weighted mean of site scores; action level = highest site level.
TEST(AcuteRollUpTest, AggregateAndActionLevel) {
  const auto& f = *Frameworks().Find("", kAt).value();
  auto score = [](double s, common::v1::OpelLevel level) {
    v1::AcuteScore out;
    out.set_score(s);
    out.set_level(level);
    return out;
  };
  std::vector<WeightedScore> sites = {{score(36, common::v1::OPEL_LEVEL_4_BLACK), 1},
                                      {score(6, common::v1::OPEL_LEVEL_1_GREEN), 1},
                                      {score(6, common::v1::OPEL_LEVEL_1_GREEN), 0}};  // 0 = 1
  auto rolled = RollUpAcuteScores(sites, f);
  ASSERT_THAT(rolled, IsOk());
  EXPECT_DOUBLE_EQ(rolled->aggregate.score(), 16);
  EXPECT_EQ(rolled->aggregate.level(), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(rolled->action_level, common::v1::OPEL_LEVEL_4_BLACK);  // grounded in the acute site
  sites[0].weight = 4;  // a configured weight
  EXPECT_DOUBLE_EQ(RollUpAcuteScores(sites, f)->aggregate.score(), (36 * 4 + 6 + 6) / 6.0);
  EXPECT_THAT(RollUpAcuteScores({}, f), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace resilience::escalation
