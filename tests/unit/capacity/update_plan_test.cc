// What each kind of update becomes on the capacity topic: indicator ids, values, units, levels,
// periods, derived figures, event ids, and which late figures are superseded.
#include "services/capacity/core/update_plan.h"

#include <algorithm>
#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "common/scope/scope_key.h"
#include "tests/unit/capacity/capacity_test_support.h"

namespace resilience::capacity {
namespace {

using namespace testing;  // NOLINT: the capacity test helpers
using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class PlanTest : public ::testing::Test {
 protected:
  UpdatePlan Plan(const v1::CapacityUpdate& u, const std::string& provider,
                  absl::Time received = kNow) {
    return PlanUpdate(u, provider, received, FactLookup(&confirmed_, &pending_), *KentMedway(),
                      rules_);
  }
  // Plans and records (as if Kafka confirmed).
  UpdatePlan Record(const v1::CapacityUpdate& u, const std::string& provider,
                    absl::Time received = kNow) {
    UpdatePlan plan = Plan(u, provider, received);
    confirmed_.Merge(plan.facts);
    return plan;
  }
  static std::vector<std::string> Indicators(const UpdatePlan& p) {
    std::vector<std::string> out;
    for (const auto& e : p.facts.events()) out.push_back(e.indicator());
    return out;
  }
  static const events::v1::IndicatorObservation& Obs(const UpdatePlan& p, int i) {
    return p.facts.events(i).event().observation();
  }
  static std::string ScopeOf(const UpdatePlan& p, int i) {
    return ScopeKey(p.facts.events(i).event().envelope().scope());
  }

  CapacityRules rules_ = KentMedwayRules();
  FactStore confirmed_;
  FactStore pending_;
};

TEST_F(PlanTest, KeahLevelIsReportedAsTheLevelWithTheCountyCount) {
  UpdatePlan p = Record(KeahLevel("k1", "keah-thanet", v1::KEAH_CAPACITY_LEVEL_VERY_LIMITED),
                        "keah-rostering");
  ASSERT_THAT(Indicators(p), ElementsAre("keah_daily_capacity", "keah_patches_with_capacity"));
  EXPECT_EQ(ScopeOf(p, 0), "keah_patch/keah-thanet");
  EXPECT_EQ(Obs(p, 0).reported_level(), common::v1::OPEL_LEVEL_3_RED);
  EXPECT_EQ(Obs(p, 0).unit(), "");
  EXPECT_EQ(ScopeOf(p, 1), "county/kent");
  EXPECT_EQ(Obs(p, 1).number(), 9);  // nobody at "no capacity"
  EXPECT_EQ(Obs(p, 1).unit(), "count");
  const auto& env = p.facts.events(0).event().envelope();
  EXPECT_EQ(env.source(), "capacity-service");
  EXPECT_EQ(env.schema_version(), 1u);
  EXPECT_EQ(env.provenance().provider_id(), "keah-rostering");
  EXPECT_EQ(env.provenance().update_id(), "k1");
  EXPECT_EQ(env.event_id(), FigureEventId("keah-rostering", "k1", "keah_daily_capacity",
                                          "keah_patch/keah-thanet"));
}

TEST_F(PlanTest, FreeSlotsAreMappedThroughConfigAndKeptAsEvidence) {
  UpdatePlan p = Record(KeahSlots("k1", "keah-swale", 0), "keah-rostering");
  EXPECT_EQ(Obs(p, 0).reported_level(), common::v1::OPEL_LEVEL_4_BLACK);
  EXPECT_THAT(Obs(p, 0).components(), UnorderedElementsAre(Pair("free_start_slots", 0)));
  EXPECT_EQ(Obs(p, 1).number(), 8);
  p = Record(KeahSlots("k2", "keah-swale", 6, kNow + absl::Minutes(1)), "keah-rostering");
  EXPECT_EQ(Obs(p, 0).reported_level(), common::v1::OPEL_LEVEL_1_GREEN);
  EXPECT_EQ(Obs(p, 1).number(), 9);
  // The county figure is published only when it changes.
  p = Record(KeahSlots("k3", "keah-swale", 4, kNow + absl::Minutes(2)), "keah-rostering");
  EXPECT_THAT(Indicators(p), ElementsAre("keah_daily_capacity"));
  EXPECT_EQ(Obs(p, 0).reported_level(), common::v1::OPEL_LEVEL_2_AMBER);
}

TEST_F(PlanTest, CountyKeahCountFallsToZeroWhenEveryPatchHasNone) {
  UpdatePlan p;
  int minute = 0;
  for (const auto& patch : KentMedway()->data().keah_patches()) {
    p = Record(KeahLevel("k-" + patch.id(), patch.id(), v1::KEAH_CAPACITY_LEVEL_NO_CAPACITY,
                         kNow + absl::Minutes(minute++)),
               "keah-rostering");
  }
  ASSERT_THAT(Indicators(p), ElementsAre("keah_daily_capacity", "keah_patches_with_capacity"));
  EXPECT_EQ(Obs(p, 1).number(), 0);
  EXPECT_THAT(Obs(p, 1).components(),
              UnorderedElementsAre(Pair("patches_total", 9), Pair("patches_no_capacity", 9)));
}

TEST_F(PlanTest, OlderFigureIsSupersededEqualTimeIsNot) {
  Record(KeahLevel("new", "keah-thanet", v1::KEAH_CAPACITY_LEVEL_GOOD, kNow), "keah-rostering");
  UpdatePlan old = Plan(KeahLevel("old", "keah-thanet", v1::KEAH_CAPACITY_LEVEL_NO_CAPACITY,
                                  kNow - absl::Nanoseconds(1)),
                        "keah-rostering");
  EXPECT_TRUE(old.all_superseded());
  ASSERT_EQ(old.superseded.size(), 1u);
  EXPECT_THAT(old.superseded[0], ::testing::HasSubstr("update 'new'"));
  UpdatePlan tie = Plan(KeahLevel("tie", "keah-thanet", v1::KEAH_CAPACITY_LEVEL_LIMITED, kNow),
                        "keah-rostering", kNow + absl::Seconds(1));
  EXPECT_FALSE(tie.all_superseded());
}

TEST_F(PlanTest, PendingFiguresCountForSupersession) {
  // A figure still being recorded (not yet confirmed) is already "held" for planning.
  pending_.Merge(Plan(KeahLevel("new", "keah-thanet", v1::KEAH_CAPACITY_LEVEL_GOOD, kNow),
                      "keah-rostering")
                     .facts);
  EXPECT_TRUE(Plan(KeahLevel("old", "keah-thanet", v1::KEAH_CAPACITY_LEVEL_GOOD,
                             kNow - absl::Minutes(1)),
                   "keah-rostering")
                  .all_superseded());
}

TEST_F(PlanTest, D2aDischargesCoverYesterdayInLondon) {
  // 00:30 UTC on Sunday 29 March 2026 is still GMT (the clocks go forward at 01:00 UTC);
  // "yesterday" is Saturday 28 March, a 24-hour GMT day.
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 3, 29, 0, 30, 0), absl::UTCTimeZone());
  auto u = Update("d1", t);
  u.mutable_d2a_discharges()->set_area_id("west-kent");
  u.mutable_d2a_discharges()->set_patients_discharged(4);
  UpdatePlan p = Plan(u, "d2a-p1-west-kent", t);
  ASSERT_THAT(Indicators(p), ElementsAre("d2a_p1_discharged_yesterday"));
  EXPECT_EQ(Obs(p, 0).number(), 4);
  EXPECT_EQ(Obs(p, 0).unit(), "count");
  EXPECT_EQ(FromProtoTime(Obs(p, 0).period_start()),
            absl::FromCivil(absl::CivilSecond(2026, 3, 28, 0, 0, 0), absl::UTCTimeZone()));
  EXPECT_EQ(FromProtoTime(Obs(p, 0).period_end()),
            absl::FromCivil(absl::CivilSecond(2026, 3, 29, 0, 0, 0), absl::UTCTimeZone()));
  // Sunday 29 March itself is 23 hours long (BST from 01:00 UTC).
  u.mutable_d2a_discharges()->set_day("2026-03-29");
  p = Plan(u, "d2a-p1-west-kent", t);
  EXPECT_EQ(FromProtoTime(Obs(p, 0).period_end()) - FromProtoTime(Obs(p, 0).period_start()),
            absl::Hours(23));
}

