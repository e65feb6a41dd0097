// The beds service's in-memory state, shared by the writer (changes), the publisher (figures and
// milestones) and the gRPC service (queries), under one mutex. Rebuilt at start-up from the
// reference data and the `beds-changes` log. Memory is the live view; the log is the record.
#ifndef RESILIENCE_SERVICES_BEDS_BEDS_STATE_H_
#define RESILIENCE_SERVICES_BEDS_BEDS_STATE_H_

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "beds/v1/changes.pb.h"
#include "common/reference/reference_index.h"
#include "common/v1/types.pb.h"
#include "services/beds/core/bed_board.h"
#include "services/beds/core/placement_book.h"

namespace resilience::beds {

// Why a location's figures are being recomputed: the update that changed it, or time (empty
// provider).
struct FigureCause {
  common::v1::Provenance provenance;
  absl::Time effective_at;
};

struct BedsState {
  BedsState(std::shared_ptr<const ReferenceIndex> reference, absl::Duration stale_after,
            PlacementRules rules, absl::Duration idempotency_window)
      : reference(std::move(reference)),
        idempotency_window(idempotency_window),
        board(this->reference, stale_after),
        placements(rules) {}

  // Applies one record read back from the log (start-up).
  void RestoreLocked(const v1::BedsChange& change) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Remembers the update ids of every location's record (after restoring them all).
  void IndexAcceptedUpdatesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Remembers one accepted update (answered DUPLICATE when sent again within the window) and
  // forgets those older than the window before `now`.
  void RememberLocked(const std::string& provider_id, const std::string& update_id,
                      absl::Time accepted_at, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  const std::shared_ptr<const ReferenceIndex> reference;
  const absl::Duration idempotency_window;
  absl::Mutex mu;
  BedBoard board ABSL_GUARDED_BY(mu);
  PlacementBook placements ABSL_GUARDED_BY(mu);
  // "<scope key>/<indicator>" -> the figure last published.
  std::map<std::string, v1::PublishedFigure> published ABSL_GUARDED_BY(mu);
  // UpdateKey(provider, update id) -> when it was accepted.
  std::map<std::string, absl::Time> accepted ABSL_GUARDED_BY(mu);
  std::deque<std::pair<absl::Time, std::string>> accepted_order ABSL_GUARDED_BY(mu);
  // Locations whose figures may have moved, with why.
  std::map<std::string, FigureCause> dirty ABSL_GUARDED_BY(mu);
  // Milestones published whose mark is not yet recorded: "<placement id>/<milestone>".
  std::set<std::string> milestones_in_flight ABSL_GUARDED_BY(mu);
};

// Key of the update-id index.
std::string UpdateKey(const std::string& provider_id, const std::string& update_id);

// The event id an accepted update is recorded under (the same for a retry).
std::string ChangeEventId(const std::string& provider_id, const std::string& update_id);

// Log keys.
std::string LocationLogKey(const std::string& location_id);
std::string PlacementLogKey(const std::string& placement_id);
std::string FigureLogKey(const std::string& scope_key, const std::string& indicator);

}  // namespace resilience::beds

#endif  // RESILIENCE_SERVICES_BEDS_BEDS_STATE_H_
