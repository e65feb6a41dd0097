#include "services/capacity/core/update_plan.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/clock/proto_time.h"
#include "common/ids/uuid.h"
#include "common/scope/scope_key.h"
#include "services/capacity/core/update_validation.h"

namespace resilience::capacity {
namespace {

using common::v1::ScopeKind;
using common::v1::ScopeRef;
using events::v1::DomainEvent;
using events::v1::IndicatorObservation;

ScopeRef Scope(ScopeKind kind, const std::string& id) {
  ScopeRef s;
  s.set_kind(kind);
  s.set_id(id);
  return s;
}

std::string Rfc3339(absl::Time t) { return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone()); }

// Builds one update's events and facts.
class Planner {
 public:
  Planner(const v1::CapacityUpdate& update, const std::string& provider_id, absl::Time received_at,
          const FactLookup& facts, const ReferenceIndex& reference, const CapacityRules& rules)
      : u_(update),
        provider_(provider_id),
        received_(received_at),
        occurred_(FromProtoTime(update.occurred_at())),
        facts_(facts),
        reference_(reference),
        rules_(rules) {}

  UpdatePlan Plan() && {
    switch (u_.report_case()) {
      case v1::CapacityUpdate::kKeahDailyCapacity: Keah(); break;
      case v1::CapacityUpdate::kD2ADischarges: D2aDischarges(); break;
      case v1::CapacityUpdate::kD2AWeeklyAvailability: D2aWeekly(); break;
      case v1::CapacityUpdate::kHomeCareMarket: HomeCareMarket(); break;
      case v1::CapacityUpdate::kKccAreaFigures: KccFigures(); break;
      case v1::CapacityUpdate::kKeahReferral: KeahReferral(); break;
      case v1::CapacityUpdate::kHomeCareWaitingList: WaitingList(); break;
      case v1::CapacityUpdate::kWeatherAlert: Weather(); break;
      case v1::CapacityUpdate::kOutbreak: Outbreak(); break;
      case v1::CapacityUpdate::kNhs111CallVolume: Nhs111(); break;
      case v1::CapacityUpdate::kAcuteAssessment: Acute(); break;
      default: break;
    }
    return std::move(plan_);
  }

 private:
  // A new event for `scope`, enveloped, appended to the plan.
  DomainEvent* NewEvent(const ScopeRef& scope, const std::string& indicator, absl::Time occurred,
                        v1::RecordedEvent** recorded = nullptr) {
    v1::RecordedEvent* r = plan_.facts.add_events();
    r->set_indicator(indicator);
    DomainEvent* e = r->mutable_event();
    auto* env = e->mutable_envelope();
    env->set_event_id(FigureEventId(provider_, u_.update_id(), indicator, ScopeKey(scope)));
    env->set_source(kCapacityService);
    *env->mutable_scope() = scope;
    *env->mutable_occurred_at() = ToProtoTime(occurred);
    *env->mutable_received_at() = ToProtoTime(received_);
    env->set_schema_version(1);
    auto* p = env->mutable_provenance();
    p->set_provider_id(provider_);
    p->set_update_id(u_.update_id());
    p->set_accepted_by(kCapacityService);
    *p->mutable_accepted_at() = ToProtoTime(received_);
    p->set_entered_by(u_.entered_by());
    if (recorded != nullptr) *recorded = r;
    return e;
  }

  // An observation of `indicator` for `scope`, with the indicator's unit for numbers.
  IndicatorObservation* NewObservation(const ScopeRef& scope, const std::string& indicator,
                                       absl::Time occurred,
                                       v1::RecordedEvent** recorded = nullptr) {
    IndicatorObservation* o = NewEvent(scope, indicator, occurred, recorded)->mutable_observation();
    o->set_indicator(indicator);
    o->set_note(u_.note());
    return o;
  }

  void SetNumber(IndicatorObservation* o, double value) {
    o->set_number(value);
    if (const auto* def = reference_.FindIndicator(o->indicator())) o->set_unit(def->unit());
  }

  // True (and noted) when a figure of `indicator` for `scope` later than `occurred` is held.
  bool Superseded(const ScopeRef& scope, const std::string& indicator, absl::Time occurred) {
    const v1::RecordedEvent* held = facts_.Latest(ScopeKey(scope), indicator);
    if (held == nullptr || !(OccurredAt(*held) > occurred)) return false;
    const auto& p = held->event().envelope().provenance();
    NoteSuperseded(indicator, scope, p.provider_id(), p.update_id(), OccurredAt(*held));
    return true;
  }

