// A scope's level over time: hold, status, alert transitions, declarations.
#include "services/escalation/core/scope_level.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resilience::escalation {
namespace {

using ::testing::HasSubstr;
const absl::Time kT0 = absl::FromUnixSeconds(1795000000);

ComputedLevel Computed(common::v1::OpelLevel level, uint32_t fresh = 3, uint32_t expected = 4) {
  ComputedLevel c;
  c.level = level;
  c.fresh = fresh;
  c.expected = expected;
  c.coverage = static_cast<double>(fresh) / expected;
  return c;
}

ScopeLevelContext Context() {
  ScopeLevelContext c;
  c.scope.set_kind(common::v1::SCOPE_KIND_AREA);
  c.scope.set_id("west-kent");
  c.scope_name = "West Kent";
  c.area_id = "west-kent";
  c.rule = "area-level";
  c.recipient_roles = {"assistant_director"};
  v1::IndicatorEvidence e;
  e.set_indicator_name("Short-term Pathway staffing");
  e.mutable_scope()->set_id("stp-west-kent");
  e.set_level(common::v1::OPEL_LEVEL_3_RED);
  e.set_value_text("45.0%");
  c.evidence = {e};
  return c;
}

TEST(ScopeLevelTest, RiseRaisesAnAreaAlertThatSaysWhy) {
  HoldRule rule;
  auto a = AssessScopeLevel(std::nullopt, Computed(common::v1::OPEL_LEVEL_3_RED), 10, rule, Context(), kT0);
  EXPECT_TRUE(a.status_changed);
  EXPECT_EQ(a.next.status.computed_level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(a.next.status.effective_level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_DOUBLE_EQ(a.next.status.coverage(), 0.75);
  ASSERT_TRUE(a.changed_alert.has_value());
  EXPECT_EQ(a.changed_alert->alert_id(), "area-level/area/west-kent/1");
  EXPECT_EQ(a.changed_alert->title(), "West Kent: OPEL 3 (Red)");
  EXPECT_THAT(a.changed_alert->summary(), HasSubstr("Short-term Pathway staffing (stp-west-kent) Red at 45.0%"));
  EXPECT_THAT(a.changed_alert->summary(), HasSubstr("3 of 4 expected figures fresh"));
}

TEST(ScopeLevelTest, NewValuesBehindAnUnchangedLevelAreEvidenceOnly) {
  HoldRule rule;
  auto a = AssessScopeLevel(std::nullopt, Computed(common::v1::OPEL_LEVEL_3_RED), {}, rule, Context(), kT0);
  EXPECT_FALSE(a.only_evidence_changed);  // a new level (and an alert)
  ScopeLevelContext later = Context();
  later.evidence[0].set_value_text("44.0%");
  auto b = AssessScopeLevel(a.next, Computed(common::v1::OPEL_LEVEL_3_RED), {}, rule, later,
                            kT0 + absl::Minutes(5));
  EXPECT_TRUE(b.status_changed);
  EXPECT_TRUE(b.only_evidence_changed);
  EXPECT_FALSE(b.changed_alert.has_value());
  // Coverage is not evidence: one figure fewer fresh is a change a reader must see at once.
  auto c = AssessScopeLevel(b.next, Computed(common::v1::OPEL_LEVEL_3_RED, 2, 4), {}, rule, later,
                            kT0 + absl::Minutes(10));
  EXPECT_TRUE(c.status_changed);
  EXPECT_FALSE(c.only_evidence_changed);
  // Nothing new at all: neither.
  auto d = AssessScopeLevel(c.next, Computed(common::v1::OPEL_LEVEL_3_RED, 2, 4), {}, rule, later,
                            kT0 + absl::Minutes(15));
  EXPECT_FALSE(d.status_changed);
  EXPECT_FALSE(d.only_evidence_changed);
}

TEST(ScopeLevelTest, StepDownWaitsForTheHoldThenResolves) {
  HoldRule rule{absl::Hours(24), std::nullopt};
  auto a = AssessScopeLevel(std::nullopt, Computed(common::v1::OPEL_LEVEL_3_RED), {}, rule, Context(), kT0);
  auto b = AssessScopeLevel(a.next, Computed(common::v1::OPEL_LEVEL_1_GREEN), {}, rule, Context(),
                            kT0 + absl::Hours(1));
  EXPECT_EQ(b.next.status.computed_level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(b.next.status.pending_level(), common::v1::OPEL_LEVEL_1_GREEN);
  EXPECT_EQ(FromProtoTime(b.next.status.step_down_not_before()), kT0 + absl::Hours(25));
  EXPECT_TRUE(b.status_changed);  // the pending step down is news
  EXPECT_FALSE(b.changed_alert.has_value());
  // The same again an hour later: nothing new to tell.
  auto c = AssessScopeLevel(b.next, Computed(common::v1::OPEL_LEVEL_1_GREEN), {}, rule, Context(),
                            kT0 + absl::Hours(2));
  EXPECT_FALSE(c.status_changed);
  auto d = AssessScopeLevel(c.next, Computed(common::v1::OPEL_LEVEL_1_GREEN), {}, rule, Context(),
                            kT0 + absl::Hours(25));
  EXPECT_EQ(d.next.status.computed_level(), common::v1::OPEL_LEVEL_1_GREEN);
  ASSERT_TRUE(d.changed_alert.has_value());
  EXPECT_EQ(d.changed_alert->state(), v1::ALERT_STATE_RESOLVED);
  EXPECT_EQ(d.changed_alert->alert_id(), "area-level/area/west-kent/1");
}

TEST(ScopeLevelTest, ADeclarationInForceIsEffectiveAndLapses) {
  HoldRule rule;
  auto a = AssessScopeLevel(std::nullopt, Computed(common::v1::OPEL_LEVEL_2_AMBER), {}, rule, Context(), kT0);
  v1::Declaration d;
  d.set_level(common::v1::OPEL_LEVEL_3_RED);
  *d.mutable_declared_at() = ToProtoTime(kT0);
  *d.mutable_expires_at() = ToProtoTime(kT0 + absl::Hours(20));
  *a.next.status.mutable_declaration() = d;
  auto b = AssessScopeLevel(a.next, Computed(common::v1::OPEL_LEVEL_2_AMBER), {}, rule, Context(),
                            kT0 + absl::Hours(1));
  EXPECT_EQ(b.next.status.computed_level(), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(b.next.status.effective_level(), common::v1::OPEL_LEVEL_3_RED);
  auto c = AssessScopeLevel(b.next, Computed(common::v1::OPEL_LEVEL_2_AMBER), {}, rule, Context(),
                            kT0 + absl::Hours(21));
  EXPECT_EQ(c.next.status.effective_level(), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_FALSE(c.next.status.has_declaration());
}

}  // namespace
}  // namespace resilience::escalation
