// Rolls indicator statuses up into KCC levels per area and for the county (DESIGN 4.1) after
// each applied figure and on a timer (holds expire and figures go stale with time alone):
// computes, applies the hold, records the status on the compacted `status` topic and the alert
// transitions on the `alerts` and `audit` topics, then stores them in Redis with
// compare-and-set, so two instances computing at once never both win. Thread-compatible (one
// pipeline thread calls it).
#ifndef RESILIENCE_SERVICES_ESCALATION_LEVEL_ROLLUP_H_
#define RESILIENCE_SERVICES_ESCALATION_LEVEL_ROLLUP_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/kafka/producer.h"
#include "common/reference/reference_index.h"
#include "services/escalation/core/action_catalogue.h"
#include "services/escalation/core/acute_score.h"
#include "services/escalation/core/area_figures.h"
#include "services/escalation/core/opel_levels.h"
#include "services/escalation/core/scope_level.h"
#include "services/escalation/core/level_hold.h"
#include "services/escalation/core/trigger_table.h"
#include "services/escalation/level_state.h"
#include "services/escalation/notification_stamp.h"

namespace resilience::escalation {

struct LevelRollUpOptions {
  std::string status_topic = "status";
  std::string alerts_topic = "alerts";
  std::string audit_topic = "audit";
  absl::TimeZone zone = absl::UTCTimeZone();
  uint32_t area_quorum = 1;
  uint32_t system_quorum = 5;
  double countywide_share = 1.0;
  absl::Duration step_down_hold = absl::Hours(24);
  std::string rules_version;
  // Stamps every alert transition with its group and silence; null: none. Not owned.
  NotificationStamp* stamp = nullptr;
};

class LevelRollUp {
 public:
  // Nothing owned except the reference index; all must outlive the roll-up.
  // `catalogue` (may be null) chooses recipients and action cards.
  LevelRollUp(LevelState* state, kafka::Producer* producer,
              std::shared_ptr<const ReferenceIndex> reference, const TriggerTables* tables,
              LevelRollUpOptions options, const ActionCatalogue* catalogue = nullptr,
              const AcuteFrameworks* acute = nullptr);

  // Recomputes one area's level at `now`. Returns whether its status moved: anything but its
  // evidence (new values behind the same levels, coverage and hold are stored but return
  // false, since nothing rolled up from it or watched by the duty desk changed). UNAVAILABLE /
  // ABORTED: retry.
  // The area's levels before and after go to `move` when not null.
  absl::StatusOr<bool> RecomputeArea(const std::string& area_id, absl::Time now,
                                     LevelMove* move = nullptr);
  // Recomputes the county's level from its areas and county-scoped figures. The Recompute
  // functions all return as RecomputeArea does.
  absl::StatusOr<bool> RecomputeCounty(absl::Time now, LevelMove* move = nullptr);
  // Recomputes the ICS aggregate acute score (weighted mean of fresh site scores) and its action
  // level (highest site level).
  absl::StatusOr<bool> RecomputeIcs(absl::Time now);
  // Recomputes an Urgent Care Delivery Board area's whole-system level: the highest level with
  // at least `system_quorum` fresh triggers at or above it (DESIGN 4.2).
  absl::StatusOr<bool> RecomputeBoardArea(const std::string& board_area_id, absl::Time now,
                                          LevelMove* move = nullptr);
  // The board areas a KCC area or an acute site belongs to.
  std::vector<std::string> BoardAreasOf(const common::v1::ScopeRef& scope) const;
  // Every area, then the county (the timer).
  absl::Status RecomputeAll(absl::Time now);

  // The pipeline has applied `record` of a domain topic and every earlier record of its
  // partition. Each status published from here on says so in its kAppliedHeader
  // (live_state_rebuild.h), for a Redis rebuild after a process lost before committing.
  void Reached(const std::string& topic, int32_t partition, int64_t offset);
  // The pipeline goes back to `next_offset` of a partition (records it did not finish applying,
  // redelivered): statuses no longer say it applied them.
  void RewoundTo(const std::string& topic, int32_t partition, int64_t next_offset);