TEST_F(PlanTest, D2aWeeklyDefaultsToThisWeekAndConfiguredCapacity) {
  // Sunday 29 November 2026: the week began on Monday 23 November.
  const absl::Time sunday = absl::FromCivil(absl::CivilSecond(2026, 11, 29, 18, 0, 0), absl::UTCTimeZone());
  auto u = Update("w1", sunday);
  u.mutable_d2a_weekly_availability()->set_area_id("west-kent");
  u.mutable_d2a_weekly_availability()->set_remaining(14);
  UpdatePlan p = Plan(u, "d2a-p1-west-kent", sunday);
  ASSERT_THAT(Indicators(p), ElementsAre("d2a_p1_weekly_availability_remaining"));
  EXPECT_EQ(Obs(p, 0).number(), 14);
  EXPECT_THAT(Obs(p, 0).components(), UnorderedElementsAre(Pair("weekly_capacity", 42)));
  EXPECT_EQ(FromProtoTime(Obs(p, 0).period_start()),
            absl::FromCivil(absl::CivilSecond(2026, 11, 23, 0, 0, 0), absl::UTCTimeZone()));
  // On the Monday itself the week starts that day.
  auto monday = Update("w2", kNow);
  monday.mutable_d2a_weekly_availability()->set_area_id("west-kent");
  monday.mutable_d2a_weekly_availability()->set_weekly_capacity(30);
  p = Plan(monday, "d2a-p1-west-kent");
  EXPECT_EQ(FromProtoTime(Obs(p, 0).period_start()),
            absl::FromCivil(absl::CivilSecond(2026, 11, 23, 0, 0, 0), absl::UTCTimeZone()));
  EXPECT_THAT(Obs(p, 0).components(), UnorderedElementsAre(Pair("weekly_capacity", 30)));
}

