// The requests a step stands for: update ids, times, one update per person and per day, the
// filled-in NHS 111 period and weather validity.
#include "tools/scenario/requests.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/config/text_proto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace resilience::scenario {
namespace {

using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;

absl::Time Dec(int day, int hour, int minute = 0) {  // December: London is on UTC
  return absl::FromCivil(absl::CivilMinute(2026, 12, day, hour, minute), absl::UTCTimeZone());
}

Timeline Build(const std::string& steps, const std::string& prefix = "day") {
  v1::Scenario scenario;
  EXPECT_THAT(ParseTextProto(absl::StrCat("first_day: \"2026-12-01\" clock_start: \"06:45\" ",
                                          "update_id_prefix: \"", prefix, "\"\n", steps),
                             "test", &scenario),
              IsOk());
  auto t = BuildTimeline(std::move(scenario), "test");
  EXPECT_THAT(t, IsOk());
  return *std::move(t);
}

TEST(UpdateIdTest, GeneratedPerStepAndPartOrTheStepsOwn) {
  Timeline t = Build(R"pb(
    steps { at: "07:00" note: true say: "x" }
    steps { at: "07:00" note: true say: "y" update_id: "mine" }
  )pb");
  EXPECT_EQ(UpdateId(t, 0, 0, 1), "day-1");
  EXPECT_EQ(UpdateId(t, 0, 0, 3), "day-1-1");
  EXPECT_EQ(UpdateId(t, 0, 2, 3), "day-1-3");
  EXPECT_EQ(UpdateId(t, 1, 0, 1), "mine");
  EXPECT_EQ(UpdateId(t, 1, 1, 2), "mine-2");
  EXPECT_EQ(UpdateId(Build(R"pb(steps { at: "07:00" note: true say: "x" })pb", ""), 0, 0, 1),
            "scenario-1");
}

TEST(WorkforceUpdatesTest, OneAbsencePerPersonStartingAtTheStepUnlessSaid) {
  Timeline t = Build(R"pb(
    steps {
      at: "08:10" by: "rostering-kcc"
      absences { absence_id: "flu" team: "stp-west-kent" persons: ["wk-01", "wk-02"]
                 kind: ABSENCE_KIND_SICKNESS }
    }
    steps {
      at: "D2 17:00" by: "rostering-kcc"
      absences { absence_id: "flu" team: "stp-west-kent" persons: "wk-01" kind: ABSENCE_KIND_SICKNESS
                 starts: "08:10" ends: "D2 17:00" wte: 0.5 }
    }
  )pb");
  auto first = WorkforceUpdates(t, 0);
  ASSERT_THAT(first, IsOk());
  ASSERT_EQ(first->size(), 2u);
  const auto& a = (*first)[1];
  EXPECT_EQ(a.update_id(), "day-1-2");
  EXPECT_EQ(FromProtoTime(a.occurred_at()), Dec(1, 8, 10));
  EXPECT_EQ(a.absence().absence_id(), "flu-wk-02");
  EXPECT_EQ(a.absence().person_ref(), "wk-02");
  EXPECT_EQ(a.absence().team_id(), "stp-west-kent");
  EXPECT_EQ(a.absence().kind(), workforce::v1::ABSENCE_KIND_SICKNESS);
  EXPECT_EQ(FromProtoTime(a.absence().starts_at()), Dec(1, 8, 10));
  EXPECT_FALSE(a.absence().has_ends_at());  // open-ended sickness

  auto back = WorkforceUpdates(t, 1);
  ASSERT_THAT(back, IsOk());
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].update_id(), "day-2");
  EXPECT_EQ((*back)[0].absence().absence_id(), "flu-wk-01");  // the same absence, now ended
  EXPECT_EQ(FromProtoTime((*back)[0].absence().starts_at()), Dec(1, 8, 10));
  EXPECT_EQ(FromProtoTime((*back)[0].absence().ends_at()), Dec(2, 17));
  EXPECT_DOUBLE_EQ((*back)[0].absence().wte(), 0.5);
}

