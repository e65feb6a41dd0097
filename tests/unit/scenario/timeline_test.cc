// The scenario file: time strings at every edge, step order, required fields per action, ids
// checked against the reference data, and the shipped winter day loads and checks.
#include "tools/scenario/timeline.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/config/text_proto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/status_matchers.h"

namespace resilience::scenario {
namespace {

using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;
using ::testing::HasSubstr;

absl::TimeZone London() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &zone));
  return zone;
}

TEST(ScenarioTimeTest, ParsesEveryForm) {
  const absl::CivilDay d1(2026, 12, 1);
  struct Case {
    std::string text;
    absl::CivilMinute want;
  } cases[] = {
      {"00:00", absl::CivilMinute(2026, 12, 1, 0, 0)},
      {"23:59", absl::CivilMinute(2026, 12, 1, 23, 59)},
      {"07:30", absl::CivilMinute(2026, 12, 1, 7, 30)},
      {"D1 07:30", absl::CivilMinute(2026, 12, 1, 7, 30)},
      {"D2 00:00", absl::CivilMinute(2026, 12, 2, 0, 0)},
      {"D31 12:00", absl::CivilMinute(2026, 12, 31, 12, 0)},
      {"D32 12:00", absl::CivilMinute(2027, 1, 1, 12, 0)},
      {"  D2   10:15 ", absl::CivilMinute(2026, 12, 2, 10, 15)},
  };
  for (const Case& c : cases) {
    auto t = ParseScenarioTime(c.text, d1, London());
    ASSERT_THAT(t, IsOk()) << c.text;
    EXPECT_EQ(*t, absl::FromCivil(c.want, London())) << c.text;
  }
}

TEST(ScenarioTimeTest, FollowsLocalTimeAcrossSummerTime) {
  // 29 March 2026: clocks go forward at 01:00 GMT. 12:00 local is 11:00 UTC.
  auto t = ParseScenarioTime("12:00", absl::CivilDay(2026, 3, 29), London());
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(*t, absl::FromCivil(absl::CivilMinute(2026, 3, 29, 11, 0), absl::UTCTimeZone()));
}

