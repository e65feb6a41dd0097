// Consumes indicator observations from the domain topics (capacity, beds, workforce), applies the
// trigger tables and alert rules, records alert transitions on the `alerts` topic and the live
// state in Redis, then commits the offset: commit-after-effect, so a crash redelivers and the
// effect, keyed by event id, is applied once. Records that can never be applied (unparseable,
// unknown indicator, value outside its table) go to the dead-letter topic with the reason.
// Run() occupies the calling thread; Stop() is thread-safe.
#ifndef RESILIENCE_SERVICES_ESCALATION_INDICATOR_PIPELINE_H_
#define RESILIENCE_SERVICES_ESCALATION_INDICATOR_PIPELINE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/notification.h"
#include "common/kafka/consumer.h"
#include "common/kafka/producer.h"
#include "common/metrics/metrics.h"
#include "common/reference/reference_index.h"
#include "services/escalation/core/acute_score.h"
#include "services/escalation/core/event_figure.h"
#include "services/escalation/core/trigger_table.h"
#include "common/clock/clock.h"
#include "services/escalation/duty_desk.h"
#include "services/escalation/level_rollup.h"
#include "services/escalation/live_state.h"
#include "services/escalation/live_state_rebuild.h"
#include "services/escalation/notification_stamp.h"

namespace resilience::escalation {

struct IndicatorPipelineOptions {
  // Full topic names (prefix included).
  std::string alerts_topic = "alerts";
  std::string audit_topic = "audit";
  std::string dead_letter_topic = "dead-letter";
  // Pause before retrying after Kafka or Redis was unavailable. Default 200 ms.
  absl::Duration retry_backoff = absl::Milliseconds(200);
  // Real time between timed re-evaluations of levels. Default 10 s.
  absl::Duration level_tick = absl::Seconds(10);
  // Most records taken from one poll and applied together (ApplyBatch). Default 500.
  size_t max_batch = 500;
  // Most roll-ups a wave runs while one of its alert transitions waits to be stored in Redis
  // (and reach its subscribers): the pending figures are stored before the next one. 0 stores
  // them before every roll-up. Default 8 (a few milliseconds).
  size_t rollups_before_alert_stored = 8;
};

class IndicatorPipeline {
 public:
  // Nothing is owned; all must outlive the pipeline.
  // `levels` (may be null: no roll-up) recomputes area and county levels after each figure and
  // on the timer, at `clock`'s time.
  IndicatorPipeline(kafka::Consumer* consumer, kafka::Producer* producer, LiveState* state,
                    const TriggerTables* tables, std::shared_ptr<const ReferenceIndex> reference,
                    MetricsRegistry* metrics, IndicatorPipelineOptions options,
                    LevelRollUp* levels = nullptr, const Clock* clock = &Clock::Real(),
                    const ActionCatalogue* catalogue = nullptr,
                    const AcuteFrameworks* acute = nullptr,
                    absl::TimeZone zone = absl::UTCTimeZone());

  // The duty desk for referral and placement events and timed work, and the stamp for every
  // alert transition (both may stay null: no tasks, no grouping or silences). Not owned.
  void SetDutyDesk(DutyDesk* desk, NotificationStamp* stamp);

  // Checked on every timed evaluation, before anything else: when Redis has lost the live view
  // (wiped, replaced), it is rebuilt from Kafka before the next record is applied. Not owned;
  // may stay null.
  void SetRebuild(LiveStateRebuild* rebuild) { rebuild_ = rebuild; }

  // Polls, applies and commits until Stop(). Returns after the last commit. Each poll takes the
  // records already fetched (up to `max_batch`) and applies them with ApplyBatch.
  void Run();

  // Makes Run() return after the record in hand (its effect applied and committed, or neither).
  void Stop() { stop_.Notify(); }