TEST(WorkforceUpdatesTest, RedeploymentAndCoverPerDay) {
  Timeline t = Build(R"pb(
    steps {
      at: "11:30" by: "rostering-kcc"
      redeployment { redeployment_id: "r1" from_team: "stp-ashford-canterbury"
                     to_team: "stp-west-kent" wte: 2 ends: "D4 00:00" agreed_by: "grace-holloway"
                     reason: "mutual aid" }
    }
    steps {
      at: "16:00" by: "rostering-kcc"
      cover { booking_id: "bank" team: "stp-west-kent" days: ["D1", "D2"] wte: 3
              source: SOURCE_BANK }
    }
    steps { at: "D2 09:00" by: "rostering-kcc" cover { booking_id: "agency" team: "stp-north-kent" wte: 1 } }
  )pb");
  auto r = WorkforceUpdates(t, 0);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->size(), 1u);
  const auto& red = (*r)[0].redeployment();
  EXPECT_EQ(red.from_team_id(), "stp-ashford-canterbury");
  EXPECT_EQ(red.to_team_id(), "stp-west-kent");
  EXPECT_EQ(FromProtoTime(red.starts_at()), Dec(1, 11, 30));
  EXPECT_EQ(FromProtoTime(red.ends_at()), Dec(4, 0));
  EXPECT_EQ(red.agreed_by(), "grace-holloway");

  auto cover = WorkforceUpdates(t, 1);
  ASSERT_THAT(cover, IsOk());
  ASSERT_EQ(cover->size(), 2u);
  EXPECT_EQ((*cover)[0].cover().booking_id(), "bank-d1");
  EXPECT_EQ((*cover)[0].cover().day(), "2026-12-01");
  EXPECT_EQ((*cover)[1].cover().day(), "2026-12-02");
  EXPECT_EQ((*cover)[1].update_id(), "day-2-2");
  EXPECT_EQ((*cover)[1].cover().source(), workforce::v1::CoverBooking::SOURCE_BANK);

  auto today = WorkforceUpdates(t, 2);
  ASSERT_THAT(today, IsOk());
  ASSERT_EQ(today->size(), 1u);
  EXPECT_EQ((*today)[0].cover().day(), "2026-12-02");  // no days: the step's own day
  EXPECT_EQ((*today)[0].cover().booking_id(), "agency-d2");

  EXPECT_THAT(StaffingReport(t, 0), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CapacityUpdateTest, StampsTimeAndFillsPeriods) {
  Timeline t = Build(R"pb(
    steps {
      at: "09:45" by: "mtw-information"
      capacity { acute_assessment { site_id: "maidstone"
                                    assessment { framework_version: "nhse-opel-2023-24" } } }
    }
    steps { at: "10:00" by: "nhs111-kent-medway" capacity { nhs111_call_volume { calls: 1300 expected_calls: 1000 } } }
    steps {
      at: "10:00" by: "weather-health-alerts"
      capacity { weather_alert { alert_ref: "cold-1" hazard: HAZARD_COLD level: LEVEL_YELLOW } }
    }
    steps {
      at: "D2 10:00" by: "weather-health-alerts"
      capacity { weather_alert { alert_ref: "cold-1" hazard: HAZARD_COLD level: LEVEL_NONE } }
    }
  )pb");
  auto acute = CapacityUpdate(t, 0);
  ASSERT_THAT(acute, IsOk());
  EXPECT_EQ(acute->update_id(), "day-1");
  EXPECT_EQ(FromProtoTime(acute->occurred_at()), Dec(1, 9, 45));
  EXPECT_EQ(acute->acute_assessment().site_id(), "maidstone");

  auto calls = CapacityUpdate(t, 1);
  ASSERT_THAT(calls, IsOk());
  EXPECT_EQ(FromProtoTime(calls->nhs111_call_volume().period_start()), Dec(1, 9));
  EXPECT_EQ(FromProtoTime(calls->nhs111_call_volume().period_end()), Dec(1, 10));

  auto cold = CapacityUpdate(t, 2);
  ASSERT_THAT(cold, IsOk());
  EXPECT_EQ(FromProtoTime(cold->weather_alert().valid_from()), Dec(1, 10));
  EXPECT_EQ(FromProtoTime(cold->weather_alert().valid_until()), Dec(3, 10));
  auto ended = CapacityUpdate(t, 3);
  ASSERT_THAT(ended, IsOk());
  EXPECT_FALSE(ended->weather_alert().has_valid_until());  // an end needs no validity
}

TEST(BedUpdateAndDeclareTest, FromTheirSteps) {
  Timeline t = Build(R"pb(
    steps {
      at: "07:05" by: "bed-management-kcc"
      beds { snapshot { location_id: "ihu-weald-house"
                        beds { bed_type: BED_TYPE_ASSESSMENT occupied: 11 } } }
    }
    steps {
      at: "10:20" by: "helen-marsh"
      declare { scope: "county/kent" level: OPEL_LEVEL_3_RED reason: "county-wide pressure" }
    }
  )pb");
  auto beds = BedUpdate(t, 0);
  ASSERT_THAT(beds, IsOk());
  EXPECT_EQ(beds->update_id(), "day-1");
  EXPECT_EQ(FromProtoTime(beds->occurred_at()), Dec(1, 7, 5));
  EXPECT_EQ(beds->snapshot().beds(0).occupied(), 11);
  auto declare = DeclareRequest(t, 1);
  ASSERT_THAT(declare, IsOk());
  EXPECT_EQ(declare->scope().kind(), common::v1::SCOPE_KIND_COUNTY);
  EXPECT_EQ(declare->scope().id(), "kent");
  EXPECT_EQ(declare->level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_THAT(BedUpdate(t, 1), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace resilience::scenario
