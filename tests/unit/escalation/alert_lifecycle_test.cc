// Acknowledgement rules and audit records.
#include "services/escalation/core/alert_lifecycle.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace resilience::escalation {
namespace {

using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;
const absl::Time kNow = absl::FromUnixSeconds(1795000000);

v1::Alert Firing(common::v1::OpelLevel level) {
  v1::Alert a;
  a.set_alert_id("indicator-level/team/t/x/1");
  a.set_level(level);
  a.set_state(v1::ALERT_STATE_FIRING);
  a.set_revision(1);
  return a;
}

TEST(AlertLifecycleTest, AmberMayBeAcknowledgedWithoutANote) {
  auto acked = AcknowledgeAlert(Firing(common::v1::OPEL_LEVEL_2_AMBER), "u", "r", "", kNow);
  ASSERT_THAT(acked, IsOk());
  EXPECT_TRUE(acked->changed);
  EXPECT_EQ(acked->alert.state(), v1::ALERT_STATE_ACKNOWLEDGED);
  EXPECT_EQ(acked->alert.revision(), 2u);
}

TEST(AlertLifecycleTest, RedAndBlackNeedANote) {
  for (auto level : {common::v1::OPEL_LEVEL_3_RED, common::v1::OPEL_LEVEL_4_BLACK}) {
    EXPECT_THAT(AcknowledgeAlert(Firing(level), "u", "r", "", kNow),
                StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(AcknowledgeAlert(Firing(level), "u", "r", "calling the hub", kNow), IsOk());
  }
  EXPECT_THAT(AcknowledgeAlert(Firing(common::v1::OPEL_LEVEL_2_AMBER), "u", "r",
                               std::string(1001, 'x'), kNow),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AlertLifecycleTest, SameUserTwiceChangesNothingSecondUserIsAdded) {
  auto first = AcknowledgeAlert(Firing(common::v1::OPEL_LEVEL_2_AMBER), "u", "r", "a", kNow);
  auto again = AcknowledgeAlert(first->alert, "u", "r", "b", kNow + absl::Minutes(1));
  ASSERT_THAT(again, IsOk());
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->alert.revision(), 2u);
  auto second = AcknowledgeAlert(first->alert, "v", "r2", "c", kNow + absl::Minutes(2));
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->alert.acknowledgements_size(), 2);
  EXPECT_EQ(second->alert.revision(), 3u);
}

TEST(AlertLifecycleTest, ResolvedAlertsCannotBeAcknowledged) {
  auto a = Firing(common::v1::OPEL_LEVEL_2_AMBER);
  a.set_state(v1::ALERT_STATE_RESOLVED);
  EXPECT_THAT(AcknowledgeAlert(a, "u", "r", "", kNow), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(AlertLifecycleTest, AuditRecordsWhoWhatWhyAndTheFacts) {
  auto r = AlertAudit(Firing(common::v1::OPEL_LEVEL_3_RED), "alert.acknowledged", "priya", "on it",
                      kNow, "id#2");
  EXPECT_EQ(r.actor(), "priya");
  EXPECT_EQ(r.action(), "alert.acknowledged");
  EXPECT_EQ(r.subject(), "indicator-level/team/t/x/1");
  EXPECT_EQ(r.reason(), "on it");
  EXPECT_EQ(r.detail().at("level"), "Red");
  EXPECT_EQ(r.audit_id(), "id#2");
}

}  // namespace
}  // namespace resilience::escalation