TEST_F(PlanTest, HomeCareTotalsSumFreshProvidersWithEachPart) {
  // Invicta and a second agency report West Kent; the second's figures go stale after 48 h.
  Record(HomeCare("i1", "west-kent", 4, 120, 2, kNow - absl::Hours(49)), "homecare-other",
         kNow - absl::Hours(49));
  Record(HomeCare("s1", "west-kent", 3, 50.5, 1, kNow - absl::Hours(47)), "homecare-saxon",
         kNow - absl::Hours(47));
  UpdatePlan p = Record(HomeCare("v1", "west-kent", 5, 100, 7), "homecare-invicta");
  ASSERT_THAT(Indicators(p), ElementsAre("home_care_packages_startable", "home_care_hours_available",
                                         "home_care_awaiting_start"));
  EXPECT_EQ(Obs(p, 0).number(), 8);
  EXPECT_EQ(Obs(p, 1).number(), 150.5);
  EXPECT_EQ(Obs(p, 1).unit(), "hours");
  EXPECT_EQ(Obs(p, 2).number(), 8);
  EXPECT_THAT(Obs(p, 0).components(),
              UnorderedElementsAre(Pair("homecare-invicta", 5), Pair("homecare-saxon", 3)));
  EXPECT_EQ(p.facts.events(0).contributions_size(), 2);
  // A later report from Invicta replaces its own part only.
  p = Record(HomeCare("v2", "west-kent", 1, 10, 0, kNow + absl::Minutes(1)), "homecare-invicta");
  EXPECT_EQ(Obs(p, 0).number(), 4);
  // Invicta's older report arriving late is superseded.
  EXPECT_TRUE(Plan(HomeCare("v0", "west-kent", 9, 9, 9, kNow - absl::Minutes(1)),
                   "homecare-invicta")
                  .all_superseded());
}

TEST_F(PlanTest, KccFiguresOnePerFieldSetBacklogSuspendedIsBlack) {
  auto u = Update("m1");
  auto* k = u.mutable_kcc_area_figures();
  k->set_area_id("north-kent");
  k->set_case_load(130);
  k->mutable_care_act_overdue()->set_cases(12);
  k->mutable_care_act_overdue()->set_suspended(true);
  k->mutable_pap_waiting()->set_cases(0);
  k->set_toc_hub_represented(false);
  UpdatePlan p = Record(u, "kcc-mosaic");
  ASSERT_THAT(Indicators(p),
              ElementsAre("case_load", "care_act_overdue", "pap_waiting", "toc_hub_represented"));
  EXPECT_EQ(Obs(p, 0).number(), 130);
  EXPECT_EQ(Obs(p, 1).reported_level(), common::v1::OPEL_LEVEL_4_BLACK);
  EXPECT_THAT(Obs(p, 1).components(), UnorderedElementsAre(Pair("cases", 12)));
  EXPECT_EQ(Obs(p, 2).number(), 0);
  EXPECT_TRUE(Obs(p, 3).has_flag());
  EXPECT_FALSE(Obs(p, 3).flag());

  // A later case load is held; an update with an older case load and a new referral count
  // publishes only the referral count.
  auto later = Update("m2", kNow + absl::Hours(1));
  later.mutable_kcc_area_figures()->set_area_id("north-kent");
  later.mutable_kcc_area_figures()->set_case_load(90);
  Record(later, "kcc-mosaic");
  auto mixed = Update("m3", kNow + absl::Minutes(30));
  mixed.mutable_kcc_area_figures()->set_area_id("north-kent");
  mixed.mutable_kcc_area_figures()->set_case_load(100);
  mixed.mutable_kcc_area_figures()->set_referrals_pending_assessment(7);
  p = Plan(mixed, "kcc-mosaic");
  EXPECT_THAT(Indicators(p), ElementsAre("referrals_pending_assessment"));
  EXPECT_EQ(p.superseded.size(), 1u);
  EXPECT_THAT(AcceptedAck("m3", p, kNow).message(), ::testing::HasSubstr("case_load"));
}

