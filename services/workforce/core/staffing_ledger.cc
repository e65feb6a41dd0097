#include "services/workforce/core/staffing_ledger.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/clock/proto_time.h"
#include "services/workforce/core/staffing_level.h"

namespace resilience::workforce {
namespace {

absl::Time EndOrFuture(const google::protobuf::Timestamp& ts, bool has) {
  return has ? FromProtoTime(ts) : absl::InfiniteFuture();
}

double AbsenceWte(const v1::Absence& a) { return a.wte() > 0 ? a.wte() : 1.0; }

// True when [start, end) overlaps [from, to); an instant is [t, t] with from == to.
bool Overlaps(absl::Time start, absl::Time end, absl::Time from, absl::Time to) {
  if (from == to) return start <= from && from < end;
  return start < to && end > from;
}

}  // namespace

std::string FormatDay(absl::CivilDay day) { return absl::FormatCivilTime(day); }

bool ParseDay(const std::string& text, absl::CivilDay* day) {
  return text.size() == 10 && absl::ParseCivilTime(text, day);
}

std::string StaffingLedger::EntityKey(const v1::WorkforceChange& c) {
  switch (c.change_case()) {
    case v1::WorkforceChange::kAbsence: return "absence/" + c.absence().absence_id();
    case v1::WorkforceChange::kCancelledAbsenceId: return "absence/" + c.cancelled_absence_id();
    case v1::WorkforceChange::kCover: return "cover/" + c.cover().booking_id();
    case v1::WorkforceChange::kCancelledCoverBookingId:
      return "cover/" + c.cancelled_cover_booking_id();
    case v1::WorkforceChange::kRedeployment:
      return "redeployment/" + c.redeployment().redeployment_id();
    case v1::WorkforceChange::kCancelledRedeploymentId:
      return "redeployment/" + c.cancelled_redeployment_id();
    case v1::WorkforceChange::kTeam: return "team/" + c.team().id();
    case v1::WorkforceChange::kManualCount: return "manual/" + c.manual_count().team_id();
    case v1::WorkforceChange::kPublished: return "published/" + c.published().scope_id();
    default: return "unknown";
  }
}

bool StaffingLedger::Supersedes(const std::string& key, absl::Time at) {
  auto it = latest_.find(key);
  if (it != latest_.end() && at < it->second) return false;
  latest_[key] = at;
  return true;
}

std::optional<absl::Time> StaffingLedger::LatestChangeAt(const std::string& key) const {
  auto it = latest_.find(key);
  if (it == latest_.end()) return std::nullopt;
  return it->second;
}

bool StaffingLedger::Apply(const v1::WorkforceChange& c) {
  if (c.change_case() == v1::WorkforceChange::kPublished) return true;
  const absl::Time at = FromProtoTime(c.occurred_at());
  if (!Supersedes(EntityKey(c), at)) return false;
  switch (c.change_case()) {
    case v1::WorkforceChange::kAbsence: {
      const auto& a = c.absence();
      auto [it, inserted] = absences_.try_emplace(a.absence_id());
      if (!inserted && !it->second.cancelled) Unindex(&it->second);
      it->second = {a, at, false, FromProtoTime(a.starts_at()),
                    EndOrFuture(a.ends_at(), a.has_ends_at())};
      absences_by_team_[a.team_id()].push_back(&it->second);
      break;
    }
    case v1::WorkforceChange::kCancelledAbsenceId: {
      auto it = absences_.find(c.cancelled_absence_id());
      if (it != absences_.end() && !it->second.cancelled) {
        Unindex(&it->second);
        it->second.cancelled = true;
        it->second.occurred_at = at;
      }
      break;
    }
    case v1::WorkforceChange::kCover: {
      const auto& b = c.cover();
      auto old = cover_.find(b.booking_id());
      if (old != cover_.end()) cover_by_team_[old->second.value.team_id()].erase(b.booking_id());
      cover_[b.booking_id()] = {b, at, false, absl::InfinitePast(), absl::InfiniteFuture()};
      cover_by_team_[b.team_id()].insert(b.booking_id());
      break;
    }
    case v1::WorkforceChange::kCancelledCoverBookingId: {
      auto it = cover_.find(c.cancelled_cover_booking_id());
      if (it != cover_.end()) {
        it->second.cancelled = true;
        cover_by_team_[it->second.value.team_id()].erase(it->first);
      }
      break;
    }
    case v1::WorkforceChange::kRedeployment: {
      const auto& r = c.redeployment();
      auto old = redeployments_.find(r.redeployment_id());
      if (old != redeployments_.end()) {
        redeployments_by_team_[old->second.value.from_team_id()].erase(r.redeployment_id());
        redeployments_by_team_[old->second.value.to_team_id()].erase(r.redeployment_id());
      }
      redeployments_[r.redeployment_id()] = {r, at, false, FromProtoTime(r.starts_at()),
                                             FromProtoTime(r.ends_at())};
      redeployments_by_team_[r.from_team_id()].insert(r.redeployment_id());
      redeployments_by_team_[r.to_team_id()].insert(r.redeployment_id());
      break;
    }
    case v1::WorkforceChange::kCancelledRedeploymentId: {
      auto it = redeployments_.find(c.cancelled_redeployment_id());
      if (it != redeployments_.end()) {
        it->second.cancelled = true;
        redeployments_by_team_[it->second.value.from_team_id()].erase(it->first);
        redeployments_by_team_[it->second.value.to_team_id()].erase(it->first);
      }
      break;
    }
    case v1::WorkforceChange::kTeam:
      teams_[c.team().id()] = c.team();
      break;
    case v1::WorkforceChange::kManualCount: {
      const auto& m = c.manual_count();
      manual_[m.team_id()] = {m.available_wte(), at};
      break;
    }
    default:
      break;
  }
  return true;
}

const reference::v1::Team* StaffingLedger::FindTeam(const std::string& id) const {
  auto it = teams_.find(id);
  return it == teams_.end() ? nullptr : &it->second;
}

const v1::Absence* StaffingLedger::FindAbsence(const std::string& id) const {
  auto it = absences_.find(id);
  return it == absences_.end() || it->second.cancelled ? nullptr : &it->second.value;
}

const v1::CoverBooking* StaffingLedger::FindCover(const std::string& id) const {
  auto it = cover_.find(id);
  return it == cover_.end() || it->second.cancelled ? nullptr : &it->second.value;
}

const v1::Redeployment* StaffingLedger::FindRedeployment(const std::string& id) const {
  auto it = redeployments_.find(id);
  return it == redeployments_.end() || it->second.cancelled ? nullptr : &it->second.value;
}

std::vector<const reference::v1::Team*> StaffingLedger::Teams() const {
  std::vector<const reference::v1::Team*> out;
  out.reserve(teams_.size());
  for (const auto& [id, team] : teams_) out.push_back(&team);
  return out;
}

void StaffingLedger::Unindex(const Held<v1::Absence>* held) {
  auto& list = absences_by_team_[held->value.team_id()];
  list.erase(std::remove(list.begin(), list.end(), held), list.end());
}

double StaffingLedger::AbsentWte(const std::string& team_id, absl::Time from,
                                 absl::Time to) const {
  auto list = absences_by_team_.find(team_id);
  if (list == absences_by_team_.end()) return 0;
  // One person's overlapping absences count once, at the largest fraction.
  std::vector<std::pair<const std::string*, double>> active;
  for (const Held<v1::Absence>* held : list->second) {
    if (Overlaps(held->starts_at, held->ends_at, from, to)) {
      active.emplace_back(&held->value.person_ref(), AbsenceWte(held->value));
    }
  }
  std::sort(active.begin(), active.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  double total = 0;
  for (size_t i = 0; i < active.size();) {
    double most = 0;
    size_t j = i;
    for (; j < active.size() && *active[j].first == *active[i].first; ++j) {
      most = std::max(most, active[j].second);
    }
    total += most;
    i = j;
  }
  return total;
}

namespace {

void Finish(v1::StaffingPoint* p) {
  p->set_available_wte(p->establishment_wte() - p->absent_wte() + p->redeployed_in_wte() -
                       p->redeployed_out_wte() + p->cover_wte());
  p->set_staffing_pct(StaffingPercent(p->available_wte(), p->establishment_wte()));
  p->set_level(StaffingLevelOf(p->staffing_pct()));
}

}  // namespace

v1::StaffingPoint StaffingLedger::StaffingAt(const reference::v1::Team& team, absl::Time t) const {
  v1::StaffingPoint p;
  p.set_establishment_wte(team.establishment_wte());
  p.set_absent_wte(AbsentWte(team.id(), t, t));
  if (auto ids = redeployments_by_team_.find(team.id()); ids != redeployments_by_team_.end()) {
    for (const std::string& id : ids->second) {
      const v1::Redeployment& r = redeployments_.at(id).value;
      if (!Overlaps(FromProtoTime(r.starts_at()), FromProtoTime(r.ends_at()), t, t)) continue;
      if (r.to_team_id() == team.id()) p.set_redeployed_in_wte(p.redeployed_in_wte() + r.wte());
      if (r.from_team_id() == team.id()) p.set_redeployed_out_wte(p.redeployed_out_wte() + r.wte());
    }
  }
  const absl::CivilDay day = DayOf(t);
  if (auto ids = cover_by_team_.find(team.id()); ids != cover_by_team_.end()) {
    const std::string day_text = FormatDay(day);
    for (const std::string& id : ids->second) {
      const v1::CoverBooking& b = cover_.at(id).value;
      if (b.day() == day_text) p.set_cover_wte(p.cover_wte() + b.wte());
    }
  }
  Finish(&p);
  auto manual = manual_.find(team.id());
  if (manual != manual_.end() && manual->second.at <= t && DayOf(manual->second.at) == day) {
    p.set_available_wte(manual->second.available_wte);
    p.set_staffing_pct(StaffingPercent(p.available_wte(), p.establishment_wte()));
    p.set_level(StaffingLevelOf(p.staffing_pct()));
  }
  return p;
}

v1::StaffingPoint StaffingLedger::StaffingOnDay(const reference::v1::Team& team,
                                                absl::CivilDay day) const {
  const absl::Time from = StartOf(day);
  const absl::Time to = StartOf(day + 1);
  v1::StaffingPoint p;
  p.set_day(FormatDay(day));
  p.set_establishment_wte(team.establishment_wte());
  p.set_absent_wte(AbsentWte(team.id(), from, to));
  if (auto ids = redeployments_by_team_.find(team.id()); ids != redeployments_by_team_.end()) {
    for (const std::string& id : ids->second) {
      const v1::Redeployment& r = redeployments_.at(id).value;
      if (!Overlaps(FromProtoTime(r.starts_at()), FromProtoTime(r.ends_at()), from, to)) continue;
      if (r.to_team_id() == team.id()) p.set_redeployed_in_wte(p.redeployed_in_wte() + r.wte());
      if (r.from_team_id() == team.id()) p.set_redeployed_out_wte(p.redeployed_out_wte() + r.wte());
    }
  }
  if (auto ids = cover_by_team_.find(team.id()); ids != cover_by_team_.end()) {
    for (const std::string& id : ids->second) {
      const v1::CoverBooking& b = cover_.at(id).value;
      if (b.day() == p.day()) p.set_cover_wte(p.cover_wte() + b.wte());
    }
  }
  Finish(&p);
  // A manager's count holds for the rest of its own day, so it is that day's figure too.
  auto manual = manual_.find(team.id());
  if (manual != manual_.end() && DayOf(manual->second.at) == day) {
    p.set_available_wte(manual->second.available_wte);
    p.set_staffing_pct(StaffingPercent(p.available_wte(), p.establishment_wte()));
    p.set_level(StaffingLevelOf(p.staffing_pct()));
  }
  return p;
}

std::vector<v1::Absence> StaffingLedger::AbsencesOn(const std::string& team_id,
                                                    absl::CivilDay day) const {
  std::vector<v1::Absence> out;
  auto list = absences_by_team_.find(team_id);
  if (list == absences_by_team_.end()) return out;
  const absl::Time from = StartOf(day), to = StartOf(day + 1);
  for (const Held<v1::Absence>* held : list->second) {
    if (Overlaps(held->starts_at, held->ends_at, from, to)) out.push_back(held->value);
  }
  std::sort(out.begin(), out.end(), [](const v1::Absence& x, const v1::Absence& y) {
    return FromProtoTime(x.starts_at()) < FromProtoTime(y.starts_at());
  });
  return out;
}

void StaffingLedger::ForEachBound(const std::function<void(absl::Time)>& visit) const {
  for (const auto& [id, held] : absences_) {
    if (held.cancelled) continue;
    visit(held.starts_at);
    if (held.ends_at != absl::InfiniteFuture()) visit(held.ends_at);
  }
  for (const auto& [id, held] : redeployments_) {
    if (held.cancelled) continue;
    visit(FromProtoTime(held.value.starts_at()));
    visit(FromProtoTime(held.value.ends_at()));
  }
}

absl::Time StaffingLedger::NextTransitionAfter(absl::Time t) const {
  absl::Time next = StartOf(DayOf(t) + 1);
  ForEachBound([&](absl::Time x) {
    if (x > t && x < next) next = x;
  });
  return next;
}

absl::Time StaffingLedger::LastTransitionAtOrBefore(absl::Time t) const {
  absl::Time last = StartOf(DayOf(t));
  ForEachBound([&](absl::Time x) {
    if (x <= t && x > last) last = x;
  });
  return last;
}

}  // namespace resilience::workforce
