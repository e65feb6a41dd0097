#include "services/escalation/indicator_pipeline.h"

#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
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

// The records of an alert transition: the alert, then its audit record.
std::vector<kafka::OutgoingRecord> AlertRecords(const IndicatorPipelineOptions& options,
                                                const v1::Alert& alert,
                                                const v1::AuditRecord& audit) {
  return {{options.alerts_topic, alert.alert_id(), alert.SerializeAsString(),
           {{"revision", absl::StrCat(alert.revision())}}},
          {options.audit_topic, alert.alert_id(), audit.SerializeAsString(),
           {{"audit_id", audit.audit_id()}}}};
}

// Waves are keyed by the figure's (scope, indicator) pair.
std::string PairOf(const EventFigure& figure) {
  return FigureKey(figure.event.envelope().scope(), figure.event.observation().indicator());
}

}  // namespace

// A figure of a wave (ApplyBatch): decoded, then loaded and assessed with the wave; `fast`
// while it stays on the wave's path, `roll_up` when its levels must be computed after it.
struct IndicatorPipeline::WaveFigure {
  const kafka::ConsumedRecord* record = nullptr;
  EventFigure figure;
  LoadedIndicator loaded;
  IndicatorAssessment assessment;
  v1::AuditRecord audit;
  absl::Time at;
  // The wave's previous figure of the same pair, which this one starts from.
  std::optional<size_t> chained_to;
  bool fast = false;
  bool roll_up = false;
};

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

