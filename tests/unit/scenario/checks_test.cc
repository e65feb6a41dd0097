// Reading what the escalation service shows: level comparisons at every edge, finding the newest
// matching alert, task and prompt, and each kind of expectation met and not met.
#include "tools/scenario/checks.h"

#include <string>

#include "common/config/text_proto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace resilience::scenario {
namespace {

using ::resilience::testing::IsOk;
using ::testing::HasSubstr;
namespace esc = escalation::v1;
using common::v1::OpelLevel;

template <typename T>
T Parse(const std::string& text) {
  T message;
  EXPECT_THAT(ParseTextProto(text, "test", &message), IsOk());
  return message;
}

TEST(CompareTest, EveryLevelAgainstEveryLevel) {
  for (int a = 0; a <= 4; ++a) {
    for (int w = 1; w <= 4; ++w) {
      const auto actual = static_cast<OpelLevel>(a);
      const auto wanted = static_cast<OpelLevel>(w);
      // A level not known never satisfies anything, not even "at most".
      EXPECT_EQ(Compare(actual, wanted, v1::COMPARISON_EXACTLY), a != 0 && a == w);
      EXPECT_EQ(Compare(actual, wanted, v1::COMPARISON_AT_LEAST), a != 0 && a >= w);
      EXPECT_EQ(Compare(actual, wanted, v1::COMPARISON_AT_MOST), a != 0 && a <= w);
    }
  }
  EXPECT_EQ(LevelText(common::v1::OPEL_LEVEL_3_RED), "OPEL 3 (Red)");
  EXPECT_EQ(LevelText(common::v1::OPEL_LEVEL_UNSPECIFIED), "not known");
}

PlatformView View() {
  PlatformView v;
  v.board = Parse<esc::StatusBoard>(R"pb(
    levels { scope { kind: SCOPE_KIND_AREA id: "west-kent" } computed_level: OPEL_LEVEL_3_RED
             effective_level: OPEL_LEVEL_3_RED }
    levels { scope { kind: SCOPE_KIND_COUNTY id: "kent" } computed_level: OPEL_LEVEL_3_RED
             effective_level: OPEL_LEVEL_2_AMBER declaration { level: OPEL_LEVEL_2_AMBER } }
    indicators {
      latest { indicator: "stp_staffing_pct" scope { kind: SCOPE_KIND_TEAM id: "stp-west-kent" }
               level: OPEL_LEVEL_2_AMBER value_text: "55.0 %" }
      held_level: OPEL_LEVEL_3_RED
    }
  )pb");
  v.tasks = Parse<esc::ListTasksResponse>(R"pb(
    tasks { task_id: "nhs111-dos/county/kent/1" kind: KIND_NHS111_DOS closed: true
            scope { kind: SCOPE_KIND_COUNTY id: "kent" } opened_at { seconds: 100 } }
    tasks { task_id: "nhs111-dos/county/kent/2" kind: KIND_NHS111_DOS
            scope { kind: SCOPE_KIND_COUNTY id: "kent" } opened_at { seconds: 200 }
            steps { step_id: "r1-a-call-nhs111" done_by: "helen-marsh" }
            steps { step_id: "r1-b-inform" } }
    tasks { task_id: "extraordinary-pap/acute_site/maidstone/3" kind: KIND_EXTRAORDINARY_PAP
            scope { kind: SCOPE_KIND_ACUTE_SITE id: "maidstone" } opened_at { seconds: 300 }
            steps { step_id: "decide" } }
  )pb");
  v.prompts = Parse<esc::ListDecisionPromptsResponse>(R"pb(
    prompts { prompt_id: "p3" trigger_scope { kind: SCOPE_KIND_ACUTE_SITE id: "maidstone" }
              trigger_level: OPEL_LEVEL_3_RED raised_at { seconds: 100 } decision: DECISION_RESPOND
              decided_by: "helen-marsh" title: "Maidstone Hospital at OPEL 3: will KCC respond?" }
    prompts { prompt_id: "p4" trigger_scope { kind: SCOPE_KIND_ACUTE_SITE id: "maidstone" }
              trigger_level: OPEL_LEVEL_4_BLACK raised_at { seconds: 200 }
              title: "Maidstone Hospital at OPEL 4: will KCC respond?" }
  )pb");
  // Newest first, as ListAlerts answers.
  v.alerts = Parse<esc::ListAlertsResponse>(R"pb(
    alerts { alert_id: "indicator-level/team/stp-west-kent/stp_staffing_pct/2" rule: "indicator-level"
             scope { kind: SCOPE_KIND_TEAM id: "stp-west-kent" } level: OPEL_LEVEL_3_RED
             state: ALERT_STATE_FIRING }
    alerts { alert_id: "area-level/area/west-kent/1" rule: "area-level"
             scope { kind: SCOPE_KIND_AREA id: "west-kent" } level: OPEL_LEVEL_3_RED
             state: ALERT_STATE_ACKNOWLEDGED acknowledgements { user_id: "helen-marsh" } }
    alerts { alert_id: "indicator-level/team/stp-west-kent/stp_staffing_pct/1" rule: "indicator-level"
             scope { kind: SCOPE_KIND_TEAM id: "stp-west-kent" } level: OPEL_LEVEL_2_AMBER
             state: ALERT_STATE_RESOLVED }
  )pb");
  return v;
}

TEST(FindTest, NewestMatchingAlert) {
  const PlatformView v = View();
  auto find = [&](const std::string& match) {
    const esc::Alert* a = FindAlert(Parse<v1::AlertMatch>(match), v.alerts);
    return a == nullptr ? std::string("none") : a->alert_id();
  };
  EXPECT_EQ(find(R"pb(rule: "indicator-level" scope: "team/stp-west-kent" indicator: "stp_staffing_pct")pb"),
            "indicator-level/team/stp-west-kent/stp_staffing_pct/2");
  EXPECT_EQ(find(R"pb(rule: "indicator-level" indicator: "case_load")pb"), "none");
  EXPECT_EQ(find(R"pb(rule: "area-level")pb"), "area-level/area/west-kent/1");
  EXPECT_EQ(find(R"pb(rule: "area-level" scope: "area/north-kent")pb"), "none");
  EXPECT_EQ(find(R"pb(rule: "indicator-level" min_level: OPEL_LEVEL_4_BLACK)pb"), "none");
  EXPECT_EQ(find(R"pb(alert_id: "indicator-level/team/stp-west-kent/stp_staffing_pct/1")pb"),
            "indicator-level/team/stp-west-kent/stp_staffing_pct/1");
  EXPECT_EQ(find(R"pb(alert_id: "no/such")pb"), "none");
}

TEST(FindTest, NewestTaskAndPrompt) {
  const PlatformView v = View();
  const auto* dos = FindTask(esc::ProtocolTask::KIND_NHS111_DOS, "", false, v.tasks);
  ASSERT_NE(dos, nullptr);
  EXPECT_EQ(dos->task_id(), "nhs111-dos/county/kent/2");
  EXPECT_EQ(FindTask(esc::ProtocolTask::KIND_NHS111_DOS, "county/kent", true, v.tasks)->task_id(),
            "nhs111-dos/county/kent/2");
  EXPECT_EQ(FindTask(esc::ProtocolTask::KIND_EXTRAORDINARY_PAP, "acute_site/tunbridge-wells", false,
                     v.tasks),
            nullptr);
  EXPECT_EQ(FindTask(esc::ProtocolTask::KIND_KEAH_DECLINE, "", false, v.tasks), nullptr);

  EXPECT_EQ(FindPrompt("acute_site/maidstone", common::v1::OPEL_LEVEL_UNSPECIFIED, false, v.prompts)
                ->prompt_id(),
            "p4");
  EXPECT_EQ(FindPrompt("acute_site/maidstone", common::v1::OPEL_LEVEL_3_RED, false, v.prompts)
                ->prompt_id(),
            "p3");
  EXPECT_EQ(FindPrompt("acute_site/maidstone", common::v1::OPEL_LEVEL_3_RED, true, v.prompts),
            nullptr);  // answered
  EXPECT_EQ(FindPrompt("board_area/west-kent", common::v1::OPEL_LEVEL_UNSPECIFIED, false, v.prompts),
            nullptr);
}

TEST(EvaluateTest, EachCheckMetAndNotMet) {
  const PlatformView v = View();
  struct Case {
    std::string expectation;
    bool met;
    std::string seen;
  } cases[] = {
      {R"pb(level { scope: "area/west-kent" level: OPEL_LEVEL_3_RED })pb", true, "OPEL 3 (Red)"},
      {R"pb(level { scope: "area/west-kent" level: OPEL_LEVEL_4_BLACK })pb", false, "OPEL 3 (Red)"},
      {R"pb(level { scope: "area/west-kent" level: OPEL_LEVEL_2_AMBER comparison: COMPARISON_AT_LEAST })pb",
       true, ""},
      {R"pb(level { scope: "county/kent" level: OPEL_LEVEL_2_AMBER effective: true })pb", true,
       "OPEL 2 (Amber)"},
      {R"pb(level { scope: "county/kent" level: OPEL_LEVEL_2_AMBER })pb", false, "OPEL 3 (Red)"},
      {R"pb(level { scope: "area/north-kent" level: OPEL_LEVEL_1_GREEN })pb", false,
       "not on the status board"},
      {R"pb(indicator { scope: "team/stp-west-kent" indicator: "stp_staffing_pct" level: OPEL_LEVEL_2_AMBER })pb",
       true, "OPEL 2 (Amber) (55.0 %)"},
      {R"pb(indicator { scope: "team/stp-west-kent" indicator: "stp_staffing_pct" level: OPEL_LEVEL_3_RED held: true })pb",
       true, ""},
      {R"pb(indicator { scope: "team/stp-north-kent" indicator: "stp_staffing_pct" level: OPEL_LEVEL_3_RED })pb",
       false, "no such figure"},
      {R"pb(task { kind: KIND_NHS111_DOS steps_done: "r1-a-call-nhs111" })pb", true, ""},
      {R"pb(task { kind: KIND_NHS111_DOS steps_done: "r1-b-inform" })pb", false,
       "open: r1-a-call-nhs111 (done), r1-b-inform"},
      {R"pb(task { kind: KIND_NHS111_DOS steps_present: "r2-a-call-nhs111" })pb", false, ""},
      {R"pb(task { kind: KIND_NHS111_DOS closed: true })pb", false, ""},
      {R"pb(task { kind: KIND_EXTRAORDINARY_PAP scope: "acute_site/maidstone" steps_present: "decide" })pb",
       true, ""},
      {R"pb(task { kind: KIND_KEAH_DECLINE })pb", false, "no such task"},
      {R"pb(prompt { trigger: "acute_site/maidstone" level: OPEL_LEVEL_4_BLACK })pb", true,
       "\"Maidstone Hospital at OPEL 4: will KCC respond?\", unanswered"},
      {R"pb(prompt { trigger: "acute_site/maidstone" level: OPEL_LEVEL_4_BLACK decision: DECISION_RESPOND })pb",
       false, ""},
      {R"pb(prompt { trigger: "acute_site/maidstone" level: OPEL_LEVEL_3_RED decision: DECISION_RESPOND })pb",
       true, "answered DECISION_RESPOND by helen-marsh"},
      {R"pb(prompt { trigger: "acute_site/tunbridge-wells" })pb", false, "no such prompt"},
      {R"pb(alert { alert { rule: "area-level" scope: "area/west-kent" } acknowledged_by: "helen-marsh" })pb",
       true, "acknowledged by helen-marsh"},
      {R"pb(alert { alert { rule: "area-level" scope: "area/west-kent" } acknowledged_by: "david-okoro" })pb",
       false, ""},
      {R"pb(alert { alert { rule: "area-level" } state: ALERT_STATE_RESOLVED })pb", false,
       "ALERT_STATE_ACKNOWLEDGED"},
      {R"pb(alert { alert { rule: "county-level" } })pb", false, "no such alert"},
  };
  for (const Case& c : cases) {
    CheckResult r = Evaluate(Parse<v1::Expectation>(c.expectation), v);
    EXPECT_EQ(r.met, c.met) << c.expectation << " seen: " << r.seen;
    EXPECT_THAT(r.seen, HasSubstr(c.seen)) << c.expectation;
    EXPECT_FALSE(r.wanted.empty());
  }
}

}  // namespace
}  // namespace resilience::scenario
