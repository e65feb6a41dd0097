#include "services/capacity/core/update_validation.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"

namespace resilience::capacity {
namespace {

using common::v1::FieldViolation;
using common::v1::ScopeKind;
using common::v1::ScopeRef;

constexpr size_t kMaxNoteChars = 500;
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31T23:59:59Z

ScopeRef Scope(ScopeKind kind, const std::string& id) {
  ScopeRef s;
  s.set_kind(kind);
  s.set_id(id);
  return s;
}

// Collects problems by kind, so that the verdict's code follows the worst of them.
class Problems {
 public:
  void Invalid(absl::string_view field, absl::string_view reason) {
    invalid_.push_back(Violation(field, reason));
  }
  void NotFound(absl::string_view field, absl::string_view reason) {
    not_found_.push_back(Violation(field, reason));
  }
  void Denied(absl::string_view field, absl::string_view reason) {
    for (const auto& d : denied_) {
      if (d.field() == field && d.reason() == reason) return;  // one per field, not per figure
    }
    denied_.push_back(Violation(field, reason));
  }
  bool any_not_found() const { return !not_found_.empty(); }
  bool any() const { return !invalid_.empty() || !not_found_.empty() || !denied_.empty(); }

  Verdict Finish() && {
    Verdict v;
    if (!not_found_.empty()) {
      v.code = absl::StatusCode::kNotFound;
    } else if (!denied_.empty()) {
      v.code = absl::StatusCode::kPermissionDenied;
    } else if (!invalid_.empty()) {
      v.code = absl::StatusCode::kInvalidArgument;
    }
    for (auto* list : {&invalid_, &not_found_, &denied_}) {
      for (auto& x : *list) v.violations.push_back(std::move(x));
    }
    return v;
  }

  // A count: >= 0.
  void Count(absl::string_view field, int64_t value) {
    if (value < 0) Invalid(field, absl::StrCat("must not be negative (got ", value, ")"));
  }
  // A number in [min, max].
  void Range(absl::string_view field, double value, double min, double max,
             absl::string_view unit) {
    if (!std::isfinite(value)) {
      Invalid(field, "must be a finite number");
    } else if (value < min || value > max) {
      Invalid(field, absl::StrCat("must be ", min, " to ", max, unit.empty() ? "" : " ", unit,
                                  " (got ", value, ")"));
    }
  }
  // A scope id field: required, then known (NOT_FOUND otherwise).
  bool Scope(absl::string_view field, const ScopeRef& scope, absl::string_view what,
             const ReferenceIndex& reference) {
    if (scope.id().empty()) {
      Invalid(field, "required");
      return false;
    }
    if (!reference.ScopeExists(scope)) {
      NotFound(field, absl::StrCat("unknown ", what, " '", scope.id(), "'"));
      return false;
    }
    return true;
  }
  void Id(absl::string_view field, const std::string& id) {
    if (id.empty()) {
      Invalid(field, "required");
    } else if (!IsValidExternalId(id)) {
      Invalid(field, "must be 1 to 128 printable ASCII characters");
    }
  }
  // A timestamp that is set must be a valid one.
  bool Timestamp(absl::string_view field, const google::protobuf::Timestamp& t) {
    if (t.seconds() < 0 || t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
        t.nanos() > 999999999) {
      Invalid(field, "not a valid timestamp (1970 to 9999)");
      return false;
    }
    return true;
  }

