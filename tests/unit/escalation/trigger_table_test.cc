// Trigger tables at every boundary (DESIGN 3), with the shipped Kent and Medway tables and with
// tables built here to probe the checks.
#include "services/escalation/core/trigger_table.h"

#include "common/config/text_proto.h"
#include "escalation/v1/config.pb.h"
#include "reference/v1/reference.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/status_matchers.h"

namespace resilience::escalation {
namespace {

using common::v1::OpelLevel;
using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;
using ::testing::HasSubstr;

constexpr OpelLevel kGreen = common::v1::OPEL_LEVEL_1_GREEN;
constexpr OpelLevel kAmber = common::v1::OPEL_LEVEL_2_AMBER;
constexpr OpelLevel kRed = common::v1::OPEL_LEVEL_3_RED;
constexpr OpelLevel kBlack = common::v1::OPEL_LEVEL_4_BLACK;

// The shipped tables: what runs in production is what is tested.
const TriggerTables& Shipped() {
  static const TriggerTables* tables = [] {
    auto config = LoadTextProto<v1::EscalationConfig>(
        ::resilience::testing::SourceDir() + "/deploy/config/kent-medway/escalation.textproto");
    EXPECT_THAT(config, IsOk());
    auto t = TriggerTables::FromConfig(config->trigger_tables());
    EXPECT_THAT(t, IsOk());
    return new TriggerTables(*std::move(t));
  }();
  return *tables;
}

OpelLevel LevelOf(const std::string& indicator, double value, const std::string& area = "") {
  const TriggerTable* table = Shipped().Find(indicator, area);
  EXPECT_NE(table, nullptr) << indicator;
  if (table == nullptr) return common::v1::OPEL_LEVEL_UNSPECIFIED;
  auto match = table->EvaluateNumber(value);
  EXPECT_THAT(match, IsOk()) << indicator << " " << value;
  return match.ok() ? match->level : common::v1::OPEL_LEVEL_UNSPECIFIED;
}

struct Edge {
  double value;
  OpelLevel level;
};

// Plan 4.3: >= 70 Green; below 70 and at least 50 Amber; below 50 and at least 35 Red; below 35
// Black. "Falls below" is strict: exactly 50 is Amber, exactly 35 is Red.
TEST(StaffingTriggerTest, EveryEdgeOfThePlansTable) {
  const std::vector<Edge> edges = {
      {100.0, kGreen}, {70.0, kGreen},  {69.99, kAmber}, {50.0, kAmber}, {49.99, kRed},
      {35.0, kRed},    {34.99, kBlack}, {0.0, kBlack},   {120.0, kGreen}};
  for (const Edge& e : edges) {
    EXPECT_EQ(LevelOf("stp_staffing_pct", e.value), e.level) << e.value;
  }
}

TEST(StaffingTriggerTest, RowTextNamesBandAndSource) {
  auto match = Shipped().Find("stp_staffing_pct", "")->EvaluateNumber(45);
  ASSERT_THAT(match, IsOk());
  EXPECT_THAT(match->row, HasSubstr("Red"));
  EXPECT_THAT(match->row, HasSubstr(">= 35"));
  EXPECT_THAT(match->row, HasSubstr("< 50"));
  EXPECT_FALSE(match->local_default);
}

// D2A Pathway 1, discharged yesterday (West Kent): "6 or 5" Green (above 6 read as Green),
// 4-3 Amber, 2-1 Red, 0 Black.
TEST(D2aTriggerTest, DischargedYesterdayInWestKent) {
  const std::vector<Edge> edges = {{9, kGreen}, {6, kGreen}, {5, kGreen}, {4, kAmber},
                                   {3, kAmber}, {2, kRed},   {1, kRed},   {0, kBlack}};
  for (const Edge& e : edges) {
    EXPECT_EQ(LevelOf("d2a_p1_discharged_yesterday", e.value, "west-kent"), e.level) << e.value;
  }
}

// D2A Pathway 1, availability remaining of 42 weekly: 42-35 Green, 34-15 Amber, 14-6 Red, 5-0
// Black.
TEST(D2aTriggerTest, WeeklyAvailabilityRemainingInWestKent) {
  const std::vector<Edge> edges = {{42, kGreen}, {35, kGreen}, {34, kAmber}, {15, kAmber},
                                   {14, kRed},   {6, kRed},    {5, kBlack},  {0, kBlack}};
  for (const Edge& e : edges) {
    EXPECT_EQ(LevelOf("d2a_p1_weekly_availability_remaining", e.value, "west-kent"), e.level)
        << e.value;
  }
}

// Local default: occupancy < 85% Green, 85-95% Amber, > 95% Red, no bed free (100%) Black.
TEST(AssessmentBedTriggerTest, OccupancyBands) {
  const std::vector<Edge> edges = {{0, kGreen},    {84.99, kGreen}, {85, kAmber}, {95, kAmber},
                                   {95.01, kRed},  {99.9, kRed},    {100, kBlack}};
  for (const Edge& e : edges) {
    EXPECT_EQ(LevelOf("assessment_bed_occupancy_pct", e.value), e.level) << e.value;
  }
  auto match = Shipped().Find("assessment_bed_occupancy_pct", "")->EvaluateNumber(90);
  ASSERT_THAT(match, IsOk());
  EXPECT_TRUE(match->local_default);
}

// Every indicator in the shipped catalogue has a table (so none is dead-lettered for want of one).
TEST(ShippedTriggerTablesTest, EveryCatalogueIndicatorHasATable) {
  auto reference = LoadTextProto<reference::v1::ReferenceData>(
      ::resilience::testing::SourceDir() + "/deploy/config/kent-medway/reference.textproto");
  ASSERT_THAT(reference, IsOk());
  for (const auto& indicator : reference->indicators()) {
    bool found = Shipped().Find(indicator.id(), "") != nullptr;
    for (const auto& area : reference->areas()) {
      found = found || Shipped().Find(indicator.id(), area.id()) != nullptr;
    }
    EXPECT_TRUE(found) << indicator.id();
  }
}

v1::TriggerBand Band(OpelLevel level, std::optional<double> min, bool min_ex,
                     std::optional<double> max, bool max_ex) {
  v1::TriggerBand b;
  b.set_level(level);
  if (min) b.set_min(*min);
  b.set_min_exclusive(min_ex);
  if (max) b.set_max(*max);
  b.set_max_exclusive(max_ex);
  return b;
}

TEST(TriggerTableTest, RejectsAGapBetweenBands) {
  v1::TriggerTable t;
  t.set_indicator("x");
  *t.add_bands() = Band(kGreen, 10, false, std::nullopt, false);
  *t.add_bands() = Band(kRed, std::nullopt, false, 9, false);
  EXPECT_THAT(TriggerTable::FromConfig(t),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must meet")));
}

TEST(TriggerTableTest, RejectsABoundaryInBothBands) {
  v1::TriggerTable t;
  t.set_indicator("x");
  *t.add_bands() = Band(kGreen, 10, false, std::nullopt, false);
  *t.add_bands() = Band(kRed, std::nullopt, false, 10, false);  // 10 in both
  EXPECT_THAT(TriggerTable::FromConfig(t), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TriggerTableTest, RejectsABandWithoutLevel) {
  v1::TriggerTable t;
  t.set_indicator("x");
  *t.add_bands() = Band(common::v1::OPEL_LEVEL_UNSPECIFIED, std::nullopt, false, std::nullopt, false);
  EXPECT_THAT(TriggerTable::FromConfig(t),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no level")));
}

TEST(TriggerTableTest, ValueOutsideEveryBandIsAnErrorNotGreen) {
  v1::TriggerTable t;
  t.set_indicator("x");
  *t.add_bands() = Band(kGreen, 0, false, 10, true);
  *t.add_bands() = Band(kRed, 10, false, 20, false);
  auto table = TriggerTable::FromConfig(t);
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(table->EvaluateNumber(-1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(table->EvaluateNumber(21), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(table->EvaluateNumber(std::nan("")), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TriggerTableTest, NormalLevelTurnsValuesIntoPercentOfNormal) {
  v1::TriggerTable t;
  t.set_indicator("case_load");
  t.set_normal_level(200);
  *t.add_bands() = Band(kGreen, std::nullopt, false, 100, false);
  *t.add_bands() = Band(kAmber, 100, true, 120, false);
  *t.add_bands() = Band(kRed, 120, true, std::nullopt, false);
  auto table = TriggerTable::FromConfig(t);
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->EvaluateNumber(200)->level, kGreen);   // 100%
  EXPECT_EQ(table->EvaluateNumber(201)->level, kAmber);   // 100.5%
  EXPECT_EQ(table->EvaluateNumber(240)->level, kAmber);   // 120%
  EXPECT_EQ(table->EvaluateNumber(241)->level, kRed);
}

TEST(TriggerTableTest, FlagsAndReportedLevels) {
  v1::TriggerTable t;
  t.set_indicator("toc_hub_represented");
  t.set_flag_true_level(kGreen);
  t.set_flag_false_level(kAmber);
  auto table = TriggerTable::FromConfig(t);
  ASSERT_THAT(table, IsOk());
  events::v1::IndicatorObservation o;
  o.set_flag(false);
  EXPECT_EQ(table->Evaluate(o)->level, kAmber);
  o.set_flag(true);
  EXPECT_EQ(table->Evaluate(o)->level, kGreen);
  o.set_number(3);  // a number for a yes/no table has no bands to go through
  EXPECT_THAT(table->Evaluate(o), StatusIs(absl::StatusCode::kInvalidArgument));
  o.set_reported_level(kRed);
  EXPECT_EQ(table->Evaluate(o)->level, kRed);
  o.set_reported_level(common::v1::OPEL_LEVEL_UNSPECIFIED);
  EXPECT_THAT(table->Evaluate(o), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TriggerTablesTest, AreaTableWinsOverTheDefault) {
  google::protobuf::RepeatedPtrField<v1::TriggerTable> configs;
  auto* all = configs.Add();
  all->set_indicator("x");
  *all->add_bands() = Band(kGreen, std::nullopt, false, std::nullopt, false);
  auto* west = configs.Add();
  west->set_indicator("x");
  west->set_area_id("west-kent");
  *west->add_bands() = Band(kRed, std::nullopt, false, std::nullopt, false);
  auto tables = TriggerTables::FromConfig(configs);
  ASSERT_THAT(tables, IsOk());
  EXPECT_EQ(tables->Find("x", "west-kent")->EvaluateNumber(1)->level, kRed);
  EXPECT_EQ(tables->Find("x", "north-kent")->EvaluateNumber(1)->level, kGreen);
  EXPECT_EQ(tables->Find("y", "west-kent"), nullptr);
  *configs.Add() = *west;
  EXPECT_THAT(TriggerTables::FromConfig(configs), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace resilience::escalation