  void NoteSuperseded(const std::string& what, const ScopeRef& scope, const std::string& provider,
                      const std::string& update_id, absl::Time held_at) {
    plan_.superseded.push_back(absl::StrCat(
        what, " of ", ScopeKey(scope), " is held from ",
        provider.empty() ? std::string("the service") : absl::StrCat("provider '", provider, "'"),
        update_id.empty() ? "" : absl::StrCat(" update '", update_id, "'"), " at ",
        Rfc3339(held_at), ", later than this update's ", Rfc3339(occurred_)));
  }

  // A derived figure's time: when its newest input held, never before the figure already held.
  absl::Time DerivedTime(const ScopeRef& scope, const std::string& indicator, absl::Time input) {
    const v1::RecordedEvent* held = facts_.Latest(ScopeKey(scope), indicator);
    return held == nullptr ? input : std::max(input, OccurredAt(*held));
  }

  void Keah() {
    const auto& k = u_.keah_daily_capacity();
    const ScopeRef patch = Scope(common::v1::SCOPE_KIND_KEAH_PATCH, k.patch_id());
    if (Superseded(patch, "keah_daily_capacity", occurred_)) return;
    IndicatorObservation* o = NewObservation(patch, "keah_daily_capacity", occurred_);
    common::v1::OpelLevel level;
    if (k.capacity_case() == v1::KeahDailyCapacity::kFreeStartSlots) {
      level = KeahLevelForSlots(k.free_start_slots(), rules_.KeahThresholdsFor(k.patch_id()));
      (*o->mutable_components())["free_start_slots"] = k.free_start_slots();
    } else {
      level = KeahLevelToOpel(k.level());
    }
    o->set_reported_level(level);

    // County-wide: patches not at "no capacity" (a patch with no figure yet is not counted as
    // unable: unknown is not "no capacity").
    int total = 0, none = 0;
    for (const auto& p : reference_.data().keah_patches()) {
      ++total;
      common::v1::OpelLevel l = common::v1::OPEL_LEVEL_UNSPECIFIED;
      if (p.id() == k.patch_id()) {
        l = level;
      } else if (const auto* held = facts_.Latest(
                     ScopeKey(Scope(common::v1::SCOPE_KIND_KEAH_PATCH, p.id())),
                     "keah_daily_capacity")) {
        l = held->event().observation().reported_level();
      }
      if (l == common::v1::OPEL_LEVEL_4_BLACK) ++none;
    }
    const ScopeRef county = Scope(common::v1::SCOPE_KIND_COUNTY, reference_.data().county_id());
    const std::string indicator = "keah_patches_with_capacity";
    const v1::RecordedEvent* held = facts_.Latest(ScopeKey(county), indicator);
    const double value = total - none;
    if (held != nullptr && held->event().observation().number() == value) return;
    IndicatorObservation* c =
        NewObservation(county, indicator, DerivedTime(county, indicator, occurred_));
    c->clear_note();
    SetNumber(c, value);
    (*c->mutable_components())["patches_total"] = total;
    (*c->mutable_components())["patches_no_capacity"] = none;
  }

  // Midnight at the start of `day` in the configured zone.
  absl::Time StartOf(absl::CivilDay day) const { return absl::FromCivil(day, rules_.zone); }

  void D2aDischarges() {
    const auto& d = u_.d2a_discharges();
    const ScopeRef area = Scope(common::v1::SCOPE_KIND_AREA, d.area_id());
    const std::string indicator = "d2a_p1_discharged_yesterday";
    if (Superseded(area, indicator, occurred_)) return;
    absl::CivilDay day = absl::ToCivilDay(occurred_, rules_.zone) - 1;
    if (!d.day().empty()) ParseDay(d.day(), &day);
    IndicatorObservation* o = NewObservation(area, indicator, occurred_);
    SetNumber(o, d.patients_discharged());
    *o->mutable_period_start() = ToProtoTime(StartOf(day));
    *o->mutable_period_end() = ToProtoTime(StartOf(day + 1));
  }