 private:
  std::vector<FieldViolation> invalid_;
  std::vector<FieldViolation> not_found_;
  std::vector<FieldViolation> denied_;
};

void CheckKeahCapacity(const v1::KeahDailyCapacity& k, const ReferenceIndex& reference,
                       Problems* p) {
  p->Scope("keah_daily_capacity.patch_id", Scope(common::v1::SCOPE_KIND_KEAH_PATCH, k.patch_id()),
           "KEaH patch", reference);
  switch (k.capacity_case()) {
    case v1::KeahDailyCapacity::kLevel:
      if (k.level() == v1::KEAH_CAPACITY_LEVEL_UNSPECIFIED ||
          !v1::KeahCapacityLevel_IsValid(k.level())) {
        p->Invalid("keah_daily_capacity.level",
                   "must be good, limited, very limited or no capacity");
      }
      break;
    case v1::KeahDailyCapacity::kFreeStartSlots:
      p->Count("keah_daily_capacity.free_start_slots", k.free_start_slots());
      break;
    default:
      p->Invalid("keah_daily_capacity.capacity", "required: level or free_start_slots");
  }
}

void CheckD2aDischarges(const v1::D2aPathwayOneDischarges& d, const v1::CapacityUpdate& u,
                        const ReferenceIndex& reference, const CapacityRules& rules,
                        Problems* p) {
  p->Scope("d2a_discharges.area_id", Scope(common::v1::SCOPE_KIND_AREA, d.area_id()), "area",
           reference);
  if (!d.day().empty()) {
    absl::CivilDay day;
    if (!ParseDay(d.day(), &day)) {
      p->Invalid("d2a_discharges.day", "must be YYYY-MM-DD");
    } else if (u.has_occurred_at()) {
      const absl::CivilDay reported_on =
          absl::ToCivilDay(FromProtoTime(u.occurred_at()), rules.zone);
      if (day > reported_on) {
        p->Invalid("d2a_discharges.day",
                   absl::StrCat("must not be after occurred_at's local day (",
                                absl::FormatCivilTime(reported_on), ")"));
      }
    }
  }
  p->Count("d2a_discharges.patients_discharged", d.patients_discharged());
}

void CheckD2aWeekly(const v1::D2aPathwayOneWeeklyAvailability& w, const ReferenceIndex& reference,
                    const CapacityRules& rules, Problems* p) {
  p->Scope("d2a_weekly_availability.area_id", Scope(common::v1::SCOPE_KIND_AREA, w.area_id()),
           "area", reference);
  if (!w.week_start().empty()) {
    absl::CivilDay day;
    if (!ParseDay(w.week_start(), &day)) {
      p->Invalid("d2a_weekly_availability.week_start", "must be YYYY-MM-DD");
    } else if (absl::GetWeekday(day) != absl::Weekday::monday) {
      p->Invalid("d2a_weekly_availability.week_start", "must be a Monday");
    }
  }
  int64_t capacity = w.weekly_capacity();
  if (capacity < 0) {
    p->Invalid("d2a_weekly_availability.weekly_capacity",
               absl::StrCat("must not be negative (got ", capacity, ")"));
    return;
  }
  if (capacity == 0) {
    auto it = rules.d2a_weekly_capacity.find(w.area_id());
    if (it == rules.d2a_weekly_capacity.end()) {
      p->Invalid("d2a_weekly_availability.weekly_capacity",
                 absl::StrCat("required: no weekly capacity is configured for area '",
                              w.area_id(), "'"));
      return;
    }
    capacity = it->second;
  }
  if (w.remaining() < 0 || w.remaining() > capacity) {
    p->Invalid("d2a_weekly_availability.remaining",
               absl::StrCat("must be 0 to the weekly capacity of ", capacity, " (got ",
                            w.remaining(), ")"));
  }
}

void CheckHomeCareMarket(const v1::HomeCareMarket& m, const ReferenceIndex& reference,
                         Problems* p) {
  p->Scope("home_care_market.area_id", Scope(common::v1::SCOPE_KIND_AREA, m.area_id()), "area",
           reference);
  p->Count("home_care_market.packages_startable_this_week", m.packages_startable_this_week());
  p->Range("home_care_market.hours_available_per_week", m.hours_available_per_week(), 0, 10000,
           "hours");
  p->Count("home_care_market.people_awaiting_start", m.people_awaiting_start());
}

void CheckBacklog(const std::string& field, const v1::WorkBacklog& b, Problems* p) {
  p->Count(field + ".cases", b.cases());
}

void CheckKccFigures(const v1::KccAreaFigures& k, const ReferenceIndex& reference, Problems* p) {
  p->Scope("kcc_area_figures.area_id", Scope(common::v1::SCOPE_KIND_AREA, k.area_id()), "area",
           reference);
  bool any = false;
  if (k.has_case_load()) {
    any = true;
    p->Count("kcc_area_figures.case_load", k.case_load());
  }
  if (k.has_referrals_pending_assessment()) {
    any = true;
    p->Count("kcc_area_figures.referrals_pending_assessment", k.referrals_pending_assessment());
  }
  if (k.has_ascc_triage_cases()) {
    any = true;
    p->Count("kcc_area_figures.ascc_triage_cases", k.ascc_triage_cases());
  }
  if (k.has_rapid_response_referrals()) {
    any = true;
    p->Count("kcc_area_figures.rapid_response_referrals", k.rapid_response_referrals());
  }
  const std::pair<const char*, const v1::WorkBacklog*> backlogs[] = {
      {"care_act_overdue", k.has_care_act_overdue() ? &k.care_act_overdue() : nullptr},
      {"reviews_overdue", k.has_reviews_overdue() ? &k.reviews_overdue() : nullptr},
      {"chc_dst_outside_timeframe",
       k.has_chc_dst_outside_timeframe() ? &k.chc_dst_outside_timeframe() : nullptr},
      {"first_contact_not_reviewed",
       k.has_first_contact_not_reviewed() ? &k.first_contact_not_reviewed() : nullptr},
      {"pap_waiting", k.has_pap_waiting() ? &k.pap_waiting() : nullptr},
  };
  for (const auto& [name, backlog] : backlogs) {
    if (backlog == nullptr) continue;
    any = true;
    CheckBacklog(absl::StrCat("kcc_area_figures.", name), *backlog, p);
  }
  if (k.has_toc_hub_represented()) any = true;
  if (!any) p->Invalid("kcc_area_figures", "at least one figure is required");
}

void CheckWaitingList(const v1::HomeCareWaitingList& w, const ReferenceIndex& reference,
                      Problems* p) {
  p->Scope("home_care_waiting_list.area_id", Scope(common::v1::SCOPE_KIND_AREA, w.area_id()),
           "area", reference);
  p->Count("home_care_waiting_list.people_waiting", w.people_waiting());
  p->Range("home_care_waiting_list.average_days_waiting", w.average_days_waiting(), 0, 365,
           "days");
  if (w.people_waiting() == 0 && w.average_days_waiting() != 0) {
    p->Invalid("home_care_waiting_list.average_days_waiting",
               "must be 0 when nobody is waiting");
  }
  if (!std::isfinite(w.longest_days_waiting()) || w.longest_days_waiting() < 0) {
    p->Invalid("home_care_waiting_list.longest_days_waiting", "must be a number >= 0");
  } else if (w.longest_days_waiting() != 0 && std::isfinite(w.average_days_waiting()) &&
             w.longest_days_waiting() < w.average_days_waiting()) {
    p->Invalid("home_care_waiting_list.longest_days_waiting",
               "must not be less than average_days_waiting (0 means not reported)");
  }
}

void CheckWeather(const v1::WeatherHealthAlert& w, const v1::CapacityUpdate& u,
                  const ReferenceIndex& reference, Problems* p) {
  p->Id("weather_alert.alert_ref", w.alert_ref());
  if (w.hazard() == v1::WeatherHealthAlert::HAZARD_UNSPECIFIED ||
      !v1::WeatherHealthAlert::Hazard_IsValid(w.hazard())) {
    p->Invalid("weather_alert.hazard", "required: cold or heat");
  }
  const bool level_ok = w.level() != v1::WeatherHealthAlert::LEVEL_UNSPECIFIED &&
                        v1::WeatherHealthAlert::Level_IsValid(w.level());
  if (!level_ok) p->Invalid("weather_alert.level", "required: none, yellow, amber or red");
  for (int i = 0; i < w.area_ids_size(); ++i) {
    p->Scope(absl::StrCat("weather_alert.area_ids[", i, "]"),
             Scope(common::v1::SCOPE_KIND_AREA, w.area_ids(i)), "area", reference);
  }
  bool times_ok = true;
  if (w.has_valid_from()) times_ok &= p->Timestamp("weather_alert.valid_from", w.valid_from());
  if (w.has_valid_until()) times_ok &= p->Timestamp("weather_alert.valid_until", w.valid_until());
  if (!w.has_valid_until()) {
    if (level_ok && w.level() != v1::WeatherHealthAlert::LEVEL_NONE) {
      p->Invalid("weather_alert.valid_until", "required unless level is none");
    }
  } else if (times_ok) {
    const google::protobuf::Timestamp& from = w.has_valid_from() ? w.valid_from() : u.occurred_at();
    if (!(FromProtoTime(w.valid_until()) > FromProtoTime(from))) {
      p->Invalid("weather_alert.valid_until",
                 w.has_valid_from() ? "must be after valid_from"
                                    : "must be after occurred_at (valid_from is empty)");
    }
  }
  if (w.headline().size() > kMaxNoteChars) {
    p->Invalid("weather_alert.headline", "at most 500 characters");
  }
}

void CheckNhs111(const v1::Nhs111CallVolume& n, const v1::CapacityUpdate& u, Problems* p) {
  p->Count("nhs111_call_volume.calls", n.calls());
  if (!std::isfinite(n.expected_calls()) || !(n.expected_calls() > 0)) {
    p->Invalid("nhs111_call_volume.expected_calls", "must be more than 0");
  }
  bool times_ok = true;
  if (!n.has_period_start()) {
    p->Invalid("nhs111_call_volume.period_start", "required");
    times_ok = false;
  } else {
    times_ok &= p->Timestamp("nhs111_call_volume.period_start", n.period_start());
  }
  if (!n.has_period_end()) {
    p->Invalid("nhs111_call_volume.period_end", "required");
    times_ok = false;
  } else {
    times_ok &= p->Timestamp("nhs111_call_volume.period_end", n.period_end());
  }
  if (!times_ok) return;
  const absl::Time start = FromProtoTime(n.period_start());
  const absl::Time end = FromProtoTime(n.period_end());
  if (!(end > start)) {
    p->Invalid("nhs111_call_volume.period_end", "must be after period_start");
  } else if (end - start > absl::Hours(24 * 7)) {
    p->Invalid("nhs111_call_volume.period_end", "at most 7 days after period_start");
  }
  if (u.has_occurred_at() && end > FromProtoTime(u.occurred_at())) {
    p->Invalid("nhs111_call_volume.period_end", "must not be after occurred_at");
  }
}

void CheckAcute(const v1::AcuteSiteAssessment& a, const ReferenceIndex& reference,
                const CapacityRules& rules, Problems* p) {
  p->Scope("acute_assessment.site_id", Scope(common::v1::SCOPE_KIND_ACUTE_SITE, a.site_id()),
           "acute site", reference);
  if (!a.has_assessment()) {
    p->Invalid("acute_assessment.assessment", "required");
    return;
  }
  const events::v1::AcuteAssessment& s = a.assessment();
  const std::string f = "acute_assessment.assessment.";
  if (s.framework_version().empty()) {
    p->Invalid(f + "framework_version", "required");
  } else if (!rules.acute_framework_versions.contains(s.framework_version())) {
    p->Invalid(f + "framework_version",
               absl::StrCat("unknown framework '", s.framework_version(), "'"));
  }
  // Upper bounds of the fields that may exceed 100 only keep out absurd numbers.
  constexpr double kMaxMinutes = 7 * 24 * 60;
  constexpr double kMaxOverPct = 1000;
  constexpr double kMaxAttendances = 100000;
  if (s.has_mean_ambulance_handover_minutes())
    p->Range(f + "mean_ambulance_handover_minutes", s.mean_ambulance_handover_minutes(), 0,
             kMaxMinutes, "minutes");
  if (s.has_ed_four_hour_performance_pct())
    p->Range(f + "ed_four_hour_performance_pct", s.ed_four_hour_performance_pct(), 0, 100,
             "percent");
  if (s.has_ed_attendances_last_60_min())
    p->Range(f + "ed_attendances_last_60_min", s.ed_attendances_last_60_min(), 0,
             kMaxAttendances, "attendances");
  if (s.has_majors_resus_occupancy_pct())
    p->Range(f + "majors_resus_occupancy_pct", s.majors_resus_occupancy_pct(), 0, kMaxOverPct,
             "percent");
  if (s.has_median_time_to_treatment_minutes())
    p->Range(f + "median_time_to_treatment_minutes", s.median_time_to_treatment_minutes(), 0,
             kMaxMinutes, "minutes");
  if (s.has_patients_over_12h_in_ed_pct())
    p->Range(f + "patients_over_12h_in_ed_pct", s.patients_over_12h_in_ed_pct(), 0, 100,
             "percent");
  if (s.has_ga_bed_occupancy_pct())
    p->Range(f + "ga_bed_occupancy_pct", s.ga_bed_occupancy_pct(), 0, kMaxOverPct, "percent");
  if (s.has_escalation_beds_pct())
    p->Range(f + "escalation_beds_pct", s.escalation_beds_pct(), 0, 100, "percent");
  if (s.has_nctr_beds_pct())
    p->Range(f + "nctr_beds_pct", s.nctr_beds_pct(), 0, 100, "percent");
  if (!common::v1::OpelLevel_IsValid(s.declared_level())) {
    p->Invalid(f + "declared_level", "not a level");
  }
}

void CheckKeahReferral(const events::v1::KeahReferralEvent& r, const ReferenceIndex& reference,
                       Problems* p) {
  p->Id("keah_referral.referral_id", r.referral_id());
  if (r.step() == events::v1::KeahReferralEvent::STEP_UNSPECIFIED ||
      !events::v1::KeahReferralEvent::Step_IsValid(r.step())) {
    p->Invalid("keah_referral.step", "required");
  }
  p->Scope("keah_referral.patch_id", Scope(common::v1::SCOPE_KIND_KEAH_PATCH, r.patch_id()),
           "KEaH patch", reference);
  if (!r.by_role().empty() && reference.FindRole(r.by_role()) == nullptr) {
    p->NotFound("keah_referral.by_role", absl::StrCat("unknown role '", r.by_role(), "'"));
  }
}

void CheckOutbreak(const events::v1::OutbreakNotice& o, const ReferenceIndex& reference,
                   Problems* p) {
  p->Scope("outbreak.location_id", Scope(common::v1::SCOPE_KIND_LOCATION, o.location_id()),
           "location", reference);
  if (o.infection().empty()) {
    p->Invalid("outbreak.infection", "required, e.g. \"influenza\"");
  } else if (!IsValidExternalId(o.infection()) || o.infection().size() > 64) {
    p->Invalid("outbreak.infection", "must be 1 to 64 printable ASCII characters");
  }
}

}  // namespace

FieldViolation Violation(absl::string_view field, absl::string_view reason) {
  FieldViolation v;
  v.set_field(std::string(field));
  v.set_reason(std::string(reason));
  return v;
}

bool IsValidExternalId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool ParseDay(absl::string_view text, absl::CivilDay* day) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int y = 0, m = 0, d = 0;
  if (!absl::SimpleAtoi(text.substr(0, 4), &y) || !absl::SimpleAtoi(text.substr(5, 2), &m) ||
      !absl::SimpleAtoi(text.substr(8, 2), &d)) {
    return false;
  }
  for (char c : text) {
    if (c != '-' && (c < '0' || c > '9')) return false;
  }
  const absl::CivilDay parsed(y, m, d);
  if (parsed.year() != y || parsed.month() != m || parsed.day() != d) return false;  // 2026-02-30
  *day = parsed;
  return true;
}

