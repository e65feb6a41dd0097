// Live state of protocol tasks, decision prompts and silences in Redis, beside the alert state of
// LiveState (whose stream, alert keys and audit lists it shares). Keys (prefix P; the {work} hash
// tag keeps them in one Cluster slot):
//   P{work}:task:<task id>        hash: record (ProtocolTask), revision
//   P{work}:tasks:open / :all     sorted sets of task ids by opening time (ms)
//   P{work}:prompt:<prompt id>    hash: record (DecisionPrompt), revision
//   P{work}:prompts:open / :all   sorted sets of prompt ids by raising time (ms)
//   P{work}:guard:<name>          "one open at a time" guards (e.g. the NHS 111 protocol's)
//   P{work}:silence:<silence id>  the silence (Silence)
//   P{work}:silences              sorted set of active silence ids by expiry (ms)
// Each store is one atomic script: the item (compare-and-set on its revision), its guard, its
// alert (compare-and-set on the alert's revision) with the stream entry, and the audit records.
// Thread-safe (the Redis client serialises calls).
#ifndef RESILIENCE_SERVICES_ESCALATION_WORKFLOW_STATE_H_
#define RESILIENCE_SERVICES_ESCALATION_WORKFLOW_STATE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis/redis_client.h"
#include "escalation/v1/alerts.pb.h"
#include "escalation/v1/status.pb.h"
#include "services/escalation/live_state.h"

namespace resilience::escalation {

// A stored item with the revision to compare-and-set against.
template <typename T>
struct Stored {
  T item;
  int64_t revision = 0;
};

// How a store treats the item's guard key.
enum class GuardMode {
  kNone,
  // Fails with ALREADY_EXISTS (message: the guard's value) when the guard is held.
  kClaim,
  // Guard values start with a level number: fails unless the new value's level is higher.
  kClaimIfHigher,
  // Deletes the guard when it holds `guard_value`.
  kRelease,
};

// One atomic change of a task or prompt and what goes with it.
struct WorkChange {
  // Revision the stored item must still have (0: it must not exist yet).
  int64_t expected_revision = 0;
  bool open = true;
  absl::Time opened_at;
  GuardMode guard = GuardMode::kNone;
  std::string guard_name;
  std::string guard_value;
  // Appended to the item's audit list.
  std::optional<v1::AuditRecord> audit;
  // The announcing alert's transition, compare-and-set on `expected_alert_revision`.
  std::optional<v1::Alert> alert;
  uint64_t expected_alert_revision = 0;
  std::optional<v1::AuditRecord> alert_audit;
  // Marks this event applied (event-driven changes), in the scope's seen keys.
  std::optional<common::v1::ScopeRef> seen_scope;
  std::string seen_event_id;
};

class WorkflowState {
 public:
  // `client` and `alerts` are not owned.
  WorkflowState(redis::Client* client, LiveState* alerts, std::string prefix,
                int64_t stream_max_entries);

  absl::StatusOr<std::optional<Stored<v1::ProtocolTask>>> LoadTask(const std::string& task_id);
  absl::StatusOr<std::optional<Stored<v1::DecisionPrompt>>> LoadPrompt(const std::string& id);

  // Stores `task` under `change`. Returns the alert's stream id (or ""). ABORTED when the task or
  // its alert moved meanwhile (reload and retry); ALREADY_EXISTS when the guard is held (message:
  // its value).
  absl::StatusOr<std::string> StoreTask(const v1::ProtocolTask& task, const WorkChange& change);
  absl::StatusOr<std::string> StorePrompt(const v1::DecisionPrompt& prompt,
                                          const WorkChange& change);

  // Open (or all recent, at most 500) tasks and prompts, newest first.
  absl::StatusOr<std::vector<v1::ProtocolTask>> ListTasks(bool include_closed);
  absl::StatusOr<std::vector<v1::DecisionPrompt>> ListPrompts(bool include_answered);

  // A guard's value, or "" when free. Like every read that decides what to publish, answers
  // "live view lost" (IsLiveViewLost) when Redis was wiped under it, never "free".
  absl::StatusOr<std::string> Guard(const std::string& name);
  // Several guards' values in one round trip, in order (as Guard).
  absl::StatusOr<std::vector<std::string>> Guards(const std::vector<std::string>& names);
  absl::Status ReleaseGuard(const std::string& name, const std::string& value);

  // Silences: stored with their audit record; listed while active; expired early by rewriting
  // `until`. ExpireDue removes those whose `until` has passed and returns them (each once, on
  // whichever instance gets there first) so their expiry can be audited.
  // `active` false ends it (early expiry): it leaves the active set.
  absl::Status PutSilence(const v1::Silence& silence, const v1::AuditRecord& audit, bool active);
  absl::StatusOr<std::optional<v1::Silence>> GetSilence(const std::string& silence_id);
  absl::StatusOr<std::vector<v1::Silence>> ActiveSilences();
  absl::StatusOr<std::vector<v1::Silence>> ExpireDue(absl::Time now);
  absl::Status AppendAudit(const std::string& subject, const v1::AuditRecord& audit);

  // Creates `alert` (revision 1) with its audit record unless it exists, and marks
  // `seen_event_id` of `seen_scope` applied. Returns the stream id, "" when it existed.
  absl::StatusOr<std::string> RaiseAlertOnce(const v1::Alert& alert, const v1::AuditRecord& audit,
                                             const common::v1::ScopeRef& seen_scope,
                                             const std::string& seen_event_id);

  // Stores a transition of an alert made by a timer (re-notification), compare-and-set on its
  // revision. ABORTED when it moved.
  absl::StatusOr<std::string> StoreAlertTransition(const v1::Alert& alert, uint64_t expected_revision,
                                                   const v1::AuditRecord& audit) {
    return alerts_->StoreTransition(alert, expected_revision, audit);
  }

  // Unacknowledged (FIRING) alerts, for re-notification: the newest `limit` alerts' FIRING ones.
  absl::StatusOr<std::vector<v1::Alert>> FiringAlerts(size_t limit);

  // Takes or renews the lease `name` for `holder` for `ttl`; false when another holder has it.
  absl::StatusOr<bool> HoldLease(const std::string& name, const std::string& holder,
                                 absl::Duration ttl);

  LiveState* alerts() const { return alerts_; }

  // The full key of a {work} key suffix, e.g. "task:<id>" (the rebuild writes them).
  std::string KeyOf(const std::string& suffix) const { return Key(suffix); }

 private:
  template <typename T>
  absl::StatusOr<std::optional<Stored<T>>> Load(const std::string& key);
  absl::StatusOr<std::string> Store(const std::string& kind, const std::string& id,
                                    const std::string& record, const WorkChange& change);
  template <typename T>
  absl::StatusOr<std::vector<T>> List(const std::string& kind, bool include_closed);
  std::string Key(const std::string& suffix) const;

  redis::Client* client_;
  LiveState* alerts_;
  std::string prefix_;
  int64_t stream_max_entries_;
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_WORKFLOW_STATE_H_
