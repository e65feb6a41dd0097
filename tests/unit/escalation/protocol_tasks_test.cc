// Protocol tasks (NHS 111 DoS, extraordinary panel, KEaH declines) and decision prompts: steps,
// timers, who may complete them, and the alerts that announce them.
#include "services/escalation/core/protocol_tasks.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace resilience::escalation {
namespace {

using ::resilience::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using E = events::v1::KeahReferralEvent;
using Task = v1::ProtocolTask;

class ProtocolTasksTest : public ::testing::Test {
 protected:
  ProtocolTasksTest() {
    EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &settings_.zone));
    county_.set_kind(common::v1::SCOPE_KIND_COUNTY);
    county_.set_id("kent");
    patch_.set_kind(common::v1::SCOPE_KIND_KEAH_PATCH);
    patch_.set_id("keah-maidstone");
  }
  // November 2026 in London: Monday 23rd to Sunday 29th.
  absl::Time At(int day, int hour, int minute = 0) {
    return absl::FromCivil(absl::CivilMinute(2026, 11, day, hour, minute), settings_.zone);
  }
  static std::vector<std::string> StepIds(const Task& t) {
    std::vector<std::string> out;
    for (const auto& s : t.steps()) out.push_back(s.step_id());
    return out;
  }
  E Referral(E::Step step, E::ReferralSource source = E::REFERRAL_SOURCE_HOSPITAL) {
    E e;
    e.set_referral_id("ref/42");
    e.set_step(step);
    e.set_patch_id("keah-maidstone");
    e.set_referral_source(source);
    return e;
  }
  WorkflowSettings settings_;
  common::v1::ScopeRef county_, patch_;
};

TEST_F(ProtocolTasksTest, InHoursIsWeekdaysNineToFive) {
  EXPECT_FALSE(InHours(At(23, 8, 59), settings_));
  EXPECT_TRUE(InHours(At(23, 9, 0), settings_));
  EXPECT_TRUE(InHours(At(27, 16, 59), settings_));  // Friday
  EXPECT_FALSE(InHours(At(27, 17, 0), settings_));
  EXPECT_FALSE(InHours(At(28, 12, 0), settings_));  // Saturday
}

TEST_F(ProtocolTasksTest, Nhs111InformsIcbLeadInHoursAndDirectorOnCallOutOfHours) {
  Task day = OpenNhs111Task(county_, "Kent", common::v1::OPEL_LEVEL_3_RED, At(23, 11), settings_);
  EXPECT_THAT(StepIds(day), ElementsAre("r1-a-call-nhs111", "r1-b-inform", "r1-c-review"));
  EXPECT_THAT(day.steps(1).description(), HasSubstr("ICB commissioning lead"));
  EXPECT_EQ(FromProtoTime(day.next_review_at()), At(23, 15));
  EXPECT_EQ(FromProtoTime(day.steps(0).due_at()), At(23, 12));
  EXPECT_EQ(day.task_id().rfind("nhs111-dos/county/kent/", 0), 0u);
  Task night = OpenNhs111Task(county_, "Kent", common::v1::OPEL_LEVEL_3_RED, At(23, 22), settings_);
  EXPECT_THAT(night.steps(1).description(), HasSubstr("NHS Director on Call"));
}