TEST_F(PlanTest, WaitingListTwoFigures) {
  auto u = Update("wl");
  auto* w = u.mutable_home_care_waiting_list();
  w->set_area_id("west-kent");
  w->set_people_waiting(80);
  w->set_average_days_waiting(6.5);
  w->set_longest_days_waiting(21);
  UpdatePlan p = Plan(u, "kcc-mosaic");
  ASSERT_THAT(Indicators(p), ElementsAre("home_care_people_waiting", "home_care_avg_days_waiting"));
  EXPECT_EQ(Obs(p, 0).number(), 80);
  EXPECT_EQ(Obs(p, 1).number(), 6.5);
  EXPECT_EQ(Obs(p, 1).unit(), "days");
  EXPECT_THAT(Obs(p, 1).components(),
              UnorderedElementsAre(Pair("people_waiting", 80), Pair("longest_days_waiting", 21)));
}

TEST_F(PlanTest, WeatherAlertLevelPerAreaAndExpiry) {
  const absl::Time until = kNow + absl::Hours(48);
  UpdatePlan p = Record(Weather("w1", "CHA-7", v1::WeatherHealthAlert::LEVEL_AMBER,
                                {"west-kent", "north-kent"}, kNow - absl::Hours(1), until),
                        "weather-health-alerts");
  ASSERT_THAT(Indicators(p), ElementsAre("weather_alert", "weather_alert"));
  EXPECT_EQ(ScopeOf(p, 0), "area/north-kent");  // reference order
  EXPECT_EQ(ScopeOf(p, 1), "area/west-kent");
  EXPECT_EQ(Obs(p, 0).number(), 2);
  EXPECT_EQ(Obs(p, 0).unit(), "alert_level");
  // A yellow alert for every area: West and North stay amber, the others go yellow.
  p = Record(Weather("w2", "CHA-8", v1::WeatherHealthAlert::LEVEL_YELLOW, {}, kNow,
                     kNow + absl::Hours(24), kNow + absl::Minutes(1)),
             "weather-health-alerts");
  ASSERT_EQ(p.facts.events_size(), 4);
  std::map<std::string, double> level;
  for (int i = 0; i < 4; ++i) level[ScopeOf(p, i)] = Obs(p, i).number();
  EXPECT_EQ(level["area/west-kent"], 2);
  EXPECT_EQ(level["area/ashford-canterbury"], 1);

  FactLookup facts(&confirmed_, &pending_);
  const auto alerts = facts.AllWeather();
  EXPECT_EQ(NextWeatherTransition(alerts, kNow), kNow + absl::Hours(24));
  EXPECT_EQ(NextWeatherTransition(alerts, kNow + absl::Hours(24)), until);
  EXPECT_EQ(NextWeatherTransition(alerts, until), absl::InfiniteFuture());
  // Nothing changes before the yellow alert ends; at its end (exclusive) the others drop to 0.
  EXPECT_EQ(PlanWeatherAt(kNow + absl::Hours(24) - absl::Nanoseconds(1), facts, *KentMedway())
                .events_size(),
            0);
  v1::CapacityFacts at24 = PlanWeatherAt(kNow + absl::Hours(24), facts, *KentMedway());
  ASSERT_EQ(at24.events_size(), 2);
  EXPECT_EQ(at24.events(0).event().observation().number(), 0);
  EXPECT_TRUE(at24.events(0).event().envelope().provenance().provider_id().empty());
  confirmed_.Merge(at24);
  v1::CapacityFacts at48 = PlanWeatherAt(until, facts, *KentMedway());
  ASSERT_EQ(at48.events_size(), 2);  // west and north: amber -> 0
  confirmed_.Merge(at48);
  EXPECT_EQ(PlanWeatherAt(until + absl::Hours(1), facts, *KentMedway()).events_size(), 0);

  // An alert sent again with level "none" ends it early.
  auto end = Weather("w3", "CHA-7", v1::WeatherHealthAlert::LEVEL_NONE, {"west-kent", "north-kent"},
                     kNow, until, kNow + absl::Minutes(5));
  p = Plan(end, "weather-health-alerts", kNow + absl::Minutes(5));
  ASSERT_EQ(p.facts.events_size(), 2);
  EXPECT_EQ(Obs(p, 0).number(), 1);  // the county-wide yellow alert is still in force
}

