// Placement milestones become alerts once per placement; outbreak notices become figures.
#include "services/escalation/core/care_setting_events.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace resilience::escalation {
namespace {

using ::resilience::testing::StatusIs;
using ::testing::HasSubstr;
using M = events::v1::PlacementMilestone;

events::v1::DomainEvent Milestone(M::Milestone m, const std::string& placement) {
  events::v1::DomainEvent e;
  e.mutable_envelope()->set_event_id("e1");
  e.mutable_envelope()->mutable_scope()->set_kind(common::v1::SCOPE_KIND_LOCATION);
  e.mutable_envelope()->mutable_scope()->set_id("icc-westview");
  auto* p = e.mutable_placement_milestone();
  p->set_milestone(m);
  p->set_placement_id(placement);
  p->set_person_ref("P-1001");
  p->set_bed_type("assessment");
  *p->mutable_started_at() = ToProtoTime(absl::FromUnixSeconds(1790000000));
  *p->mutable_due_at() = ToProtoTime(absl::FromUnixSeconds(1790000000) + absl::Hours(24 * 21));
  return e;
}

TEST(PlacementAlertTest, ThreeWeeksIsRedToThePractitionersAndTeamManager) {
  auto a = PlacementAlert(Milestone(M::MILESTONE_ASSESSMENT_OVERDUE_3_WEEKS, "pl-7"), "Westview ICC",
                          "west-kent", absl::FromUnixSeconds(1792000000), absl::UTCTimeZone());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->alert_id(), "placement-overdue/location/icc-westview/pl-7");
  EXPECT_EQ(a->level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(a->recipients(0).role_id(), "senior_practitioner");
  EXPECT_EQ(a->recipients(1).role_id(), "stp_team_manager");
  EXPECT_THAT(a->summary(), HasSubstr("3-week"));
  EXPECT_EQ(a->area_id(), "west-kent");
}

TEST(PlacementAlertTest, WeekEightIsAmberToArrangingSupport) {
  auto a = PlacementAlert(Milestone(M::MILESTONE_DISREGARD_WEEK_8_NOTICE, "pl/8"), "Oak House",
                          "west-kent", absl::FromUnixSeconds(1792000000), absl::UTCTimeZone());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->alert_id(), "disregard-notice/location/icc-westview/pl_8");
  EXPECT_EQ(a->level(), common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(a->recipients(0).role_id(), "arranging_support_team");
}

TEST(PlacementAlertTest, RefusesIncompleteMilestones) {
  EXPECT_THAT(PlacementAlert(Milestone(M::MILESTONE_UNSPECIFIED, "pl-1"), "x", "", absl::Now(), absl::UTCTimeZone()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PlacementAlert(Milestone(M::MILESTONE_DISREGARD_WEEK_8_NOTICE, ""), "x", "", absl::Now(), absl::UTCTimeZone()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(OutbreakTest, NoticeIsTheOutbreakFlagUntilDeclaredOver) {
  events::v1::OutbreakNotice n;
  n.set_location_id("oak-house");
  n.set_infection("norovirus");
  n.set_closed_to_admissions(true);
  auto o = OutbreakObservation(n);
  EXPECT_EQ(o.indicator(), "outbreak");
  EXPECT_TRUE(o.flag());
  EXPECT_EQ(o.components().at("closed_to_admissions"), 1);
  n.set_ended(true);
  EXPECT_FALSE(OutbreakObservation(n).flag());
}

}  // namespace
}  // namespace resilience::escalation
