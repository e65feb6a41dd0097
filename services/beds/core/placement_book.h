// KCC's assessment bed and care home placements (plan 6.3) and their milestones: an assessment
// placement past 3 weeks is escalated for immediate action, and in week 8 of the 12-week
// disregard period the provider is notified. Keeps the milestones not yet fired in due order, so
// finding what fell due is a look at the front, not a scan. Pure code: no I/O; time is passed in.
// Thread-compatible: the service guards it with its state mutex.
#ifndef RESILIENCE_SERVICES_BEDS_CORE_PLACEMENT_BOOK_H_
#define RESILIENCE_SERVICES_BEDS_CORE_PLACEMENT_BOOK_H_

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "beds/v1/beds.pb.h"
#include "events/v1/events.pb.h"
#include "reference/v1/reference.pb.h"

namespace resilience::beds {

// The plan's numbers (config PlacementTimers; 0 there means these defaults).
struct PlacementRules {
  // Days after the start date at which an assessment placement is overdue (plan: 3 weeks).
  int assessment_overdue_days = 21;
  // Days after the disregard start at which the provider is notified (start of week 8).
  int disregard_notice_days = 49;
  // How far ahead a start may be recorded, and how late.
  int max_planned_start_days = 14;
  int max_past_start_days = 90;
  // Zone in which dates are local days and milestones fall due at local midnight.
  absl::TimeZone zone = absl::UTCTimeZone();
};

// A milestone that fell due and has not been fired.
struct DueMilestone {
  std::string placement_id;
  events::v1::PlacementMilestone::Milestone milestone;
  absl::Time due_at;
};

// The placement id for a StartPlacement request id: the same request always gives the same id,
// so a retry (even after a restart) finds the placement already recorded.
std::string PlacementIdFor(const std::string& request_id);

// Parses "YYYY-MM-DD"; false when malformed.
bool ParseDay(const std::string& text, absl::CivilDay* day);
std::string FormatDay(absl::CivilDay day);

class PlacementBook {
 public:
  explicit PlacementBook(PlacementRules rules) : rules_(rules) {}

  // The placement a start request records at `now` for `location` (null when unknown: NOT_FOUND).
  // INVALID_ARGUMENT with field violations for bad fields or dates out of range; NOT_FOUND for a
  // bed type the location lacks; FAILED_PRECONDITION when the person already has a planned or
  // active placement. A request id seen before returns the placement recorded for it (the caller
  // need not record it again: check Find(PlacementIdFor(request_id)) first).
  absl::StatusOr<v1::Placement> PrepareStart(const v1::StartPlacementRequest& request,
                                             const reference::v1::Location* location,
                                             absl::Time now) const;

  // The placement an end request leaves. NOT_FOUND for an unknown placement; INVALID_ARGUMENT for
  // bad fields (end before start, in the future); FAILED_PRECONDITION when it already ended
  // differently. An identical repeat returns the placement unchanged.
  absl::StatusOr<v1::Placement> PrepareEnd(const v1::EndPlacementRequest& request,
                                           absl::Time now) const;

  // Inserts or replaces a placement (recorded, or read back from the log) and re-indexes it.
  void Put(v1::Placement placement);

  // Null when unknown. Valid until the next Put of the same id.
  const v1::Placement* Find(const std::string& placement_id) const;

  // Milestones due at or before `now` that have not fired, in due order; a milestone is due only
  // when the placement was still running when it fell due (an ended placement's milestones that
  // fell due before its end still fire, late; none fire for one entered in error).
  std::vector<DueMilestone> Due(absl::Time now) const;

  // The earliest unfired milestone's due time; InfiniteFuture when none.
  absl::Time NextDue() const;

  // `placement` with the fired milestone recorded (fired_at = now).
  static v1::Placement WithFired(v1::Placement placement,
                                 events::v1::PlacementMilestone::Milestone milestone,
                                 absl::Time now);

  // The PlacementMilestone event of a due milestone. Its id depends only on the placement and the
  // milestone, so a republication after a crash is dropped by consumers.
  events::v1::DomainEvent MilestoneEvent(const v1::Placement& placement, const DueMilestone& due,
                                         absl::Time now) const;

  // The placement as shown at `now`: state, days in placement and overdue computed.
  v1::Placement View(const v1::Placement& placement, absl::Time now) const;

  // ListPlacements: filtered, longest-running first, paged. INVALID_ARGUMENT for a bad token or
  // limit.
  absl::StatusOr<v1::ListPlacementsResponse> List(const v1::ListPlacementsRequest& request,
                                                  absl::Time now) const;

  const PlacementRules& rules() const { return rules_; }

 private:
  using PendingKey = std::tuple<absl::Time, std::string, int>;  // due, placement, milestone
  absl::Time LocalMidnight(absl::CivilDay day) const { return absl::FromCivil(day, rules_.zone); }
  absl::CivilDay Today(absl::Time now) const { return absl::ToCivilDay(now, rules_.zone); }
  // When the placement stops running: the local midnight after its end date.
  absl::Time EndBoundary(const v1::Placement& p) const;

  PlacementRules rules_;
  std::map<std::string, v1::Placement> placements_;
  std::set<PendingKey> pending_;
  // person ref -> placement ids not ended.
  std::map<std::string, std::set<std::string>> open_by_person_;
};

}  // namespace resilience::beds

#endif  // RESILIENCE_SERVICES_BEDS_CORE_PLACEMENT_BOOK_H_