TEST_F(PlanTest, WeatherLevelBounds) {
  v1::WeatherAlertFact a;
  a.mutable_alert()->set_level(v1::WeatherHealthAlert::LEVEL_RED);
  *a.mutable_alert()->mutable_valid_from() = ToProtoTime(kNow);
  *a.mutable_alert()->mutable_valid_until() = ToProtoTime(kNow + absl::Hours(1));
  a.mutable_alert()->add_area_ids("west-kent");
  std::vector<const v1::WeatherAlertFact*> alerts = {&a};
  EXPECT_EQ(WeatherLevelAt(alerts, "west-kent", kNow - absl::Nanoseconds(1)), 0);
  EXPECT_EQ(WeatherLevelAt(alerts, "west-kent", kNow), 3);
  EXPECT_EQ(WeatherLevelAt(alerts, "west-kent", kNow + absl::Hours(1) - absl::Nanoseconds(1)), 3);
  EXPECT_EQ(WeatherLevelAt(alerts, "west-kent", kNow + absl::Hours(1)), 0);
  EXPECT_EQ(WeatherLevelAt(alerts, "north-kent", kNow), 0);
}

TEST_F(PlanTest, OutbreakNoticeAndLocationFlag) {
  auto notice = [](const std::string& id, const std::string& infection, bool ended, absl::Time t) {
    auto u = Update(id, t);
    u.mutable_outbreak()->set_location_id("rh-oast-house");
    u.mutable_outbreak()->set_infection(infection);
    u.mutable_outbreak()->set_closed_to_admissions(!ended);
    u.mutable_outbreak()->set_ended(ended);
    return u;
  };
  UpdatePlan p = Record(notice("o1", "norovirus", false, kNow), "ipc-outbreak-notifications");
  ASSERT_THAT(Indicators(p), ElementsAre("outbreak_notice", "outbreak"));
  EXPECT_TRUE(p.facts.events(0).event().has_outbreak());
  EXPECT_TRUE(Obs(p, 1).flag());
  Record(notice("o2", "influenza", false, kNow + absl::Hours(1)), "ipc-outbreak-notifications");
  p = Record(notice("o3", "norovirus", true, kNow + absl::Hours(2)), "ipc-outbreak-notifications");
  EXPECT_TRUE(Obs(p, 1).flag());  // influenza goes on
  EXPECT_THAT(Obs(p, 1).components(), UnorderedElementsAre(Pair("outbreaks_open", 1)));
  p = Record(notice("o4", "influenza", true, kNow + absl::Hours(3)), "ipc-outbreak-notifications");
  EXPECT_FALSE(Obs(p, 1).flag());
  // A late "started" for norovirus older than its end is superseded.
  EXPECT_TRUE(Plan(notice("o0", "norovirus", false, kNow + absl::Minutes(1)),
                   "ipc-outbreak-notifications")
                  .all_superseded());
}

TEST_F(PlanTest, Nhs111PercentOfNormal) {
  auto u = Update("n1");
  auto* n = u.mutable_nhs111_call_volume();
  n->set_calls(1350);
  n->set_expected_calls(1000);
  *n->mutable_period_start() = ToProtoTime(kNow - absl::Hours(24));
  *n->mutable_period_end() = ToProtoTime(kNow);
  UpdatePlan p = Plan(u, "nhs111-kent-medway");
  ASSERT_THAT(Indicators(p), ElementsAre("nhs111_call_volume_pct"));
  EXPECT_EQ(ScopeOf(p, 0), "county/kent");
  EXPECT_DOUBLE_EQ(Obs(p, 0).number(), 135);
  EXPECT_EQ(Obs(p, 0).unit(), "percent_of_normal");
  EXPECT_THAT(Obs(p, 0).components(),
              UnorderedElementsAre(Pair("calls", 1350), Pair("expected_calls", 1000)));
}

