// The replayer against a fake platform on a stepped clock: steps at their times with the right
// caller, refusals (unexpected and expected), retries with the same update id, expectations met
// and missed, staff actions waiting for their alert, task or prompt, and the narrative of what the
// platform shows changing.
#include "tools/scenario/replayer.h"

#include <functional>
#include <sstream>
#include <string>
#include <vector>

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
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
namespace esc = escalation::v1;
using common::v1::UpdateAck;

absl::Time Dec1(int hour, int minute = 0) {
  return absl::FromCivil(absl::CivilMinute(2026, 12, 1, hour, minute), absl::UTCTimeZone());
}

UpdateAck Ack(UpdateAck::Outcome outcome) {
  UpdateAck ack;
  ack.set_outcome(outcome);
  if (outcome == UpdateAck::OUTCOME_REJECTED) {
    auto* v = ack.add_violations();
    v->set_field("snapshot.beds[0].occupied");
    v->set_reason("above the 14 beds of this type");
  }
  return ack;
}

// Records every call with the scenario time it was made at; answers from scripts.
class FakePlatform final : public Platform {
 public:
  explicit FakePlatform(const ScenarioClock* clock) : clock_(clock) {}

  std::vector<std::string> calls;
  // Next acks to give (front first); ACCEPTED when empty.
  std::vector<UpdateAck> acks;
  // Builds the view at a scenario time.
  std::function<PlatformView(absl::Time)> view = [](absl::Time) { return PlatformView(); };
  absl::Status staff_status = absl::OkStatus();

  absl::StatusOr<UpdateAck> Next(const std::string& call) {
    calls.push_back(absl::StrCat(Label(), " ", call));
    if (acks.empty()) return Ack(UpdateAck::OUTCOME_ACCEPTED);
    UpdateAck ack = acks.front();
    acks.erase(acks.begin());
    return ack;
  }
  std::string Label() const { return absl::FormatTime("%H:%M", clock_->Now(), absl::UTCTimeZone()); }

  absl::StatusOr<UpdateAck> SubmitWorkforce(const std::string& p,
                                            const workforce::v1::WorkforceUpdate& u) override {
    return Next(absl::StrCat("workforce ", p, " ", u.update_id()));
  }
  absl::StatusOr<UpdateAck> ReportStaffing(const std::string& p,
                                           const workforce::v1::StaffingReport& r) override {
    return Next(absl::StrCat("staffing ", p, " ", r.update_id()));
  }
  absl::StatusOr<UpdateAck> SubmitCapacity(const std::string& p,
                                           const capacity::v1::CapacityUpdate& u) override {
    return Next(absl::StrCat("capacity ", p, " ", u.update_id()));
  }
  absl::StatusOr<UpdateAck> SubmitBeds(const std::string& p, const beds::v1::BedUpdate& u) override {
    return Next(absl::StrCat("beds ", p, " ", u.update_id()));
  }
  absl::StatusOr<workforce::v1::SuggestMutualAidResponse> SuggestMutualAid(
      const std::string& team) override {
    calls.push_back(absl::StrCat(Label(), " mutual-aid ", team));
    workforce::v1::SuggestMutualAidResponse r;
    r.set_needed_wte(2);
    auto* o = r.add_offers();
    o->set_lending_team_id("stp-ashford-canterbury");
    o->set_suggested_wte(2);
    return r;
  }
  absl::StatusOr<esc::LevelStatus> DeclareLevel(const std::string& u,
                                                const esc::DeclareLevelRequest& r) override {
    calls.push_back(absl::StrCat(Label(), " declare ", u, " ", r.scope().id(), " L", r.level()));
    if (!staff_status.ok()) return staff_status;
    esc::LevelStatus l;
    *l.mutable_scope() = r.scope();
    l.set_effective_level(r.level());
    return l;
  }
  absl::StatusOr<esc::ProtocolTask> CompleteTaskStep(const std::string& u,
                                                     const esc::CompleteTaskStepRequest& r) override {
    calls.push_back(absl::StrCat(Label(), " complete ", u, " ", r.task_id(), " ", r.step_id()));
    if (!staff_status.ok()) return staff_status;
    esc::ProtocolTask t;
    t.set_task_id(r.task_id());
    return t;
  }
  absl::StatusOr<esc::DecisionPrompt> AnswerDecisionPrompt(
      const std::string& u, const esc::AnswerDecisionPromptRequest& r) override {
    calls.push_back(absl::StrCat(Label(), " answer ", u, " ", r.prompt_id(), " ",
                                 esc::DecisionPrompt::Decision_Name(r.decision())));
    if (!staff_status.ok()) return staff_status;
    esc::DecisionPrompt p;
    p.set_prompt_id(r.prompt_id());
    return p;
  }
  absl::StatusOr<esc::Alert> Acknowledge(const std::string& u, const esc::AcknowledgeRequest& r) override {
    calls.push_back(absl::StrCat(Label(), " ack ", u, " ", r.alert_id(), " ", r.note()));
    if (!staff_status.ok()) return staff_status;
    esc::Alert a;
    a.set_alert_id(r.alert_id());
    return a;
  }
  absl::StatusOr<esc::Alert> RecordAction(const std::string& u, const esc::RecordActionRequest& r) override {
    calls.push_back(absl::StrCat(Label(), " action ", u, " ", r.alert_id(), " ", r.action_id()));
    if (!staff_status.ok()) return staff_status;
    esc::Alert a;
    a.set_alert_id(r.alert_id());
    return a;
  }
  absl::StatusOr<PlatformView> View(const std::string& viewer, int limit) override {
    return view(clock_->Now());
  }