  void D2aWeekly() {
    const auto& w = u_.d2a_weekly_availability();
    const ScopeRef area = Scope(common::v1::SCOPE_KIND_AREA, w.area_id());
    const std::string indicator = "d2a_p1_weekly_availability_remaining";
    if (Superseded(area, indicator, occurred_)) return;
    absl::CivilDay monday;
    if (w.week_start().empty()) {
      monday = absl::PrevWeekday(absl::ToCivilDay(occurred_, rules_.zone) + 1,
                                 absl::Weekday::monday);
    } else {
      ParseDay(w.week_start(), &monday);
    }
    double capacity = w.weekly_capacity();
    if (capacity == 0) {
      auto it = rules_.d2a_weekly_capacity.find(w.area_id());
      if (it != rules_.d2a_weekly_capacity.end()) capacity = it->second;
    }
    IndicatorObservation* o = NewObservation(area, indicator, occurred_);
    SetNumber(o, w.remaining());
    (*o->mutable_components())["weekly_capacity"] = capacity;
    *o->mutable_period_start() = ToProtoTime(StartOf(monday));
    *o->mutable_period_end() = ToProtoTime(StartOf(monday + 7));
  }

  void HomeCareMarket() {
    const auto& m = u_.home_care_market();
    const ScopeRef area = Scope(common::v1::SCOPE_KIND_AREA, m.area_id());
    if (const auto* held = facts_.HomeCare(m.area_id(), provider_)) {
      const absl::Time held_at = FromProtoTime(held->part().occurred_at());
      if (held_at > occurred_) {
        NoteSuperseded("home care market figures", area, provider_, held->part().update_id(),
                       held_at);
        return;
      }
    }
    v1::HomeCareContribution* mine = plan_.facts.add_home_care();
    mine->set_area_id(m.area_id());
    *mine->mutable_received_at() = ToProtoTime(received_);
    auto* part = mine->mutable_part();
    part->set_provider_id(provider_);
    part->set_update_id(u_.update_id());
    *part->mutable_occurred_at() = u_.occurred_at();
    (*part->mutable_values())["packages_startable_this_week"] = m.packages_startable_this_week();
    (*part->mutable_values())["hours_available_per_week"] = m.hours_available_per_week();
    (*part->mutable_values())["people_awaiting_start"] = m.people_awaiting_start();

    // The area's totals over the providers whose figures are fresh, this one's replacing its own.
    std::vector<const v1::HomeCareContribution*> parts;
    for (const auto* h : facts_.HomeCareIn(m.area_id())) {
      if (h->part().provider_id() == provider_) continue;
      if (FromProtoTime(h->part().occurred_at()) < received_ - rules_.home_care_fresh) continue;
      parts.push_back(h);
    }
    parts.push_back(mine);
    absl::Time newest = absl::InfinitePast();
    for (const auto* h : parts) newest = std::max(newest, FromProtoTime(h->part().occurred_at()));
    const std::pair<const char*, const char*> figures[] = {
        {"home_care_packages_startable", "packages_startable_this_week"},
        {"home_care_hours_available", "hours_available_per_week"},
        {"home_care_awaiting_start", "people_awaiting_start"},
    };
    for (const auto& [indicator, component] : figures) {
      v1::RecordedEvent* recorded = nullptr;
      IndicatorObservation* o =
          NewObservation(area, indicator, DerivedTime(area, indicator, newest), &recorded);
      double sum = 0;
      for (const auto* h : parts) {
        const double v = h->part().values().at(component);
        sum += v;
        (*o->mutable_components())[h->part().provider_id()] = v;
        *recorded->add_contributions() = h->part();
      }
      SetNumber(o, sum);
    }
  }

  // One optional figure of the KCC area counts.
  void KccCount(const ScopeRef& area, const char* indicator, bool present, int64_t value) {
    if (!present || Superseded(area, indicator, occurred_)) return;
    SetNumber(NewObservation(area, indicator, occurred_), value);
  }
  void KccBacklog(const ScopeRef& area, const char* indicator, bool present,
                  const v1::WorkBacklog& b) {
    if (!present || Superseded(area, indicator, occurred_)) return;
    IndicatorObservation* o = NewObservation(area, indicator, occurred_);
    if (b.suspended()) {
      // The plan's Black row: suspended or exhausted, whatever the count.
      o->set_reported_level(common::v1::OPEL_LEVEL_4_BLACK);
      (*o->mutable_components())["cases"] = b.cases();
    } else {
      SetNumber(o, b.cases());
    }
  }