TEST_F(ProtocolTasksTest, Nhs111ReviewRepeatsWhilePressureRemainsThenCloses) {
  Task t = OpenNhs111Task(county_, "Kent", common::v1::OPEL_LEVEL_3_RED, At(23, 11), settings_);
  auto a = CompleteStep(t, "r1-a-call-nhs111", "helen", "status changed", common::v1::OPEL_LEVEL_3_RED, At(23, 11, 10), settings_);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->changed);
  EXPECT_EQ(a->task.steps(0).done_by(), "helen");
  EXPECT_EQ(a->task.revision(), 2u);
  // A retry changes nothing.
  auto again = CompleteStep(a->task, "r1-a-call-nhs111", "helen", "", common::v1::OPEL_LEVEL_3_RED, At(23, 11, 11), settings_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
  // Review at 15:00 with the county still at OPEL 3: round 2.
  auto review = CompleteStep(a->task, "r1-c-review", "helen", "still red", common::v1::OPEL_LEVEL_3_RED, At(23, 15), settings_);
  ASSERT_TRUE(review.ok());
  EXPECT_FALSE(review->task.closed());
  EXPECT_EQ(review->task.round(), 2u);
  EXPECT_EQ(review->task.steps_size(), 6);
  EXPECT_EQ(FromProtoTime(review->task.next_review_at()), At(23, 19));
  // Round 2 review after pressure eased: closed.
  auto eased = CompleteStep(review->task, "r2-c-review", "helen", "amber now", common::v1::OPEL_LEVEL_2_AMBER, At(23, 19), settings_);
  ASSERT_TRUE(eased.ok());
  EXPECT_TRUE(eased->task.closed());
  EXPECT_THAT(eased->task.closed_reason(), HasSubstr("eased to OPEL 2"));
  EXPECT_THAT(CompleteStep(eased->task, "r2-a-call-nhs111", "helen", "", common::v1::OPEL_LEVEL_2_AMBER, At(23, 20), settings_),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(CompleteStep(t, "no-such-step", "helen", "", common::v1::OPEL_LEVEL_3_RED, At(23, 12), settings_),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ProtocolTasksTest, StepTimersMarkOverdueOnceAtTheDueTime) {
  Task t = OpenNhs111Task(county_, "Kent", common::v1::OPEL_LEVEL_3_RED, At(23, 11), settings_);
  EXPECT_FALSE(ReviewTaskTimers(t, At(23, 11, 59)).changed);
  TaskChange at_noon = ReviewTaskTimers(t, At(23, 12));
  EXPECT_THAT(at_noon.newly_overdue, ElementsAre("r1-a-call-nhs111", "r1-b-inform"));
  EXPECT_FALSE(ReviewTaskTimers(at_noon.task, At(23, 14, 59)).changed);
  // The 4-hour review fires at 15:00.
  EXPECT_THAT(ReviewTaskTimers(at_noon.task, At(23, 15)).newly_overdue, ElementsAre("r1-c-review"));
}

TEST_F(ProtocolTasksTest, RolesAboveTheStepMayCompleteIt) {
  google::protobuf::RepeatedPtrField<reference::v1::Role> roles;
  auto add = [&](const char* id, const char* up) {
    auto* r = roles.Add();
    r->set_id(id);
    r->set_escalates_to(up);
  };
  add("stp_service_manager", "assistant_director");
  add("assistant_director", "director_asc");
  add("director_asc", "");
  add("keah_locality_organiser", "head_of_keah");
  EXPECT_TRUE(RoleMayComplete("stp_service_manager", "stp_service_manager", roles));
  EXPECT_TRUE(RoleMayComplete("director_asc", "stp_service_manager", roles));
  EXPECT_FALSE(RoleMayComplete("keah_locality_organiser", "stp_service_manager", roles));
}

TEST_F(ProtocolTasksTest, PanelTaskNotesFurtherTriggersOnce) {
  common::v1::ScopeRef site;
  site.set_kind(common::v1::SCOPE_KIND_ACUTE_SITE);
  site.set_id("maidstone");
  Task t = OpenPanelTask(site, "Maidstone Hospital", "west-kent", At(24, 9), settings_);
  EXPECT_THAT(StepIds(t), ElementsAre("decide", "outcome"));
  EXPECT_EQ(t.steps(0).role_id(), "assistant_director");
  EXPECT_EQ(FromProtoTime(t.steps(0).due_at()), At(24, 13));
  auto noted = NotePanelTrigger(t, "West Kent board area", At(24, 10));
  ASSERT_TRUE(noted.has_value());
  EXPECT_THAT(noted->summary(), HasSubstr("Also at OPEL 4: West Kent board area."));
  EXPECT_EQ(NotePanelTrigger(*noted, "West Kent board area", At(24, 11)), std::nullopt);
  auto decided = CompleteStep(*noted, "decide", "amir", "holding a panel at 14:00", common::v1::OPEL_LEVEL_4_BLACK, At(24, 10), settings_);
  ASSERT_TRUE(decided.ok());
  EXPECT_FALSE(decided->task.closed());
  auto done = CompleteStep(decided->task, "outcome", "amir", "15 discharges expedited", common::v1::OPEL_LEVEL_4_BLACK, At(24, 16), settings_);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->task.closed());
}

TEST_F(ProtocolTasksTest, KeahReceivedAloneShowsNothingAndAStartOfferedLeavesNoTask) {
  auto received = ApplyKeahReferral(std::nullopt, Referral(E::STEP_RECEIVED), patch_, "Maidstone", "west-kent", common::v1::OPEL_LEVEL_2_AMBER, At(23, 9), "keah");
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->task.steps_size(), 0);
  EXPECT_EQ(received->task.task_id(), "keah-decline/keah_patch/keah-maidstone/ref_42");
  EXPECT_EQ(TaskAlert(received->task, std::nullopt, {}, At(23, 9)), std::nullopt);
  EXPECT_EQ(ApplyKeahReferral(std::nullopt, Referral(E::STEP_START_OFFERED_WITHIN_24H), patch_, "Maidstone", "west-kent", common::v1::OPEL_LEVEL_2_AMBER, At(23, 9), "keah"),
            std::nullopt);
  auto offered = ApplyKeahReferral(received->task, Referral(E::STEP_START_OFFERED_WITHIN_24H), patch_, "Maidstone", "west-kent", common::v1::OPEL_LEVEL_2_AMBER, At(23, 10), "keah");
  ASSERT_TRUE(offered.has_value());
  EXPECT_TRUE(offered->task.closed());
}