 private:
  const ScenarioClock* clock_;
};

Timeline Build(const std::string& steps) {
  v1::Scenario scenario;
  EXPECT_THAT(ParseTextProto(absl::StrCat("title: \"Test day\" first_day: \"2026-12-01\" "
                                          "clock_start: \"07:00\" speed: 600 "
                                          "update_id_prefix: \"t\"\n",
                                          steps),
                             "test", &scenario),
              IsOk());
  auto t = BuildTimeline(std::move(scenario), "test");
  EXPECT_THAT(t, IsOk());
  return *std::move(t);
}

class ReplayerTest : public ::testing::Test {
 protected:
  ReplayerTest() : clock_(Dec1(7), 600), platform_(&clock_) {
    options_.retry_backoff = absl::ZeroDuration();
    options_.grace = absl::ZeroDuration();
  }
  absl::Status Run(const Timeline& t) {
    Replayer replayer(&t, &platform_, &clock_, &out_, options_);
    absl::Status s = replayer.Run();
    summary_ = replayer.summary();
    return s;
  }

  SteppedClock clock_;
  FakePlatform platform_;
  ReplayOptions options_;
  std::ostringstream out_;
  ReplaySummary summary_;
};

TEST_F(ReplayerTest, RunsEachStepAtItsTimeAsItsCaller) {
  Timeline t = Build(R"pb(
    steps { at: "07:00" note: true say: "The day starts." }
    steps {
      at: "08:10" by: "rostering-kcc" say: "Flu in West Kent."
      absences { absence_id: "flu" team: "stp-west-kent" persons: ["a", "b"] }
    }
    steps { at: "09:45" by: "mtw-information" capacity { acute_assessment { site_id: "maidstone" } } }
    steps { at: "09:50" by: "bed-management-kcc" beds { snapshot { location_id: "ihu-weald-house" } } }
    steps { at: "10:00" by: "rostering-kcc" staffing { team: "stp-north-kent" available_wte: 9 } }
    steps { at: "10:20" by: "helen-marsh" declare { scope: "county/kent" level: OPEL_LEVEL_3_RED reason: "county-wide pressure" } }
    steps { at: "11:00" mutual_aid { team: "stp-west-kent" } }
  )pb");
  ASSERT_THAT(Run(t), IsOk());
  EXPECT_THAT(platform_.calls,
              ElementsAre("08:10 workforce rostering-kcc t-2-1", "08:10 workforce rostering-kcc t-2-2",
                          "09:45 capacity mtw-information t-3", "09:50 beds bed-management-kcc t-4",
                          "10:00 staffing rostering-kcc t-5", "10:20 declare helen-marsh kent L3",
                          "11:00 mutual-aid stp-west-kent"));
  EXPECT_EQ(summary_.updates_accepted, 5);
  EXPECT_EQ(summary_.staff_actions, 1);
  EXPECT_EQ(summary_.failures, 0);
  EXPECT_THAT(out_.str(), HasSubstr("D1 08:10  rostering-kcc          Flu in West Kent."));
  // A step with `say` tells the story, then what was sent and its outcome; one without says
  // what was sent and its outcome on one line.
  EXPECT_THAT(out_.str(), HasSubstr("-> 2 absences (unspecified) in team/stp-west-kent: 2 updates accepted"));
  EXPECT_THAT(out_.str(), HasSubstr("D1 09:50  bed-management-kcc     location/ihu-weald-house: beds occupied: : accepted"));
  EXPECT_THAT(out_.str(), HasSubstr("ask stp-ashford-canterbury"));
}

