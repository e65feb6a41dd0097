// Validation of workforce updates, and mutual aid suggestions.
#include "services/workforce/core/workforce_update.h"

#include "common/clock/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/workforce/core/mutual_aid.h"

namespace resilience::workforce {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Property;

const absl::Time kNow = absl::FromUnixSeconds(1795000000);

auto ViolationOf(const std::string& field, const std::string& reason) {
  return AllOf(Property(&common::v1::FieldViolation::field, field),
               Property(&common::v1::FieldViolation::reason, HasSubstr(reason)));
}

class WorkforceUpdateTest : public ::testing::Test {
 protected:
  WorkforceUpdateTest() : ledger_(absl::UTCTimeZone()) {
    for (auto [id, wte] : {std::pair{"a", 10.0}, std::pair{"b", 10.0}}) {
      v1::WorkforceChange c;
      c.mutable_team()->set_id(id);
      c.mutable_team()->set_establishment_wte(wte);
      ledger_.Apply(c);
    }
  }

  v1::WorkforceUpdate ValidAbsence() {
    v1::WorkforceUpdate u;
    u.set_update_id("u1");
    auto* a = u.mutable_absence();
    a->set_absence_id("abs-1");
    a->set_person_ref("p1");
    a->set_team_id("a");
    a->set_kind(v1::ABSENCE_KIND_SICKNESS);
    *a->mutable_starts_at() = ToProtoTime(kNow);
    return u;
  }

  std::vector<common::v1::FieldViolation> Check(const v1::WorkforceUpdate& u) {
    return ValidateWorkforceUpdate(u, ledger_, kNow, absl::Minutes(5));
  }

  StaffingLedger ledger_;
};

// DESIGN 8: a provider writes only the teams of its may_write, cancellations included (their
// team is found through what they cancel).
TEST_F(WorkforceUpdateTest, ProvidersWriteOnlyTheirOwnTeams) {
  reference::v1::ReferenceData data;
  data.set_county_id("kent");
  auto* area = data.add_areas();
  area->set_id("west");
  area->set_name("West");
  for (const char* id : {"a", "b"}) {
    auto* t = data.add_teams();
    t->set_id(id);
    t->set_name(id);
    t->set_area_id("west");
    t->set_establishment_wte(10);
  }
  auto* rostering = data.add_providers();
  rostering->set_id("rostering");
  rostering->set_name("Rostering");
  auto* scope = rostering->add_may_write();
  scope->set_kind(common::v1::SCOPE_KIND_TEAM);
  scope->set_id("a");
  auto reference = ReferenceIndex::Build(data);
  ASSERT_TRUE(reference.ok()) << reference.status();
  EXPECT_EQ(ProviderScopeViolation(**reference, "rostering", ValidAbsence(), ledger_), std::nullopt);
  auto other_team = ValidAbsence();
  other_team.mutable_absence()->set_team_id("b");
  auto denied = ProviderScopeViolation(**reference, "rostering", other_team, ledger_);
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->field(), "provider");
  EXPECT_THAT(denied->reason(), HasSubstr("may not write team 'b'"));
  EXPECT_TRUE(ProviderScopeViolation(**reference, "nobody", ValidAbsence(), ledger_).has_value());
  // A cancellation of team b's absence is refused too.
  v1::WorkforceChange held = ToChange(other_team, "someone", kNow);
  ledger_.Apply(held);
  v1::WorkforceUpdate cancel;
  cancel.set_update_id("u2");
  cancel.set_cancel_absence_id("abs-1");
  EXPECT_TRUE(ProviderScopeViolation(**reference, "rostering", cancel, ledger_).has_value());
}

TEST_F(WorkforceUpdateTest, ValidAbsenceAndOpenEndedSicknessPass) {
  EXPECT_THAT(Check(ValidAbsence()), IsEmpty());
}

