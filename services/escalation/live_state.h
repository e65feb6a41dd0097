// The escalation service's live state in Redis: indicator records, alerts, the alert stream that
// subscribers resume from, and the processed-event marks that make redelivery harmless.
// Kafka is the record; everything here can be rebuilt from the topics.
//
// Key layout (prefix P, Redis Cluster hash tag per scope so one scope's keys share a slot):
//   P{<scope key>}:ind:<indicator>   hash: record (IndicatorStatus), episode, alert_id, version
//   P{<scope key>}:seen:<event id>   processed-event mark, expires after 30 days
//   P{<scope key>}:alert:<alert id>  the alert (serialised Alert)
//   P{<scope key>}:alertrev:<alert id> its revision, for compare-and-set between the pipeline
//                                    and staff transitions (absent: no transition recorded
//                                    under compare-and-set yet, e.g. state from before it)
//   P{audit}:<subject>               audit records of an alert, oldest first
//   P{alerts}:stream                 stream of alert transitions: fields alert_id, alert
//   P{alerts}:index                  sorted set of alert ids by raised time (ms)
//   P{status}:indicators             set of "<scope key>|<indicator>" with a record
// The apply script touches one scope's keys and the {alerts}/{status} keys together; on a single
// Redis that is one atomic step. (Running on Redis Cluster would split it into a per-scope step
// and a stream step; see the scaling section of the README when it lands.)
// Thread-safe (the Redis client serialises calls).
#ifndef RESILIENCE_SERVICES_ESCALATION_LIVE_STATE_H_
#define RESILIENCE_SERVICES_ESCALATION_LIVE_STATE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis/redis_client.h"
#include "services/escalation/core/indicator_alerting.h"

namespace resilience::escalation {

// One entry of the alert stream.
struct StreamEntry {
  // Redis stream id "<ms>-<seq>": the resume token.
  std::string id;
  v1::Alert alert;
};

// Parsed stream id, for ordering.
struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  friend bool operator<(const StreamId& a, const StreamId& b) {
    return a.ms != b.ms ? a.ms < b.ms : a.seq < b.seq;
  }
  friend bool operator<=(const StreamId& a, const StreamId& b) { return !(b < a); }
};
// INVALID_ARGUMENT unless "<digits>-<digits>".
absl::StatusOr<StreamId> ParseStreamId(const std::string& id);

// An indicator's record as loaded, with what the apply step needs.
struct LoadedIndicator {
  // The event was applied before: nothing to do.
  bool already_applied = false;
  std::optional<IndicatorRecord> record;
  // Version for the compare-and-set in Apply.
  int64_t version = 0;
};

// One figure to load (LoadMany) and apply (ApplyMany) with others in one round trip.
struct IndicatorKeyRef {
  const common::v1::ScopeRef* scope = nullptr;  // not owned
  std::string indicator;
  std::string event_id;
  // LoadMany: whether the event was applied, not the record (a wave's later figure of a pair
  // starts from what the earlier one stores).
  bool seen_only = false;
};
struct IndicatorApply {
  IndicatorKeyRef key;
  int64_t expected_version = 0;
  const IndicatorAssessment* assessment = nullptr;  // not owned
  const v1::AuditRecord* audit = nullptr;           // not owned
};

class LiveState {
 public:
  // `client` is not owned. `stream_max_entries` bounds the alert stream (approximately).
  LiveState(redis::Client* client, std::string prefix, int64_t stream_max_entries);

  // Loads an indicator's record and whether `event_id` was already applied. UNAVAILABLE when
  // Redis is down; DATA_LOSS when a stored record cannot be parsed.
  absl::StatusOr<LoadedIndicator> Load(const common::v1::ScopeRef& scope,
                                       const std::string& indicator, const std::string& event_id);

  // Load for several figures of distinct (scope, indicator) pairs in two round trips: one
  // result per figure, in order. UNAVAILABLE (for all) when Redis is down.
  absl::StatusOr<std::vector<absl::StatusOr<LoadedIndicator>>> LoadMany(
      const std::vector<IndicatorKeyRef>& figures);

  // Apply for several figures of distinct (scope, indicator) pairs in one round trip, in order:
  // each atomic on its own, with its own result as Apply's. UNAVAILABLE (for all) when Redis is
  // down: some may have been applied, which is harmless (each is idempotent by event id).
  absl::StatusOr<std::vector<absl::StatusOr<std::string>>> ApplyMany(
      const std::vector<IndicatorApply>& figures);

  // Atomically: marks `event_id` applied, stores `assessment.next` if the record's version is
  // still `expected_version`, and stores and streams `assessment.changed_alert`. Returns the
  // stream id of the alert entry ("" when no alert changed). ABORTED when the version moved
  // (another instance applied something meanwhile: reload and recompute); OK with "" when the
  // event had been applied already.
  // The alert's revision is compare-and-set too, so an acknowledgement made meanwhile is never
  // overwritten (ABORTED: reload and recompute). `audit` records the alert transition.
  absl::StatusOr<std::string> Apply(const common::v1::ScopeRef& scope,
                                    const std::string& indicator, const std::string& event_id,
                                    int64_t expected_version,
                                    const IndicatorAssessment& assessment,
                                    const v1::AuditRecord& audit);

  // Atomically stores a staff transition of an alert (acknowledgement, recorded action) if its
  // stored revision is still `expected_revision`, appends `audit` and streams the alert.
  // ABORTED when the alert changed meanwhile. Returns the stream id.
  absl::StatusOr<std::string> StoreTransition(const v1::Alert& alert, uint64_t expected_revision,
                                              const v1::AuditRecord& audit);