TEST_F(ReplayerTest, AnUnexpectedRefusalStopsTheReplay) {
  platform_.acks = {Ack(UpdateAck::OUTCOME_ACCEPTED), Ack(UpdateAck::OUTCOME_REJECTED)};
  Timeline t = Build(R"pb(
    steps { at: "07:10" by: "bed-management-kcc" beds { snapshot { location_id: "x" } } }
    steps { at: "07:20" by: "bed-management-kcc" beds { snapshot { location_id: "x" } } }
    steps { at: "07:30" by: "bed-management-kcc" beds { snapshot { location_id: "x" } } }
  )pb");
  absl::Status s = Run(t);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition,
                          HasSubstr("step 2 (07:20): bed update t-2 refused: OUTCOME_REJECTED "
                                    "snapshot.beds[0].occupied: above the 14 beds")));
  EXPECT_EQ(platform_.calls.size(), 2u);  // the third step never ran
  EXPECT_THAT(out_.str(), HasSubstr("FAILED"));
}

TEST_F(ReplayerTest, SupersededIsARefusalAndDuplicateIsNot) {
  platform_.acks = {Ack(UpdateAck::OUTCOME_DUPLICATE), Ack(UpdateAck::OUTCOME_SUPERSEDED)};
  Timeline t = Build(R"pb(
    steps { at: "07:10" by: "p" beds { snapshot { location_id: "x" } } }
    steps { at: "07:20" by: "p" beds { snapshot { location_id: "x" } } }
  )pb");
  EXPECT_THAT(Run(t), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("SUPERSEDED")));
  EXPECT_EQ(summary_.updates_duplicate, 1);
}

TEST_F(ReplayerTest, ExpectedRefusalsMustBeRefused) {
  platform_.acks = {Ack(UpdateAck::OUTCOME_REJECTED), Ack(UpdateAck::OUTCOME_ACCEPTED)};
  Timeline t = Build(R"pb(
    steps { at: "07:10" by: "p" expect_refused: true say: "A typo." beds { snapshot { location_id: "x" } } }
    steps { at: "07:20" by: "p" expect_refused: true beds { snapshot { location_id: "x" } } }
  )pb");
  EXPECT_THAT(Run(t), StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("was taken, but the scenario expects it refused")));
  EXPECT_EQ(summary_.refused_as_expected, 1);
  EXPECT_THAT(out_.str(), HasSubstr("refused, as expected: OUTCOME_REJECTED snapshot.beds[0].occupied"));
}

TEST_F(ReplayerTest, StaffRefusalsToo) {
  platform_.staff_status = absl::PermissionDeniedError("role may not declare");
  Timeline t = Build(R"pb(
    steps { at: "07:10" by: "priya-nair" expect_refused: true declare { scope: "area/west-kent" level: OPEL_LEVEL_3_RED reason: "not my role to do" } }
    steps { at: "07:20" by: "priya-nair" declare { scope: "area/west-kent" level: OPEL_LEVEL_3_RED reason: "not my role to do" } }
  )pb");
  EXPECT_THAT(Run(t), StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("step 2 (07:20): refused: PERMISSION_DENIED: role may not declare")));
  EXPECT_EQ(summary_.refused_as_expected, 1);
}

TEST_F(ReplayerTest, RetriesWithTheSameUpdateIdUntilTaken) {
  platform_.acks = {Ack(UpdateAck::OUTCOME_RETRY), Ack(UpdateAck::OUTCOME_RETRY),
                    Ack(UpdateAck::OUTCOME_ACCEPTED)};
  Timeline t = Build(R"pb(steps { at: "07:10" by: "p" capacity { keah_daily_capacity { patch_id: "keah-maidstone" } } })pb");
  ASSERT_THAT(Run(t), IsOk());
  EXPECT_THAT(platform_.calls, ElementsAre("07:10 capacity p t-1", "07:10 capacity p t-1",
                                           "07:10 capacity p t-1"));
}

PlatformView WestKentAt(common::v1::OpelLevel level) {
  PlatformView v;
  auto* l = v.board.add_levels();
  l->mutable_scope()->set_kind(common::v1::SCOPE_KIND_AREA);
  l->mutable_scope()->set_id("west-kent");
  l->set_computed_level(level);
  l->set_effective_level(level);
  return v;
}