  // From here until EndWave (a wave of records, IndicatorPipeline::ApplyBatch):
  // - A scope whose status changed in its evidence alone (the figures' values and ages behind an
  //   unchanged level, hold and coverage) keeps its latest status here instead of storing and
  //   publishing it after every roll-up: the wave stores each such scope once. Nothing a
  //   roll-up, the county or the duty desk reads is in the evidence; readers of the status see
  //   it at most a wave late.
  // - An area's, board area's or the ICS's roll-up reads its inputs from Redis once and keeps
  //   them, with the figures stored since (FigureStored) and its own stores laid over them:
  //   its later roll-ups in the wave read nothing. Only the pipeline writes figures, so what is
  //   kept is what Redis holds; a status stored meanwhile by someone else (a declaration, an
  //   acknowledgement of the level alert) fails the compare-and-set, and the retry reads
  //   afresh. A figure another instance of the group writes meanwhile is seen from the next
  //   wave on (or the next timed evaluation), as if it had arrived just after this wave.
  //   The county's kept inputs take likewise the statuses of its areas that this roll-up stores
  //   (an area's move made by another instance is seen from the next wave on). Its level reads
  //   an area's computed level and fresh figures, which a declaration or an acknowledgement
  //   made meanwhile does not change.
  // - `before_read` (when set) runs before every read from Redis: the pipeline stores there
  //   the figures it has told of (FigureStored) but not yet written. A failure fails the
  //   roll-up that was about to read.
  void BeginWave(std::function<absl::Status()> before_read = {}) {
    in_wave_ = true;
    before_read_ = std::move(before_read);
  }
  // Reads in one round trip the inputs of the roll-ups a wave is about to run (the areas and
  // board areas named, the ICS when `ics`, the county with any area) that it does not keep yet,
  // as InputsOf would on their first roll-up: one round trip for the wave instead of one (and a
  // store of the pending figures before it) per scope. Outside a wave, or when the read fails,
  // nothing is kept and each roll-up reads as before.
  void PreloadWave(const std::vector<std::string>& area_ids,
                   const std::vector<std::string>& board_area_ids, bool ics);
  // Tells the wave's kept inputs that `figure_key` ("<scope key>|<indicator>") holds `status`
  // in Redis, or will before anything reads Redis again (`before_read`). Call it for every
  // figure stored during a wave.
  void FigureStored(const std::string& figure_key, const v1::IndicatorStatus& status);
  // Forgets the wave's kept inputs (a figure told of was not stored after all): the next
  // roll-up of each scope reads afresh.
  void ForgetWaveInputs() { wave_inputs_.clear(); }
  // Stores the kept statuses in one round trip, publishes those stored on the status topic,
  // and forgets the kept inputs. A status stored meanwhile by another writer (a declaration,
  // another instance) wins: the kept one is dropped, and the next evaluation refreshes its
  // evidence. UNAVAILABLE when Redis is down (the kept statuses are dropped likewise).
  absl::Status EndWave();

 private:
  // What a scope's level is computed from: `inputs` as loaded with it (RollUpReads), the scope's
  // level before; fills the evidence and the hold's referral figures.
  using ComputeLevel = std::function<absl::StatusOr<ComputedLevel>(
      const RollUpInputs& inputs, common::v1::OpelLevel current,
      std::vector<v1::IndicatorEvidence>* evidence, std::optional<double>* referrals,
      std::optional<double>* referral_limit)>;

  // Checks what a roll-up read (its figures and their open stale-data alerts, kept up to date
  // when it raises or forgets one) with the scope's level as it stands after the roll-up.
  using ReviewInputs =
      std::function<absl::Status(RollUpInputs& read, common::v1::OpelLevel level_after)>;