TEST_F(PlanTest, AcuteAssessmentAndReferralAreBodies) {
  auto a = Update("a1");
  a.mutable_acute_assessment()->set_site_id("maidstone");
  a.mutable_acute_assessment()->mutable_assessment()->set_framework_version("nhse-opel-2023-24");
  a.mutable_acute_assessment()->mutable_assessment()->set_ga_bed_occupancy_pct(97);
  UpdatePlan p = Record(a, "mtw-information");
  ASSERT_THAT(Indicators(p), ElementsAre("acute_opel_assessment"));
  EXPECT_EQ(ScopeOf(p, 0), "acute_site/maidstone");
  EXPECT_EQ(p.facts.events(0).event().acute_assessment().ga_bed_occupancy_pct(), 97);
  EXPECT_TRUE(Plan(a, "mtw-information").all_superseded() == false);  // same time: not older
  a.set_update_id("a0");
  *a.mutable_occurred_at() = ToProtoTime(kNow - absl::Hours(1));
  EXPECT_TRUE(Plan(a, "mtw-information").all_superseded());

  auto r = Update("r1", kNow - absl::Hours(5));  // steps are events: never superseded
  r.mutable_keah_referral()->set_referral_id("R-9");
  r.mutable_keah_referral()->set_step(events::v1::KeahReferralEvent::STEP_NO_START_WITHIN_24H);
  r.mutable_keah_referral()->set_patch_id("keah-ashford");
  Record(r, "keah-rostering");
  r.set_update_id("r0");
  *r.mutable_occurred_at() = ToProtoTime(kNow - absl::Hours(6));
  p = Plan(r, "keah-rostering");
  ASSERT_THAT(Indicators(p), ElementsAre("keah_referral"));
  EXPECT_EQ(p.facts.events(0).event().keah_referral().referral_id(), "R-9");
}

TEST_F(PlanTest, EventIdsAreStablePerUpdateAndDistinctPerFigure) {
  auto u = Update("same");
  u.mutable_kcc_area_figures()->set_area_id("west-kent");
  u.mutable_kcc_area_figures()->set_case_load(1);
  u.mutable_kcc_area_figures()->set_ascc_triage_cases(2);
  UpdatePlan a = Plan(u, "kcc-mosaic");
  UpdatePlan b = Plan(u, "kcc-mosaic", kNow + absl::Minutes(3));
  ASSERT_EQ(a.facts.events_size(), 2);
  EXPECT_EQ(a.facts.events(0).event().envelope().event_id(),
            b.facts.events(0).event().envelope().event_id());
  EXPECT_NE(a.facts.events(0).event().envelope().event_id(),
            a.facts.events(1).event().envelope().event_id());
  EXPECT_NE(Plan(u, "another-provider").facts.events(0).event().envelope().event_id(),
            a.facts.events(0).event().envelope().event_id());
  common::v1::UpdateAck ack = AcceptedAck("same", a, kNow);
  EXPECT_EQ(ack.outcome(), common::v1::UpdateAck::OUTCOME_ACCEPTED);
  EXPECT_EQ(ack.event_id(), ack.event_ids(0));
  EXPECT_EQ(ack.event_ids_size(), 2);
}

TEST(FactStoreTest, MergeOrderDoesNotMatter) {
  // The same facts merged in any order leave the same latest figures (log replay order).
  FactStore planner_base, planner_pending;
  CapacityRules rules = KentMedwayRules();
  std::vector<v1::CapacityFacts> all;
  for (int i = 0; i < 12; ++i) {
    auto u = KeahSlots("u" + std::to_string(i), "keah-thanet", i % 7,
                       kNow + absl::Minutes(i % 4));  // ties on occurred_at
    all.push_back(PlanUpdate(u, "keah-rostering", kNow + absl::Seconds(i),
                             FactLookup(&planner_base, &planner_pending), *KentMedway(), rules)
                      .facts);
  }
  std::string expected;
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    FactStore store;
    for (const auto& f : all) store.Merge(f);
    const auto* latest = store.Latest("keah_patch/keah-thanet", "keah_daily_capacity");
    ASSERT_NE(latest, nullptr);
    if (round == 0) expected = latest->event().envelope().provenance().update_id();
    EXPECT_EQ(latest->event().envelope().provenance().update_id(), expected);
    std::shuffle(all.begin(), all.end(), rng);
  }
  EXPECT_EQ(expected, "u11");  // latest occurred_at (+3 min: u3, u7, u11), then received_at
}

}  // namespace
}  // namespace resilience::capacity