TEST(ScenarioTimeTest, RefusesMalformedTimes) {
  for (const std::string text : {"", "7:30", "24:00", "12:60", "-1:00", "12:5", "D0 07:00",
                                 "D-1 07:00", "D 07:00", "Dx 07:00", "D2", "D2 07:00 x",
                                 "07:30:00", "noon"}) {
    EXPECT_THAT(ParseScenarioTime(text, absl::CivilDay(2026, 12, 1), London()),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << "'" << text << "'";
  }
}

absl::StatusOr<Timeline> Build(const std::string& steps,
                               const std::string& header = "first_day: \"2026-12-01\" "
                                                           "clock_start: \"06:45\" speed: 600") {
  v1::Scenario scenario;
  absl::Status parsed = ParseTextProto(absl::StrCat(header, "\n", steps), "test.textproto", &scenario);
  if (!parsed.ok()) return parsed;
  return BuildTimeline(std::move(scenario), "test.textproto");
}

TEST(TimelineTest, ResolvesStepTimesAndLabels) {
  auto t = Build(R"pb(
    steps { at: "06:45" note: true say: "start" }
    steps { at: "07:00" note: true say: "a" }
    steps { at: "07:00" note: true say: "same time is fine" }
    steps { at: "D2 10:30" note: true say: "next day" }
  )pb");
  ASSERT_THAT(t, IsOk());
  ASSERT_EQ(t->step_times.size(), 4u);
  EXPECT_EQ(t->Label(t->step_times[1]), "D1 07:00");
  EXPECT_EQ(t->Label(t->step_times[3]), "D2 10:30");
  EXPECT_EQ(t->DayNumber(t->step_times[3]), 2);
  EXPECT_EQ(t->Label(t->clock_start), "D1 06:45");
  EXPECT_EQ(t->Label(t->clock_start - absl::Hours(7)), "D0 23:45");
}

TEST(TimelineTest, RefusesBadHeaders) {
  EXPECT_THAT(Build("steps { at: \"07:00\" note: true say: \"x\" }", "clock_start: \"06:45\""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("first_day")));
  EXPECT_THAT(Build("steps { at: \"07:00\" note: true say: \"x\" }", "first_day: \"2026-12-01\""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("clock_start: required")));
  EXPECT_THAT(Build("steps { at: \"07:00\" note: true say: \"x\" }",
                    "first_day: \"2026-12-01\" clock_start: \"06:45\" time_zone: \"Mars/Olympus\""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("time_zone")));
  EXPECT_THAT(Build("steps { at: \"07:00\" note: true say: \"x\" }",
                    "first_day: \"2026-12-01\" clock_start: \"06:45\" speed: -1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("speed")));
  EXPECT_THAT(Build(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("steps")));
}

TEST(TimelineTest, StepsRunInTimeOrderFromTheClockStart) {
  EXPECT_THAT(Build(R"pb(steps { at: "06:44" note: true say: "x" })pb"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("steps[0].at")));
  EXPECT_THAT(Build(R"pb(
                steps { at: "08:00" note: true say: "x" }
                steps { at: "07:59" note: true say: "y" }
              )pb"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("steps[1].at: '07:59' is before the previous step (D1 08:00)")));
  EXPECT_THAT(Build(R"pb(steps { note: true say: "x" })pb"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("steps[0].at: required")));
}

TEST(TimelineTest, EachActionNamesItsMissingField) {
  struct Case {
    std::string step;
    std::string error;
  } cases[] = {
      {R"pb(steps { at: "07:00" })pb", "steps[0].action: required"},
      {R"pb(steps { at: "07:00" note: true })pb", "steps[0].say: required"},
      {R"pb(steps { at: "07:00" absences { absence_id: "a" team: "t" persons: "p" } })pb",
       "steps[0].by: required"},
      {R"pb(steps { at: "07:00" by: "r" absences { team: "t" persons: "p" } })pb",
       "absences.absence_id: required"},
      {R"pb(steps { at: "07:00" by: "r" absences { absence_id: "a" team: "t" } })pb",
       "absences.persons: at least one person"},
      {R"pb(steps { at: "07:00" by: "r" absences { absence_id: "a" team: "t" persons: "p" ends: "25:00" } })pb",
       "absences.ends"},
      {R"pb(steps { at: "07:00" by: "r" absences { absence_id: "a" team: "t" persons: "p" wte: 1.5 } })pb",
       "absences.wte"},
      {R"pb(steps { at: "07:00" by: "r" redeployment { redeployment_id: "x" from_team: "a" to_team: "b" wte: 1 } })pb",
       "redeployment.ends: required"},
      {R"pb(steps { at: "07:00" by: "r" redeployment { redeployment_id: "x" from_team: "a" to_team: "b" ends: "D3 00:00" } })pb",
       "redeployment.wte"},
      {R"pb(steps { at: "07:00" by: "r" cover { booking_id: "c" team: "t" wte: 1 days: "2" } })pb",
       "cover.days[0]"},
      {R"pb(steps { at: "07:00" by: "r" cover { booking_id: "c" team: "t" } })pb", "cover.wte"},
      {R"pb(steps { at: "07:00" by: "r" staffing { team: "t" available_wte: -1 } })pb",
       "staffing.available_wte"},
      {R"pb(steps { at: "07:00" by: "p" capacity { note: "x" } })pb", "capacity: one report"},
      {R"pb(steps { at: "07:00" by: "p" beds { note: "x" } })pb", "beds: one change"},
      {R"pb(steps { at: "07:00" by: "u" declare { scope: "area/west-kent" level: OPEL_LEVEL_3_RED reason: "short" } })pb",
       "declare.reason: at least 10"},
      {R"pb(steps { at: "07:00" by: "u" declare { scope: "nowhere" level: OPEL_LEVEL_3_RED reason: "long enough reason" } })pb",
       "declare.scope"},
      {R"pb(steps { at: "07:00" by: "u" declare { scope: "area/west-kent" reason: "long enough reason" } })pb",
       "declare.level: required"},
      {R"pb(steps { at: "07:00" by: "u" complete_step { step_id: "decide" } })pb",
       "complete_step.kind: required"},
      {R"pb(steps { at: "07:00" by: "u" complete_step { kind: KIND_EXTRAORDINARY_PAP } })pb",
       "complete_step.step_id: required"},
      {R"pb(steps { at: "07:00" by: "u" answer_prompt { trigger: "acute_site/maidstone" reason: "long enough reason" } })pb",
       "answer_prompt.decision: required"},
      {R"pb(steps { at: "07:00" by: "u" acknowledge { note: "x" } })pb",
       "acknowledge.alert.rule: required"},
      {R"pb(steps { at: "07:00" by: "u" record_action { alert { rule: "area-level" } } })pb",
       "record_action.action_id: required"},
      {R"pb(steps { at: "07:00" mutual_aid {} })pb", "mutual_aid.team: required"},
      {R"pb(steps { at: "07:00" expect { level { scope: "area/west-kent" level: OPEL_LEVEL_3_RED } } })pb",
       "expect.by: required"},
      {R"pb(steps { at: "07:00" expect { by: "06:59" level { scope: "area/west-kent" level: OPEL_LEVEL_3_RED } } })pb",
       "expect.by: must not be before"},
      {R"pb(steps { at: "07:00" expect { by: "08:00" } })pb", "expect: one check is required"},
      {R"pb(steps { at: "07:00" expect { by: "08:00" level { scope: "area/west-kent" } } })pb",
       "expect.level.level: required"},
      {R"pb(steps { at: "07:00" expect { by: "08:00" indicator { scope: "team/stp-west-kent" level: OPEL_LEVEL_3_RED } } })pb",
       "expect.indicator.indicator: required"},
      {R"pb(steps { at: "07:00" expect { by: "08:00" task { } } })pb", "expect.task.kind: required"},
      {R"pb(steps { at: "07:00" expect { by: "08:00" prompt { } } })pb",
       "expect.prompt.trigger: required"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Build(c.step), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.step;
  }
}

TEST(TimelineTest, ChecksIdsAgainstTheReferenceData) {
  auto reference = ReferenceIndex::Load(resilience::testing::SourceDir() +
                                        "/deploy/config/kent-medway/reference.textproto");
  ASSERT_THAT(reference, IsOk());
  struct Case {
    std::string step;
    std::string error;  // empty: fine
  } cases[] = {
      {R"pb(steps { at: "07:00" by: "rostering-kcc" absences { absence_id: "a" team: "stp-west-kent" persons: "p" } })pb", ""},
      {R"pb(steps { at: "07:00" by: "nobody" absences { absence_id: "a" team: "stp-west-kent" persons: "p" } })pb",
       "steps[0].by: no provider 'nobody'"},
      {R"pb(steps { at: "07:00" by: "rostering-kcc" absences { absence_id: "a" team: "stp-nowhere" persons: "p" } })pb",
       "absences.team: no team 'stp-nowhere'"},
      {R"pb(steps { at: "07:00" by: "rostering-kcc" redeployment { redeployment_id: "r" from_team: "stp-ashford-canterbury" to_team: "stp-west-kent" wte: 1 ends: "D3 00:00" agreed_by: "nobody" } })pb",
       "redeployment.agreed_by: no person 'nobody'"},
      {R"pb(steps { at: "07:00" by: "rostering-kcc" declare { scope: "county/kent" level: OPEL_LEVEL_3_RED reason: "long enough reason" } })pb",
       "steps[0].by: no person 'rostering-kcc'"},
      {R"pb(steps { at: "07:00" by: "helen-marsh" declare { scope: "area/mars" level: OPEL_LEVEL_3_RED reason: "long enough reason" } })pb",
       "declare.scope: no scope 'area/mars'"},
      {R"pb(steps { at: "07:00" expect { by: "08:00" alert { alert { rule: "area-level" scope: "area/west-kent" } acknowledged_by: "nobody" } } })pb",
       "acknowledged_by: no person 'nobody'"},
      {R"pb(steps { at: "07:00" expect { by: "08:00" prompt { trigger: "acute_site/st-elsewhere" } } })pb",
       "expect.prompt.trigger: no scope"},
  };
  for (const Case& c : cases) {
    auto t = Build(c.step);
    ASSERT_THAT(t, IsOk()) << c.step;
    if (c.error.empty()) {
      EXPECT_THAT(CheckReferences(*t, **reference), IsOk()) << c.step;
    } else {
      EXPECT_THAT(CheckReferences(*t, **reference),
                  StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.error)))
          << c.step;
    }
  }
}

TEST(TimelineTest, TheShippedWinterDayLoadsAndNamesOnlyKnownIds) {
  const std::string root = resilience::testing::SourceDir();
  auto t = LoadTimeline(root + "/deploy/scenarios/kent-medway-winter-day.textproto");
  ASSERT_THAT(t, IsOk());
  auto reference = ReferenceIndex::Load(root + "/deploy/config/kent-medway/reference.textproto");
  ASSERT_THAT(reference, IsOk());
  EXPECT_THAT(CheckReferences(*t, **reference), IsOk());
  EXPECT_GT(t->scenario.speed(), 0);
}

TEST(TimelineTest, AFileWithATypoNamesItsLine) {
  auto t = LoadTimeline(resilience::testing::SourceDir() + "/no/such/scenario.textproto");
  EXPECT_THAT(t, StatusIs(absl::StatusCode::kNotFound));
  v1::Scenario scenario;
  EXPECT_THAT(ParseTextProto("first_day: \"2026-12-01\"\nsteps { att: \"07:00\" }", "x.textproto",
                             &scenario),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("x.textproto:2")));
}

}  // namespace
}  // namespace resilience::scenario
