// The teams, absences, cover bookings, redeployments and manual counts the workforce service
// knows, and the staffing they add up to at an instant or on a local day (plan 4.3, 6.2).
// Pure code: no I/O; time is passed in. Not thread-safe: the service serialises access.
//
// Rules (tested in tests/unit/workforce/staffing_ledger_test.cc):
// - available = establishment - absent + redeployed in - redeployed out + cover.
// - An absence is active at t when starts_at <= t < ends_at (no ends_at: open-ended). One
//   person's overlapping absences in a team count once, at the largest fraction among them.
// - On a local day (the service's time zone), an absence or redeployment counts when it overlaps
//   any part of the day: a planner asks "who is missing on Tuesday", not "at 00:00 on Tuesday".
// - Cover bookings count for their local day only, and are reported separately.
// - A manager's direct count (StaffingReport) replaces the computed available WTE from its time
//   until the end of its local day (and is that day's figure); after midnight the computed
//   figure applies again.
// - Of two changes to one entity the later occurred_at wins (ties: the later applied), so a late
//   retry of an older change never undoes a newer one. Cancellations are kept for that reason.
#ifndef RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_LEDGER_H_
#define RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_LEDGER_H_

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "workforce/v1/changes.pb.h"
#include "workforce/v1/workforce.pb.h"

namespace resilience::workforce {

class StaffingLedger {
 public:
  explicit StaffingLedger(absl::TimeZone zone) : zone_(zone) {}

  // Applies one accepted change. Returns false (and changes nothing) when the entity already
  // holds a change with a later occurred_at. Publication marks are not the ledger's business and
  // are ignored (true).
  bool Apply(const v1::WorkforceChange& change);

  // Lookups; null when unknown (or cancelled).
  const reference::v1::Team* FindTeam(const std::string& id) const;
  const v1::Absence* FindAbsence(const std::string& id) const;
  const v1::CoverBooking* FindCover(const std::string& id) const;
  const v1::Redeployment* FindRedeployment(const std::string& id) const;
  // The occurred_at of the latest change held for an entity key ("absence/<id>", ...), if any.
  std::optional<absl::Time> LatestChangeAt(const std::string& entity_key) const;

  // Every team, ordered by id.
  std::vector<const reference::v1::Team*> Teams() const;

  // Staffing of `team` at instant `t`.
  v1::StaffingPoint StaffingAt(const reference::v1::Team& team, absl::Time t) const;
  // Staffing of `team` on a local day; `day` is set on the point.
  v1::StaffingPoint StaffingOnDay(const reference::v1::Team& team, absl::CivilDay day) const;
  // Absences of a team overlapping a local day, ordered by start.
  std::vector<v1::Absence> AbsencesOn(const std::string& team_id, absl::CivilDay day) const;

  // The first moment after `t` at which any instant staffing may change: an absence or
  // redeployment starting or ending, or the next local midnight (cover and manual counts are
  // per day).
  absl::Time NextTransitionAfter(absl::Time t) const;
  // The last such moment at or before `t` (at the latest, the local midnight starting t's day):
  // when the staffing at `t` may last have changed with time alone.
  absl::Time LastTransitionAtOrBefore(absl::Time t) const;

  absl::CivilDay DayOf(absl::Time t) const { return absl::ToCivilDay(t, zone_); }
  absl::Time StartOf(absl::CivilDay day) const { return absl::FromCivil(day, zone_); }
  absl::TimeZone zone() const { return zone_; }

  // Entity key of a change ("absence/<id>", "team/<id>", ...); also its Kafka key.
  static std::string EntityKey(const v1::WorkforceChange& change);

 private:
  template <typename T>
  struct Held {
    T value;
    absl::Time occurred_at;
    bool cancelled = false;
    // The value's bounds, converted once (absences: ends_at or infinite future).
    absl::Time starts_at;
    absl::Time ends_at;
  };
  struct ManualCount {
    double available_wte = 0;
    absl::Time at;
  };

  // True when a change at `at` may replace what is held under `key`; records `at` if so.
  bool Supersedes(const std::string& key, absl::Time at);
  double AbsentWte(const std::string& team_id, absl::Time from, absl::Time to) const;
  void Unindex(const Held<v1::Absence>* held);
  // Calls `visit` with every start and end of a live absence or redeployment: the moments at
  // which instant staffing may change with time alone (besides midnight).
  void ForEachBound(const std::function<void(absl::Time)>& visit) const;

  absl::TimeZone zone_;
  std::map<std::string, reference::v1::Team> teams_;
  std::map<std::string, Held<v1::Absence>> absences_;
  std::map<std::string, Held<v1::CoverBooking>> cover_;
  std::map<std::string, Held<v1::Redeployment>> redeployments_;
  std::map<std::string, ManualCount> manual_;
  std::map<std::string, absl::Time> latest_;  // entity key -> occurred_at of the change held
  // team id -> its live absences (map nodes are stable, so pointers stay valid), and ids of its
  // cover / redeployments (either side).
  std::map<std::string, std::vector<const Held<v1::Absence>*>> absences_by_team_;
  std::map<std::string, std::set<std::string>> cover_by_team_;
  std::map<std::string, std::set<std::string>> redeployments_by_team_;
};

// "YYYY-MM-DD" of a civil day, and back (INVALID when malformed).
std::string FormatDay(absl::CivilDay day);
bool ParseDay(const std::string& text, absl::CivilDay* day);

}  // namespace resilience::workforce

#endif  // RESILIENCE_SERVICES_WORKFORCE_CORE_STAFFING_LEDGER_H_
