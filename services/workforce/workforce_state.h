// The workforce service's in-memory state, shared by the recorder (writes), the publisher
// (publications) and the gRPC service (queries), under one mutex. Rebuilt at start-up from the
// `workforce-changes` log.
#ifndef RESILIENCE_SERVICES_WORKFORCE_WORKFORCE_STATE_H_
#define RESILIENCE_SERVICES_WORKFORCE_WORKFORCE_STATE_H_

#include <map>
#include <set>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/v1/types.pb.h"
#include "services/workforce/core/staffing_ledger.h"
#include "workforce/v1/changes.pb.h"

namespace resilience::workforce {

// Why a team's staffing is being re-published: the update that changed it, or the passage of
// time (provider empty).
struct PublicationCause {
  common::v1::Provenance provenance;
  // When the change took effect: the update's occurred_at, or the transition time passed.
  absl::Time effective_at;
};

struct WorkforceState {
  explicit WorkforceState(absl::TimeZone zone) : ledger(zone) {}

  // Applies one change read back from the log (start-up) or just recorded: ledger, update-id
  // index, publication marks and the causes of the teams it moves. Returns the ledger's verdict
  // (false: superseded).
  bool ApplyLocked(const v1::WorkforceChange& change, const std::string& event_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Records `cause` as what last moved `team`'s figure, at no earlier time than the cause it
  // replaces, and returns the result. Consumers keep the figure with the later occurred_at, so a
  // figure stamped earlier than one already published (a provider's late change to another
  // absence of the team) would be ignored however new its content.
  const PublicationCause& NoteCauseLocked(const std::string& team, PublicationCause cause)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  absl::Mutex mu;
  StaffingLedger ledger ABSL_GUARDED_BY(mu);
  // Scope id ("<team id>" or "county") -> what was last published for it.
  std::map<std::string, v1::PublishedStaffing> published ABSL_GUARDED_BY(mu);
  // "<provider>\n<update id>" -> the acknowledgement it got, answered again as DUPLICATE.
  std::map<std::string, common::v1::UpdateAck> acks ABSL_GUARDED_BY(mu);
  // Team id -> what last moved its figure (NoteCauseLocked). Rebuilt from the log with the
  // ledger, so a figure re-published after a restart carries the update and time it would have
  // carried undisturbed, not the restart's time, which would outrank (and hide) every later
  // figure stamped with an earlier provider time.
  std::map<std::string, PublicationCause> latest_cause ABSL_GUARDED_BY(mu);
  // Teams to re-publish, with why.
  std::map<std::string, PublicationCause> dirty ABSL_GUARDED_BY(mu);
  // Next moment at which staffing may change with time alone.
  absl::Time next_transition ABSL_GUARDED_BY(mu) = absl::InfinitePast();
};

// Key of the update-id index.
std::string UpdateKey(const std::string& provider_id, const std::string& update_id);

}  // namespace resilience::workforce

#endif  // RESILIENCE_SERVICES_WORKFORCE_WORKFORCE_STATE_H_