TEST_F(ProtocolTasksTest, KeahDeclineDeadlinesFollowTheLevelAndTheReferrer) {
  auto received = ApplyKeahReferral(std::nullopt, Referral(E::STEP_RECEIVED), patch_, "Maidstone", "west-kent", common::v1::OPEL_LEVEL_2_AMBER, At(23, 9), "keah");
  // At OPEL 1 only the referrer is informed (within 2 hours of receipt, not of the no-start).
  auto green = ApplyKeahReferral(received->task, Referral(E::STEP_NO_START_WITHIN_24H), patch_, "Maidstone", "west-kent", common::v1::OPEL_LEVEL_1_GREEN, At(23, 10), "keah");
  ASSERT_TRUE(green.has_value());
  EXPECT_THAT(StepIds(green->task), ElementsAre("inform-referrer"));
  EXPECT_EQ(FromProtoTime(green->task.steps(0).due_at()), At(23, 11));
  // At OPEL 2: hospital referral, operational manager within 2 hours.
  auto hospital = ApplyKeahReferral(received->task, Referral(E::STEP_NO_START_WITHIN_24H), patch_, "Maidstone", "west-kent", common::v1::OPEL_LEVEL_2_AMBER, At(23, 10), "keah");
  EXPECT_THAT(StepIds(hospital->task), ElementsAre("inform-referrer", "decline-notice"));
  EXPECT_EQ(hospital->task.steps(1).role_id(), "stp_operational_manager");
  EXPECT_EQ(FromProtoTime(hospital->task.steps(1).due_at()), At(23, 11));
  // Community referral: community team manager within 4 hours.
  auto community = ApplyKeahReferral(received->task, Referral(E::STEP_NO_START_WITHIN_24H, E::REFERRAL_SOURCE_COMMUNITY), patch_, "Maidstone", "west-kent", common::v1::OPEL_LEVEL_3_RED, At(23, 10), "keah");
  EXPECT_EQ(community->task.steps(1).role_id(), "community_team_manager");
  EXPECT_EQ(FromProtoTime(community->task.steps(1).due_at()), At(23, 13));
  // The 2-hour rule fires at 11:00 exactly.
  EXPECT_TRUE(ReviewTaskTimers(hospital->task, At(23, 10, 59)).newly_overdue.empty());
  EXPECT_THAT(ReviewTaskTimers(hospital->task, At(23, 11)).newly_overdue,
              ElementsAre("inform-referrer", "decline-notice"));
  // Provider events complete the steps; the last one closes the task; a repeat changes nothing.
  auto informed = ApplyKeahReferral(hospital->task, Referral(E::STEP_REFERRER_INFORMED), patch_, "Maidstone", "west-kent", common::v1::OPEL_LEVEL_2_AMBER, At(23, 10, 30), "provider:keah-rostering");
  EXPECT_EQ(informed->task.steps(0).done_by(), "provider:keah-rostering");
  EXPECT_FALSE(informed->task.closed());
  auto declined = ApplyKeahReferral(informed->task, Referral(E::STEP_DECLINE_NOTICE_SENT), patch_, "Maidstone", "west-kent", common::v1::OPEL_LEVEL_2_AMBER, At(23, 10, 45), "provider:keah-rostering");
  EXPECT_TRUE(declined->task.closed());
  auto repeat = ApplyKeahReferral(declined->task, Referral(E::STEP_DECLINE_NOTICE_SENT), patch_, "Maidstone", "west-kent", common::v1::OPEL_LEVEL_2_AMBER, At(23, 10, 46), "provider:keah-rostering");
  EXPECT_FALSE(repeat->changed);
}