TEST_F(ReplayerTest, AnExpectationWaitsForThePlatformAndNarratesWhatChanged) {
  platform_.view = [](absl::Time now) {
    return WestKentAt(now >= Dec1(9, 40) ? common::v1::OPEL_LEVEL_3_RED : common::v1::OPEL_LEVEL_2_AMBER);
  };
  Timeline t = Build(R"pb(
    steps { at: "09:00" note: true say: "Pressure builds." }
    steps { at: "09:30" expect { by: "11:00" level { scope: "area/west-kent" level: OPEL_LEVEL_3_RED } } }
    steps { at: "11:30" note: true say: "Later." }
  )pb");
  ASSERT_THAT(Run(t), IsOk());
  EXPECT_EQ(summary_.expectations_met, 1);
  EXPECT_THAT(out_.str(), HasSubstr("area/west-kent: computed OPEL 2 (Amber) -> OPEL 3 (Red)"));
  EXPECT_THAT(out_.str(), HasSubstr("as expected by D1 11:00: area/west-kent computed level OPEL 3 (Red)"));
  // The baseline (OPEL 2 at the first look) is not reported as a change.
  EXPECT_THAT(out_.str(), Not(HasSubstr("not known -> OPEL 2")));
}

TEST_F(ReplayerTest, AnExpectationNotMetByItsDeadlineFails) {
  platform_.view = [](absl::Time) { return WestKentAt(common::v1::OPEL_LEVEL_2_AMBER); };
  Timeline t = Build(R"pb(
    steps { at: "09:30" expect { by: "11:00" level { scope: "area/west-kent" level: OPEL_LEVEL_3_RED } } }
    steps { at: "12:00" note: true say: "never reached" }
  )pb");
  EXPECT_THAT(Run(t), StatusIs(absl::StatusCode::kDeadlineExceeded,
                               HasSubstr("expected area/west-kent computed level OPEL 3 (Red) by D1 "
                                         "11:00; the platform shows OPEL 2 (Amber)")));
  EXPECT_GE(clock_.Now(), Dec1(11));
  EXPECT_THAT(out_.str(), Not(HasSubstr("never reached")));
}

TEST_F(ReplayerTest, KeepGoingRunsTheRestAndStillFails) {
  options_.keep_going = true;
  platform_.acks = {Ack(UpdateAck::OUTCOME_REJECTED)};
  Timeline t = Build(R"pb(
    steps { at: "07:10" by: "p" beds { snapshot { location_id: "x" } } }
    steps { at: "07:20" by: "p" beds { snapshot { location_id: "x" } } }
  )pb");
  EXPECT_THAT(Run(t), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("step 1")));
  EXPECT_EQ(platform_.calls.size(), 2u);
  EXPECT_EQ(summary_.failures, 1);
}

PlatformView Workflow(absl::Time now) {
  PlatformView v;
  if (now >= Dec1(10, 5)) {
    auto* a = v.alerts.add_alerts();
    a->set_alert_id("area-level/area/west-kent/1");
    a->set_rule("area-level");
    a->mutable_scope()->set_kind(common::v1::SCOPE_KIND_AREA);
    a->mutable_scope()->set_id("west-kent");
    a->set_level(common::v1::OPEL_LEVEL_3_RED);
    a->set_state(esc::ALERT_STATE_FIRING);
    a->set_title("West Kent at OPEL 3");
    auto* t = v.tasks.add_tasks();
    t->set_task_id("extraordinary-pap/acute_site/maidstone/1");
    t->set_kind(esc::ProtocolTask::KIND_EXTRAORDINARY_PAP);
    t->mutable_scope()->set_kind(common::v1::SCOPE_KIND_ACUTE_SITE);
    t->mutable_scope()->set_id("maidstone");
    t->set_title("Extraordinary Practice Assurance Panel? Maidstone Hospital at OPEL 4");
    t->add_steps()->set_step_id("decide");
    auto* p = v.prompts.add_prompts();
    p->set_prompt_id("decision-prompt/acute_site/maidstone/L4/1");
    p->mutable_trigger_scope()->set_kind(common::v1::SCOPE_KIND_ACUTE_SITE);
    p->mutable_trigger_scope()->set_id("maidstone");
    p->set_trigger_level(common::v1::OPEL_LEVEL_4_BLACK);
    p->set_title("Maidstone Hospital at OPEL 4: will KCC respond?");
  }
  return v;
}