  // Loads the scope's level with `reads` in one round trip (kept through a wave; its alert in a
  // second, only when the level moves), assesses and stores it, retrying compare-and-set
  // conflicts, then has `review` check what it read. The scope's levels before and after go to
  // `move` when not null.
  absl::StatusOr<bool> Recompute(const common::v1::ScopeRef& scope, const std::string& name,
                                 const std::string& area_id, const std::string& rule,
                                 const std::vector<std::string>& roles, absl::Time now,
                                 const RollUpReads& reads, const ComputeLevel& compute,
                                 const std::function<void(ScopeLevelContext*)>& extra = {},
                                 const ReviewInputs& review = {},
                                 LevelMove* move = nullptr);
  // The roll-up inputs of `scope` (scope key `key`): those kept in the wave unless `again`
  // (after a conflict), else read from Redis, into the wave's keeping or into `scratch` outside
  // a wave.
  absl::StatusOr<RollUpInputs*> InputsOf(const common::v1::ScopeRef& scope,
                                         const std::string& key, const RollUpReads& reads,
                                         bool again, RollUpInputs* scratch);

  // The expected figures (of `figures`, as loaded) as level inputs (missing or stale ones not
  // fresh), and the fresh ones by key (pointing into `figures`). `current` is the scope's level,
  // which sets the reporting deadlines.
  std::vector<LevelInput> FigureInputs(const std::vector<ExpectedFigure>& expected,
                                       const std::map<std::string, v1::IndicatorStatus>& figures,
                                       common::v1::OpelLevel current, absl::Time now,
                                       std::map<std::string, const v1::IndicatorStatus*>* fresh);

  // Raises a stale-data alert for each expected figure (of `read`, as loaded with their open
  // stale-data alerts) that missed its deadline, and resolves the stale alerts of figures
  // updated since (DESIGN 4.5). `read` is left naming the open alerts as Redis now holds them.
  absl::Status ReviewStaleness(const std::vector<ExpectedFigure>& expected,
                               RollUpInputs& read, common::v1::OpelLevel level,
                               const std::string& area_id, absl::Time now);

  // What a scope's roll-up reads, fixed by the reference data: built on its first roll-up.
  struct RollUpPlan {
    common::v1::ScopeRef scope;
    std::vector<ExpectedFigure> expected;
    RollUpReads reads;
  };
  const RollUpPlan& AreaPlan(const std::string& area_id);
  const RollUpPlan& BoardPlan(const std::string& board_area_id);
  const RollUpPlan& CountyPlan();
  const RollUpPlan& IcsPlan();
  // Keeps `loaded` as the wave's inputs of the scope `key` read with `reads`.
  RollUpInputs& KeepInputs(const std::string& key, const RollUpReads& reads, RollUpInputs loaded);
  // Tells the wave's kept inputs that the scope `scope_key` now holds `status` in Redis.
  void StatusStored(const std::string& scope_key, const v1::LevelStatus& status);

  // The headers of a status record: how far the pipeline had applied (Reached).
  kafka::Headers StatusHeaders();

  // A status kept through a wave (BeginWave): the assessment and the version it was computed from.
  struct KeptEvidence {
    common::v1::ScopeRef scope;
    int64_t version = 0;
    ScopeLevelAssessment assessment;
  };

  LevelState* state_;
  kafka::Producer* producer_;
  std::shared_ptr<const ReferenceIndex> reference_;
  const TriggerTables* tables_;
  LevelRollUpOptions options_;
  const ActionCatalogue* catalogue_;
  const AcuteFrameworks* acute_;
  bool in_wave_ = false;
  std::function<absl::Status()> before_read_;
  std::map<std::string, KeptEvidence> kept_evidence_;  // by scope key
  std::map<std::string, RollUpInputs> wave_inputs_;    // by scope key
  // The scopes whose kept inputs read each figure key (fixed by the reference data, so built
  // once), and the scopes indexed so far.
  std::map<std::string, std::vector<std::string>> figure_readers_;
  // Likewise the scopes (and the index in their status reads) that read each scope's status.
  std::map<std::string, std::vector<std::pair<std::string, size_t>>> status_readers_;
  std::set<std::string> indexed_scopes_;
  std::map<std::string, RollUpPlan> plans_;  // by scope key
  // (topic, partition) -> offset of the last record applied, and its header text once formatted.
  std::map<std::pair<std::string, int32_t>, int64_t> applied_;
  std::string applied_header_;
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_LEVEL_ROLLUP_H_
