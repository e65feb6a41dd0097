// The capacity config's rules: the KEaH free-slot mapping at every threshold, and each config
// mistake refused with its field.
#include "services/capacity/core/capacity_rules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/unit/capacity/capacity_test_support.h"

namespace resilience::capacity {
namespace {

using namespace testing;  // NOLINT: the capacity test helpers
using resilience::testing::StatusIs;
using ::testing::HasSubstr;

TEST(KeahSlots, DefaultThresholdsAtEveryEdge) {
  const KeahSlotThresholds t;  // 6 / 3 / 1
  const std::pair<int, common::v1::OpelLevel> rows[] = {
      {-1, common::v1::OPEL_LEVEL_4_BLACK}, {0, common::v1::OPEL_LEVEL_4_BLACK},
      {1, common::v1::OPEL_LEVEL_3_RED},    {2, common::v1::OPEL_LEVEL_3_RED},
      {3, common::v1::OPEL_LEVEL_2_AMBER},  {5, common::v1::OPEL_LEVEL_2_AMBER},
      {6, common::v1::OPEL_LEVEL_1_GREEN},  {600, common::v1::OPEL_LEVEL_1_GREEN},
  };
  for (const auto& [slots, level] : rows) EXPECT_EQ(KeahLevelForSlots(slots, t), level) << slots;
}

TEST(KeahSlots, ZeroIsNoCapacityWhateverTheThresholds) {
  KeahSlotThresholds t{.good = 10, .limited = 5, .very_limited = 2};
  EXPECT_EQ(KeahLevelForSlots(0, t), common::v1::OPEL_LEVEL_4_BLACK);
  EXPECT_EQ(KeahLevelForSlots(1, t), common::v1::OPEL_LEVEL_4_BLACK);
  EXPECT_EQ(KeahLevelForSlots(2, t), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(KeahLevelForSlots(4, t), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(KeahLevelForSlots(5, t), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(KeahLevelForSlots(9, t), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(KeahLevelForSlots(10, t), common::v1::OPEL_LEVEL_1_GREEN);
}

TEST(KeahSlots, LevelsAreThePlansColours) {
  EXPECT_EQ(KeahLevelToOpel(v1::KEAH_CAPACITY_LEVEL_GOOD), common::v1::OPEL_LEVEL_1_GREEN);
  EXPECT_EQ(KeahLevelToOpel(v1::KEAH_CAPACITY_LEVEL_LIMITED), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(KeahLevelToOpel(v1::KEAH_CAPACITY_LEVEL_VERY_LIMITED), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(KeahLevelToOpel(v1::KEAH_CAPACITY_LEVEL_NO_CAPACITY), common::v1::OPEL_LEVEL_4_BLACK);
  EXPECT_EQ(KeahLevelToOpel(v1::KEAH_CAPACITY_LEVEL_UNSPECIFIED),
            common::v1::OPEL_LEVEL_UNSPECIFIED);
}

TEST(CapacityRules, KentMedwayConfigLoads) {
  CapacityRules rules = KentMedwayRules();
  EXPECT_EQ(rules.max_future_skew, absl::Minutes(5));
  EXPECT_EQ(rules.d2a_weekly_capacity.at("west-kent"), 42u);
  EXPECT_TRUE(rules.acute_framework_versions.contains("nhse-opel-2023-24"));
  EXPECT_EQ(rules.max_update_bytes, 65536u);
  EXPECT_EQ(rules.idempotency_window, absl::Hours(72));
}

TEST(CapacityRules, DefaultsWhenUnset) {
  auto rules = RulesFromConfig(v1::CapacityConfig(), *KentMedway(), "c");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->keah_default.good, 6u);
  EXPECT_EQ(rules->keah_default.limited, 3u);
  EXPECT_EQ(rules->keah_default.very_limited, 1u);
  EXPECT_EQ(rules->home_care_fresh, absl::Hours(48));
}

TEST(CapacityRules, PerPatchThresholds) {
  v1::CapacityConfig config;
  auto& t = (*config.mutable_keah_free_slots()->mutable_by_patch())["keah-thanet"];
  t.set_good_min_slots(12);
  t.set_limited_min_slots(6);
  t.set_very_limited_min_slots(2);
  auto rules = RulesFromConfig(config, *KentMedway(), "c");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->KeahThresholdsFor("keah-thanet").good, 12u);
  EXPECT_EQ(rules->KeahThresholdsFor("keah-swale").good, 6u);
}

struct BadConfig {
  std::string name;
  std::function<void(v1::CapacityConfig*)> mutate;
  std::string field;
};

TEST(CapacityRules, MistakesAreRefusedWithTheirField) {
  const BadConfig rows[] = {
      {"zone", [](auto* c) { c->set_time_zone("Europe/Atlantis"); }, "time_zone"},
      {"good = limited",
       [](auto* c) {
         auto* t = c->mutable_keah_free_slots()->mutable_default_thresholds();
         t->set_good_min_slots(3);
         t->set_limited_min_slots(3);
       },
       "keah_free_slots.default_thresholds"},
      {"limited = very limited",
       [](auto* c) {
         auto* t = c->mutable_keah_free_slots()->mutable_default_thresholds();
         t->set_limited_min_slots(2);
         t->set_very_limited_min_slots(2);
       },
       "keah_free_slots.default_thresholds"},
      {"unknown patch",
       [](auto* c) { (*c->mutable_keah_free_slots()->mutable_by_patch())["keah-mars"]; },
       "keah_free_slots.by_patch[\"keah-mars\"]"},
      {"d2a zero", [](auto* c) { (*c->mutable_d2a_weekly_capacity())["west-kent"] = 0; },
       "d2a_weekly_capacity[\"west-kent\"]"},
      {"d2a unknown area", [](auto* c) { (*c->mutable_d2a_weekly_capacity())["surrey"] = 4; },
       "d2a_weekly_capacity[\"surrey\"]"},
      {"unknown provider", [](auto* c) { (*c->mutable_rate_limit_by_provider())["acme"]; },
       "rate_limit_by_provider[\"acme\"]"},
      {"empty framework", [](auto* c) { c->add_acute_framework_versions(""); },
       "acute_framework_versions"},
  };
  for (const auto& row : rows) {
    v1::CapacityConfig config = KentMedwayConfig();
    row.mutate(&config);
    EXPECT_THAT(RulesFromConfig(config, *KentMedway(), "capacity.textproto"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(row.field)))
        << row.name;
  }
}

}  // namespace
}  // namespace resilience::capacity