TEST_F(ReplayerTest, StaffActionsWaitForTheirAlertTaskAndPrompt) {
  platform_.view = Workflow;
  Timeline t = Build(R"pb(
    steps { at: "10:00" by: "helen-marsh" acknowledge { alert { rule: "area-level" scope: "area/west-kent" } note: "on it" } }
    steps { at: "10:10" by: "david-okoro" complete_step { kind: KIND_EXTRAORDINARY_PAP scope: "acute_site/maidstone" step_id: "decide" note: "panel at 15:00" } }
    steps { at: "10:10" by: "david-okoro" answer_prompt { trigger: "acute_site/maidstone" level: OPEL_LEVEL_4_BLACK decision: DECISION_RESPOND reason: "extraordinary panel" } }
    steps { at: "10:15" by: "helen-marsh" record_action { alert { rule: "area-level" } action_id: "sm-l3-huddle" done: true } }
  )pb");
  ASSERT_THAT(Run(t), IsOk());
  EXPECT_THAT(platform_.calls,
              ElementsAre(HasSubstr(" ack helen-marsh area-level/area/west-kent/1 on it"),
                          "10:10 complete david-okoro extraordinary-pap/acute_site/maidstone/1 decide",
                          "10:10 answer david-okoro decision-prompt/acute_site/maidstone/L4/1 DECISION_RESPOND",
                          "10:15 action helen-marsh area-level/area/west-kent/1 sm-l3-huddle"));
  // The acknowledgement had to wait for the alert (raised at 10:05).
  EXPECT_GE(platform_.calls[0], "10:05");
  EXPECT_THAT(out_.str(), HasSubstr("task opened: Extraordinary Practice Assurance Panel?"));
  EXPECT_THAT(out_.str(), HasSubstr("decision prompt: Maidstone Hospital at OPEL 4: will KCC respond?"));
  EXPECT_THAT(out_.str(), HasSubstr("alert: West Kent at OPEL 3"));
}

TEST_F(ReplayerTest, AStaffActionWhoseTargetNeverAppearsFails) {
  Timeline t = Build(R"pb(
    steps { at: "10:00" by: "helen-marsh" acknowledge { alert { rule: "county-level" } within_minutes: 20 } }
  )pb");
  EXPECT_THAT(Run(t), StatusIs(absl::StatusCode::kDeadlineExceeded,
                               HasSubstr("an alert county-level not seen by D1 10:20")));
  EXPECT_TRUE(platform_.calls.empty());
}

}  // namespace
}  // namespace resilience::scenario

namespace resilience::scenario {
namespace {

TEST(AnchoredClockTest, MapsRealTimeFromTheSharedEpoch) {
  const absl::Time start = absl::FromCivil(absl::CivilMinute(2026, 12, 1, 6, 30), absl::UTCTimeZone());
  // The epoch a second ago at 600x: the scenario clock is ten minutes past its start.
  AnchoredClock clock(start, absl::Now() - absl::Seconds(1), 600);
  const absl::Duration past = clock.Now() - start;
  EXPECT_GE(past, absl::Minutes(10));
  EXPECT_LT(past, absl::Minutes(11));  // within 0.1 s of real time
  EXPECT_EQ(clock.ScenarioDuration(absl::Seconds(2)), absl::Minutes(20));
  // Waiting for a time already passed returns at once; a wait is bounded by its real limit.
  const absl::Time before = absl::Now();
  clock.WaitUntil(start, absl::Seconds(10));
  clock.WaitUntil(start + absl::Hours(24), absl::Milliseconds(1));
  EXPECT_LT(absl::Now() - before, absl::Seconds(1));
}

TEST(SteppedClockTest, JumpsOrStepsByTheRealLimit) {
  const absl::Time start = absl::FromCivil(absl::CivilMinute(2026, 12, 1, 6, 30), absl::UTCTimeZone());
  SteppedClock clock(start, 600);
  clock.WaitUntil(start + absl::Hours(1), absl::Seconds(1));  // one real second: ten minutes
  EXPECT_EQ(clock.Now(), start + absl::Minutes(10));
  clock.WaitUntil(start + absl::Minutes(15), absl::Seconds(10));
  EXPECT_EQ(clock.Now(), start + absl::Minutes(15));
  clock.WaitUntil(start, absl::Seconds(10));  // never backwards
  EXPECT_EQ(clock.Now(), start + absl::Minutes(15));
}

}  // namespace
}  // namespace resilience::scenario