TEST_F(ProtocolTasksTest, TaskAlertFiresOnOpeningAndOverdueAndResolvesOnClose) {
  Task t = OpenNhs111Task(county_, "Kent", common::v1::OPEL_LEVEL_3_RED, At(23, 11), settings_);
  auto opened = TaskAlert(t, std::nullopt, {}, At(23, 11));
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->alert_id(), t.task_id());
  EXPECT_EQ(opened->task_id(), t.task_id());
  EXPECT_EQ(opened->state(), v1::ALERT_STATE_FIRING);
  EXPECT_EQ(opened->level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(opened->recipients(0).role_id(), "stp_service_manager");
  v1::Alert acked = *opened;
  acked.set_state(v1::ALERT_STATE_ACKNOWLEDGED);
  TaskChange overdue = ReviewTaskTimers(t, At(23, 12));
  auto refired = TaskAlert(overdue.task, acked, overdue.newly_overdue, At(23, 12));
  EXPECT_EQ(refired->state(), v1::ALERT_STATE_FIRING);
  EXPECT_THAT(refired->summary(), HasSubstr("Overdue: steps r1-a-call-nhs111, r1-b-inform"));
  EXPECT_EQ(refired->revision(), 2u);
  auto closed = CompleteStep(overdue.task, "r1-c-review", "helen", "", common::v1::OPEL_LEVEL_1_GREEN, At(23, 15), settings_);
  auto resolved = TaskAlert(closed->task, *refired, {}, At(23, 15));
  EXPECT_EQ(resolved->state(), v1::ALERT_STATE_RESOLVED);
}

