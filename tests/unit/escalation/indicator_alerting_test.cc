// The alert lifecycle of one indicator: episodes, deterministic ids, re-levelling, resolution,
// and the DESIGN 4.6 rule for duplicate submissions.
#include "services/escalation/core/indicator_alerting.h"

#include "services/escalation/core/alert_episode.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resilience::escalation {
namespace {

using common::v1::OpelLevel;
const absl::Time kT0 = absl::FromUnixSeconds(1795000000);

v1::IndicatorEvidence Evidence(OpelLevel level, absl::Time occurred, absl::Time received,
                               const std::string& event_id) {
  v1::IndicatorEvidence e;
  e.set_indicator("stp_staffing_pct");
  e.mutable_scope()->set_kind(common::v1::SCOPE_KIND_TEAM);
  e.mutable_scope()->set_id("stp-west-kent");
  e.set_level(level);
  e.set_value_text("45.0%");
  e.set_trigger_row("Red: >= 35 and < 50 (plan 4.3)");
  *e.mutable_occurred_at() = ToProtoTime(occurred);
  *e.mutable_provenance()->mutable_accepted_at() = ToProtoTime(received);
  e.set_event_id(event_id);
  return e;
}

AlertContext Context() {
  return AlertContext{"Short-term Pathway West Kent", "Short-term Pathway team staffing",
                      "west-kent", {"stp_team_manager"}};
}

// Feeds a sequence of levels, one minute apart; returns each assessment.
std::vector<IndicatorAssessment> Feed(const std::vector<OpelLevel>& levels) {
  std::optional<IndicatorRecord> record;
  std::vector<IndicatorAssessment> out;
  for (size_t i = 0; i < levels.size(); ++i) {
    absl::Time t = kT0 + absl::Minutes(i);
    auto a = AssessIndicator(record, Evidence(levels[i], t, t, "e" + std::to_string(i)), Context(), t);
    EXPECT_FALSE(a.superseded);
    record = a.next;
    out.push_back(a);
  }
  return out;
}

TEST(IndicatorAlertingTest, GreenRaisesNothing) {
  auto a = Feed({common::v1::OPEL_LEVEL_1_GREEN, common::v1::OPEL_LEVEL_1_GREEN});
  EXPECT_FALSE(a[0].changed_alert.has_value());
  EXPECT_FALSE(a[1].changed_alert.has_value());
  EXPECT_EQ(a[1].next.episode, 0);
}

TEST(IndicatorAlertingTest, FirstRiseRaisesAnAlertWithEvidenceAndRecipients) {
  auto a = Feed({common::v1::OPEL_LEVEL_1_GREEN, common::v1::OPEL_LEVEL_3_RED});
  ASSERT_TRUE(a[1].changed_alert.has_value());
  const v1::Alert& alert = *a[1].changed_alert;
  EXPECT_EQ(alert.alert_id(), "indicator-level/team/stp-west-kent/stp_staffing_pct/1");
  EXPECT_EQ(alert.level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(alert.previous_level(), common::v1::OPEL_LEVEL_1_GREEN);
  EXPECT_EQ(alert.state(), v1::ALERT_STATE_FIRING);
  EXPECT_EQ(alert.area_id(), "west-kent");
  EXPECT_EQ(alert.revision(), 1u);
  ASSERT_EQ(alert.evidence_size(), 1);
  EXPECT_EQ(alert.evidence(0).trigger_row(), "Red: >= 35 and < 50 (plan 4.3)");
  ASSERT_EQ(alert.recipients_size(), 1);
  EXPECT_EQ(alert.recipients(0).role_id(), "stp_team_manager");
  EXPECT_THAT(alert.title(), ::testing::HasSubstr("Red (45.0%)"));
  EXPECT_THAT(alert.summary(), ::testing::HasSubstr("It was Green"));
}

TEST(IndicatorAlertingTest, SameLevelAgainChangesNoAlert) {
  auto a = Feed({common::v1::OPEL_LEVEL_3_RED, common::v1::OPEL_LEVEL_3_RED});
  EXPECT_TRUE(a[0].changed_alert.has_value());
  EXPECT_FALSE(a[1].changed_alert.has_value());
}

TEST(IndicatorAlertingTest, RiseWithinAnEpisodeUpdatesTheSameAlertAndFiresAgain) {
  auto a = Feed({common::v1::OPEL_LEVEL_2_AMBER, common::v1::OPEL_LEVEL_4_BLACK,
                 common::v1::OPEL_LEVEL_3_RED});
  ASSERT_TRUE(a[1].changed_alert.has_value());
  EXPECT_EQ(a[1].changed_alert->alert_id(), a[0].changed_alert->alert_id());
  EXPECT_EQ(a[1].changed_alert->revision(), 2u);
  EXPECT_EQ(a[1].changed_alert->level(), common::v1::OPEL_LEVEL_4_BLACK);
  EXPECT_EQ(a[1].changed_alert->state(), v1::ALERT_STATE_FIRING);
  ASSERT_TRUE(a[2].changed_alert.has_value());
  EXPECT_EQ(a[2].changed_alert->level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(a[2].changed_alert->revision(), 3u);
}

TEST(IndicatorAlertingTest, BackToGreenResolvesAndTheNextRiseIsANewEpisode) {
  auto a = Feed({common::v1::OPEL_LEVEL_3_RED, common::v1::OPEL_LEVEL_1_GREEN,
                 common::v1::OPEL_LEVEL_2_AMBER});
  ASSERT_TRUE(a[1].changed_alert.has_value());
  EXPECT_EQ(a[1].changed_alert->state(), v1::ALERT_STATE_RESOLVED);
  EXPECT_TRUE(a[1].changed_alert->has_resolved_at());
  ASSERT_TRUE(a[2].changed_alert.has_value());
  EXPECT_EQ(a[2].changed_alert->alert_id(),
            "indicator-level/team/stp-west-kent/stp_staffing_pct/2");
  EXPECT_EQ(a[2].changed_alert->revision(), 1u);
}

// LiveState reads a figure's alert only while its level is Amber or above: only those levels
// can move it. Every pair of levels is checked against what AlertOnLevelChange does.
TEST(IndicatorAlertingTest, OnlyAnOpenAlertOrARiseToAmberMovesAnAlert) {
  using L = OpelLevel;
  EXPECT_FALSE(LevelChangeMovesAlert(L::OPEL_LEVEL_UNSPECIFIED, L::OPEL_LEVEL_1_GREEN));
  EXPECT_FALSE(LevelChangeMovesAlert(L::OPEL_LEVEL_1_GREEN, L::OPEL_LEVEL_1_GREEN));
  EXPECT_TRUE(LevelChangeMovesAlert(L::OPEL_LEVEL_1_GREEN, L::OPEL_LEVEL_2_AMBER));
  EXPECT_TRUE(LevelChangeMovesAlert(L::OPEL_LEVEL_UNSPECIFIED, L::OPEL_LEVEL_3_RED));
  EXPECT_FALSE(LevelChangeMovesAlert(L::OPEL_LEVEL_2_AMBER, L::OPEL_LEVEL_2_AMBER));
  EXPECT_TRUE(LevelChangeMovesAlert(L::OPEL_LEVEL_2_AMBER, L::OPEL_LEVEL_3_RED));
  EXPECT_TRUE(LevelChangeMovesAlert(L::OPEL_LEVEL_4_BLACK, L::OPEL_LEVEL_3_RED));
  EXPECT_TRUE(LevelChangeMovesAlert(L::OPEL_LEVEL_3_RED, L::OPEL_LEVEL_1_GREEN));
  EXPECT_FALSE(AlertingLevel(L::OPEL_LEVEL_1_GREEN));
  EXPECT_TRUE(AlertingLevel(L::OPEL_LEVEL_2_AMBER));
}

// A resolved episode's alert left unread (as LiveState loads a Green figure) changes nothing:
// Green again makes no transition, and the next rise is the next episode.
TEST(IndicatorAlertingTest, AResolvedAlertIsNotNeededForTheNextFigure) {
  auto a = Feed({common::v1::OPEL_LEVEL_3_RED, common::v1::OPEL_LEVEL_1_GREEN});
  std::optional<IndicatorRecord> record = a[1].next;
  record->alert.reset();
  const absl::Time t = kT0 + absl::Minutes(5);
  auto green = AssessIndicator(record, Evidence(common::v1::OPEL_LEVEL_1_GREEN, t, t, "g"),
                               Context(), t);
  EXPECT_FALSE(green.changed_alert.has_value());
  EXPECT_EQ(green.next.status.held_level(), common::v1::OPEL_LEVEL_1_GREEN);
  auto red = AssessIndicator(green.next,
                             Evidence(common::v1::OPEL_LEVEL_3_RED, t + absl::Minutes(1),
                                      t + absl::Minutes(1), "r"),
                             Context(), t + absl::Minutes(1));
  ASSERT_TRUE(red.changed_alert.has_value());
  EXPECT_EQ(red.changed_alert->alert_id(), "indicator-level/team/stp-west-kent/stp_staffing_pct/2");
  EXPECT_EQ(red.changed_alert->state(), v1::ALERT_STATE_FIRING);
}

TEST(IndicatorAlertingTest, SameInputGivesTheSameAlert) {
  auto first = Feed({common::v1::OPEL_LEVEL_1_GREEN, common::v1::OPEL_LEVEL_3_RED});
  auto second = Feed({common::v1::OPEL_LEVEL_1_GREEN, common::v1::OPEL_LEVEL_3_RED});
  EXPECT_EQ(first[1].changed_alert->SerializeAsString(),
            second[1].changed_alert->SerializeAsString());
}

// DESIGN 4.6: latest occurred_at wins, ties by received_at, never by arrival order.
TEST(IndicatorAlertingTest, OlderSubmissionArrivingLateIsSuperseded) {
  auto now = AssessIndicator(std::nullopt,
                             Evidence(common::v1::OPEL_LEVEL_3_RED, kT0 + absl::Hours(1),
                                      kT0 + absl::Hours(1), "newer"),
                             Context(), kT0);
  auto late = AssessIndicator(now.next,
                              Evidence(common::v1::OPEL_LEVEL_1_GREEN, kT0, kT0 + absl::Hours(2),
                                       "older"),
                              Context(), kT0);
  EXPECT_TRUE(late.superseded);
  EXPECT_FALSE(late.changed_alert.has_value());
}

TEST(IndicatorAlertingTest, SameOccurredAtIsDecidedByReceivedAt) {
  auto first = AssessIndicator(std::nullopt,
                               Evidence(common::v1::OPEL_LEVEL_3_RED, kT0, kT0 + absl::Seconds(5),
                                        "b"),
                               Context(), kT0);
  auto earlier_received = AssessIndicator(
      first.next, Evidence(common::v1::OPEL_LEVEL_1_GREEN, kT0, kT0 + absl::Seconds(1), "a"),
      Context(), kT0);
  EXPECT_TRUE(earlier_received.superseded);
  auto later_received = AssessIndicator(
      first.next, Evidence(common::v1::OPEL_LEVEL_1_GREEN, kT0, kT0 + absl::Seconds(9), "c"),
      Context(), kT0);
  EXPECT_FALSE(later_received.superseded);
}

// After a Redis rebuild the figure starts from the committed records while its alert is where
// the lost process's already published transitions left it: observations up to the mark move
// the figure but send no transition again; the first one past it moves the alert as usual.
TEST(IndicatorAlertingTest, TransitionsAlreadyPublishedAreNotMadeAgain) {
  using common::v1::OPEL_LEVEL_1_GREEN;
  using common::v1::OPEL_LEVEL_2_AMBER;
  using common::v1::OPEL_LEVEL_3_RED;
  // The undisturbed run: Green, Amber (raised), Red (re-levelled), Amber (re-levelled).
  auto undisturbed =
      Feed({OPEL_LEVEL_1_GREEN, OPEL_LEVEL_2_AMBER, OPEL_LEVEL_3_RED, OPEL_LEVEL_2_AMBER});
  ASSERT_TRUE(undisturbed[2].changed_alert.has_value());
  ASSERT_TRUE(undisturbed[3].changed_alert.has_value());

  // Rebuilt: the figure as committed (Green), the alert as published by the Red observation.
  IndicatorRecord rebuilt = undisturbed[0].next;
  rebuilt.alert = undisturbed[2].changed_alert;
  rebuilt.episode = 1;
  v1::IndicatorEvidence mark;
  const absl::Time t2 = kT0 + absl::Minutes(2);
  *mark.mutable_occurred_at() = ToProtoTime(t2);
  *mark.mutable_provenance()->mutable_accepted_at() = ToProtoTime(t2);
  mark.set_event_id("e2");
  rebuilt.alert_published_through = mark;

  std::optional<IndicatorRecord> record = rebuilt;
  const std::vector<OpelLevel> levels = {OPEL_LEVEL_2_AMBER, OPEL_LEVEL_3_RED, OPEL_LEVEL_2_AMBER};
  std::vector<IndicatorAssessment> replayed;
  for (size_t i = 0; i < levels.size(); ++i) {
    const absl::Time t = kT0 + absl::Minutes(i + 1);
    const std::string id = "e" + std::to_string(i + 1);
    replayed.push_back(AssessIndicator(record, Evidence(levels[i], t, t, id), Context(), t));
    ASSERT_FALSE(replayed.back().superseded);
    record = replayed.back().next;
  }
  // Up to the mark: the figure moves (the levels roll up through Amber, then Red), the alert
  // does not, and stays the published one.
  EXPECT_FALSE(replayed[0].changed_alert.has_value());
  EXPECT_FALSE(replayed[1].changed_alert.has_value());
  EXPECT_EQ(replayed[0].next.status.latest().level(), OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(replayed[1].next.status.latest().level(), OPEL_LEVEL_3_RED);
  EXPECT_EQ(replayed[1].next.episode, 1);
  ASSERT_TRUE(replayed[1].next.alert.has_value());
  EXPECT_EQ(replayed[1].next.alert->revision(), undisturbed[2].changed_alert->revision());
  // Past it: the same transition as undisturbed, same id and revision.
  ASSERT_TRUE(replayed[2].changed_alert.has_value());
  EXPECT_EQ(replayed[2].changed_alert->alert_id(), undisturbed[3].changed_alert->alert_id());
  EXPECT_EQ(replayed[2].changed_alert->revision(), undisturbed[3].changed_alert->revision());
  EXPECT_EQ(replayed[2].changed_alert->level(), OPEL_LEVEL_2_AMBER);
}

}  // namespace
}  // namespace resilience::escalation
