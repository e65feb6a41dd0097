// Stale-data alerts: one per staleness period, to the responsible role, at least Amber.
#include "services/escalation/core/stale_data.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resilience::escalation {
namespace {

TEST(StaleDataTest, OneAlertPerStalenessPeriodToTheResponsibleRole) {
  common::v1::ScopeRef scope;
  scope.set_kind(common::v1::SCOPE_KIND_TEAM);
  scope.set_id("stp-west-kent");
  reference::v1::IndicatorDefinition def;
  def.set_id("stp_staffing_pct");
  def.set_name("Short-term Pathway staffing");
  def.set_responsible_role("stp_team_manager");
  const absl::Time last = absl::FromUnixSeconds(1795000000);
  auto a = StaleDataAlert(scope, "STP West Kent", "west-kent", def, last, last + absl::Hours(20),
                          common::v1::OPEL_LEVEL_1_GREEN, last + absl::Hours(21), absl::UTCTimeZone());
  auto b = StaleDataAlert(scope, "STP West Kent", "west-kent", def, last, last + absl::Hours(44),
                          common::v1::OPEL_LEVEL_3_RED, last + absl::Hours(45), absl::UTCTimeZone());
  EXPECT_EQ(a.alert_id(), b.alert_id());  // same last update: the same period
  EXPECT_EQ(a.level(), common::v1::OPEL_LEVEL_2_AMBER);  // at least Amber
  EXPECT_EQ(b.level(), common::v1::OPEL_LEVEL_3_RED);
  ASSERT_EQ(a.recipients_size(), 1);
  EXPECT_EQ(a.recipients(0).role_id(), "stp_team_manager");
  auto c = StaleDataAlert(scope, "STP West Kent", "west-kent", def, last + absl::Hours(30),
                          last + absl::Hours(60), common::v1::OPEL_LEVEL_1_GREEN,
                          last + absl::Hours(61), absl::UTCTimeZone());
  EXPECT_NE(a.alert_id(), c.alert_id());  // updated in between: a new period
  auto resolved = ResolveStaleDataAlert(a, last + absl::Hours(22));
  EXPECT_EQ(resolved.state(), v1::ALERT_STATE_RESOLVED);
  EXPECT_EQ(resolved.revision(), 2u);
}

}  // namespace
}  // namespace resilience::escalation