  void KccFigures() {
    const auto& k = u_.kcc_area_figures();
    const ScopeRef area = Scope(common::v1::SCOPE_KIND_AREA, k.area_id());
    KccCount(area, "case_load", k.has_case_load(), k.case_load());
    KccCount(area, "referrals_pending_assessment", k.has_referrals_pending_assessment(),
             k.referrals_pending_assessment());
    KccCount(area, "ascc_triage_cases", k.has_ascc_triage_cases(), k.ascc_triage_cases());
    KccCount(area, "rapid_response_referrals", k.has_rapid_response_referrals(),
             k.rapid_response_referrals());
    KccBacklog(area, "care_act_overdue", k.has_care_act_overdue(), k.care_act_overdue());
    KccBacklog(area, "reviews_overdue", k.has_reviews_overdue(), k.reviews_overdue());
    KccBacklog(area, "chc_dst_outside_timeframe", k.has_chc_dst_outside_timeframe(),
               k.chc_dst_outside_timeframe());
    KccBacklog(area, "first_contact_not_reviewed", k.has_first_contact_not_reviewed(),
               k.first_contact_not_reviewed());
    KccBacklog(area, "pap_waiting", k.has_pap_waiting(), k.pap_waiting());
    if (k.has_toc_hub_represented() && !Superseded(area, "toc_hub_represented", occurred_)) {
      NewObservation(area, "toc_hub_represented", occurred_)->set_flag(k.toc_hub_represented());
    }
  }

  void KeahReferral() {
    // A step of a referral is an event, never replaced by another.
    const auto& r = u_.keah_referral();
    *NewEvent(Scope(common::v1::SCOPE_KIND_KEAH_PATCH, r.patch_id()), kKeahReferralIndicator,
              occurred_)
         ->mutable_keah_referral() = r;
  }

  void WaitingList() {
    const auto& w = u_.home_care_waiting_list();
    const ScopeRef area = Scope(common::v1::SCOPE_KIND_AREA, w.area_id());
    if (!Superseded(area, "home_care_people_waiting", occurred_)) {
      SetNumber(NewObservation(area, "home_care_people_waiting", occurred_), w.people_waiting());
    }
    if (!Superseded(area, "home_care_avg_days_waiting", occurred_)) {
      IndicatorObservation* o = NewObservation(area, "home_care_avg_days_waiting", occurred_);
      SetNumber(o, w.average_days_waiting());
      (*o->mutable_components())["people_waiting"] = w.people_waiting();
      if (w.longest_days_waiting() > 0) {
        (*o->mutable_components())["longest_days_waiting"] = w.longest_days_waiting();
      }
    }
  }

  void Weather() {
    const auto& w = u_.weather_alert();
    const v1::WeatherAlertFact* before = facts_.Weather(provider_, w.alert_ref());
    if (before != nullptr && FromProtoTime(before->occurred_at()) > occurred_) {
      NoteSuperseded(absl::StrCat("weather alert '", w.alert_ref(), "'"),
                     Scope(common::v1::SCOPE_KIND_COUNTY, reference_.data().county_id()),
                     provider_, before->update_id(), FromProtoTime(before->occurred_at()));
      return;
    }
    v1::WeatherAlertFact* fact = plan_.facts.add_weather_alerts();
    fact->set_provider_id(provider_);
    fact->set_update_id(u_.update_id());
    *fact->mutable_alert() = w;
    *fact->mutable_occurred_at() = u_.occurred_at();
    *fact->mutable_received_at() = ToProtoTime(received_);

    // Areas the alert covers now or covered before (an alert narrowed must lower the others).
    std::set<std::string> areas;
    auto cover = [&](const v1::WeatherHealthAlert& a) {
      if (a.area_ids().empty()) {
        for (const auto& area : reference_.data().areas()) areas.insert(area.id());
      }
      areas.insert(a.area_ids().begin(), a.area_ids().end());
    };
    cover(w);
    if (before != nullptr) cover(before->alert());
    std::vector<const v1::WeatherAlertFact*> alerts;
    for (const auto* a : facts_.AllWeather()) {
      if (a->provider_id() == provider_ && a->alert().alert_ref() == w.alert_ref()) continue;
      alerts.push_back(a);
    }
    alerts.push_back(fact);
    for (const auto& area_id : reference_.data().areas()) {  // reference order
      if (!areas.contains(area_id.id())) continue;
      const ScopeRef area = Scope(common::v1::SCOPE_KIND_AREA, area_id.id());
      IndicatorObservation* o = NewObservation(
          area, "weather_alert", DerivedTime(area, "weather_alert", occurred_));
      SetNumber(o, WeatherLevelAt(alerts, area_id.id(), received_));
    }
  }

