// Every validation rule of capacity updates at its edges (DESIGN 3 and 8): one row per rule and
// side of the boundary, each naming the status a unary call answers with and the field.
#include "services/capacity/core/update_validation.h"

#include <cmath>
#include <functional>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/capacity/capacity_test_support.h"

namespace resilience::capacity {
namespace {

using namespace testing;  // NOLINT: the capacity test helpers
using absl::StatusCode;

struct Case {
  std::string name;
  std::string provider;
  std::function<v1::CapacityUpdate()> update;
  StatusCode code;
  std::string field;  // a violation must name it (unless OK)
};

v1::CapacityUpdate With(v1::CapacityUpdate u, const std::function<void(v1::CapacityUpdate*)>& f) {
  f(&u);
  return u;
}

v1::CapacityUpdate D2aDischarges(const std::string& area, int patients, const std::string& day) {
  auto u = Update("d2a-1");
  u.mutable_d2a_discharges()->set_area_id(area);
  u.mutable_d2a_discharges()->set_patients_discharged(patients);
  u.mutable_d2a_discharges()->set_day(day);
  return u;
}

v1::CapacityUpdate D2aWeekly(const std::string& area, int capacity, int remaining,
                             const std::string& week_start = "") {
  auto u = Update("d2a-w");
  auto* w = u.mutable_d2a_weekly_availability();
  w->set_area_id(area);
  w->set_weekly_capacity(capacity);
  w->set_remaining(remaining);
  w->set_week_start(week_start);
  return u;
}

v1::CapacityUpdate Kcc(const std::function<void(v1::KccAreaFigures*)>& f) {
  auto u = Update("kcc-1");
  u.mutable_kcc_area_figures()->set_area_id("west-kent");
  f(u.mutable_kcc_area_figures());
  return u;
}

v1::CapacityUpdate Waiting(int people, double avg, double longest = 0) {
  auto u = Update("wl-1");
  auto* w = u.mutable_home_care_waiting_list();
  w->set_area_id("north-kent");
  w->set_people_waiting(people);
  w->set_average_days_waiting(avg);
  w->set_longest_days_waiting(longest);
  return u;
}

v1::CapacityUpdate Nhs111(int calls, double expected, absl::Time start, absl::Time end) {
  auto u = Update("111-1");
  auto* n = u.mutable_nhs111_call_volume();
  n->set_calls(calls);
  n->set_expected_calls(expected);
  *n->mutable_period_start() = ToProtoTime(start);
  *n->mutable_period_end() = ToProtoTime(end);
  return u;
}

v1::CapacityUpdate Acute(const std::function<void(events::v1::AcuteAssessment*)>& f,
                         const std::string& site = "maidstone") {
  auto u = Update("opel-1");
  u.mutable_acute_assessment()->set_site_id(site);
  auto* a = u.mutable_acute_assessment()->mutable_assessment();
  a->set_framework_version("nhse-opel-2023-24");
  f(a);
  return u;
}

v1::CapacityUpdate Referral(events::v1::KeahReferralEvent::Step step, const std::string& patch,
                            const std::string& role = "") {
  auto u = Update("ref-1");
  auto* r = u.mutable_keah_referral();
  r->set_referral_id("R-1");
  r->set_step(step);
  r->set_patch_id(patch);
  r->set_by_role(role);
  return u;
}

v1::CapacityUpdate Outbreak(const std::string& location, const std::string& infection) {
  auto u = Update("ob-1");
  u.mutable_outbreak()->set_location_id(location);
  u.mutable_outbreak()->set_infection(infection);
  return u;
}

const absl::Time kHourAgo = kNow - absl::Hours(1);
constexpr auto kYellow = v1::WeatherHealthAlert::LEVEL_YELLOW;
constexpr auto kNone = v1::WeatherHealthAlert::LEVEL_NONE;
constexpr auto kOk = StatusCode::kOk;
constexpr auto kInvalid = StatusCode::kInvalidArgument;
constexpr auto kNotFound = StatusCode::kNotFound;
constexpr auto kDenied = StatusCode::kPermissionDenied;
constexpr auto kGood = v1::KEAH_CAPACITY_LEVEL_GOOD;
const std::string kKeah = "keah-rostering";

std::vector<Case> Cases() {
  const auto keah = [] { return KeahLevel("k-1", "keah-maidstone", kGood); };
  return {
      // --- the envelope of every update
      {"valid keah level", kKeah, keah, kOk, ""},
      {"update id missing", kKeah, [&] { return With(keah(), [](auto* u) { u->clear_update_id(); }); },
       kInvalid, "update_id"},
      {"update id 128 chars", kKeah,
       [&] { return With(keah(), [](auto* u) { u->set_update_id(std::string(128, 'x')); }); }, kOk, ""},
      {"update id 129 chars", kKeah,
       [&] { return With(keah(), [](auto* u) { u->set_update_id(std::string(129, 'x')); }); },
       kInvalid, "update_id"},
      {"update id not printable", kKeah,
       [&] { return With(keah(), [](auto* u) { u->set_update_id("a\tb"); }); }, kInvalid, "update_id"},
      {"occurred_at missing", kKeah,
       [&] { return With(keah(), [](auto* u) { u->clear_occurred_at(); }); }, kInvalid, "occurred_at"},
      {"occurred_at 5 min ahead", kKeah,
       [&] { return KeahLevel("k", "keah-maidstone", kGood, kNow + absl::Minutes(5)); }, kOk, ""},
      {"occurred_at 5 min 1 ns ahead", kKeah,
       [&] { return KeahLevel("k", "keah-maidstone", kGood, kNow + absl::Minutes(5) + absl::Nanoseconds(1)); },
       kInvalid, "occurred_at"},
      {"occurred_at invalid nanos", kKeah,
       [&] { return With(keah(), [](auto* u) { u->mutable_occurred_at()->set_nanos(-1); }); },
       kInvalid, "occurred_at"},
      {"occurred_at long ago", kKeah,
       [&] { return KeahLevel("k", "keah-maidstone", kGood, kNow - absl::Hours(24 * 400)); }, kOk, ""},
      {"note 500 chars", kKeah,
       [&] { return With(keah(), [](auto* u) { u->set_note(std::string(500, 'n')); }); }, kOk, ""},
      {"note 501 chars", kKeah,
       [&] { return With(keah(), [](auto* u) { u->set_note(std::string(501, 'n')); }); }, kInvalid, "note"},
      {"entered_by a user id", kKeah,
       [&] { return With(keah(), [](auto* u) { u->set_entered_by("priya-nair"); }); }, kOk, ""},
      {"entered_by not printable", kKeah,
       [&] { return With(keah(), [](auto* u) { u->set_entered_by("a\nb"); }); }, kInvalid, "entered_by"},
      {"no report", kKeah, [] { return Update("empty"); }, kInvalid, "report"},

      // --- KEaH daily capacity
      {"keah level unspecified", kKeah,
       [] { return KeahLevel("k", "keah-maidstone", v1::KEAH_CAPACITY_LEVEL_UNSPECIFIED); }, kInvalid,
       "keah_daily_capacity.level"},
      {"keah level out of enum", kKeah,
       [] { return KeahLevel("k", "keah-maidstone", static_cast<v1::KeahCapacityLevel>(9)); }, kInvalid,
       "keah_daily_capacity.level"},
      {"keah capacity missing", kKeah,
       [] { return With(Update("k"), [](auto* u) { u->mutable_keah_daily_capacity()->set_patch_id("keah-maidstone"); }); },
       kInvalid, "keah_daily_capacity.capacity"},
      {"keah free slots 0", kKeah, [] { return KeahSlots("k", "keah-maidstone", 0); }, kOk, ""},
      {"keah free slots -1", kKeah, [] { return KeahSlots("k", "keah-maidstone", -1); }, kInvalid,
       "keah_daily_capacity.free_start_slots"},
      {"keah patch missing", kKeah, [] { return KeahLevel("k", "", kGood); }, kInvalid,
       "keah_daily_capacity.patch_id"},
      {"keah patch unknown", kKeah, [] { return KeahLevel("k", "keah-atlantis", kGood); }, kNotFound,
       "keah_daily_capacity.patch_id"},
      {"keah patch of another provider kind", "kcc-mosaic",
       [] { return KeahLevel("k", "keah-maidstone", kGood); }, kDenied, "keah_daily_capacity.patch_id"},

      // --- D2A Pathway 1
      {"d2a discharges 0", "d2a-p1-west-kent", [] { return D2aDischarges("west-kent", 0, ""); }, kOk, ""},
      {"d2a discharges -1", "d2a-p1-west-kent", [] { return D2aDischarges("west-kent", -1, ""); },
       kInvalid, "d2a_discharges.patients_discharged"},
      {"d2a day = occurred_at's day", "d2a-p1-west-kent",
       [] { return D2aDischarges("west-kent", 3, "2026-11-23"); }, kOk, ""},
      {"d2a day after occurred_at's day", "d2a-p1-west-kent",
       [] { return D2aDischarges("west-kent", 3, "2026-11-24"); }, kInvalid, "d2a_discharges.day"},
      {"d2a day malformed", "d2a-p1-west-kent", [] { return D2aDischarges("west-kent", 3, "23/11/2026"); },
       kInvalid, "d2a_discharges.day"},
      {"d2a day impossible", "d2a-p1-west-kent", [] { return D2aDischarges("west-kent", 3, "2026-02-30"); },
       kInvalid, "d2a_discharges.day"},
      {"d2a area of another provider", "d2a-p1-west-kent",
       [] { return D2aDischarges("north-kent", 3, ""); }, kDenied, "d2a_discharges.area_id"},
      {"d2a area unknown", "d2a-p1-west-kent", [] { return D2aDischarges("east-sussex", 3, ""); },
       kNotFound, "d2a_discharges.area_id"},
      {"d2a weekly remaining = capacity", "d2a-p1-west-kent", [] { return D2aWeekly("west-kent", 42, 42); },
       kOk, ""},
      {"d2a weekly remaining > capacity", "d2a-p1-west-kent", [] { return D2aWeekly("west-kent", 42, 43); },
       kInvalid, "d2a_weekly_availability.remaining"},
      {"d2a weekly remaining -1", "d2a-p1-west-kent", [] { return D2aWeekly("west-kent", 42, -1); },
       kInvalid, "d2a_weekly_availability.remaining"},
      {"d2a weekly capacity from config", "d2a-p1-west-kent", [] { return D2aWeekly("west-kent", 0, 42); },
       kOk, ""},
      {"d2a weekly capacity from config, over it", "d2a-p1-west-kent",
       [] { return D2aWeekly("west-kent", 0, 43); }, kInvalid, "d2a_weekly_availability.remaining"},
      {"d2a weekly capacity negative", "d2a-p1-west-kent", [] { return D2aWeekly("west-kent", -1, 0); },
       kInvalid, "d2a_weekly_availability.weekly_capacity"},
      {"d2a weekly no configured capacity", "*", [] { return D2aWeekly("north-kent", 0, 1); },
       kInvalid, "d2a_weekly_availability.weekly_capacity"},
      {"d2a week starts Monday", "d2a-p1-west-kent",
       [] { return D2aWeekly("west-kent", 42, 10, "2026-11-23"); }, kOk, ""},
      {"d2a week starts Tuesday", "d2a-p1-west-kent",
       [] { return D2aWeekly("west-kent", 42, 10, "2026-11-24"); }, kInvalid,
       "d2a_weekly_availability.week_start"},

      // --- home care market
      {"home care valid", "homecare-invicta", [] { return HomeCare("h", "west-kent", 0, 0, 0); }, kOk, ""},
      {"home care hours 10000", "homecare-invicta", [] { return HomeCare("h", "west-kent", 1, 10000, 0); },
       kOk, ""},
      {"home care hours over 10000", "homecare-invicta",
       [] { return HomeCare("h", "west-kent", 1, 10000.01, 0); }, kInvalid,
       "home_care_market.hours_available_per_week"},
      {"home care hours negative", "homecare-invicta", [] { return HomeCare("h", "west-kent", 1, -0.5, 0); },
       kInvalid, "home_care_market.hours_available_per_week"},
      {"home care hours NaN", "homecare-invicta",
       [] { return HomeCare("h", "west-kent", 1, std::nan(""), 0); }, kInvalid,
       "home_care_market.hours_available_per_week"},
      {"home care packages -1", "homecare-invicta", [] { return HomeCare("h", "west-kent", -1, 1, 0); },
       kInvalid, "home_care_market.packages_startable_this_week"},
      {"home care awaiting -1", "homecare-invicta", [] { return HomeCare("h", "west-kent", 1, 1, -1); },
       kInvalid, "home_care_market.people_awaiting_start"},
      {"home care area of another agency", "homecare-invicta",
       [] { return HomeCare("h", "thanet-south-kent-coast", 1, 1, 1); }, kDenied, "home_care_market.area_id"},

      // --- KCC area figures
      {"kcc one count", "kcc-mosaic", [] { return Kcc([](auto* k) { k->set_case_load(0); }); }, kOk, ""},
      {"kcc nothing reported", "kcc-mosaic", [] { return Kcc([](auto*) {}); }, kInvalid, "kcc_area_figures"},
      {"kcc case load -1", "kcc-mosaic", [] { return Kcc([](auto* k) { k->set_case_load(-1); }); },
       kInvalid, "kcc_area_figures.case_load"},
      {"kcc referrals -1", "kcc-mosaic",
       [] { return Kcc([](auto* k) { k->set_referrals_pending_assessment(-1); }); }, kInvalid,
       "kcc_area_figures.referrals_pending_assessment"},
      {"kcc triage -1", "kcc-mosaic", [] { return Kcc([](auto* k) { k->set_ascc_triage_cases(-1); }); },
       kInvalid, "kcc_area_figures.ascc_triage_cases"},
      {"kcc rapid response -1", "kcc-mosaic",
       [] { return Kcc([](auto* k) { k->set_rapid_response_referrals(-1); }); }, kInvalid,
       "kcc_area_figures.rapid_response_referrals"},
      {"kcc backlog -1", "kcc-mosaic",
       [] { return Kcc([](auto* k) { k->mutable_pap_waiting()->set_cases(-1); }); }, kInvalid,
       "kcc_area_figures.pap_waiting.cases"},
      {"kcc backlog suspended", "kcc-mosaic",
       [] { return Kcc([](auto* k) { k->mutable_care_act_overdue()->set_suspended(true); }); }, kOk, ""},
      {"kcc toc hub only", "kcc-mosaic", [] { return Kcc([](auto* k) { k->set_toc_hub_represented(false); }); },
       kOk, ""},
      {"kcc indicator not allowed to an agency", "homecare-invicta",
       [] { return Kcc([](auto* k) { k->set_case_load(3); }); }, kDenied, "kcc_area_figures.case_load"},

      // --- home care waiting list
      {"waiting list valid", "kcc-mosaic", [] { return Waiting(10, 4.5, 9); }, kOk, ""},
      {"waiting 365 days", "kcc-mosaic", [] { return Waiting(1, 365); }, kOk, ""},
      {"waiting over 365 days", "kcc-mosaic", [] { return Waiting(1, 365.1); }, kInvalid,
       "home_care_waiting_list.average_days_waiting"},
      {"waiting negative days", "kcc-mosaic", [] { return Waiting(1, -1); }, kInvalid,
       "home_care_waiting_list.average_days_waiting"},
      {"nobody waiting, days 0", "kcc-mosaic", [] { return Waiting(0, 0); }, kOk, ""},
      {"nobody waiting, days not 0", "kcc-mosaic", [] { return Waiting(0, 1); }, kInvalid,
       "home_care_waiting_list.average_days_waiting"},
      {"people waiting -1", "kcc-mosaic", [] { return Waiting(-1, 0); }, kInvalid,
       "home_care_waiting_list.people_waiting"},
      {"longest = average", "kcc-mosaic", [] { return Waiting(3, 5, 5); }, kOk, ""},
      {"longest < average", "kcc-mosaic", [] { return Waiting(3, 5, 4.9); }, kInvalid,
       "home_care_waiting_list.longest_days_waiting"},

      // --- weather-health alerts
      {"weather valid", "weather-health-alerts",
       [] { return Weather("w", "CHA-1", kYellow, {"west-kent"}, kHourAgo, kNow + absl::Hours(48)); }, kOk, ""},
      {"weather every area", "weather-health-alerts",
       [] { return Weather("w", "CHA-1", kYellow, {}, kHourAgo, kNow + absl::Hours(48)); }, kOk, ""},
      {"weather until = from", "weather-health-alerts",
       [] { return Weather("w", "CHA-1", kYellow, {}, kHourAgo, kHourAgo); }, kInvalid,
       "weather_alert.valid_until"},
      {"weather until missing", "weather-health-alerts",
       [] {
         return With(Weather("w", "CHA-1", kYellow, {}, kHourAgo, kNow),
                     [](auto* u) { u->mutable_weather_alert()->clear_valid_until(); });
       },
       kInvalid, "weather_alert.valid_until"},
      {"weather none needs no until", "weather-health-alerts",
       [] {
         return With(Weather("w", "CHA-1", kNone, {}, kHourAgo, kNow),
                     [](auto* u) { u->mutable_weather_alert()->clear_valid_until(); });
       },
       kOk, ""},
      {"weather level missing", "weather-health-alerts",
       [] { return Weather("w", "CHA-1", v1::WeatherHealthAlert::LEVEL_UNSPECIFIED, {}, kHourAgo, kNow); },
       kInvalid, "weather_alert.level"},
      {"weather hazard missing", "weather-health-alerts",
       [] {
         return With(Weather("w", "CHA-1", kYellow, {}, kHourAgo, kNow),
                     [](auto* u) { u->mutable_weather_alert()->clear_hazard(); });
       },
       kInvalid, "weather_alert.hazard"},
      {"weather ref missing", "weather-health-alerts",
       [] { return Weather("w", "", kYellow, {}, kHourAgo, kNow); }, kInvalid, "weather_alert.alert_ref"},
      {"weather unknown area", "weather-health-alerts",
       [] { return Weather("w", "CHA-1", kYellow, {"west-kent", "surrey"}, kHourAgo, kNow); }, kNotFound,
       "weather_alert.area_ids[1]"},
      {"weather from another feed", "nhs111-kent-medway",
       [] { return Weather("w", "CHA-1", kYellow, {"west-kent"}, kHourAgo, kNow); }, kDenied,
       "weather_alert.area_ids[0]"},

      // --- NHS 111
      {"nhs111 valid", "nhs111-kent-medway", [] { return Nhs111(120, 100, kNow - absl::Hours(24), kNow); },
       kOk, ""},
      {"nhs111 expected 0", "nhs111-kent-medway", [] { return Nhs111(1, 0, kNow - absl::Hours(1), kNow); },
       kInvalid, "nhs111_call_volume.expected_calls"},
      {"nhs111 calls -1", "nhs111-kent-medway", [] { return Nhs111(-1, 10, kNow - absl::Hours(1), kNow); },
       kInvalid, "nhs111_call_volume.calls"},
      {"nhs111 period 7 days", "nhs111-kent-medway",
       [] { return Nhs111(1, 10, kNow - absl::Hours(24 * 7), kNow); }, kOk, ""},
      {"nhs111 period 7 days 1 s", "nhs111-kent-medway",
       [] { return Nhs111(1, 10, kNow - absl::Hours(24 * 7) - absl::Seconds(1), kNow); }, kInvalid,
       "nhs111_call_volume.period_end"},
      {"nhs111 end = start", "nhs111-kent-medway", [] { return Nhs111(1, 10, kNow, kNow); }, kInvalid,
       "nhs111_call_volume.period_end"},
      {"nhs111 end after occurred_at", "nhs111-kent-medway",
       [] { return Nhs111(1, 10, kNow - absl::Hours(1), kNow + absl::Seconds(1)); }, kInvalid,
       "nhs111_call_volume.period_end"},
      {"nhs111 start missing", "nhs111-kent-medway",
       [] {
         return With(Nhs111(1, 10, kNow - absl::Hours(1), kNow),
                     [](auto* u) { u->mutable_nhs111_call_volume()->clear_period_start(); });
       },
       kInvalid, "nhs111_call_volume.period_start"},

      // --- acute assessments
      {"acute valid", "mtw-information",
       [] { return Acute([](auto* a) { a->set_ed_four_hour_performance_pct(100); a->set_ga_bed_occupancy_pct(150); }); },
       kOk, ""},
      {"acute 4h over 100", "mtw-information",
       [] { return Acute([](auto* a) { a->set_ed_four_hour_performance_pct(100.0001); }); }, kInvalid,
       "acute_assessment.assessment.ed_four_hour_performance_pct"},
      {"acute 12h negative", "mtw-information",
       [] { return Acute([](auto* a) { a->set_patients_over_12h_in_ed_pct(-0.1); }); }, kInvalid,
       "acute_assessment.assessment.patients_over_12h_in_ed_pct"},
      {"acute nctr 100", "mtw-information", [] { return Acute([](auto* a) { a->set_nctr_beds_pct(100); }); },
       kOk, ""},
      {"acute escalation beds 101", "mtw-information",
       [] { return Acute([](auto* a) { a->set_escalation_beds_pct(101); }); }, kInvalid,
       "acute_assessment.assessment.escalation_beds_pct"},
      {"acute handover negative", "mtw-information",
       [] { return Acute([](auto* a) { a->set_mean_ambulance_handover_minutes(-1); }); }, kInvalid,
       "acute_assessment.assessment.mean_ambulance_handover_minutes"},
      {"acute treatment infinite", "mtw-information",
       [] {
         return Acute([](auto* a) {
           a->set_median_time_to_treatment_minutes(std::numeric_limits<double>::infinity());
         });
       },
       kInvalid, "acute_assessment.assessment.median_time_to_treatment_minutes"},
      {"acute majors 0", "mtw-information", [] { return Acute([](auto* a) { a->set_majors_resus_occupancy_pct(0); }); },
       kOk, ""},
      {"acute attendances negative", "mtw-information",
       [] { return Acute([](auto* a) { a->set_ed_attendances_last_60_min(-1); }); }, kInvalid,
       "acute_assessment.assessment.ed_attendances_last_60_min"},
      {"acute unknown framework", "mtw-information",
       [] { return Acute([](auto* a) { a->set_framework_version("nhse-opel-2030"); }); }, kInvalid,
       "acute_assessment.assessment.framework_version"},
      {"acute framework missing", "mtw-information",
       [] { return Acute([](auto* a) { a->clear_framework_version(); }); }, kInvalid,
       "acute_assessment.assessment.framework_version"},
      {"acute assessment missing", "mtw-information",
       [] { return With(Update("a"), [](auto* u) { u->mutable_acute_assessment()->set_site_id("maidstone"); }); },
       kInvalid, "acute_assessment.assessment"},
      {"acute unknown site", "mtw-information", [] { return Acute([](auto*) {}, "guys"); }, kNotFound,
       "acute_assessment.site_id"},
      {"acute another trust's site", "mtw-information", [] { return Acute([](auto*) {}, "qeqm"); }, kDenied,
       "acute_assessment.site_id"},

      // --- KEaH referral steps
      {"referral valid", kKeah,
       [] { return Referral(events::v1::KeahReferralEvent::STEP_RECEIVED, "keah-thanet", "stp_operational_manager"); },
       kOk, ""},
      {"referral step missing", kKeah,
       [] { return Referral(events::v1::KeahReferralEvent::STEP_UNSPECIFIED, "keah-thanet"); }, kInvalid,
       "keah_referral.step"},
      {"referral unknown role", kKeah,
       [] { return Referral(events::v1::KeahReferralEvent::STEP_RECEIVED, "keah-thanet", "wizard"); },
       kNotFound, "keah_referral.by_role"},
      {"referral id missing", kKeah,
       [] {
         return With(Referral(events::v1::KeahReferralEvent::STEP_RECEIVED, "keah-thanet"),
                     [](auto* u) { u->mutable_keah_referral()->clear_referral_id(); });
       },
       kInvalid, "keah_referral.referral_id"},

      // --- outbreaks
      {"outbreak valid", "ipc-outbreak-notifications", [] { return Outbreak("rh-oast-house", "norovirus"); },
       kOk, ""},
      {"outbreak infection missing", "ipc-outbreak-notifications", [] { return Outbreak("rh-oast-house", ""); },
       kInvalid, "outbreak.infection"},
      {"outbreak unknown location", "ipc-outbreak-notifications",
       [] { return Outbreak("rh-nowhere", "norovirus"); }, kNotFound, "outbreak.location_id"},
      {"outbreak by the home's own group", "care-group-weald",
       [] { return Outbreak("rh-oast-house", "norovirus"); }, kOk, ""},
      {"outbreak by another care group", "care-group-downs",
       [] { return Outbreak("rh-oast-house", "norovirus"); }, kDenied, "outbreak.location_id"},
  };
}

// "*" in a row: a provider that may write every area and report anything.
const reference::v1::Provider& ProviderOf(const std::string& id) {
  static const auto* any = [] {
    auto* p = new reference::v1::Provider();
    p->set_id("any-area");
    for (const auto& a : KentMedway()->data().areas()) {
      auto* s = p->add_may_write();
      s->set_kind(common::v1::SCOPE_KIND_AREA);
      s->set_id(a.id());
    }
    return p;
  }();
  return id == "*" ? *any : Provider(id);
}

class UpdateValidationTest : public ::testing::TestWithParam<Case> {};

TEST_P(UpdateValidationTest, Verdict) {
  const Case& c = GetParam();
  const v1::CapacityUpdate u = c.update();
  const CapacityRules rules = KentMedwayRules();
  Verdict v = ValidateCapacityUpdate(u, u.ByteSizeLong(), ProviderOf(c.provider), *KentMedway(),
                                     rules, kNow);
  EXPECT_EQ(v.code, c.code) << c.name;
  if (c.code == kOk) {
    EXPECT_THAT(v.violations, ::testing::IsEmpty());
  } else {
    std::vector<std::string> fields;
    for (const auto& x : v.violations) fields.push_back(x.field());
    EXPECT_THAT(fields, ::testing::Contains(c.field)) << c.name;
    for (const auto& x : v.violations) EXPECT_FALSE(x.reason().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, UpdateValidationTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) {
                           std::string n;
                           for (char ch : info.param.name) {
                             n += ch == '=' ? std::string("eq") : ch == '>' ? std::string("gt")
                                : ch == '<' ? std::string("lt")
                                : std::string(1, std::isalnum(ch) ? ch : '_');
                           }
                           return n;
                         });

TEST(UpdateValidation, SizeLimitAtItsEdge) {
  CapacityRules rules = KentMedwayRules();
  const auto u = KeahLevel("k", "keah-maidstone", kGood);
  rules.max_update_bytes = u.ByteSizeLong();
  EXPECT_TRUE(ValidateCapacityUpdate(u, u.ByteSizeLong(), Provider(kKeah), *KentMedway(), rules, kNow).ok());
  Verdict v =
      ValidateCapacityUpdate(u, u.ByteSizeLong() + 1, Provider(kKeah), *KentMedway(), rules, kNow);
  EXPECT_EQ(v.code, kInvalid);
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].field(), "update");
  EXPECT_THAT(v.violations[0].reason(), ::testing::HasSubstr("too large"));
}

TEST(UpdateValidation, NotFoundWinsOverOtherProblemsAndAllAreListed) {
  auto u = KeahSlots("", "keah-atlantis", -1);
  Verdict v = ValidateCapacityUpdate(u, u.ByteSizeLong(), Provider(kKeah), *KentMedway(),
                                     KentMedwayRules(), kNow);
  EXPECT_EQ(v.code, kNotFound);
  EXPECT_EQ(v.violations.size(), 3u);  // update_id, free_start_slots, patch_id
}

TEST(UpdateValidation, OneRefusalPerFieldForAFigureOfSeveralIndicators) {
  auto u = HomeCare("h", "thanet-south-kent-coast", 1, 1, 1);
  Verdict v = ValidateCapacityUpdate(u, u.ByteSizeLong(), Provider("homecare-invicta"),
                                     *KentMedway(), KentMedwayRules(), kNow);
  EXPECT_EQ(v.code, kDenied);
  EXPECT_EQ(v.violations.size(), 1u);
}

TEST(UpdateValidation, ParseDayIsStrict) {
  absl::CivilDay d;
  EXPECT_TRUE(ParseDay("2028-02-29", &d));
  EXPECT_EQ(d, absl::CivilDay(2028, 2, 29));
  EXPECT_FALSE(ParseDay("2026-02-29", &d));
  EXPECT_FALSE(ParseDay("2026-1-01", &d));
  EXPECT_FALSE(ParseDay("2026-01-01T", &d));
  EXPECT_FALSE(ParseDay("+026-01-01", &d));
  EXPECT_FALSE(ParseDay("", &d));
}

}  // namespace
}  // namespace resilience::capacity
