// Direct staffing counts: validation, and the observation a team's staffing becomes.
#include "services/workforce/core/staffing_report.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resilience::workforce {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Property;

const absl::Time kNow = absl::FromUnixSeconds(1795000000);

reference::v1::Team Team() {
  reference::v1::Team team;
  team.set_id("stp-west-kent");
  team.set_area_id("west-kent");
  team.set_kind(reference::v1::TEAM_KIND_SHORT_TERM_PATHWAY);
  team.set_establishment_wte(20);
  return team;
}

v1::StaffingReport Valid() {
  v1::StaffingReport r;
  r.set_update_id("u-1");
  r.set_team_id("stp-west-kent");
  r.set_available_wte(9);
  return r;
}

auto ViolationOf(const std::string& field, const std::string& reason) {
  return AllOf(Property(&common::v1::FieldViolation::field, field),
               Property(&common::v1::FieldViolation::reason, HasSubstr(reason)));
}

TEST(StaffingReportTest, ValidReportHasNoViolations) {
  const auto team = Team();
  EXPECT_THAT(ValidateStaffingReport(Valid(), &team, kNow, absl::Minutes(5)), IsEmpty());
}

TEST(StaffingReportTest, EachProblemNamesItsField) {
  const auto team = Team();
  auto r = Valid();
  r.set_update_id("");
  EXPECT_THAT(ValidateStaffingReport(r, &team, kNow, absl::Minutes(5)),
              ElementsAre(ViolationOf("update_id", "required")));
  r = Valid();
  r.set_team_id("nope");
  EXPECT_THAT(ValidateStaffingReport(r, nullptr, kNow, absl::Minutes(5)),
              ElementsAre(ViolationOf("team_id", "unknown team 'nope'")));
  r = Valid();
  r.set_available_wte(-0.5);
  EXPECT_THAT(ValidateStaffingReport(r, &team, kNow, absl::Minutes(5)),
              ElementsAre(ViolationOf("available_wte", "negative")));
  r = Valid();
  r.set_available_wte(61);
  EXPECT_THAT(ValidateStaffingReport(r, &team, kNow, absl::Minutes(5)),
              ElementsAre(ViolationOf("available_wte", "three times")));
  r = Valid();
  r.set_available_wte(std::nan(""));
  EXPECT_THAT(ValidateStaffingReport(r, &team, kNow, absl::Minutes(5), "staffing."),
              ElementsAre(ViolationOf("staffing.available_wte", "finite")));
}

TEST(StaffingReportTest, FutureTimestampsBeyondFiveMinutesAreRefused) {
  const auto team = Team();
  auto r = Valid();
  *r.mutable_occurred_at() = ToProtoTime(kNow + absl::Minutes(5));
  EXPECT_THAT(ValidateStaffingReport(r, &team, kNow, absl::Minutes(5)), IsEmpty());
  *r.mutable_occurred_at() = ToProtoTime(kNow + absl::Minutes(5) + absl::Seconds(1));
  EXPECT_THAT(ValidateStaffingReport(r, &team, kNow, absl::Minutes(5)),
              ElementsAre(ViolationOf("occurred_at", "future")));
}

TEST(StaffingReportTest, SeveralProblemsAreAllReported) {
  v1::StaffingReport r;
  r.set_available_wte(-1);
  EXPECT_EQ(ValidateStaffingReport(r, nullptr, kNow, absl::Minutes(5)).size(), 3u);
}

TEST(StaffingEventTest, CarriesPercentComponentsProvenanceAndEffectiveTime) {
  v1::StaffingPoint point;
  point.set_establishment_wte(20);
  point.set_available_wte(9);
  point.set_absent_wte(11);
  point.set_staffing_pct(45);
  common::v1::Provenance cause;
  cause.set_provider_id("rostering");
  cause.set_update_id("u-1");
  auto event = BuildStaffingEvent(Team(), point, cause, kNow - absl::Hours(1), kNow);
  EXPECT_EQ(event.envelope().scope().id(), "stp-west-kent");
  EXPECT_EQ(event.envelope().schema_version(), 1u);
  EXPECT_EQ(event.envelope().provenance().provider_id(), "rostering");
  EXPECT_EQ(event.envelope().provenance().update_id(), "u-1");
  EXPECT_EQ(FromProtoTime(event.envelope().occurred_at()), kNow - absl::Hours(1));
  EXPECT_EQ(FromProtoTime(event.envelope().received_at()), kNow);
  EXPECT_EQ(event.envelope().event_id(), StaffingEventId("rostering", "u-1", "stp-west-kent"));
  EXPECT_EQ(event.observation().indicator(), "stp_staffing_pct");
  EXPECT_DOUBLE_EQ(event.observation().number(), 45.0);
  EXPECT_DOUBLE_EQ(event.observation().components().at("available_wte"), 9);
  EXPECT_DOUBLE_EQ(event.observation().components().at("absent_wte"), 11);
}

TEST(StaffingEventTest, TimeDrivenIdsDependOnWhatAndWhenNotOnWhenPublished) {
  v1::StaffingPoint point;
  point.set_staffing_pct(80);
  auto a = BuildStaffingEvent(Team(), point, {}, kNow, kNow + absl::Seconds(1));
  auto b = BuildStaffingEvent(Team(), point, {}, kNow, kNow + absl::Hours(3));
  EXPECT_EQ(a.envelope().event_id(), b.envelope().event_id());
  point.set_staffing_pct(85);
  auto c = BuildStaffingEvent(Team(), point, {}, kNow, kNow);
  EXPECT_NE(a.envelope().event_id(), c.envelope().event_id());
}

TEST(StaffingEventTest, RetryMapsToTheSameEventIdAndOthersDoNot) {
  EXPECT_EQ(StaffingEventId("p", "u-1", "t"), StaffingEventId("p", "u-1", "t"));
  EXPECT_NE(StaffingEventId("p", "u-1", "t"), StaffingEventId("p", "u-2", "t"));
  EXPECT_NE(StaffingEventId("p", "u-1", "t"), StaffingEventId("q", "u-1", "t"));
  EXPECT_NE(StaffingEventId("p", "u-1", "t"), StaffingEventId("p", "u-1", "s"));
}

}  // namespace
}  // namespace resilience::workforce
