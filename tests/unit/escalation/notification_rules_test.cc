// Re-notification up the role chain, grouping of alerts that arise together, and silences.
#include "services/escalation/core/notification_rules.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace resilience::escalation {
namespace {

using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromCivil(absl::CivilMinute(2026, 11, 23, 9, 0), absl::UTCTimeZone());

google::protobuf::RepeatedPtrField<reference::v1::Role> Chain() {
  google::protobuf::RepeatedPtrField<reference::v1::Role> roles;
  auto add = [&](const char* id, const char* up) {
    auto* r = roles.Add();
    r->set_id(id);
    r->set_escalates_to(up);
  };
  add("senior_practitioner", "stp_team_manager");
  add("stp_team_manager", "stp_operational_manager");
  add("stp_operational_manager", "assistant_director");
  add("assistant_director", "director_asc");
  add("director_asc", "");
  return roles;
}

v1::Alert Firing(common::v1::OpelLevel level) {
  v1::Alert a;
  a.set_alert_id("indicator-level/team/stp-west-kent/stp_staffing_pct/1");
  a.set_rule("indicator-level");
  a.mutable_scope()->set_kind(common::v1::SCOPE_KIND_TEAM);
  a.mutable_scope()->set_id("stp-west-kent");
  a.set_area_id("west-kent");
  a.set_level(level);
  a.set_state(v1::ALERT_STATE_FIRING);
  *a.mutable_raised_at() = ToProtoTime(kT0);
  *a.mutable_firing_since() = ToProtoTime(kT0);
  a.add_recipients()->set_role_id("stp_team_manager");
  a.set_revision(1);
  return a;
}

std::vector<std::string> Roles(const v1::Alert& a) {
  std::vector<std::string> out;
  for (const auto& r : a.recipients()) out.push_back(r.role_id() + (r.escalated() ? "+" : ""));
  return out;
}

TEST(RenotifyTest, RedAfterOneHourEscalatesOneStep) {
  const RenotifyRule rule;
  v1::Alert a = Firing(common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(RenotifyIfDue(a, kT0 + absl::Minutes(59), rule, Chain()), std::nullopt);
  auto first = RenotifyIfDue(a, kT0 + absl::Hours(1), rule, Chain());
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->alert.renotifications(), 1u);
  EXPECT_EQ(first->alert.revision(), 2u);
  EXPECT_THAT(first->added_roles, ElementsAre("stp_operational_manager"));
  EXPECT_THAT(Roles(first->alert), ElementsAre("stp_team_manager", "stp_operational_manager+"));
  // Evaluated again in the same period: nothing more.
  EXPECT_EQ(RenotifyIfDue(first->alert, kT0 + absl::Minutes(119), rule, Chain()), std::nullopt);
  auto second = RenotifyIfDue(first->alert, kT0 + absl::Hours(2), rule, Chain());
  ASSERT_TRUE(second.has_value());
  EXPECT_THAT(second->added_roles, ElementsAre("assistant_director"));
}

TEST(RenotifyTest, AmberWaitsFourHoursAndMissedPeriodsCatchUpAtOnce) {
  const RenotifyRule rule;
  v1::Alert a = Firing(common::v1::OPEL_LEVEL_2_AMBER);
  EXPECT_EQ(RenotifyIfDue(a, kT0 + absl::Hours(4) - absl::Seconds(1), rule, Chain()), std::nullopt);
  // The service was down for 8 hours: two steps at once, told once.
  auto late = RenotifyIfDue(a, kT0 + absl::Hours(8), rule, Chain());
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->alert.renotifications(), 2u);
  EXPECT_THAT(late->added_roles, ElementsAre("stp_operational_manager", "assistant_director"));
}