  void Outbreak() {
    const auto& n = u_.outbreak();
    const ScopeRef location = Scope(common::v1::SCOPE_KIND_LOCATION, n.location_id());
    if (const auto* before = facts_.Outbreak(n.location_id(), n.infection());
        before != nullptr && FromProtoTime(before->occurred_at()) > occurred_) {
      NoteSuperseded(absl::StrCat("outbreak notice (", n.infection(), ")"), location,
                     before->provider_id(), before->update_id(),
                     FromProtoTime(before->occurred_at()));
      return;
    }
    v1::OutbreakFact* fact = plan_.facts.add_outbreaks();
    fact->set_provider_id(provider_);
    fact->set_update_id(u_.update_id());
    *fact->mutable_notice() = n;
    *fact->mutable_occurred_at() = u_.occurred_at();
    *fact->mutable_received_at() = ToProtoTime(received_);
    *NewEvent(location, kOutbreakNoticeIndicator, occurred_)->mutable_outbreak() = n;

    int open = n.ended() ? 0 : 1;
    for (const auto* o : facts_.OutbreaksAt(n.location_id())) {
      if (o->notice().infection() != n.infection() && !o->notice().ended()) ++open;
    }
    IndicatorObservation* o = NewObservation(location, kOutbreakIndicator,
                                             DerivedTime(location, kOutbreakIndicator, occurred_));
    o->set_flag(open > 0);
    (*o->mutable_components())["outbreaks_open"] = open;
  }

  void Nhs111() {
    const auto& n = u_.nhs111_call_volume();
    const ScopeRef county = Scope(common::v1::SCOPE_KIND_COUNTY, reference_.data().county_id());
    if (Superseded(county, "nhs111_call_volume_pct", occurred_)) return;
    IndicatorObservation* o = NewObservation(county, "nhs111_call_volume_pct", occurred_);
    SetNumber(o, n.calls() / n.expected_calls() * 100.0);
    (*o->mutable_components())["calls"] = n.calls();
    (*o->mutable_components())["expected_calls"] = n.expected_calls();
    *o->mutable_period_start() = n.period_start();
    *o->mutable_period_end() = n.period_end();
  }

  void Acute() {
    const auto& a = u_.acute_assessment();
    const ScopeRef site = Scope(common::v1::SCOPE_KIND_ACUTE_SITE, a.site_id());
    if (Superseded(site, kAcuteAssessmentIndicator, occurred_)) return;
    *NewEvent(site, kAcuteAssessmentIndicator, occurred_)->mutable_acute_assessment() =
        a.assessment();
  }

  const v1::CapacityUpdate& u_;
  const std::string& provider_;
  const absl::Time received_;
  const absl::Time occurred_;
  const FactLookup& facts_;
  const ReferenceIndex& reference_;
  const CapacityRules& rules_;
  UpdatePlan plan_;
};

// When an alert is in force: [start, end).
absl::Time AlertStart(const v1::WeatherAlertFact& a) {
  return FromProtoTime(a.alert().has_valid_from() ? a.alert().valid_from() : a.occurred_at());
}
absl::Time AlertEnd(const v1::WeatherAlertFact& a) {
  return a.alert().has_valid_until() ? FromProtoTime(a.alert().valid_until())
                                     : absl::InfiniteFuture();
}

}  // namespace

std::string FigureEventId(const std::string& provider_id, const std::string& update_id,
                          const std::string& indicator, const std::string& scope_key) {
  return NameBasedUuid(absl::StrCat(kCapacityService, "/", provider_id),
                       absl::StrCat(update_id, "\n", indicator, "\n", scope_key));
}

