// Validation of staffing reports and the observation they become.
#include "services/workforce/core/staffing_report.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resilience::workforce {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Property;

const absl::Time kNow = absl::FromUnixSeconds(1795000000);

std::shared_ptr<const ReferenceIndex> Reference() {
  reference::v1::ReferenceData d;
  auto* area = d.add_areas();
  area->set_id("west-kent");
  auto* team = d.add_teams();
  team->set_id("stp-west-kent");
  team->set_area_id("west-kent");
  team->set_establishment_wte(20);
  return *ReferenceIndex::Build(d);
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
  EXPECT_THAT(ValidateStaffingReport(Valid(), *Reference(), kNow, absl::Minutes(5)), IsEmpty());
}

TEST(StaffingReportTest, EachProblemNamesItsField) {
  auto ref = Reference();
  auto r = Valid();
  r.set_update_id("");
  EXPECT_THAT(ValidateStaffingReport(r, *ref, kNow, absl::Minutes(5)),
              ElementsAre(ViolationOf("update_id", "required")));
  r = Valid();
  r.set_team_id("nope");
  EXPECT_THAT(ValidateStaffingReport(r, *ref, kNow, absl::Minutes(5)),
              ElementsAre(ViolationOf("team_id", "unknown team 'nope'")));
  r = Valid();
  r.set_available_wte(-0.5);
  EXPECT_THAT(ValidateStaffingReport(r, *ref, kNow, absl::Minutes(5)),
              ElementsAre(ViolationOf("available_wte", "negative")));
  r = Valid();
  r.set_available_wte(61);
  EXPECT_THAT(ValidateStaffingReport(r, *ref, kNow, absl::Minutes(5)),
              ElementsAre(ViolationOf("available_wte", "three times")));
  r = Valid();
  r.set_available_wte(std::nan(""));
  EXPECT_THAT(ValidateStaffingReport(r, *ref, kNow, absl::Minutes(5)),
              ElementsAre(ViolationOf("available_wte", "finite")));
}

TEST(StaffingReportTest, FutureTimestampsBeyondFiveMinutesAreRefused) {
  auto ref = Reference();
  auto r = Valid();
  *r.mutable_occurred_at() = ToProtoTime(kNow + absl::Minutes(5));
  EXPECT_THAT(ValidateStaffingReport(r, *ref, kNow, absl::Minutes(5)), IsEmpty());
  *r.mutable_occurred_at() = ToProtoTime(kNow + absl::Minutes(5) + absl::Seconds(1));
  EXPECT_THAT(ValidateStaffingReport(r, *ref, kNow, absl::Minutes(5)),
              ElementsAre(ViolationOf("occurred_at", "future")));
}

TEST(StaffingReportTest, SeveralProblemsAreAllReported) {
  v1::StaffingReport r;
  r.set_available_wte(-1);
  EXPECT_EQ(ValidateStaffingReport(r, *Reference(), kNow, absl::Minutes(5)).size(), 3u);
}

TEST(StaffingReportTest, EventCarriesPercentComponentsAndProvenance) {
  auto ref = Reference();
  auto event = BuildStaffingEvent(Valid(), *ref->FindTeam("stp-west-kent"), "rostering", kNow);
  EXPECT_EQ(event.envelope().scope().id(), "stp-west-kent");
  EXPECT_EQ(event.envelope().schema_version(), 1u);
  EXPECT_EQ(event.envelope().provenance().provider_id(), "rostering");
  EXPECT_EQ(event.envelope().provenance().update_id(), "u-1");
  EXPECT_EQ(FromProtoTime(event.envelope().received_at()), kNow);
  EXPECT_EQ(FromProtoTime(event.envelope().occurred_at()), kNow);
  EXPECT_EQ(event.observation().indicator(), "stp_staffing_pct");
  EXPECT_DOUBLE_EQ(event.observation().number(), 45.0);
  EXPECT_DOUBLE_EQ(event.observation().components().at("available_wte"), 9);
  EXPECT_DOUBLE_EQ(event.observation().components().at("establishment_wte"), 20);
}

TEST(StaffingReportTest, RetryMapsToTheSameEventIdAndOthersDoNot) {
  EXPECT_EQ(StaffingEventId("p", "u-1"), StaffingEventId("p", "u-1"));
  EXPECT_NE(StaffingEventId("p", "u-1"), StaffingEventId("p", "u-2"));
  EXPECT_NE(StaffingEventId("p", "u-1"), StaffingEventId("q", "u-1"));
}

}  // namespace
}  // namespace resilience::workforce