TEST(RenotifyTest, TopOfChainIsResentWithoutNewRoles) {
  const RenotifyRule rule;
  v1::Alert a = Firing(common::v1::OPEL_LEVEL_4_BLACK);
  a.mutable_recipients(0)->set_role_id("director_asc");
  auto r = RenotifyIfDue(a, kT0 + absl::Hours(1), rule, Chain());
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->added_roles.empty());
  EXPECT_EQ(r->alert.renotifications(), 1u);
}

TEST(RenotifyTest, AcknowledgedResolvedAndSilencedAreNotRenotified) {
  const RenotifyRule rule;
  for (auto state : {v1::ALERT_STATE_ACKNOWLEDGED, v1::ALERT_STATE_RESOLVED}) {
    v1::Alert a = Firing(common::v1::OPEL_LEVEL_3_RED);
    a.set_state(state);
    EXPECT_EQ(RenotifyIfDue(a, kT0 + absl::Hours(5), rule, Chain()), std::nullopt);
  }
  v1::Alert silenced = Firing(common::v1::OPEL_LEVEL_3_RED);
  silenced.set_silence_id("s1");
  EXPECT_EQ(RenotifyIfDue(silenced, kT0 + absl::Hours(5), rule, Chain()), std::nullopt);
}

TEST(RenotifyTest, CountsFromTheLatestRise) {
  const RenotifyRule rule;
  v1::Alert a = Firing(common::v1::OPEL_LEVEL_3_RED);
  *a.mutable_firing_since() = ToProtoTime(kT0 + absl::Minutes(30));
  EXPECT_EQ(RenotifyIfDue(a, kT0 + absl::Minutes(89), rule, Chain()), std::nullopt);
  EXPECT_TRUE(RenotifyIfDue(a, kT0 + absl::Minutes(90), rule, Chain()).has_value());
}

v1::Silence SilenceOf(common::v1::ScopeKind kind, const std::string& id,
                      const std::string& indicator, absl::Time until) {
  v1::Silence s;
  s.set_silence_id("s-" + id);
  s.mutable_scope()->set_kind(kind);
  s.mutable_scope()->set_id(id);
  s.set_indicator(indicator);
  *s.mutable_until() = ToProtoTime(until);
  *s.mutable_created_at() = ToProtoTime(kT0 - absl::Hours(1));
  s.set_reason("known outbreak, being managed");
  return s;
}

TEST(SilenceTest, CoversScopeIndicatorAndWholeArea) {
  const v1::Alert a = Firing(common::v1::OPEL_LEVEL_3_RED);
  const absl::Time until = kT0 + absl::Hours(2);
  EXPECT_TRUE(SilenceCovers(SilenceOf(common::v1::SCOPE_KIND_TEAM, "stp-west-kent", "", until), a, kT0));
  EXPECT_TRUE(SilenceCovers(
      SilenceOf(common::v1::SCOPE_KIND_TEAM, "stp-west-kent", "stp_staffing_pct", until), a, kT0));
  EXPECT_FALSE(SilenceCovers(
      SilenceOf(common::v1::SCOPE_KIND_TEAM, "stp-west-kent", "case_load", until), a, kT0));
  EXPECT_FALSE(SilenceCovers(SilenceOf(common::v1::SCOPE_KIND_TEAM, "stp-north-kent", "", until), a, kT0));
  EXPECT_TRUE(SilenceCovers(SilenceOf(common::v1::SCOPE_KIND_AREA, "west-kent", "", until), a, kT0));
  EXPECT_FALSE(SilenceCovers(SilenceOf(common::v1::SCOPE_KIND_AREA, "north-kent", "", until), a, kT0));
}

TEST(SilenceTest, ExpiresAtUntil) {
  const v1::Alert a = Firing(common::v1::OPEL_LEVEL_3_RED);
  const v1::Silence s = SilenceOf(common::v1::SCOPE_KIND_AREA, "west-kent", "", kT0 + absl::Hours(1));
  EXPECT_TRUE(SilenceCovers(s, a, kT0 + absl::Hours(1) - absl::Seconds(1)));
  EXPECT_FALSE(SilenceCovers(s, a, kT0 + absl::Hours(1)));
}