bool MayWriteScope(const reference::v1::Provider& provider, const common::v1::ScopeRef& scope) {
  for (const auto& s : provider.may_write()) {
    if (s.kind() == scope.kind() && s.id() == scope.id()) return true;
  }
  return false;
}

bool MayReport(const reference::v1::Provider& provider, absl::string_view indicator) {
  if (provider.indicators().empty()) return true;
  for (const auto& i : provider.indicators()) {
    if (i == indicator) return true;
  }
  return false;
}

std::vector<FigureTarget> FigureTargets(const v1::CapacityUpdate& u,
                                        const ReferenceIndex& reference) {
  std::vector<FigureTarget> out;
  auto add = [&](ScopeKind kind, const std::string& id, std::string indicator, std::string field) {
    out.push_back({Scope(kind, id), std::move(indicator), std::move(field)});
  };
  using K = common::v1::ScopeKind;
  switch (u.report_case()) {
    case v1::CapacityUpdate::kKeahDailyCapacity:
      add(K::SCOPE_KIND_KEAH_PATCH, u.keah_daily_capacity().patch_id(), "keah_daily_capacity",
          "keah_daily_capacity.patch_id");
      break;
    case v1::CapacityUpdate::kD2ADischarges:
      add(K::SCOPE_KIND_AREA, u.d2a_discharges().area_id(), "d2a_p1_discharged_yesterday",
          "d2a_discharges.area_id");
      break;
    case v1::CapacityUpdate::kD2AWeeklyAvailability:
      add(K::SCOPE_KIND_AREA, u.d2a_weekly_availability().area_id(),
          "d2a_p1_weekly_availability_remaining", "d2a_weekly_availability.area_id");
      break;
    case v1::CapacityUpdate::kHomeCareMarket:
      for (const char* i : {"home_care_packages_startable", "home_care_hours_available",
                            "home_care_awaiting_start"}) {
        add(K::SCOPE_KIND_AREA, u.home_care_market().area_id(), i, "home_care_market.area_id");
      }
      break;
    case v1::CapacityUpdate::kKccAreaFigures: {
      const auto& k = u.kcc_area_figures();
      auto fig = [&](bool present, const char* name) {
        if (present) {
          add(K::SCOPE_KIND_AREA, k.area_id(), name, absl::StrCat("kcc_area_figures.", name));
        }
      };
      fig(k.has_case_load(), "case_load");
      fig(k.has_referrals_pending_assessment(), "referrals_pending_assessment");
      fig(k.has_ascc_triage_cases(), "ascc_triage_cases");
      fig(k.has_rapid_response_referrals(), "rapid_response_referrals");
      fig(k.has_care_act_overdue(), "care_act_overdue");
      fig(k.has_reviews_overdue(), "reviews_overdue");
      fig(k.has_chc_dst_outside_timeframe(), "chc_dst_outside_timeframe");
      fig(k.has_first_contact_not_reviewed(), "first_contact_not_reviewed");
      fig(k.has_pap_waiting(), "pap_waiting");
      fig(k.has_toc_hub_represented(), "toc_hub_represented");
      break;
    }
    case v1::CapacityUpdate::kKeahReferral:
      add(K::SCOPE_KIND_KEAH_PATCH, u.keah_referral().patch_id(), kKeahReferralIndicator,
          "keah_referral.patch_id");
      break;
    case v1::CapacityUpdate::kHomeCareWaitingList:
      for (const char* i : {"home_care_people_waiting", "home_care_avg_days_waiting"}) {
        add(K::SCOPE_KIND_AREA, u.home_care_waiting_list().area_id(), i,
            "home_care_waiting_list.area_id");
      }
      break;
    case v1::CapacityUpdate::kWeatherAlert: {
      const auto& w = u.weather_alert();
      if (w.area_ids().empty()) {
        for (const auto& area : reference.data().areas()) {
          add(K::SCOPE_KIND_AREA, area.id(), "weather_alert", "weather_alert.area_ids");
        }
      }
      for (int i = 0; i < w.area_ids_size(); ++i) {
        add(K::SCOPE_KIND_AREA, w.area_ids(i), "weather_alert",
            absl::StrCat("weather_alert.area_ids[", i, "]"));
      }
      break;
    }
    case v1::CapacityUpdate::kOutbreak:
      // The notice and the location's `outbreak` flag: a provider needs the `outbreak` indicator.
      add(K::SCOPE_KIND_LOCATION, u.outbreak().location_id(), kOutbreakIndicator,
          "outbreak.location_id");
      break;
    case v1::CapacityUpdate::kNhs111CallVolume:
      add(K::SCOPE_KIND_COUNTY, reference.data().county_id(), "nhs111_call_volume_pct",
          "nhs111_call_volume");
      break;
    case v1::CapacityUpdate::kAcuteAssessment:
      add(K::SCOPE_KIND_ACUTE_SITE, u.acute_assessment().site_id(), kAcuteAssessmentIndicator,
          "acute_assessment.site_id");
      break;
    default:
      break;
  }
  return out;
}

