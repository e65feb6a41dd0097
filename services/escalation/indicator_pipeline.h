// Consumes indicator observations from the domain topics (capacity, beds, workforce), applies the
// trigger tables and alert rules, records alert transitions on the `alerts` topic and the live
// state in Redis, then commits the offset: commit-after-effect, so a crash redelivers and the
// effect, keyed by event id, is applied once. Records that can never be applied (unparseable,
// unknown indicator, value outside its table) go to the dead-letter topic with the reason.
// Run() occupies the calling thread; Stop() is thread-safe.
#ifndef RESILIENCE_SERVICES_ESCALATION_INDICATOR_PIPELINE_H_
#define RESILIENCE_SERVICES_ESCALATION_INDICATOR_PIPELINE_H_

#include <memory>
#include <string>

#include "absl/synchronization/notification.h"
#include "common/kafka/consumer.h"
#include "common/kafka/producer.h"
#include "common/metrics/metrics.h"
#include "common/reference/reference_index.h"
#include "services/escalation/core/acute_score.h"
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
  void SetDutyDesk(DutyDesk* desk, NotificationStamp* stamp) {
    desk_ = desk;
    stamp_ = stamp;
  }

  // Checked on every timed evaluation, before anything else: when Redis has lost the live view
  // (wiped, replaced), it is rebuilt from Kafka before the next record is applied. Not owned;
  // may stay null.
  void SetRebuild(LiveStateRebuild* rebuild) { rebuild_ = rebuild; }

  // Polls, applies and commits until Stop(). Returns after the last commit.
  void Run();

  // Makes Run() return after the record in hand (its effect applied and committed, or neither).
  void Stop() { stop_.Notify(); }

  // Applies one record. OK when applied, already applied, or superseded; INVALID_ARGUMENT /
  // NOT_FOUND / FAILED_PRECONDITION when it can never be applied (dead-letter it); UNAVAILABLE
  // or ABORTED when it should be retried.
  absl::Status Apply(const kafka::ConsumedRecord& record);

 private:
  // Applies with retries of UNAVAILABLE / ABORTED until done or stopping; dead-letters the
  // unprocessable. Returns false when stopping before the record was dealt with.
  bool ApplyUntilDone(const kafka::ConsumedRecord& record);
  // Whether the live view in Redis is whole, rebuilding it from Kafka first when Redis lost it
  // (after committing what was applied). False when it cannot be checked or rebuilt yet.
  bool LiveViewWhole(absl::Time now);
  absl::Status DeadLetter(const kafka::ConsumedRecord& record, const absl::Status& reason);
  // Rolls the figure's scope up into its area's, board area's, the ICS's and the county's levels,
  // then (when one moved, or on a redelivery, whose first roll-up may have been cut short) lets
  // the duty desk review what the levels call for.
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