TEST_F(WorkforceUpdateTest, AbsenceProblemsNameTheirFields) {
  auto u = ValidAbsence();
  *u.mutable_absence()->mutable_ends_at() = ToProtoTime(kNow - absl::Hours(1));
  EXPECT_THAT(Check(u), Contains(ViolationOf("absence.ends_at", "after starts_at")));
  u = ValidAbsence();
  u.mutable_absence()->set_team_id("zzz");
  EXPECT_THAT(Check(u), Contains(ViolationOf("absence.team_id", "unknown team 'zzz'")));
  u = ValidAbsence();
  u.mutable_absence()->set_kind(v1::ABSENCE_KIND_UNSPECIFIED);
  EXPECT_THAT(Check(u), Contains(ViolationOf("absence.kind", "required")));
  u = ValidAbsence();
  u.mutable_absence()->set_wte(1.5);
  EXPECT_THAT(Check(u), Contains(ViolationOf("absence.wte", "(0, 1]")));
  u = ValidAbsence();
  u.mutable_absence()->clear_starts_at();
  EXPECT_THAT(Check(u), Contains(ViolationOf("absence.starts_at", "required")));
  u = ValidAbsence();
  u.set_update_id("");
  EXPECT_THAT(Check(u), Contains(ViolationOf("update_id", "required")));
  u = ValidAbsence();
  *u.mutable_occurred_at() = ToProtoTime(kNow + absl::Minutes(6));
  EXPECT_THAT(Check(u), Contains(ViolationOf("occurred_at", "future")));
}

TEST_F(WorkforceUpdateTest, CancellationsMustNameSomethingThatExists) {
  v1::WorkforceUpdate u;
  u.set_update_id("u2");
  u.set_cancel_absence_id("nope");
  EXPECT_THAT(Check(u), Contains(ViolationOf("cancel_absence_id", "no absence 'nope'")));
  ledger_.Apply(ToChange(ValidAbsence(), "p", kNow));
  u.set_cancel_absence_id("abs-1");
  EXPECT_THAT(Check(u), IsEmpty());
}

TEST_F(WorkforceUpdateTest, CoverAndRedeploymentChecks) {
  v1::WorkforceUpdate u;
  u.set_update_id("u3");
  auto* b = u.mutable_cover();
  b->set_booking_id("b1");
  b->set_team_id("a");
  b->set_day("24/11/2026");
  b->set_wte(0);
  EXPECT_THAT(Check(u), Contains(ViolationOf("cover.day", "YYYY-MM-DD")));
  EXPECT_THAT(Check(u), Contains(ViolationOf("cover.wte", "more than 0")));
  EXPECT_THAT(Check(u), Contains(ViolationOf("cover.source", "agency or bank")));

  v1::WorkforceUpdate r;
  r.set_update_id("u4");
  auto* d = r.mutable_redeployment();
  d->set_redeployment_id("r1");
  d->set_from_team_id("a");
  d->set_to_team_id("a");
  d->set_wte(11);
  *d->mutable_starts_at() = ToProtoTime(kNow);
  EXPECT_THAT(Check(r), Contains(ViolationOf("redeployment.to_team_id", "differ")));
  EXPECT_THAT(Check(r), Contains(ViolationOf("redeployment.wte", "establishment")));
  EXPECT_THAT(Check(r), Contains(ViolationOf("redeployment.ends_at", "time-limited")));
}

TEST_F(WorkforceUpdateTest, AnUpdateWithNothingInItIsRefused) {
  v1::WorkforceUpdate u;
  u.set_update_id("u5");
  EXPECT_THAT(Check(u), Contains(ViolationOf("change", "required")));
}

TEST_F(WorkforceUpdateTest, TeamsTouchedIncludesBothSidesOfARedeployment) {
  v1::WorkforceChange c;
  c.mutable_redeployment()->set_from_team_id("a");
  c.mutable_redeployment()->set_to_team_id("b");
  EXPECT_THAT(TeamsTouched(c, ledger_), ::testing::ElementsAre("a", "b"));
}