Verdict ValidateCapacityUpdate(const v1::CapacityUpdate& u, size_t serialized_bytes,
                               const reference::v1::Provider& provider,
                               const ReferenceIndex& reference, const CapacityRules& rules,
                               absl::Time now) {
  Problems p;
  if (serialized_bytes > rules.max_update_bytes) {
    // Nothing else is looked at: an oversize update may be anything.
    p.Invalid("update", absl::StrCat("too large: ", serialized_bytes, " bytes, at most ",
                                     rules.max_update_bytes));
    return std::move(p).Finish();
  }
  if (u.update_id().empty()) {
    p.Invalid("update_id", "required: a provider-chosen id, so that retries are safe");
  } else if (!IsValidExternalId(u.update_id())) {
    p.Invalid("update_id", "must be 1 to 128 printable ASCII characters");
  }
  if (!u.has_occurred_at()) {
    p.Invalid("occurred_at", "required: decides which of two figures is the latest");
  } else if (p.Timestamp("occurred_at", u.occurred_at()) &&
             FromProtoTime(u.occurred_at()) > now + rules.max_future_skew) {
    p.Invalid("occurred_at", absl::StrCat("more than ", absl::FormatDuration(rules.max_future_skew),
                                          " in the future: check the sender's clock"));
  }
  if (u.note().size() > kMaxNoteChars) p.Invalid("note", "at most 500 characters");
  if (!u.entered_by().empty() && !IsValidScopeId(u.entered_by()) &&
      !IsValidExternalId(u.entered_by())) {
    p.Invalid("entered_by", "must be a staff user id");
  }
  switch (u.report_case()) {
    case v1::CapacityUpdate::kKeahDailyCapacity:
      CheckKeahCapacity(u.keah_daily_capacity(), reference, &p);
      break;
    case v1::CapacityUpdate::kD2ADischarges:
      CheckD2aDischarges(u.d2a_discharges(), u, reference, rules, &p);
      break;
    case v1::CapacityUpdate::kD2AWeeklyAvailability:
      CheckD2aWeekly(u.d2a_weekly_availability(), reference, rules, &p);
      break;
    case v1::CapacityUpdate::kHomeCareMarket:
      CheckHomeCareMarket(u.home_care_market(), reference, &p);
      break;
    case v1::CapacityUpdate::kKccAreaFigures:
      CheckKccFigures(u.kcc_area_figures(), reference, &p);
      break;
    case v1::CapacityUpdate::kKeahReferral:
      CheckKeahReferral(u.keah_referral(), reference, &p);
      break;
    case v1::CapacityUpdate::kHomeCareWaitingList:
      CheckWaitingList(u.home_care_waiting_list(), reference, &p);
      break;
    case v1::CapacityUpdate::kWeatherAlert:
      CheckWeather(u.weather_alert(), u, reference, &p);
      break;
    case v1::CapacityUpdate::kOutbreak:
      CheckOutbreak(u.outbreak(), reference, &p);
      break;
    case v1::CapacityUpdate::kNhs111CallVolume:
      CheckNhs111(u.nhs111_call_volume(), u, &p);
      break;
    case v1::CapacityUpdate::kAcuteAssessment:
      CheckAcute(u.acute_assessment(), reference, rules, &p);
      break;
    default:
      p.Invalid("report", "required: exactly one of the reports");
  }
  // Authorisation is judged on known scopes only: an unknown one is already NOT_FOUND.
  if (!p.any_not_found()) {
    for (const FigureTarget& t : FigureTargets(u, reference)) {
      if (t.scope.id().empty()) continue;
      if (!MayWriteScope(provider, t.scope)) {
        p.Denied(t.field, absl::StrCat("provider '", provider.id(), "' may not write ",
                                       ScopeKey(t.scope)));
      } else if (!MayReport(provider, t.indicator)) {
        p.Denied(t.field, absl::StrCat("provider '", provider.id(),
                                       "' may not report indicator '", t.indicator, "'"));
      }
    }
  }
  return std::move(p).Finish();
}

}  // namespace resilience::capacity