TEST_F(ProtocolTasksTest, PromptsAreAnsweredOnceWithAReason) {
  common::v1::ScopeRef board;
  board.set_kind(common::v1::SCOPE_KIND_BOARD_AREA);
  board.set_id("west-kent");
  v1::DecisionPrompt p = RaisePrompt(board, "West Kent", common::v1::OPEL_LEVEL_4_BLACK, {"west-kent"}, At(24, 9), settings_);
  EXPECT_THAT(p.role_ids(), ElementsAre("stp_service_manager", "assistant_director"));
  EXPECT_EQ(FromProtoTime(p.due_at()), At(24, 11));
  EXPECT_THAT(p.title(), HasSubstr("will KCC respond?"));
  v1::Alert announced = PromptAlert(p, std::nullopt, At(24, 9));
  EXPECT_EQ(announced.alert_id(), p.prompt_id());
  EXPECT_EQ(announced.area_id(), "west-kent");
  EXPECT_EQ(announced.state(), v1::ALERT_STATE_FIRING);
  EXPECT_THAT(AnswerPrompt(p, v1::DecisionPrompt::DECISION_UNSPECIFIED, "a good reason", "amir", "assistant_director", At(24, 10)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("decision")));
  EXPECT_THAT(AnswerPrompt(p, v1::DecisionPrompt::DECISION_RESPOND, "short", "amir", "assistant_director", At(24, 10)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  auto answered = AnswerPrompt(p, v1::DecisionPrompt::DECISION_RESPOND, "Extraordinary panel at 14:00", "amir", "assistant_director", At(24, 10));
  ASSERT_TRUE(answered.ok());
  EXPECT_TRUE(answered->changed);
  auto retry = AnswerPrompt(answered->prompt, v1::DecisionPrompt::DECISION_RESPOND, "Extraordinary panel at 14:00", "amir", "assistant_director", At(24, 10, 1));
  ASSERT_TRUE(retry.ok());
  EXPECT_FALSE(retry->changed);
  EXPECT_THAT(AnswerPrompt(answered->prompt, v1::DecisionPrompt::DECISION_DECLINE, "no positive impact here", "helen", "stp_service_manager", At(24, 10, 2)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  v1::Alert resolved = PromptAlert(answered->prompt, announced, At(24, 10));
  EXPECT_EQ(resolved.state(), v1::ALERT_STATE_RESOLVED);
  EXPECT_THAT(resolved.summary(), HasSubstr("Answered by amir: respond"));
}

// A board area's or the county's move matters to the duty desk only where it can open or
// release something: at or above the prompt level (board areas, default OPEL 3), the NHS 111
// level (the county, default OPEL 3), and OPEL 4 whatever the thresholds.
TEST(DeskWatchesMoveTest, BoardAreasAndTheCountyMatterFromTheirThresholdsUp) {
  using common::v1::OPEL_LEVEL_1_GREEN;
  using common::v1::OPEL_LEVEL_2_AMBER;
  using common::v1::OPEL_LEVEL_3_RED;
  using common::v1::OPEL_LEVEL_4_BLACK;
  using common::v1::OPEL_LEVEL_UNSPECIFIED;
  const WorkflowSettings settings;
  for (auto kind : {common::v1::SCOPE_KIND_BOARD_AREA, common::v1::SCOPE_KIND_COUNTY}) {
    SCOPED_TRACE(kind);
    EXPECT_FALSE(DeskWatchesMove(kind, OPEL_LEVEL_1_GREEN, OPEL_LEVEL_2_AMBER, settings));
    EXPECT_FALSE(DeskWatchesMove(kind, OPEL_LEVEL_2_AMBER, OPEL_LEVEL_1_GREEN, settings));
    EXPECT_FALSE(DeskWatchesMove(kind, OPEL_LEVEL_UNSPECIFIED, OPEL_LEVEL_2_AMBER, settings));
    EXPECT_TRUE(DeskWatchesMove(kind, OPEL_LEVEL_2_AMBER, OPEL_LEVEL_3_RED, settings));
    // Down from the threshold: a board area's prompt guard is released.
    EXPECT_TRUE(DeskWatchesMove(kind, OPEL_LEVEL_3_RED, OPEL_LEVEL_2_AMBER, settings));
    EXPECT_TRUE(DeskWatchesMove(kind, OPEL_LEVEL_UNSPECIFIED, OPEL_LEVEL_4_BLACK, settings));
    EXPECT_TRUE(DeskWatchesMove(kind, OPEL_LEVEL_4_BLACK, OPEL_LEVEL_3_RED, settings));
    // No move, nothing to review (a change in coverage or hold alone).
    EXPECT_FALSE(DeskWatchesMove(kind, OPEL_LEVEL_3_RED, OPEL_LEVEL_3_RED, settings));
  }
  // Thresholds set above OPEL 4 still leave the panel watched; lowered ones are followed.
  WorkflowSettings high;
  high.prompt_min_level = static_cast<common::v1::OpelLevel>(5);
  EXPECT_TRUE(DeskWatchesMove(common::v1::SCOPE_KIND_BOARD_AREA, OPEL_LEVEL_3_RED,
                              OPEL_LEVEL_4_BLACK, high));
  EXPECT_FALSE(DeskWatchesMove(common::v1::SCOPE_KIND_BOARD_AREA, OPEL_LEVEL_2_AMBER,
                               OPEL_LEVEL_3_RED, high));
  WorkflowSettings low;
  low.nhs111_dos_level = OPEL_LEVEL_2_AMBER;
  EXPECT_TRUE(DeskWatchesMove(common::v1::SCOPE_KIND_COUNTY, OPEL_LEVEL_1_GREEN,
                              OPEL_LEVEL_2_AMBER, low));
  EXPECT_FALSE(DeskWatchesMove(common::v1::SCOPE_KIND_BOARD_AREA, OPEL_LEVEL_1_GREEN,
                               OPEL_LEVEL_2_AMBER, low));
  // Other scopes are the caller's to decide.
  EXPECT_TRUE(DeskWatchesMove(common::v1::SCOPE_KIND_AREA, OPEL_LEVEL_1_GREEN,
                              OPEL_LEVEL_1_GREEN, settings));
}

}  // namespace
}  // namespace resilience::escalation
