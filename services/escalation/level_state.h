// Live state of scope levels (areas, the county) in Redis, beside the indicator state of
// LiveState and with the same alert stream and audit lists. Keys (prefix P):
//   P{<scope key>}:level             hash: record (LevelStatus), episode, version, alert_id
//   P{status}:levels                 set of scope keys with a level
// Thread-safe (the Redis client serialises calls).
#ifndef RESILIENCE_SERVICES_ESCALATION_LEVEL_STATE_H_
#define RESILIENCE_SERVICES_ESCALATION_LEVEL_STATE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis/redis_client.h"
#include "services/escalation/core/scope_level.h"
#include "services/escalation/live_state.h"

namespace resilience::escalation {

struct LoadedLevel {
  std::optional<ScopeLevelRecord> record;
  int64_t version = 0;
  // The scope's level alert (of its current episode), "" when none; `record->alert` holds it
  // unless the read left it out (RollUpReads::level_alert).
  std::string alert_id;
};

// What a roll-up reads besides its scope's own level, fetched with it (LoadForRollUp).
struct RollUpReads {
  // Indicator statuses, by member key ("<scope key>|<indicator>").
  std::vector<std::string> figure_keys;
  // Also the open stale-data alert id of each figure key (for the staleness review).
  bool stale_alerts = false;
  // Other scopes' level statuses (the county reads its areas').
  std::vector<common::v1::ScopeRef> status_scopes;
  // The scope's level alert too (a second round trip). Load asks for it; a roll-up leaves it out
  // and reads it only when the level moves: it is large (evidence, action cards) and nothing
  // else a roll-up does needs it.
  bool level_alert = false;
};

// A scope's level with the reads its roll-up asked for.
struct RollUpInputs {
  LoadedLevel level;
  // The figures stored under `figure_keys`; missing ones absent.
  std::map<std::string, v1::IndicatorStatus> figures;
  // When asked: per figure key, its open stale-data alert id or "".
  std::vector<std::string> stale_alerts;
  // Per status scope; nullopt where none is stored.
  std::vector<std::optional<v1::LevelStatus>> statuses;
};

// One scope's status to store with others (StoreMany); nothing owned.
struct LevelStore {
  const common::v1::ScopeRef* scope = nullptr;
  int64_t expected_version = 0;
  const ScopeLevelAssessment* assessment = nullptr;  // without an alert transition
};

class LevelState {
 public:
  // `client` and `alerts` (for alert lookups and key names) are not owned.
  LevelState(redis::Client* client, LiveState* alerts, std::string prefix,
             int64_t stream_max_entries);

  absl::StatusOr<LoadedLevel> Load(const common::v1::ScopeRef& scope);

  // The scope's level and everything `reads` names in one round trip (a second when the level
  // has an alert and `reads.level_alert`): a roll-up's inputs.
  absl::StatusOr<RollUpInputs> LoadForRollUp(const common::v1::ScopeRef& scope,
                                             const RollUpReads& reads);
  // One scope's roll-up inputs to load with others (LoadManyForRollUp); nothing owned.
  struct RollUpLoad {
    const common::v1::ScopeRef* scope = nullptr;
    const RollUpReads* reads = nullptr;
  };
  // LoadForRollUp for several scopes in one round trip (plus one per level alert asked for).
  // UNAVAILABLE when Redis is down; otherwise one result per load, in order.
  absl::StatusOr<std::vector<absl::StatusOr<RollUpInputs>>> LoadManyForRollUp(
      const std::vector<RollUpLoad>& loads);

  // The indicator and alert state this shares keys with.
  LiveState* alerts() const { return alerts_; }

  // Compare-and-set on the record's version and the alert's revision, like LiveState::Apply.
  // ABORTED when either moved. Returns the alert's stream id, or "".
  absl::StatusOr<std::string> Store(const common::v1::ScopeRef& scope, int64_t expected_version,
                                    const ScopeLevelAssessment& assessment,
                                    const v1::AuditRecord& audit);

  // Store for several scopes' statuses without an alert transition (evidence-only changes), in
  // one round trip: one result per store, in order, each OK or ABORTED as Store's. UNAVAILABLE
  // (for all) when Redis is down.
  absl::StatusOr<std::vector<absl::Status>> StoreMany(const std::vector<LevelStore>& stores);

  // Stores a changed status without an alert transition (a declaration made or withdrawn),
  // compare-and-set on the version, and appends `audit` to the scope's audit list. ABORTED when
  // the level moved meanwhile.
  absl::Status StoreStatus(const common::v1::ScopeRef& scope, int64_t expected_version,
                           const v1::LevelStatus& status, const v1::AuditRecord& audit);

  // The key of a scope's level hash and of the set of scopes with a level (the rebuild writes
  // them).
  std::string LevelKeyOf(const common::v1::ScopeRef& scope) const { return LevelKey(scope); }
  std::string LevelSetKey() const { return prefix_ + "{status}:levels"; }

  // Every stored level.
  absl::StatusOr<std::vector<v1::LevelStatus>> ListLevels();

  // The indicator statuses stored under these member keys ("<scope key>|<indicator>"); missing
  // ones are absent from the map.
  absl::StatusOr<std::map<std::string, v1::IndicatorStatus>> LoadFigures(
      const std::vector<std::string>& keys);

  // The levels stored for `scopes` (those with none left out, in the order given) and the
  // figures under `figure_keys` (as LoadFigures), in one round trip: what the duty desk reviews
  // after a level moves, which the pipeline waits for.
  struct LevelsAndFigures {
    std::vector<v1::LevelStatus> levels;
    std::map<std::string, v1::IndicatorStatus> figures;
  };
  absl::StatusOr<LevelsAndFigures> LoadLevelsAndFigures(
      const std::vector<common::v1::ScopeRef>& scopes, const std::vector<std::string>& figure_keys);

 private:
  std::string LevelKey(const common::v1::ScopeRef& scope) const;
  // One scope's inputs from the pipelined replies of LoadManyForRollUp, starting at `first`.
  absl::StatusOr<RollUpInputs> ParseRollUp(
      const common::v1::ScopeRef& scope, const RollUpReads& reads,
      const std::vector<absl::StatusOr<redis::Reply>>& replies, size_t first);
  // The store script's keys and arguments.
  redis::ScriptCall StoreCall(const common::v1::ScopeRef& scope, int64_t expected_version,
                              const ScopeLevelAssessment& assessment,
                              const v1::AuditRecord& audit) const;

  redis::Client* client_;
  LiveState* alerts_;
  std::string prefix_;
  int64_t stream_max_entries_;
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_LEVEL_STATE_H_