void IndicatorPipeline::SetDutyDesk(DutyDesk* desk, NotificationStamp* stamp) {
  desk_ = desk;
  stamp_ = stamp;
  desk_figures_.clear();
  if (desk_ != nullptr) {
    desk_figures_.insert(desk_->FiguresReviewed().begin(), desk_->FiguresReviewed().end());
  }
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

  auto loaded = state_->Load(env.scope(), observation.indicator(), env.event_id());
  if (!loaded.ok()) return loaded.status();
  const std::string figure_key = FigureKey(env.scope(), observation.indicator());
  // What Redis holds now, whatever an earlier attempt that failed left there.
  if (levels_ != nullptr && loaded->record.has_value()) {
    levels_->FigureStored(figure_key, loaded->record->status);
  }
  // Transition time is the platform's receipt of the observation, not the wall clock, so a
  // replay of the topic rebuilds identical alerts.
  const absl::Time at = FromProtoTime((*figure)->evidence.provenance().accepted_at());
  // Statuses published from here on say this record was applied (its figure is, or is held).
  auto reached = [&] {
    if (levels_ != nullptr) levels_->Reached(record.topic, record.partition, record.offset);
  };
  if (loaded->already_applied) {
    reached();
    duplicates_->Increment();
    // The roll-up may not have happened before a crash; it is idempotent, so do it again.
    return RollUp(env.scope(), area, *indicator, at, /*redelivered=*/true);
  }
  v1::AuditRecord audit;
  IndicatorAssessment assessment = Assess(**figure, *loaded, at, &audit);
  if (assessment.superseded) {
    absl::Status marked = state_->MarkApplied(env.scope(), env.event_id());
    if (!marked.ok()) return marked;
    reached();
    return RollUp(env.scope(), area, *indicator, at);
  }

  if (assessment.changed_alert.has_value()) {
    // Kafka is the record: the transition is published before the live view changes. A crash in
    // between republishes the same alert id and revision, which readers deduplicate.
    for (const absl::Status& s :
         producer_->SendAll(AlertRecords(options_, *assessment.changed_alert, audit))) {
      if (!s.ok()) return s;
    }
  }
  auto stream_id = state_->Apply(env.scope(), observation.indicator(), env.event_id(),
                                 loaded->version, assessment, audit);
  if (!stream_id.ok()) return stream_id.status();
  if (levels_ != nullptr) levels_->FigureStored(figure_key, assessment.next.status);
  reached();
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

IndicatorAssessment IndicatorPipeline::Assess(const EventFigure& figure,
                                              const LoadedIndicator& loaded, absl::Time at,
                                              v1::AuditRecord* audit) {
  const auto* indicator = figure.indicator;
  AlertContext context;
  context.scope_name = reference_->ScopeName(figure.event.envelope().scope());
  context.indicator_name = indicator->name();
  context.area_id = figure.area_id;
  context.catalogue = catalogue_;
  if (!indicator->responsible_role().empty()) {
    context.recipient_roles.push_back(indicator->responsible_role());
  }
  IndicatorAssessment assessment = AssessIndicator(loaded.record, figure.evidence, context, at);
  if (!assessment.superseded && assessment.changed_alert.has_value()) {
    if (stamp_ != nullptr) stamp_->Stamp(&*assessment.changed_alert, at);
    const v1::Alert& alert = *assessment.changed_alert;
    *audit = AlertAudit(alert, TransitionAction(alert), "system:escalation", alert.summary(), at,
                        absl::StrCat(alert.alert_id(), "#", alert.revision()));
  }
  return assessment;
}

size_t IndicatorPipeline::ApplyBatch(const std::vector<kafka::ConsumedRecord>& records) {
  size_t done = 0;
  std::vector<WaveFigure> wave;
  absl::flat_hash_set<std::string> events;
  // Applies the wave gathered so far. False when stopping or the live view is lost.
  auto flush = [&]() {
    if (wave.empty()) return true;
    if (!LiveViewWhole(clock_->Now())) return false;
    // Each scope's evidence-only status is stored once, after the wave, not after every
    // roll-up, and each scope's roll-up inputs are read once in the wave.
    if (levels_ != nullptr) {
      levels_->BeginWave([this] { return store_pending_ ? store_pending_() : absl::OkStatus(); });
    }
    const bool applied = ApplyWave(wave);
    if (levels_ != nullptr) {
      absl::Status flushed = levels_->EndWave();
      // Only evidence is lost, and the next timed evaluation re-derives it.
      if (!flushed.ok()) Logger("escalation")->warn("level evidence not stored: {}", flushed.ToString());
    }
    if (!applied) return false;
    done += wave.size();
    wave.clear();
    events.clear();
    return true;
  };
  for (const kafka::ConsumedRecord& record : records) {
    events::v1::DomainEvent received;
    absl::StatusOr<std::optional<EventFigure>> figure =
        received.ParseFromString(record.value)
            ? FigureOfEvent(received, *reference_, *tables_, acute_, zone_)
            : absl::InvalidArgumentError("not a DomainEvent");
    if (figure.ok() && figure->has_value()) {
      const auto& env = (*figure)->event.envelope();
      std::string event = absl::StrCat(ScopeKey(env.scope()), "|", env.event_id());
      // An event delivered twice waits for the next wave, which finds it applied.
      if ((events.contains(event) || wave.size() >= options_.max_batch) && !flush()) return done;
      events.insert(std::move(event));
      WaveFigure& f = wave.emplace_back();
      f.record = &record;
      f.figure = std::move(**figure);
      continue;
    }
    // The duty desk's events and the unprocessable go alone, in their place.
    if (!flush() || !LiveViewWhole(clock_->Now()) || !ApplyUntilDone(record)) return done;
    ++done;
  }
  flush();
  return done;
}

bool IndicatorPipeline::ApplyWave(std::vector<WaveFigure>& wave) {
  const absl::Time start = absl::Now();
  // The latest figure of each pair so far: a later one of the pair starts from what it will
  // have stored, exactly what a load after it would return, so only its event is looked up.
  absl::flat_hash_map<std::string, size_t> latest;
  std::vector<IndicatorKeyRef> keys;
  keys.reserve(wave.size());
  for (size_t i = 0; i < wave.size(); ++i) {
    WaveFigure& f = wave[i];
    auto [before, first] = latest.try_emplace(PairOf(f.figure), i);
    if (!first) {
      f.chained_to = before->second;
      before->second = i;
    }
    const auto& env = f.figure.event.envelope();
    keys.push_back({&env.scope(), f.figure.event.observation().indicator(), env.event_id(),
                    /*seen_only=*/f.chained_to.has_value()});
  }
  auto loaded = state_->LoadMany(keys);
  std::vector<kafka::OutgoingRecord> sends;
  std::vector<size_t> sender;  // the wave index of each record in `sends`
  if (loaded.ok()) {
    for (size_t i = 0; i < wave.size(); ++i) {
      WaveFigure& f = wave[i];
      // Redeliveries and failed loads go alone (Apply rolls a redelivery up again).
      if (!(*loaded)[i].ok() || (*loaded)[i]->already_applied) continue;
      f.loaded = *std::move((*loaded)[i]);
      if (f.chained_to.has_value()) {
        const WaveFigure& p = wave[*f.chained_to];
        if (!p.fast) continue;  // alone: it loads what that one left
        f.loaded.record = p.assessment.next;
        // The alert as stored: stamped.
        if (p.assessment.changed_alert.has_value()) {
          f.loaded.record->alert = p.assessment.changed_alert;
        }
        f.loaded.version = p.loaded.version + 1;
      }
      f.at = FromProtoTime(f.figure.evidence.provenance().accepted_at());
      f.assessment = Assess(f.figure, f.loaded, f.at, &f.audit);
      if (f.assessment.superseded) continue;
      f.fast = true;
      f.roll_up = FigureCanMoveLevels(
          f.loaded.record.has_value() ? &f.loaded.record->status : nullptr,
          f.assessment.next.status, *f.figure.indicator, f.figure.event.envelope().scope(), f.at,
          zone_);
      if (f.assessment.changed_alert.has_value()) {
        for (auto& r : AlertRecords(options_, *f.assessment.changed_alert, f.audit)) {
          sends.push_back(std::move(r));
          sender.push_back(i);
        }
      }
    }
  }
  // Kafka is the record: every transition of the wave is published, with one wait, before the
  // live view changes. A figure whose transition was not confirmed goes alone.
  if (!sends.empty()) {
    std::vector<absl::Status> sent = producer_->SendAll(sends);
    for (size_t k = 0; k < sent.size(); ++k) {
      if (!sent[k].ok()) wave[sender[k]].fast = false;
    }
    // A figure started from one that now goes alone goes alone too (it reloads). Should its
    // own transition have been recorded meanwhile, going alone records the same one again
    // (same alert id and revision), which readers deduplicate.
    for (WaveFigure& f : wave) {
      if (f.fast && f.chained_to.has_value() && !wave[*f.chained_to].fast) f.fast = false;
    }
  }
  // The inputs of the wave's roll-ups (those RollUp runs for each figure due one) in one read.
  if (levels_ != nullptr) {
    std::vector<std::string> areas, boards;
    bool ics = false;
    for (const WaveFigure& f : wave) {
      if (!f.fast || !f.roll_up) continue;
      const common::v1::ScopeRef& scope = f.figure.event.envelope().scope();
      common::v1::ScopeRef board_member = scope;
      if (!f.figure.area_id.empty()) {
        if (f.figure.indicator->counts_for_area_level()) areas.push_back(f.figure.area_id);
        board_member.set_kind(common::v1::SCOPE_KIND_AREA);
        board_member.set_id(f.figure.area_id);
      }
      ics = ics || scope.kind() == common::v1::SCOPE_KIND_ACUTE_SITE;
      for (std::string& b : levels_->BoardAreasOf(board_member)) boards.push_back(std::move(b));
    }
    levels_->PreloadWave(areas, boards, ics);
  }
  // Fast figures are stored lazily: each is told to the roll-ups (their kept inputs) at once
  // and waits in `pending`, and the pending ones are stored in one round trip only when
  // something is about to read Redis (a roll-up's first read of a scope, the county, the duty
  // desk), before a figure that goes alone, once an alert transition among them has waited
  // behind `rollups_before_alert_stored` roll-ups, and at the end of the wave. Every read thus sees
  // the figures before it, and a wave costs a few round trips, not one per roll-up. A level
  // stored meanwhile may already count a pending figure: were the process to stop before
  // the figure is stored, its record (not committed) is applied again and rolls up again.
  std::vector<size_t> pending;  // told to the roll-ups, not yet stored
  std::vector<size_t> refused;  // pending figures Redis did not store
  // Roll-ups run since the oldest pending figure that moves its alert; unset when none.
  std::optional<size_t> behind_alert;
  size_t pending_for_desk = 0;  // pending figures the duty desk reviews
  desk_figures_pending_ = [&] { return pending_for_desk > 0; };
  store_pending_ = [&]() -> absl::Status {
    if (pending.empty()) return absl::OkStatus();
    std::vector<size_t> run;
    run.swap(pending);
    behind_alert.reset();
    pending_for_desk = 0;
    std::vector<IndicatorApply> applies;
    applies.reserve(run.size());
    for (size_t i : run) {
      const WaveFigure& f = wave[i];
      const auto& env = f.figure.event.envelope();
      applies.push_back({{&env.scope(), f.figure.event.observation().indicator(), env.event_id()},
                         f.loaded.version,
                         &f.assessment,
                         &f.audit});
    }
    auto applied = state_->ApplyMany(applies);
    for (size_t k = 0; k < run.size(); ++k) {
      if (applied.ok() && (*applied)[k].ok()) {
        applied_->Increment();
        if (!(*applied)[k]->empty()) alerts_->Increment();
      } else {
        refused.push_back(run[k]);
      }
    }
    if (refused.empty()) return absl::OkStatus();
    // The kept inputs count figures Redis does not hold: read afresh from here on.
    if (levels_ != nullptr) levels_->ForgetWaveInputs();
    return absl::AbortedError("figures of the wave not stored");
  };
  // Stores what is pending, then the refused figures (a conflict: another writer moved the
  // figure or its alert; Redis unavailable) and `also` (a figure whose roll-up was cut short)
  // go alone from the start, in order, which is idempotent by event id.
  auto settle = [&](std::optional<size_t> also) {
    (void)store_pending_();
    std::vector<size_t> alone;
    alone.swap(refused);
    if (also.has_value() && (alone.empty() || alone.back() != *also)) alone.push_back(*also);
    for (size_t i : alone) {
      if (!ApplyUntilDone(*wave[i].record)) return false;
    }
    return true;
  };
  bool whole = true;
  for (size_t i = 0; i < wave.size() && whole; ++i) {
    WaveFigure& f = wave[i];
    if (!f.fast) {
      whole = settle(i);
      continue;
    }
    pending.push_back(i);
    if (f.assessment.changed_alert.has_value() && !behind_alert.has_value()) behind_alert = 0;
    const std::string pair = PairOf(f.figure);
    if (desk_figures_.contains(pair)) ++pending_for_desk;
    if (levels_ != nullptr) levels_->FigureStored(pair, f.assessment.next.status);
    if (!f.roll_up) continue;
    // Statuses published from here on say this record (and those before it) was applied.
    if (levels_ != nullptr) {
      levels_->Reached(f.record->topic, f.record->partition, f.record->offset);
    }
    // An alert transition waits behind a bounded number of roll-ups, not the wave's end (a
    // wave behind a backlog can take a second): storing before every roll-up that follows
    // one cost a round trip per roll-up, most of a wave's time under the stress mix. A live
    // subscriber may thus see a level's alert a few milliseconds before the indicator alert
    // that moved it; the alerts topic, sent at the wave's start, keeps the indicator's first.
    absl::Status rolled = absl::OkStatus();
    if (behind_alert.has_value() && ++*behind_alert > options_.rollups_before_alert_stored) {
      rolled = store_pending_();
    }
    if (rolled.ok()) {
      rolled = RollUp(f.figure.event.envelope().scope(), f.figure.area_id, *f.figure.indicator,
                      f.at);
    }
    if (!rolled.ok()) whole = settle(i);
  }
  whole = whole && settle(std::nullopt);
  store_pending_ = nullptr;
  desk_figures_pending_ = nullptr;
  if (!whole) return false;
  // Each figure's share of the wave.
  const double share = absl::ToDoubleSeconds(absl::Now() - start) / wave.size();
  for (size_t i = 0; i < wave.size(); ++i) apply_seconds_->Observe(share);
  return true;
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
    LevelMove area_move;
    auto changed = levels_->RecomputeArea(area_id, at, &area_move);
    if (!changed.ok()) return changed.status();
    // A redelivery may find the area already stored by a predecessor that stopped before the
    // county: the county is recomputed too (idempotent), so it moves at this figure's time.
    county = county || *changed || redelivered;
    // Of an area's level the duty desk watches OPEL 4 alone (the extraordinary panel,
    // DutyDesk::ReviewLevels); what an area's move does to the county or its board areas is
    // counted below. An area leaving OPEL 4 opens or updates nothing.
    moved = moved || (*changed && area_move.effective_after == common::v1::OPEL_LEVEL_4_BLACK);
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
  // A board area's or the county's status can change without a move the desk acts on (its
  // coverage, its hold, a level below every threshold): only a move it watches is reviewed.
  auto watched = [&](common::v1::ScopeKind kind, common::v1::OpelLevel before,
                     common::v1::OpelLevel after) {
    return desk_ != nullptr && desk_->WatchesMove(kind, before, after);
  };
  for (const std::string& board : levels_->BoardAreasOf(board_member)) {
    LevelMove board_move;
    auto changed = levels_->RecomputeBoardArea(board, at, &board_move);
    if (!changed.ok()) return changed.status();
    moved = moved || (*changed && watched(common::v1::SCOPE_KIND_BOARD_AREA,
                                          board_move.computed_before, board_move.computed_after));
  }
  if (county) {
    LevelMove county_move;
    auto changed = levels_->RecomputeCounty(at, &county_move);
    if (!changed.ok()) return changed.status();
    moved = moved || (*changed && watched(common::v1::SCOPE_KIND_COUNTY,
                                          county_move.effective_before,
                                          county_move.effective_after));
  }
  if (moved && desk_ != nullptr) {
    // Of the figures the desk reads only the sites': when the wave holds one of them back, the
    // pending figures are stored first. The levels it reads are stored as they move.
    if (desk_figures_pending_ && desk_figures_pending_()) {
      absl::Status stored = store_pending_();
      if (!stored.ok()) return stored;
    }
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
    // Nothing is applied onto a view that lost its past: the caller leaves this record for
    // after the rebuild (LiveViewWhole), which retrying here would never reach.
    if (IsLiveViewLost(status)) {
      log->warn("{}[{}]@{} waits for the rebuild: {}", record.topic, record.partition,
                record.offset, status.ToString());
      return false;
    }
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
      const absl::Time tick_start = absl::Now();
      absl::Status ticked = levels_->RecomputeAll(now);
      if (!ticked.ok()) log->warn("timed level evaluation: {}", ticked.ToString());
      const absl::Time levels_done = absl::Now();
      if (desk_ != nullptr) {
        auto ran = desk_->Tick(now);
        if (!ran.ok()) log->warn("timed duty desk work: {}", ran.status().ToString());
      }
      // Records wait while the timed work runs: say so when it is long enough to be felt.
      if (absl::Now() - tick_start > absl::Milliseconds(100)) {
        log->info("timed work held the pipeline {} (levels {}, duty desk {})",
                  absl::FormatDuration(absl::Now() - tick_start),
                  absl::FormatDuration(levels_done - tick_start),
                  absl::FormatDuration(absl::Now() - levels_done));
      }
    }
    auto polled = consumer_->Poll(absl::Milliseconds(200));
    if (!polled.ok()) {
      log->warn("poll: {}", polled.status().ToString());
      stop_.WaitForNotificationWithTimeout(options_.retry_backoff);
      continue;
    }
    if (!polled->has_value()) continue;
    // With the records already fetched: the batch costs round trips per wave, not per record.
    std::vector<kafka::ConsumedRecord> batch;
    batch.push_back(std::move(**polled));
    while (batch.size() < options_.max_batch) {
      auto more = consumer_->Poll(absl::ZeroDuration());
      if (!more.ok() || !more->has_value()) break;
      batch.push_back(std::move(**more));
    }
    const size_t done = ApplyBatch(batch);
    // Commit each partition's last record dealt with; the rest is redelivered.
    absl::flat_hash_map<std::pair<std::string, int32_t>, size_t> last_done, first_left;
    for (size_t i = 0; i < batch.size(); ++i) {
      auto partition = std::make_pair(batch[i].topic, batch[i].partition);
      if (i < done) {
        last_done[partition] = i;
      } else {
        first_left.try_emplace(partition, i);
      }
    }
    for (const auto& [partition, i] : last_done) {
      absl::Status committed = consumer_->Commit(batch[i]);
      // Harmless: the record will be redelivered and found already applied.
      if (!committed.ok()) log->warn("commit: {}", committed.ToString());
    }
    if (done == batch.size()) continue;
    if (stop_.HasBeenNotified()) break;  // the rest is not committed, so redelivered on restart
    // The live view was lost: nothing is applied onto a view that lost its past. Each
    // partition goes back to its first record not applied; wait and try again.
    for (const auto& [partition, i] : first_left) {
      absl::Status rewound = consumer_->Rewind(batch[i]);
      if (!rewound.ok()) log->warn("rewind: {}", rewound.ToString());
      if (levels_ != nullptr) {
        levels_->RewoundTo(batch[i].topic, batch[i].partition, batch[i].offset);
      }
    }
    stop_.WaitForNotificationWithTimeout(options_.retry_backoff);
  }
  consumer_->Close();
}

}  // namespace resilience::escalation
