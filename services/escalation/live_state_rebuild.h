// Rebuilds the escalation service's live state in Redis from Kafka when Redis has lost it (wiped,
// or replaced by an empty one): Kafka is the record, Redis the view (DESIGN 6).
//
// A marker key (P{meta}:live-state) says the view is whole. When it is missing, the rebuild:
// - alerts: the `alerts` topic, the highest revision of each alert id (the last published
//   among equal revisions); the alert index; a fresh alert stream holding every revision on the
//   topic (the latest twice the stream's bound read, and each alert's latest), in order of
//   change;
// - audit trails: the `audit` topic, per subject in publication order, each audit id once;
// - levels, tasks, prompts, silences: the compacted `status` topic (levels keyed by scope;
//   "task:", "prompt:", "silence:" keys), with the "one open at a time" guards re-derived;
// - figures: re-derived from the domain topics (capacity, beds, workforce) through the same pure
//   rules as the pipeline (core/event_figure.h, core/indicator_alerting.h): every record up to
//   the consumer group's committed offsets, and beyond them (applied and published by a process
//   lost before committing them) every record up to how far the statuses on the topic say their
//   roll-ups went (their "applied" header, kAppliedHeader), and each figure's records up to the
//   last one a level or a level's or stale-data alert names as evidence. The pipeline re-applies
//   from the committed offsets; what a figure already holds changes nothing, the rest applies
//   as usual, its roll-ups in order. A later record whose indicator alert transition was
//   already published (the wave's alerts go out before its roll-ups) marks its figure
//   (IndicatorRecord::alert_published_through): applied again it moves the figure and the
//   levels, but not the alert a second time. Alert episodes and open stale-data alerts come
//   from the alerts.
// Subscribers holding a resume token from before the loss replay the whole rebuilt stream (so
// also the revisions published just before the loss that they had not yet been sent; they
// deduplicate by alert id and revision, and ignore a revision older than one they hold)
// instead of being refused: the stream records where it was rebuilt (P{meta}:stream-rebuilt-at).
// Processed-event marks are not rebuilt: a redelivered figure is recognised as no newer than
// the one held (DESIGN 4.6) and changes nothing.
// Thread-compatible: run it on the pipeline's thread, between records.
#ifndef RESILIENCE_SERVICES_ESCALATION_LIVE_STATE_REBUILD_H_
#define RESILIENCE_SERVICES_ESCALATION_LIVE_STATE_REBUILD_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/kafka/record.h"
#include "common/redis/redis_client.h"
#include "common/reference/reference_index.h"
#include "services/escalation/core/acute_score.h"
#include "services/escalation/core/trigger_table.h"
#include "services/escalation/level_state.h"
#include "services/escalation/live_state.h"
#include "services/escalation/workflow_state.h"

namespace resilience::escalation {

// Every status the roll-ups publish carries, in this Kafka header, how far the pipeline had
// applied the domain topics when it was computed: "<topic>:<partition>:<offset>,..." (each
// partition's last record applied). By the time a status is computed, every record up to its
// positions has had its indicator alert transitions confirmed by Kafka (a wave's go out before
// its roll-ups) and its roll-ups' level moves too (each sent and waited for before it is
// stored), so a status on the topic vouches for them. Statuses that changed in evidence alone
// are published after their wave without a wait: lost with a process, the next timed
// evaluation re-derives them.
inline constexpr char kAppliedHeader[] = "applied";
using AppliedOffsets = std::map<std::pair<std::string, int32_t>, int64_t>;
std::string FormatApplied(const AppliedOffsets& applied);
// Entries that do not parse are skipped.
AppliedOffsets ParseApplied(const std::string& header);

struct RebuildSources {
  kafka::ClientOptions client;
  // Full topic names.
  std::string alerts_topic;
  std::string audit_topic;
  std::string status_topic;
  std::vector<std::string> domain_topics;
  // The pipeline's consumer group, whose committed offsets bound the figures replayed (but for
  // figures whose later records were already published).
  std::string group_id;
};

// What a rebuild restored, for the log and the tests.
struct RebuildCounts {
  size_t alerts = 0;
  size_t audit_records = 0;
  size_t levels = 0;
  size_t figures = 0;
  size_t tasks = 0;
  size_t prompts = 0;
  size_t silences = 0;
};

class LiveStateRebuild {
 public:
  // Nothing owned except the reference index; all must outlive this. The three states share one
  // Redis client (`redis`).
  LiveStateRebuild(RebuildSources sources, redis::Client* redis, LiveState* alerts,
                   LevelState* levels, WorkflowState* work, std::string prefix,
                   int64_t stream_max_entries, std::shared_ptr<const ReferenceIndex> reference,
                   const TriggerTables* tables, const AcuteFrameworks* acute, absl::TimeZone zone);

  // True when Redis holds the marker. UNAVAILABLE when Redis is down.
  absl::StatusOr<bool> Intact();

  // Rebuilds when the marker is missing (then sets it); nullopt when nothing was lost.
  // UNAVAILABLE when Kafka or Redis is down (retry).
  absl::StatusOr<std::optional<RebuildCounts>> RebuildIfLost(absl::Time now);

 private:
  absl::Status Write(std::vector<redis::Command>* batch, bool flush);
  absl::StatusOr<RebuildCounts> Rebuild(absl::Time now);

  RebuildSources sources_;
  redis::Client* redis_;
  LiveState* alerts_;
  LevelState* levels_;
  WorkflowState* work_;
  std::string prefix_;
  int64_t stream_max_entries_;
  std::shared_ptr<const ReferenceIndex> reference_;
  const TriggerTables* tables_;
  const AcuteFrameworks* acute_;
  absl::TimeZone zone_;
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_LIVE_STATE_REBUILD_H_