TEST(SilenceTest, Validation) {
  v1::Silence s = SilenceOf(common::v1::SCOPE_KIND_AREA, "west-kent", "", kT0 + absl::Hours(1));
  EXPECT_THAT(ValidateSilence(s, kT0), IsOk());
  s.set_reason("short");
  EXPECT_THAT(ValidateSilence(s, kT0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  s.set_reason("known outbreak, being managed");
  *s.mutable_until() = ToProtoTime(kT0);
  EXPECT_THAT(ValidateSilence(s, kT0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("until")));
  *s.mutable_until() = ToProtoTime(kT0 + absl::Hours(24 * 14));
  EXPECT_THAT(ValidateSilence(s, kT0), IsOk());
  *s.mutable_until() = ToProtoTime(kT0 + absl::Hours(24 * 14) + absl::Seconds(1));
  EXPECT_THAT(ValidateSilence(s, kT0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("14 days")));
}

TEST(GroupingTest, SameAreaLevelAndWindowShareAGroup) {
  const absl::Duration window = absl::Minutes(5);
  v1::Alert a = Firing(common::v1::OPEL_LEVEL_3_RED);
  v1::Alert b = Firing(common::v1::OPEL_LEVEL_3_RED);
  b.set_alert_id("indicator-level/team/stp-west-kent/case_load/1");
  *b.mutable_firing_since() = ToProtoTime(kT0 + absl::Minutes(4));
  StampNotification(&a, {}, window, kT0);
  StampNotification(&b, {}, window, kT0 + absl::Minutes(4));
  EXPECT_EQ(a.group_id(), b.group_id());
  EXPECT_THAT(a.group_id(), HasSubstr("west-kent/L3/"));
  // Next window, other level, other area: other groups.
  v1::Alert c = Firing(common::v1::OPEL_LEVEL_3_RED);
  *c.mutable_firing_since() = ToProtoTime(kT0 + absl::Minutes(5));
  StampNotification(&c, {}, window, kT0 + absl::Minutes(5));
  EXPECT_NE(c.group_id(), a.group_id());
  v1::Alert d = Firing(common::v1::OPEL_LEVEL_2_AMBER);
  StampNotification(&d, {}, window, kT0);
  EXPECT_NE(d.group_id(), a.group_id());
  v1::Alert e = Firing(common::v1::OPEL_LEVEL_3_RED);
  e.set_area_id("north-kent");
  StampNotification(&e, {}, window, kT0);
  EXPECT_NE(e.group_id(), a.group_id());
}

TEST(GroupingTest, KeepsItsGroupUntilTheLevelChangesAndStampsSilences) {
  v1::Alert a = Firing(common::v1::OPEL_LEVEL_3_RED);
  StampNotification(&a, {}, absl::Minutes(5), kT0);
  const std::string group = a.group_id();
  a.set_revision(2);
  StampNotification(&a, {}, absl::Minutes(5), kT0 + absl::Hours(3));
  EXPECT_EQ(a.group_id(), group);
  a.set_level(common::v1::OPEL_LEVEL_4_BLACK);
  *a.mutable_firing_since() = ToProtoTime(kT0 + absl::Hours(3));
  const v1::Silence s = SilenceOf(common::v1::SCOPE_KIND_AREA, "west-kent", "", kT0 + absl::Hours(4));
  StampNotification(&a, {s}, absl::Minutes(5), kT0 + absl::Hours(3));
  EXPECT_NE(a.group_id(), group);
  EXPECT_THAT(a.group_id(), HasSubstr("/L4/"));
  EXPECT_EQ(a.silence_id(), s.silence_id());
  // After the silence: no silence id on the next transition.
  StampNotification(&a, {s}, absl::Minutes(5), kT0 + absl::Hours(4));
  EXPECT_EQ(a.silence_id(), "");
}

}  // namespace
}  // namespace resilience::escalation