// Mutual aid over a small county: west-kent borrows; north-kent is its nearest neighbour.
TEST(MutualAidTest, SameAreaFirstThenNeighboursWithSuggestedAmounts) {
  reference::v1::ReferenceData d;
  for (auto [id, neighbours] : {std::pair<const char*, std::vector<const char*>>{"west-kent", {"north-kent"}},
                                {"north-kent", {"west-kent"}}, {"thanet", {}}}) {
    auto* a = d.add_areas();
    a->set_id(id);
    for (auto n : neighbours) a->add_neighbour_area_ids(n);
  }
  auto reference = ReferenceIndex::Build(d);
  ASSERT_TRUE(reference.ok()) << reference.status();
  StaffingLedger ledger(absl::UTCTimeZone());
  auto team = [&](const char* id, const char* area, double wte, reference::v1::TeamKind kind) {
    v1::WorkforceChange c;
    c.mutable_team()->set_id(id);
    c.mutable_team()->set_area_id(area);
    c.mutable_team()->set_kind(kind);
    c.mutable_team()->set_establishment_wte(wte);
    ledger.Apply(c);
  };
  const auto stp = reference::v1::TEAM_KIND_SHORT_TERM_PATHWAY;
  team("borrower", "west-kent", 20, stp);
  team("same-area", "west-kent", 10, stp);         // 10 available: 3 spare above 7 (70%)
  team("neighbour", "north-kent", 20, stp);        // 20 available: 6 spare
  team("far-away", "thanet", 50, stp);             // not a neighbour: not offered
  team("community", "west-kent", 30, reference::v1::TEAM_KIND_COMMUNITY);  // other kind
  for (int i = 0; i < 10; ++i) {  // borrower: 10 of 20 absent = 50%, Amber; needs 4 for 70%
    v1::WorkforceChange a;
    a.mutable_absence()->set_absence_id("a" + std::to_string(i));
    a.mutable_absence()->set_person_ref("p" + std::to_string(i));
    a.mutable_absence()->set_team_id("borrower");
    *a.mutable_absence()->mutable_starts_at() = ToProtoTime(kNow - absl::Hours(48));
    ledger.Apply(a);
  }
  const absl::CivilDay day = ledger.DayOf(kNow);
  auto aid = SuggestMutualAid(ledger, **reference, "borrower", day);
  ASSERT_TRUE(aid.ok()) << aid.status();
  EXPECT_DOUBLE_EQ(aid->needed_wte(), 4);
  ASSERT_EQ(aid->offers_size(), 2);
  EXPECT_EQ(aid->offers(0).lending_team_id(), "same-area");
  EXPECT_TRUE(aid->offers(0).same_area());
  EXPECT_DOUBLE_EQ(aid->offers(0).spare_wte(), 3);
  EXPECT_DOUBLE_EQ(aid->offers(0).suggested_wte(), 3);
  EXPECT_DOUBLE_EQ(aid->offers(0).lender_pct_after(), 70);
  EXPECT_EQ(aid->offers(1).lending_team_id(), "neighbour");
  EXPECT_DOUBLE_EQ(aid->offers(1).spare_wte(), 6);
  EXPECT_DOUBLE_EQ(aid->offers(1).suggested_wte(), 1);
  EXPECT_DOUBLE_EQ(aid->offers(1).lender_pct_after(), 95);
  EXPECT_DOUBLE_EQ(aid->unmet_wte(), 0);

  auto green = SuggestMutualAid(ledger, **reference, "neighbour", day);
  ASSERT_TRUE(green.ok());
  EXPECT_DOUBLE_EQ(green->needed_wte(), 0);
  EXPECT_EQ(green->offers_size(), 0);
  EXPECT_EQ(SuggestMutualAid(ledger, **reference, "nope", day).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(CountySummaryTest, CountsTeamsPerLevelAndCoverShare) {
  StaffingLedger ledger(absl::UTCTimeZone());
  for (auto id : {"a", "b"}) {
    v1::WorkforceChange c;
    c.mutable_team()->set_id(id);
    c.mutable_team()->set_area_id("x");
    c.mutable_team()->set_establishment_wte(10);
    ledger.Apply(c);
  }
  v1::WorkforceChange cover;
  cover.mutable_cover()->set_booking_id("b");
  cover.mutable_cover()->set_team_id("a");
  cover.mutable_cover()->set_day(FormatDay(ledger.DayOf(kNow)));
  cover.mutable_cover()->set_wte(2);
  ledger.Apply(cover);
  auto summary = SummariseCounty(ledger, {}, kNow);
  EXPECT_EQ(summary.teams_size(), 2);
  EXPECT_EQ(summary.teams_per_level(common::v1::OPEL_LEVEL_1_GREEN), 2u);
  EXPECT_NEAR(summary.cover_share_pct(), 2.0 / 22.0 * 100, 1e-9);
  EXPECT_EQ(SummariseCounty(ledger, {"elsewhere"}, kNow).teams_size(), 0);
}

}  // namespace
}  // namespace resilience::workforce
