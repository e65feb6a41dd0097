#include "services/escalation/indicator_pipeline.h"

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/log/log.h"
#include "common/scope/scope_key.h"
#include "services/escalation/core/alert_lifecycle.h"
#include "services/escalation/core/area_figures.h"
#include "services/escalation/core/event_figure.h"
#include "services/escalation/core/indicator_alerting.h"

namespace resilience::escalation {
namespace {

bool Retryable(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsAborted(s) || absl::IsDeadlineExceeded(s);
}

}  // namespace

IndicatorPipeline::IndicatorPipeline(kafka::Consumer* consumer, kafka::Producer* producer,
                                     LiveState* state, const TriggerTables* tables,
                                     std::shared_ptr<const ReferenceIndex> reference,
                                     MetricsRegistry* metrics, IndicatorPipelineOptions options,
                                     LevelRollUp* levels, const Clock* clock,
                                     const ActionCatalogue* catalogue,
                                     const AcuteFrameworks* acute, absl::TimeZone zone)
    : consumer_(consumer),
      producer_(producer),
      state_(state),
      tables_(tables),
      reference_(std::move(reference)),
      options_(std::move(options)),
      levels_(levels),
      clock_(clock),
      catalogue_(catalogue),
      acute_(acute),
      zone_(zone) {
  const std::string name = "resilience_escalation_events_total";
  const std::string help = "Domain events consumed by the escalation service, by outcome.";
  applied_ = metrics->GetCounter(name, help, R"(outcome="applied")");
  duplicates_ = metrics->GetCounter(name, help, R"(outcome="already_applied")");
  dead_lettered_ = metrics->GetCounter(name, help, R"(outcome="dead_lettered")");
  alerts_ = metrics->GetCounter("resilience_escalation_alert_transitions_total",
                                "Alert transitions recorded.");
  apply_seconds_ = metrics->GetHistogram("resilience_escalation_apply_seconds",
                                         "Time to apply one event, seconds.");
}

absl::Status IndicatorPipeline::Apply(const kafka::ConsumedRecord& record) {
  events::v1::DomainEvent received;
  if (!received.ParseFromString(record.value)) {
    return absl::InvalidArgumentError("value is not a resilience.events.v1.DomainEvent");
  }
  auto figure = FigureOfEvent(received, *reference_, *tables_, acute_, zone_);
  if (!figure.ok()) return figure.status();
  if (!figure->has_value()) {
    // Referral steps and placement milestones are the duty desk's.
    if (desk_ == nullptr) return absl::OkStatus();  // no duty desk: left in the log
    const auto& env = received.envelope();
    const absl::Time at = env.has_received_at() ? FromProtoTime(env.received_at())
                                                : FromProtoTime(env.occurred_at());
    return received.body_case() == events::v1::DomainEvent::kKeahReferral
               ? desk_->ApplyKeahReferral(received, at)
               : desk_->ApplyPlacementMilestone(received, at);
  }
  const events::v1::DomainEvent& event = (*figure)->event;
  const auto& env = event.envelope();
  const auto& observation = event.observation();
  const auto* indicator = (*figure)->indicator;
  const std::string& area = (*figure)->area_id;
  const v1::IndicatorEvidence& evidence = (*figure)->evidence;

  AlertContext context;
  context.scope_name = reference_->ScopeName(env.scope());
  context.indicator_name = indicator->name();
  context.area_id = area;
  context.catalogue = catalogue_;
  if (!indicator->responsible_role().empty()) {
    context.recipient_roles.push_back(indicator->responsible_role());
  }

  auto loaded = state_->Load(env.scope(), observation.indicator(), env.event_id());
  if (!loaded.ok()) return loaded.status();
  // Transition time is the platform's receipt of the observation, not the wall clock, so a
  // replay of the topic rebuilds identical alerts.
  const absl::Time at = FromProtoTime(evidence.provenance().accepted_at());
  if (loaded->already_applied) {
    duplicates_->Increment();
    // The roll-up may not have happened before a crash; it is idempotent, so do it again.
    return RollUp(env.scope(), area, *indicator, at, /*redelivered=*/true);
  }
  IndicatorAssessment assessment = AssessIndicator(loaded->record, evidence, context, at);
  if (assessment.superseded) {
    absl::Status marked = state_->MarkApplied(env.scope(), env.event_id());
    if (!marked.ok()) return marked;
    return RollUp(env.scope(), area, *indicator, at);
  }

  v1::AuditRecord audit;
  if (assessment.changed_alert.has_value()) {
    if (stamp_ != nullptr) stamp_->Stamp(&*assessment.changed_alert, at);
    const v1::Alert& alert = *assessment.changed_alert;
    audit = AlertAudit(alert, TransitionAction(alert), "system:escalation", alert.summary(), at,
                       absl::StrCat(alert.alert_id(), "#", alert.revision()));
    // Kafka is the record: the transition is published before the live view changes. A crash in
    // between republishes the same alert id and revision, which readers deduplicate.
    std::vector<absl::Status> sent = producer_->SendAll(
        {{options_.alerts_topic, alert.alert_id(), alert.SerializeAsString(),
          {{"revision", absl::StrCat(alert.revision())}}},
         {options_.audit_topic, alert.alert_id(), audit.SerializeAsString(),
          {{"audit_id", audit.audit_id()}}}});
    for (const absl::Status& s : sent) {
      if (!s.ok()) return s;
    }
  }
  auto stream_id = state_->Apply(env.scope(), observation.indicator(), env.event_id(),
                                 loaded->version, assessment, audit);
  if (!stream_id.ok()) return stream_id.status();
  applied_->Increment();
  if (!stream_id->empty()) alerts_->Increment();
  // Most figures repeat their predecessor's RAG: every level stays as it was, so the roll-ups
  // (the bulk of an event's cost) wait for the next timed evaluation to refresh their evidence.
  if (!FigureCanMoveLevels(loaded->record.has_value() ? &loaded->record->status : nullptr,
                           assessment.next.status, *indicator, env.scope(), at, zone_)) {
    return absl::OkStatus();
  }
  return RollUp(env.scope(), area, *indicator, at);
}

absl::Status IndicatorPipeline::RollUp(const common::v1::ScopeRef& scope,
                                       const std::string& area_id,
                                       const reference::v1::IndicatorDefinition& indicator,
                                       absl::Time at, bool redelivered) {
  if (levels_ == nullptr) return absl::OkStatus();
  bool county = scope.kind() == common::v1::SCOPE_KIND_COUNTY;
  // Whether a level moved: then the duty desk looks at what the levels call for (tasks,
  // prompts) at the figure's own time, so a replay opens the same tasks at the same times.
  bool moved = redelivered;
  if (indicator.counts_for_area_level() && !area_id.empty()) {
    auto changed = levels_->RecomputeArea(area_id, at);
    if (!changed.ok()) return changed.status();
    county = county || *changed;
    moved = moved || *changed;
  }
  if (scope.kind() == common::v1::SCOPE_KIND_ACUTE_SITE) {
    auto ics = levels_->RecomputeIcs(at);
    if (!ics.ok()) return ics.status();
    // A site's own level is one the desk watches (prompts, the extraordinary panel).
    moved = true;
  }
  // Every figure of a board area's localities or sites is one of its system triggers.
  common::v1::ScopeRef board_member = scope;
  if (!area_id.empty()) {
    board_member.set_kind(common::v1::SCOPE_KIND_AREA);
    board_member.set_id(area_id);
  }
  for (const std::string& board : levels_->BoardAreasOf(board_member)) {
    auto changed = levels_->RecomputeBoardArea(board, at);
    if (!changed.ok()) return changed.status();
    moved = moved || *changed;
  }
  if (county) {
    auto changed = levels_->RecomputeCounty(at);
    if (!changed.ok()) return changed.status();
    moved = moved || *changed;
  }
  if (moved && desk_ != nullptr) {
    // The desk's work is reviewed again on every tick: only an unavailable dependency is worth
    // holding the record for; anything else is logged and left to the next review.
    absl::Status reviewed = desk_->ReviewLevels(at);
    if (absl::IsUnavailable(reviewed)) return reviewed;
    if (!reviewed.ok()) Logger("escalation")->warn("duty desk review: {}", reviewed.ToString());
  }
  return absl::OkStatus();
}

absl::Status IndicatorPipeline::DeadLetter(const kafka::ConsumedRecord& record,
                                           const absl::Status& reason) {
  Logger("escalation")
      ->warn("dead-lettering {}[{}]@{}: {}", record.topic, record.partition, record.offset,
             reason.ToString());
  dead_lettered_->Increment();
  return producer_->Send({options_.dead_letter_topic,
                          record.key,
                          record.value,
                          {{"reason", reason.ToString()},
                           {"source_topic", record.topic},
                           {"source_partition", absl::StrCat(record.partition)},
                           {"source_offset", absl::StrCat(record.offset)}}});
}

bool IndicatorPipeline::ApplyUntilDone(const kafka::ConsumedRecord& record) {
  auto log = Logger("escalation");
  while (!stop_.HasBeenNotified()) {
    const absl::Time start = absl::Now();
    absl::Status status = Apply(record);
    apply_seconds_->Observe(absl::ToDoubleSeconds(absl::Now() - start));
    if (status.ok()) return true;
    if (!Retryable(status)) status = DeadLetter(record, status);
    if (status.ok()) return true;
    log->warn("retrying {}[{}]@{}: {}", record.topic, record.partition, record.offset,
              status.ToString());
    stop_.WaitForNotificationWithTimeout(options_.retry_backoff);
  }
  return false;
}

bool IndicatorPipeline::LiveViewWhole(absl::Time now) {
  if (rebuild_ == nullptr) return true;
  auto log = Logger("escalation");
  auto intact = rebuild_->Intact();
  if (intact.ok() && *intact) return true;
  if (intact.ok()) {
    // The rebuild re-derives figures up to the committed offsets and leaves the rest to this
    // pipeline: commit everything applied so far first, so nothing is applied twice.
    absl::Status committed = consumer_->CommitStored();
    if (!committed.ok()) {
      log->warn("live state lost; committing before the rebuild: {}", committed.ToString());
      return false;
    }
  }
  auto rebuilt = rebuild_->RebuildIfLost(now);
  if (!rebuilt.ok()) {
    log->warn("live state lost and not yet rebuilt: {}", rebuilt.status().ToString());
    return false;
  }
  if (rebuilt->has_value()) {
    const RebuildCounts& c = **rebuilt;
    log->warn("Redis had lost the live state: rebuilt from Kafka ({} alerts, {} audit "
              "records, {} levels, {} figures, {} tasks, {} prompts, {} silences)",
              c.alerts, c.audit_records, c.levels, c.figures, c.tasks, c.prompts, c.silences);
  }
  return true;
}

void IndicatorPipeline::Run() {
  auto log = Logger("escalation");
  absl::Time next_tick = absl::Now();
  while (!stop_.HasBeenNotified()) {
    if (levels_ != nullptr && absl::Now() >= next_tick) {
      // Holds expire and figures go stale with time alone.
      next_tick = absl::Now() + options_.level_tick;
      const absl::Time now = clock_->Now();
      if (!LiveViewWhole(now)) {
        // Nothing is applied onto a view that lost its past: wait and try again.
        next_tick = absl::Now() + options_.retry_backoff;
        continue;
      }
      absl::Status ticked = levels_->RecomputeAll(now);
      if (!ticked.ok()) log->warn("timed level evaluation: {}", ticked.ToString());
      if (desk_ != nullptr) {
        auto ran = desk_->Tick(now);
        if (!ran.ok()) log->warn("timed duty desk work: {}", ran.status().ToString());
      }
    }
    auto polled = consumer_->Poll(absl::Milliseconds(200));
    if (!polled.ok()) {
      log->warn("poll: {}", polled.status().ToString());
      stop_.WaitForNotificationWithTimeout(options_.retry_backoff);
      continue;
    }
    if (!polled->has_value()) continue;
    const kafka::ConsumedRecord& record = **polled;
    // Redis may have been wiped since the last record: every record checks the marker first
    // (one round trip), so none is applied onto an empty view.
    if (!LiveViewWhole(clock_->Now())) {
      absl::Status rewound = consumer_->Rewind(record);
      if (!rewound.ok()) log->warn("rewind: {}", rewound.ToString());
      stop_.WaitForNotificationWithTimeout(options_.retry_backoff);
      continue;
    }
    if (!ApplyUntilDone(record)) break;  // stopping: not committed, so redelivered on restart
    absl::Status committed = consumer_->Commit(record);
    if (!committed.ok()) {
      // Harmless: the record will be redelivered and found already applied.
      log->warn("commit: {}", committed.ToString());
    }
  }
  consumer_->Close();
}

}  // namespace resilience::escalation