  // Stale-data alerts of figures (DESIGN 4.5), remembered in the figure's hash as "stale_alert"
  // (LevelState::LoadForRollUp reads them with the figures).
  // Creates `alert` (revision 1) and remembers it for the figure, unless it exists: OK either
  // way; returns the stream id or "" when it existed.
  absl::StatusOr<std::string> RaiseStaleAlert(const common::v1::ScopeRef& scope,
                                              const std::string& indicator, const v1::Alert& alert,
                                              const v1::AuditRecord& audit);
  // Forgets the figure's open stale alert if it is `alert_id`.
  absl::Status ForgetStaleAlert(const common::v1::ScopeRef& scope, const std::string& indicator,
                                const std::string& alert_id);

  // Appends `audit` to `subject`'s audit list unless a record with the same audit id was
  // appended through this call before (kept 30 days). Returns whether it was appended.
  absl::StatusOr<bool> AppendAuditOnce(const std::string& subject, const v1::AuditRecord& audit);

  // The last `limit` audit records of a subject (an alert id), oldest first.
  absl::StatusOr<std::vector<v1::AuditRecord>> ListAudit(const std::string& subject, size_t limit);

  // Marks an event applied without other change (superseded observations).
  absl::Status MarkApplied(const common::v1::ScopeRef& scope, const std::string& event_id);

  // One alert by id; nullopt when unknown. INVALID_ARGUMENT for a malformed id.
  absl::StatusOr<std::optional<v1::Alert>> GetAlert(const std::string& alert_id);

  // Most recent alerts first, at most `limit`.
  absl::StatusOr<std::vector<v1::Alert>> ListAlerts(size_t limit);

  // Every indicator's current status.
  absl::StatusOr<std::vector<v1::IndicatorStatus>> ListIndicators();

  // Stream entries after `after_id` (exclusive; "0-0" for all), at most `count`, waiting up to
  // `block` for the first one when there is none (zero: do not wait). Must block less than the
  // client's timeout.
  absl::StatusOr<std::vector<StreamEntry>> ReadStream(const std::string& after_id, size_t count,
                                                      absl::Duration block);

  // Id of the newest and the oldest retained stream entry; "0-0" when the stream is empty.
  absl::StatusOr<std::string> LastStreamId();
  absl::StatusOr<std::string> FirstStreamId();

  std::string StreamKey() const;
  // Key names, for LevelState which shares the alert keys.
  std::string AlertKeyOf(const std::string& alert_id) const;
  std::string RevisionKeyOf(const std::string& alert_id) const;
  std::string AuditKeyOf(const std::string& subject) const { return AuditKey(subject); }
  std::string IndicatorKeyOf(const common::v1::ScopeRef& scope, const std::string& indicator) const {
    return IndicatorKey(scope, indicator);
  }
  std::string SeenKeyOf(const common::v1::ScopeRef& scope, const std::string& event_id) const {
    return SeenKey(scope, event_id);
  }
  std::string AlertIndexKey() const { return prefix_ + "{alerts}:index"; }
  // The key whose presence says the live view is whole: written last by a rebuild, gone with a
  // wipe. The reads that feed a publication end with an EXISTS of it (LiveViewCheck), so a view
  // wiped under them is noticed before anything derived from what it no longer holds reaches
  // Kafka (a level computed from vanished inputs, published as a step down).
  std::string LiveViewKey() const { return prefix_ + "{meta}:live-state"; }
  redis::Command LiveViewCheck() const { return {"EXISTS", LiveViewKey()}; }
  // OK when `reply` (to LiveViewCheck) found the key; else the error IsLiveViewLost names.
  static absl::Status LiveViewStatus(const absl::StatusOr<redis::Reply>& reply);
  // Runs `commands` on `client` in one round trip followed by LiveViewCheck, and returns their
  // replies (the check's left off), or "live view lost" (IsLiveViewLost) when the view was wiped
  // before or during them. Every read that feeds a publication, or a list a person reads, goes
  // through it (here and in LevelState and WorkflowState).
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> RunChecked(
      redis::Client* client, std::vector<redis::Command> commands) const;
  // Where a stream rebuilt from Kafka starts (LiveStateRebuild): resume tokens older than it
  // replay the whole rebuilt stream.
  std::string StreamRebuiltKey() const { return prefix_ + "{alerts}:stream-rebuilt-at"; }
  // The first id of the stream as last rebuilt, or "" when it never was.
  absl::StatusOr<std::string> StreamRebuiltAt();
  // Seconds a processed-event mark is kept.
  static constexpr int64_t kSeenTtlSeconds = 30 * 24 * 3600;

  // True when `event_id` was applied for `scope`.
  absl::StatusOr<bool> WasApplied(const common::v1::ScopeRef& scope, const std::string& event_id);

 private:
  std::string IndicatorKey(const common::v1::ScopeRef& scope, const std::string& indicator) const;
  std::string SeenKey(const common::v1::ScopeRef& scope, const std::string& event_id) const;
  std::string AlertKey(const common::v1::ScopeRef& scope, const std::string& alert_id) const;
  std::string RevisionKey(const common::v1::ScopeRef& scope, const std::string& alert_id) const;
  std::string AuditKey(const std::string& subject) const;
  absl::StatusOr<std::vector<StreamEntry>> ParseEntries(const redis::Reply& entries);

  redis::Client* client_;
  std::string prefix_;
  int64_t stream_max_entries_;
};

// True for the status of a read that found the live view wiped under it (LiveViewStatus):
// retrying is useless until it is rebuilt.
bool IsLiveViewLost(const absl::Status& status);

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_LIVE_STATE_H_