UpdatePlan PlanUpdate(const v1::CapacityUpdate& update, const std::string& provider_id,
                      absl::Time received_at, const FactLookup& facts,
                      const ReferenceIndex& reference, const CapacityRules& rules) {
  return Planner(update, provider_id, received_at, facts, reference, rules).Plan();
}

int WeatherLevelAt(const std::vector<const v1::WeatherAlertFact*>& alerts,
                   const std::string& area_id, absl::Time t) {
  int level = 0;
  for (const auto* a : alerts) {
    const auto& alert = a->alert();
    if (alert.level() == v1::WeatherHealthAlert::LEVEL_NONE ||
        alert.level() == v1::WeatherHealthAlert::LEVEL_UNSPECIFIED) {
      continue;
    }
    if (t < AlertStart(*a) || t >= AlertEnd(*a)) continue;
    if (!alert.area_ids().empty() &&
        std::find(alert.area_ids().begin(), alert.area_ids().end(), area_id) ==
            alert.area_ids().end()) {
      continue;
    }
    // LEVEL_YELLOW = 2 -> 1, AMBER -> 2, RED -> 3.
    level = std::max(level, static_cast<int>(alert.level()) - 1);
  }
  return level;
}

absl::Time NextWeatherTransition(const std::vector<const v1::WeatherAlertFact*>& alerts,
                                 absl::Time after) {
  absl::Time next = absl::InfiniteFuture();
  for (const auto* a : alerts) {
    if (a->alert().level() == v1::WeatherHealthAlert::LEVEL_NONE) continue;
    for (absl::Time t : {AlertStart(*a), AlertEnd(*a)}) {
      if (t > after && t < next) next = t;
    }
  }
  return next;
}

v1::CapacityFacts PlanWeatherAt(absl::Time now, const FactLookup& facts,
                                const ReferenceIndex& reference) {
  v1::CapacityFacts out;
  const auto alerts = facts.AllWeather();
  for (const auto& a : reference.data().areas()) {
    const ScopeRef area = Scope(common::v1::SCOPE_KIND_AREA, a.id());
    const std::string key = ScopeKey(area);
    const int level = WeatherLevelAt(alerts, a.id(), now);
    const v1::RecordedEvent* held = facts.Latest(key, "weather_alert");
    if (held == nullptr ? level == 0 : held->event().observation().number() == level) continue;
    v1::RecordedEvent* r = out.add_events();
    r->set_indicator("weather_alert");
    DomainEvent* e = r->mutable_event();
    auto* env = e->mutable_envelope();
    const absl::Time occurred = held == nullptr ? now : std::max(now, OccurredAt(*held));
    env->set_event_id(NameBasedUuid(absl::StrCat(kCapacityService, "/derived"),
                                    absl::StrCat("weather_alert\n", key, "\n", level, "\n",
                                                 absl::ToUnixMicros(occurred))));
    env->set_source(kCapacityService);
    *env->mutable_scope() = area;
    *env->mutable_occurred_at() = ToProtoTime(occurred);
    *env->mutable_received_at() = ToProtoTime(now);
    env->set_schema_version(1);
    env->mutable_provenance()->set_accepted_by(kCapacityService);
    *env->mutable_provenance()->mutable_accepted_at() = ToProtoTime(now);
    IndicatorObservation* o = e->mutable_observation();
    o->set_indicator("weather_alert");
    o->set_number(level);
    if (const auto* def = reference.FindIndicator("weather_alert")) o->set_unit(def->unit());
  }
  return out;
}

common::v1::UpdateAck AcceptedAck(const std::string& update_id, const UpdatePlan& plan,
                                  absl::Time accepted_at) {
  common::v1::UpdateAck ack;
  ack.set_update_id(update_id);
  ack.set_outcome(common::v1::UpdateAck::OUTCOME_ACCEPTED);
  for (const auto& e : plan.facts.events()) ack.add_event_ids(e.event().envelope().event_id());
  if (ack.event_ids_size() > 0) ack.set_event_id(ack.event_ids(0));
  *ack.mutable_accepted_at() = ToProtoTime(accepted_at);
  ack.set_message(plan.superseded.empty()
                      ? "accepted"
                      : absl::StrCat("accepted; not applied, older than held: ",
                                     absl::StrJoin(plan.superseded, "; ")));
  return ack;
}

}  // namespace resilience::capacity