  // Applies one record. OK when applied, already applied, or superseded; INVALID_ARGUMENT /
  // NOT_FOUND / FAILED_PRECONDITION when it can never be applied (dead-letter it); UNAVAILABLE
  // or ABORTED when it should be retried.
  absl::Status Apply(const kafka::ConsumedRecord& record);

  // Applies records in order with the same effect as Apply on each in turn, in fewer round
  // trips: consecutive figures form a wave, loaded in one Redis round trip (a pair's later
  // figures start from what its earlier one will store), their alert transitions recorded in
  // Kafka with one wait, and applied in runs of one round trip each; a run ends at a figure
  // whose level roll-up is due, so that roll-up sees exactly the figures before it applied, as
  // it would one record at a time.
  // Anything else (the duty desk's events, redeliveries, superseded or unprocessable records, a
  // conflict or failure in a wave) goes alone through Apply with its retries, in its place.
  // Returns how many records from the front were dealt with: all, unless stopping or the live
  // view was lost (rebuilding it); the caller commits those and redelivers the rest.
  size_t ApplyBatch(const std::vector<kafka::ConsumedRecord>& records);

 private:
  struct WaveFigure;
  // Applies a wave of ApplyBatch (figures of distinct events). False when stopping.
  bool ApplyWave(std::vector<WaveFigure>& wave);
  // The assessment of `figure` over its loaded record at `at`; a changed alert is stamped and
  // its audit record set in `audit`.
  IndicatorAssessment Assess(const EventFigure& figure, const LoadedIndicator& loaded,
                             absl::Time at, v1::AuditRecord* audit);
  // Applies with retries of UNAVAILABLE / ABORTED until done or stopping; dead-letters the
  // unprocessable. Returns false when stopping before the record was dealt with, or when the
  // live view was found wiped (the record is redelivered after the rebuild).
  bool ApplyUntilDone(const kafka::ConsumedRecord& record);
  // Whether the live view in Redis is whole, rebuilding it from Kafka first when Redis lost it
  // (after committing what was applied). False when it cannot be checked or rebuilt yet.
  bool LiveViewWhole(absl::Time now);
  absl::Status DeadLetter(const kafka::ConsumedRecord& record, const absl::Status& reason);
  // Rolls the figure's scope up into its area's, board area's, the ICS's and the county's levels,
  // then (when a level moved in a way the duty desk acts on: a board area or the county across
  // a threshold of DeskWatchesMove, a site, an area into OPEL 4; or on a redelivery, whose first
  // roll-up may have been cut short) lets the duty desk review what the levels call for.
  absl::Status RollUp(const common::v1::ScopeRef& scope, const std::string& area_id,
                      const reference::v1::IndicatorDefinition& indicator, absl::Time at,
                      bool redelivered = false);

  kafka::Consumer* consumer_;
  kafka::Producer* producer_;
  LiveState* state_;
  const TriggerTables* tables_;
  std::shared_ptr<const ReferenceIndex> reference_;
  IndicatorPipelineOptions options_;
  LevelRollUp* levels_;
  const Clock* clock_;
  const ActionCatalogue* catalogue_;
  const AcuteFrameworks* acute_;
  absl::TimeZone zone_;
  DutyDesk* desk_ = nullptr;
  // During a wave: stores the figures told to the roll-ups but not yet written (ApplyWave), and
  // says whether one of them is a figure the duty desk reviews.
  std::function<absl::Status()> store_pending_;
  std::function<bool()> desk_figures_pending_;
  // The figure keys the duty desk reviews (DutyDesk::FiguresReviewed).
  absl::flat_hash_set<std::string> desk_figures_;
  NotificationStamp* stamp_ = nullptr;
  LiveStateRebuild* rebuild_ = nullptr;
  absl::Notification stop_;
  Counter* applied_;
  Counter* duplicates_;
  Counter* dead_lettered_;
  Counter* alerts_;
  Histogram* apply_seconds_;
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_INDICATOR_PIPELINE_H_
