#include "tools/scenario/requests.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"
#include "common/status/status_macros.h"

namespace resilience::scenario {
namespace {

absl::Status WrongKind(int index, const char* wanted) {
  return absl::InvalidArgumentError(absl::StrCat("steps[", index, "] is not a ", wanted, " step"));
}

// A time string of the step, or `fallback` when empty.
absl::StatusOr<absl::Time> TimeOr(const Timeline& timeline, const std::string& text,
                                  absl::Time fallback) {
  if (text.empty()) return fallback;
  return timeline.When(text);
}

}  // namespace

std::string UpdateId(const Timeline& timeline, int index, int part, int parts) {
  const v1::Step& step = timeline.scenario.steps(index);
  std::string base = step.update_id();
  if (base.empty()) {
    const std::string& prefix = timeline.scenario.update_id_prefix();
    base = absl::StrCat(prefix.empty() ? "scenario" : prefix, "-", index + 1);
  }
  return parts > 1 ? absl::StrCat(base, "-", part + 1) : base;
}

absl::StatusOr<std::vector<workforce::v1::WorkforceUpdate>> WorkforceUpdates(
    const Timeline& timeline, int index) {
  const v1::Step& step = timeline.scenario.steps(index);
  const absl::Time at = timeline.step_times[index];
  std::vector<workforce::v1::WorkforceUpdate> updates;
  switch (step.action_case()) {
    case v1::Step::kAbsences: {
      const v1::Absences& a = step.absences();
      ASSIGN_OR_RETURN(absl::Time starts, TimeOr(timeline, a.starts(), at));
      const int parts = a.persons_size();
      for (int i = 0; i < parts; ++i) {
        workforce::v1::WorkforceUpdate u;
        u.set_update_id(UpdateId(timeline, index, i, parts));
        *u.mutable_occurred_at() = ToProtoTime(at);
        auto* absence = u.mutable_absence();
        absence->set_absence_id(absl::StrCat(a.absence_id(), "-", a.persons(i)));
        absence->set_person_ref(a.persons(i));
        absence->set_team_id(a.team());
        absence->set_kind(a.kind());
        *absence->mutable_starts_at() = ToProtoTime(starts);
        if (!a.ends().empty()) {
          ASSIGN_OR_RETURN(absl::Time ends, timeline.When(a.ends()));
          *absence->mutable_ends_at() = ToProtoTime(ends);
        }
        absence->set_wte(a.wte());
        updates.push_back(std::move(u));
      }
      return updates;
    }
    case v1::Step::kRedeployment: {
      const v1::Redeployment& r = step.redeployment();
      workforce::v1::WorkforceUpdate u;
      u.set_update_id(UpdateId(timeline, index, 0, 1));
      *u.mutable_occurred_at() = ToProtoTime(at);
      auto* out = u.mutable_redeployment();
      out->set_redeployment_id(r.redeployment_id());
      out->set_from_team_id(r.from_team());
      out->set_to_team_id(r.to_team());
      out->set_wte(r.wte());
      ASSIGN_OR_RETURN(absl::Time starts, TimeOr(timeline, r.starts(), at));
      ASSIGN_OR_RETURN(absl::Time ends, timeline.When(r.ends()));
      *out->mutable_starts_at() = ToProtoTime(starts);
      *out->mutable_ends_at() = ToProtoTime(ends);
      out->set_agreed_by(r.agreed_by());
      out->set_reason(r.reason());
      updates.push_back(std::move(u));
      return updates;
    }
    case v1::Step::kCover: {
      const v1::Cover& c = step.cover();
      std::vector<int> days;
      for (const std::string& d : c.days()) {
        int n = 0;
        if (d.size() < 2 || !absl::SimpleAtoi(d.substr(1), &n) || n < 1) {
          return absl::InvalidArgumentError(absl::StrCat("cover day '", d, "': write D<n>"));
        }
        days.push_back(n);
      }
      if (days.empty()) days.push_back(timeline.DayNumber(at));
      const int parts = static_cast<int>(days.size());
      for (int i = 0; i < parts; ++i) {
        workforce::v1::WorkforceUpdate u;
        u.set_update_id(UpdateId(timeline, index, i, parts));
        *u.mutable_occurred_at() = ToProtoTime(at);
        auto* out = u.mutable_cover();
        out->set_booking_id(absl::StrCat(c.booking_id(), "-d", days[i]));
        out->set_team_id(c.team());
        out->set_day(absl::FormatCivilTime(timeline.first_day + (days[i] - 1)));
        out->set_wte(c.wte());
        out->set_source(c.source());
        updates.push_back(std::move(u));
      }
      return updates;
    }
    default:
      return WrongKind(index, "workforce");
  }
}

absl::StatusOr<workforce::v1::StaffingReport> StaffingReport(const Timeline& timeline, int index) {
  const v1::Step& step = timeline.scenario.steps(index);
  if (step.action_case() != v1::Step::kStaffing) return WrongKind(index, "staffing");
  workforce::v1::StaffingReport r;
  r.set_update_id(UpdateId(timeline, index, 0, 1));
  r.set_team_id(step.staffing().team());
  r.set_available_wte(step.staffing().available_wte());
  *r.mutable_occurred_at() = ToProtoTime(timeline.step_times[index]);
  r.set_note(step.staffing().note());
  return r;
}

absl::StatusOr<capacity::v1::CapacityUpdate> CapacityUpdate(const Timeline& timeline, int index) {
  const v1::Step& step = timeline.scenario.steps(index);
  if (step.action_case() != v1::Step::kCapacity) return WrongKind(index, "capacity");
  const absl::Time at = timeline.step_times[index];
  capacity::v1::CapacityUpdate u = step.capacity();
  u.set_update_id(UpdateId(timeline, index, 0, 1));
  *u.mutable_occurred_at() = ToProtoTime(at);
  if (u.has_nhs111_call_volume()) {
    auto* v = u.mutable_nhs111_call_volume();
    if (!v->has_period_end()) *v->mutable_period_end() = ToProtoTime(at);
    if (!v->has_period_start()) {
      *v->mutable_period_start() = ToProtoTime(FromProtoTime(v->period_end()) - absl::Hours(1));
    }
  }
  if (u.has_weather_alert()) {
    auto* w = u.mutable_weather_alert();
    if (!w->has_valid_from()) *w->mutable_valid_from() = ToProtoTime(at);
    if (!w->has_valid_until() && w->level() != capacity::v1::WeatherHealthAlert::LEVEL_NONE) {
      *w->mutable_valid_until() = ToProtoTime(at + absl::Hours(48));
    }
  }
  return u;
}

absl::StatusOr<beds::v1::BedUpdate> BedUpdate(const Timeline& timeline, int index) {
  const v1::Step& step = timeline.scenario.steps(index);
  if (step.action_case() != v1::Step::kBeds) return WrongKind(index, "beds");
  beds::v1::BedUpdate u = step.beds();
  u.set_update_id(UpdateId(timeline, index, 0, 1));
  *u.mutable_occurred_at() = ToProtoTime(timeline.step_times[index]);
  return u;
}

absl::StatusOr<escalation::v1::DeclareLevelRequest> DeclareRequest(const Timeline& timeline,
                                                                   int index) {
  const v1::Step& step = timeline.scenario.steps(index);
  if (step.action_case() != v1::Step::kDeclare) return WrongKind(index, "declare");
  escalation::v1::DeclareLevelRequest r;
  ASSIGN_OR_RETURN(*r.mutable_scope(), ParseScopeKey(step.declare().scope()));
  r.set_level(step.declare().level());
  r.set_reason(step.declare().reason());
  return r;
}

}  // namespace resilience::scenario
