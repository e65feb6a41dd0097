#include "services/escalation/level_rollup.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/log/log.h"
#include "common/scope/scope_key.h"
#include "services/escalation/core/alert_lifecycle.h"
#include "services/escalation/core/area_figures.h"
#include "services/escalation/core/levels.h"
#include "services/escalation/core/opel_levels.h"
#include "services/escalation/core/scope_level.h"
#include "services/escalation/core/stale_data.h"
#include "services/escalation/core/time_rules.h"
#include "services/escalation/live_state_rebuild.h"

namespace resilience::escalation {
namespace {

constexpr const char* kReferralsIndicator = kReferralsIndicatorId;

common::v1::ScopeRef Scope(common::v1::ScopeKind kind, const std::string& id) {
  common::v1::ScopeRef s;
  s.set_kind(kind);
  s.set_id(id);
  return s;
}

}  // namespace

LevelRollUp::LevelRollUp(LevelState* state, kafka::Producer* producer,
                         std::shared_ptr<const ReferenceIndex> reference,
                         const TriggerTables* tables, LevelRollUpOptions options,
                         const ActionCatalogue* catalogue, const AcuteFrameworks* acute)
    : state_(state),
      producer_(producer),
      reference_(std::move(reference)),
      tables_(tables),
      options_(std::move(options)),
      catalogue_(catalogue),
      acute_(acute) {}

absl::StatusOr<RollUpInputs*> LevelRollUp::InputsOf(const common::v1::ScopeRef& scope,
                                                    const std::string& key,
                                                    const RollUpReads& reads, bool again,
                                                    RollUpInputs* scratch) {
  const bool keep = in_wave_;
  if (keep && !again) {
    if (auto it = wave_inputs_.find(key); it != wave_inputs_.end()) return &it->second;
  }
  if (before_read_) {
    absl::Status ready = before_read_();
    if (!ready.ok()) return ready;
  }
  auto loaded = state_->LoadForRollUp(scope, reads);
  if (!loaded.ok()) return loaded.status();
  if (!keep) {
    *scratch = *std::move(loaded);
    return scratch;
  }
  return &KeepInputs(key, reads, *std::move(loaded));
}

RollUpInputs& LevelRollUp::KeepInputs(const std::string& key, const RollUpReads& reads,
                                      RollUpInputs loaded) {
  if (indexed_scopes_.insert(key).second) {
    for (const std::string& figure : reads.figure_keys) figure_readers_[figure].push_back(key);
    for (size_t i = 0; i < reads.status_scopes.size(); ++i) {
      status_readers_[ScopeKey(reads.status_scopes[i])].push_back({key, i});
    }
  }
  RollUpInputs& kept = wave_inputs_[key];
  kept = std::move(loaded);
  return kept;
}

void LevelRollUp::PreloadWave(const std::vector<std::string>& area_ids,
                              const std::vector<std::string>& board_area_ids, bool ics) {
  if (!in_wave_) return;
  std::vector<const RollUpPlan*> plans;
  std::set<std::string> named;
  auto add = [&](const RollUpPlan& plan) {
    const std::string key = ScopeKey(plan.scope);
    if (!wave_inputs_.contains(key) && named.insert(key).second) plans.push_back(&plan);
  };
  for (const std::string& area : area_ids) {
    if (reference_->FindArea(area) != nullptr) add(AreaPlan(area));
  }
  for (const std::string& board : board_area_ids) add(BoardPlan(board));
  if (ics && acute_ != nullptr) add(IcsPlan());
  // An area that moves rolls up into the county.
  if (!area_ids.empty()) add(CountyPlan());
  if (plans.empty()) return;
  if (before_read_ && !before_read_().ok()) return;
  std::vector<LevelState::RollUpLoad> loads;
  loads.reserve(plans.size());
  for (const RollUpPlan* plan : plans) loads.push_back({&plan->scope, &plan->reads});
  auto loaded = state_->LoadManyForRollUp(loads);
  if (!loaded.ok()) return;  // each roll-up reads for itself, and reports the failure
  for (size_t i = 0; i < plans.size(); ++i) {
    if ((*loaded)[i].ok()) {
      KeepInputs(ScopeKey(plans[i]->scope), plans[i]->reads, *std::move((*loaded)[i]));
    }
  }
}

const LevelRollUp::RollUpPlan& LevelRollUp::AreaPlan(const std::string& area_id) {
  const common::v1::ScopeRef scope = Scope(common::v1::SCOPE_KIND_AREA, area_id);
  auto [it, added] = plans_.try_emplace(ScopeKey(scope));
  if (added) {
    it->second.scope = scope;
    it->second.expected = ExpectedAreaFigures(*reference_, area_id);
    for (const auto& f : it->second.expected) it->second.reads.figure_keys.push_back(f.key);
    it->second.reads.stale_alerts = true;
  }
  return it->second;
}

const LevelRollUp::RollUpPlan& LevelRollUp::BoardPlan(const std::string& board_area_id) {
  const common::v1::ScopeRef scope = Scope(common::v1::SCOPE_KIND_BOARD_AREA, board_area_id);
  auto [it, added] = plans_.try_emplace(ScopeKey(scope));
  if (added) {
    it->second.scope = scope;
    it->second.expected = ExpectedBoardFigures(*reference_, board_area_id);
    for (const auto& f : it->second.expected) it->second.reads.figure_keys.push_back(f.key);
  }
  return it->second;
}

const LevelRollUp::RollUpPlan& LevelRollUp::CountyPlan() {
  const common::v1::ScopeRef scope =
      Scope(common::v1::SCOPE_KIND_COUNTY, reference_->data().county_id());
  auto [it, added] = plans_.try_emplace(ScopeKey(scope));
  if (added) {
    it->second.scope = scope;
    it->second.expected = ExpectedCountyFigures(*reference_);
    for (const auto& f : it->second.expected) it->second.reads.figure_keys.push_back(f.key);
    for (const auto& area : reference_->data().areas()) {
      it->second.reads.status_scopes.push_back(Scope(common::v1::SCOPE_KIND_AREA, area.id()));
    }
  }
  return it->second;
}

const LevelRollUp::RollUpPlan& LevelRollUp::IcsPlan() {
  const common::v1::ScopeRef scope = Scope(common::v1::SCOPE_KIND_ICS, reference_->data().ics_id());
  auto [it, added] = plans_.try_emplace(ScopeKey(scope));
  if (added) {
    it->second.scope = scope;
    for (const auto& site : reference_->data().acute_sites()) {
      it->second.reads.figure_keys.push_back(
          FigureKey(Scope(common::v1::SCOPE_KIND_ACUTE_SITE, site.id()), kAcuteIndicator));
    }
  }
  return it->second;
}

void LevelRollUp::FigureStored(const std::string& figure_key, const v1::IndicatorStatus& status) {
  if (wave_inputs_.empty()) return;
  auto readers = figure_readers_.find(figure_key);
  if (readers == figure_readers_.end()) return;
  for (const std::string& scope : readers->second) {
    if (auto it = wave_inputs_.find(scope); it != wave_inputs_.end()) {
      it->second.figures[figure_key] = status;
    }
  }
}

void LevelRollUp::StatusStored(const std::string& scope_key, const v1::LevelStatus& status) {
  if (wave_inputs_.empty()) return;
  auto readers = status_readers_.find(scope_key);
  if (readers == status_readers_.end()) return;
  for (const auto& [reader, i] : readers->second) {
    if (auto it = wave_inputs_.find(reader); it != wave_inputs_.end()) {
      it->second.statuses[i] = status;
    }
  }
}

absl::StatusOr<bool> LevelRollUp::Recompute(
    const common::v1::ScopeRef& scope, const std::string& name, const std::string& area_id,
    const std::string& rule, const std::vector<std::string>& roles, absl::Time now,
    const RollUpReads& reads, const ComputeLevel& compute,
    const std::function<void(ScopeLevelContext*)>& extra, const ReviewInputs& review,
    LevelMove* move) {
  const std::string key = ScopeKey(scope);
  auto recompute = [&](RollUpInputs* scratch, RollUpInputs** used,
                       common::v1::OpelLevel* level_after) -> absl::StatusOr<bool> {
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto inputs = InputsOf(scope, key, reads, /*again=*/attempt > 0, scratch);
      if (!inputs.ok()) return inputs.status();
      RollUpInputs& in = **inputs;
      *used = &in;
      const bool kept = &in != scratch;
      const int64_t version = in.level.version;
      const common::v1::OpelLevel current = in.level.record.has_value()
                                                ? in.level.record->status.computed_level()
                                                : common::v1::OPEL_LEVEL_UNSPECIFIED;
      *level_after = current;
      if (move != nullptr) {
        move->computed_before = current;
        move->effective_before = in.level.record.has_value()
                                     ? in.level.record->status.effective_level()
                                     : common::v1::OPEL_LEVEL_UNSPECIFIED;
      }
      ScopeLevelContext context;
      context.scope = scope;
      context.scope_name = name;
      context.area_id = area_id;
      context.rule = rule;
      context.recipient_roles = roles;
      context.catalogue = catalogue_;
      context.rules_version = options_.rules_version;
      std::optional<double> referrals, limit;
      auto computed = compute(in, current, &context.evidence, &referrals, &limit);
      if (!computed.ok()) return computed.status();
      if (extra) extra(&context);
      const HoldRule hold{options_.step_down_hold, limit};
      // Kept inputs stay as Redis holds them: the assessment starts from a copy.
      std::optional<ScopeLevelRecord> record =
          kept ? in.level.record : std::move(in.level.record);
      if (record.has_value() && !in.level.alert_id.empty() &&
          NextComputedLevel(record, *computed, referrals, hold, now) != current) {
        auto alert = state_->alerts()->GetAlert(in.level.alert_id);
        if (!alert.ok()) return alert.status();
        record->alert = *std::move(alert);
      }
      ScopeLevelAssessment a = AssessScopeLevel(std::move(record), *computed, referrals, hold,
                                                std::move(context), now);
      const bool changed = a.status_changed || a.changed_alert.has_value();
      if (move != nullptr) {
        move->computed_after = a.next.status.computed_level();
        move->effective_after = a.next.status.effective_level();
      }
      // Stored as computed: a status kept from earlier in the wave would now be older than it.
      if (!changed) {
        if (in_wave_) kept_evidence_.erase(key);
        return false;
      }
      *level_after = a.next.status.computed_level();
      if (a.only_evidence_changed && in_wave_) {
        kept_evidence_[key] = {scope, version, std::move(a)};
        return false;
      }
      if (a.changed_alert.has_value() && options_.stamp != nullptr) {
        options_.stamp->Stamp(&*a.changed_alert, now);
      }
      if (a.only_evidence_changed) {
        // New values behind an unchanged level: the status topic gets them without this event
        // waiting for the broker (ordered behind earlier statuses of the scope by the idempotent
        // producer). Were this one lost, a Redis rebuild would start from the previous values
        // and the first timed evaluation after it re-derives them from the rebuilt figures.
        producer_->SendAsync({options_.status_topic, key, a.next.status.SerializeAsString(),
                              StatusHeaders()},
                             [key](absl::Status sent) {
                               if (!sent.ok()) {
                                 Logger("escalation")->warn("status of {} not published: {}", key,
                                                            sent.ToString());
                               }
                             });
        auto stored = state_->Store(scope, version, a, v1::AuditRecord());
        // Nothing that rolls up further or that the duty desk watches moved.
        if (stored.ok()) return false;
        if (!absl::IsAborted(stored.status())) return stored.status();
        continue;
      }

      v1::AuditRecord audit;
      std::vector<kafka::OutgoingRecord> records = {
          {options_.status_topic, key, a.next.status.SerializeAsString(), StatusHeaders()}};
      if (a.changed_alert.has_value()) {
        const v1::Alert& alert = *a.changed_alert;
        audit = AlertAudit(alert, TransitionAction(alert), "system:escalation", alert.summary(),
                           now, absl::StrCat(alert.alert_id(), "#", alert.revision()));
        records.push_back({options_.alerts_topic, alert.alert_id(), alert.SerializeAsString(),
                           {{"revision", absl::StrCat(alert.revision())}}});
        records.push_back({options_.audit_topic, alert.alert_id(), audit.SerializeAsString(),
                           {{"audit_id", audit.audit_id()}}});
      }
      for (const absl::Status& s : producer_->SendAll(records)) {
        if (!s.ok()) return s;
      }
      auto stored = state_->Store(scope, version, a, audit);
      if (stored.ok()) {
        kept_evidence_.erase(key);  // this status is newer
        StatusStored(key, a.next.status);
        if (kept) {
          // What the store script left in Redis, as a load would read it (the alert by id).
          if (a.changed_alert.has_value()) in.level.alert_id = a.changed_alert->alert_id();
          a.next.alert.reset();
          in.level.record = std::move(a.next);
          in.level.version = version + 1;
        }
        return true;
      }
      if (!absl::IsAborted(stored.status())) return stored.status();
    }
    return absl::AbortedError(absl::StrCat("level of ", key, " kept changing"));
  };
  RollUpInputs scratch;
  RollUpInputs* used = nullptr;
  common::v1::OpelLevel level_after = common::v1::OPEL_LEVEL_UNSPECIFIED;
  absl::StatusOr<bool> moved = recompute(&scratch, &used, &level_after);
  if (moved.ok() && review) {
    absl::Status reviewed = review(*used, level_after);
    if (!reviewed.ok()) moved = reviewed;
  }
  // After a failure, what Redis holds is unknown (this scope's level, and so the county's
  // inputs): every roll-up from here reads afresh.
  if (!moved.ok()) wave_inputs_.clear();
  return moved;
}

std::vector<LevelInput> LevelRollUp::FigureInputs(
    const std::vector<ExpectedFigure>& expected,
    const std::map<std::string, v1::IndicatorStatus>& figures, common::v1::OpelLevel current,
    absl::Time now, std::map<std::string, const v1::IndicatorStatus*>* fresh) {
  std::vector<LevelInput> inputs;
  for (const auto& f : expected) {
    auto it = figures.find(f.key);
    if (it == figures.end()) {
      inputs.push_back({f.key, common::v1::OPEL_LEVEL_UNSPECIFIED, false});
      continue;
    }
    const auto* def = reference_->FindIndicator(f.indicator);
    const absl::Time updated = FromProtoTime(it->second.latest().provenance().accepted_at());
    const bool is_fresh =
        def == nullptr ||
        !MissedDeadline(def->cadence(), current, updated, now, options_.zone).has_value();
    inputs.push_back({f.key, it->second.held_level(), is_fresh});
    if (is_fresh) (*fresh)[f.key] = &it->second;
  }
  return inputs;
}

absl::Status LevelRollUp::ReviewStaleness(const std::vector<ExpectedFigure>& expected,
                                          RollUpInputs& read, common::v1::OpelLevel level,
                                          const std::string& area_id, absl::Time now) {
  if (read.stale_alerts.size() != expected.size()) {
    return absl::InternalError("staleness review without the figures' stale-data alerts");
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    const ExpectedFigure& f = expected[i];
    auto it = read.figures.find(f.key);
    const auto* def = reference_->FindIndicator(f.indicator);
    if (it == read.figures.end() || def == nullptr) continue;  // never reported: not stale, missing
    const absl::Time updated = FromProtoTime(it->second.latest().provenance().accepted_at());
    const auto missed = MissedDeadline(def->cadence(), level, updated, now, options_.zone);
    const std::string& open_id = read.stale_alerts[i];
    if (missed.has_value()) {
      v1::Alert alert = StaleDataAlert(f.scope, reference_->ScopeName(f.scope), area_id, *def,
                                       updated, *missed, level, now, options_.zone);
      if (alert.alert_id() == open_id) continue;  // raised already
      if (options_.stamp != nullptr) options_.stamp->Stamp(&alert, now);
      v1::AuditRecord audit = AlertAudit(alert, "alert.raised", "system:escalation",
                                         alert.summary(), now, absl::StrCat(alert.alert_id(), "#1"));
      for (const absl::Status& s : producer_->SendAll(
               {{options_.alerts_topic, alert.alert_id(), alert.SerializeAsString(), {{"revision", "1"}}},
                {options_.audit_topic, alert.alert_id(), audit.SerializeAsString(), {}}})) {
        if (!s.ok()) return s;
      }
      auto raised = state_->alerts()->RaiseStaleAlert(f.scope, f.indicator, alert, audit);
      if (!raised.ok()) return raised.status();
      // As Redis now holds it (an alert that existed already is not remembered again).
      if (!raised->empty()) read.stale_alerts[i] = alert.alert_id();
    } else if (!open_id.empty()) {
      auto current = state_->alerts()->GetAlert(open_id);
      if (!current.ok()) return current.status();
      // Only a newer figure than the one the alert is about resolves it (its id ends with that
      // figure's time), as of that figure's arrival: the outcome is the same whenever, and on
      // whichever instance, this runs.
      int64_t stale_ms = 0;
      (void)absl::SimpleAtoi(open_id.substr(open_id.rfind('/') + 1), &stale_ms);
      const bool newer = absl::ToUnixMillis(updated) > stale_ms;
      if (current->has_value() && (*current)->state() != v1::ALERT_STATE_RESOLVED) {
        if (!newer) continue;
        v1::Alert resolved = ResolveStaleDataAlert(**current, updated);
        if (options_.stamp != nullptr) options_.stamp->Stamp(&resolved, updated);
        v1::AuditRecord audit =
            AlertAudit(resolved, "alert.resolved", "system:escalation", "figure updated", updated,
                       absl::StrCat(resolved.alert_id(), "#", resolved.revision()));
        for (const absl::Status& s : producer_->SendAll(
                 {{options_.alerts_topic, resolved.alert_id(), resolved.SerializeAsString(),
                   {{"revision", absl::StrCat(resolved.revision())}}},
                  {options_.audit_topic, resolved.alert_id(), audit.SerializeAsString(), {}}})) {
          if (!s.ok()) return s;
        }
        auto stored = state_->alerts()->StoreTransition(resolved, (*current)->revision(), audit);
        if (!stored.ok() && !absl::IsAborted(stored.status())) return stored.status();
      }
      absl::Status forgot = state_->alerts()->ForgetStaleAlert(f.scope, f.indicator, open_id);
      if (!forgot.ok()) return forgot;
      read.stale_alerts[i].clear();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> LevelRollUp::RecomputeArea(const std::string& area_id, absl::Time now,
                                                LevelMove* move) {
  const auto* area = reference_->FindArea(area_id);
  if (area == nullptr) return absl::NotFoundError(absl::StrCat("no area '", area_id, "'"));
  const RollUpPlan& plan = AreaPlan(area_id);
  const std::vector<ExpectedFigure>& expected = plan.expected;
  return Recompute(
      plan.scope, area->name(), area_id, "area-level",
      {"stp_service_manager", "assistant_director"}, now, plan.reads,
      [&](const RollUpInputs& in, common::v1::OpelLevel current,
          std::vector<v1::IndicatorEvidence>* evidence, std::optional<double>* referrals,
          std::optional<double>* limit) -> absl::StatusOr<ComputedLevel> {
        std::map<std::string, const v1::IndicatorStatus*> fresh;
        const std::vector<LevelInput> inputs = FigureInputs(expected, in.figures, current, now, &fresh);
        ComputedLevel computed = LevelByQuorum(inputs, options_.area_quorum,
                                               static_cast<uint32_t>(expected.size()));
        for (const std::string& key : computed.because) {
          if (auto it = fresh.find(key); it != fresh.end()) evidence->push_back(it->second->latest());
        }
        // The hold's referral condition: the area's referrals against their normal level.
        const std::string referral_key =
            FigureKey(Scope(common::v1::SCOPE_KIND_AREA, area_id), kReferralsIndicator);
        if (const TriggerTable* t = tables_->Find(kReferralsIndicator, area_id);
            t != nullptr && t->config().normal_level() > 0) {
          *limit = t->config().normal_level();
          if (auto it = fresh.find(referral_key); it != fresh.end()) {
            *referrals = it->second->latest().value();
          }
        }
        return computed;
      },
      {},
      // The figures and open stale-data alerts the staleness review needs are those read with
      // the level: no second read.
      [&](RollUpInputs& read, common::v1::OpelLevel level) {
        return ReviewStaleness(expected, read, level, area_id, now);
      },
      move);
}

absl::StatusOr<bool> LevelRollUp::RecomputeCounty(absl::Time now, LevelMove* move) {
  const RollUpPlan& plan = CountyPlan();
  const std::vector<ExpectedFigure>& expected = plan.expected;
  const RollUpReads& reads = plan.reads;
  return Recompute(
      plan.scope, "Kent (county-wide)", "", "county-level",
      {"stp_service_manager", "director_asc"}, now, reads,
      [&](const RollUpInputs& in, common::v1::OpelLevel current,
          std::vector<v1::IndicatorEvidence>* evidence, std::optional<double>*,
          std::optional<double>*) -> absl::StatusOr<ComputedLevel> {
        std::vector<LevelInput> areas;
        for (size_t i = 0; i < reads.status_scopes.size(); ++i) {
          const auto& status = in.statuses[i];
          const bool known = status.has_value() && status->fresh_indicators() > 0;
          areas.push_back({"area/" + reads.status_scopes[i].id(),
                           known ? status->computed_level() : common::v1::OPEL_LEVEL_UNSPECIFIED,
                           known});
        }
        std::map<std::string, const v1::IndicatorStatus*> fresh;
        const std::vector<LevelInput> indicators =
            FigureInputs(expected, in.figures, current, now, &fresh);
        for (const auto& [key, status] : fresh) {
          if (status->held_level() >= common::v1::OPEL_LEVEL_4_BLACK) evidence->push_back(status->latest());
        }
        return CountyLevel(areas, indicators, options_.countywide_share);
      },
      {}, {}, move);
}

absl::StatusOr<bool> LevelRollUp::RecomputeIcs(absl::Time now) {
  if (acute_ == nullptr) return false;
  auto framework = acute_->Find("", now);
  if (!framework.ok()) return framework.status();
  const auto& d = reference_->data();
  std::optional<AcuteRollUp> rolled;
  const RollUpPlan& plan = IcsPlan();
  const std::vector<std::string>& keys = plan.reads.figure_keys;
  return Recompute(
      plan.scope, "Kent and Medway ICS", "", "ics-level",
      {"icb_commissioning_lead"}, now, plan.reads,
      [&](const RollUpInputs& in, common::v1::OpelLevel current,
          std::vector<v1::IndicatorEvidence>* evidence, std::optional<double>*,
          std::optional<double>*) -> absl::StatusOr<ComputedLevel> {
        const auto* figures = &in.figures;
        std::vector<WeightedScore> sites;
        ComputedLevel computed;
        computed.expected = static_cast<uint32_t>(keys.size());
        for (int i = 0; i < d.acute_sites_size(); ++i) {
          auto it = figures->find(keys[i]);
          if (it == figures->end()) continue;
          const absl::Time updated = FromProtoTime(it->second.latest().provenance().accepted_at());
          if (MissedDeadline(reference::v1::REPORTING_CADENCE_ACUTE_DAILY_BY_10, current, updated,
                             now, options_.zone)) {
            continue;
          }
          v1::AcuteScore score;
          score.set_score(it->second.latest().value());
          score.set_level(it->second.latest().level());
          const double weight = d.acute_sites(i).ics_weight();
          sites.push_back({score, weight});
          evidence->push_back(it->second.latest());
          ++computed.fresh;
        }
        computed.coverage = computed.expected > 0 ? double(computed.fresh) / computed.expected : 0;
        if (sites.empty()) return computed;
        auto r = RollUpAcuteScores(sites, **framework);
        if (!r.ok()) return r.status();
        rolled = *r;
        computed.level = r->aggregate.level();
        return computed;
      },
      [&](ScopeLevelContext* context) {
        // The plan's action matrix is KCC's; the ICS level is the NHS's, told to its lead.
        context->catalogue = nullptr;
        if (!rolled.has_value()) return;
        context->acute_score = rolled->aggregate;
        context->action_level = rolled->action_level;
      });
}

absl::StatusOr<bool> LevelRollUp::RecomputeBoardArea(const std::string& board_area_id,
                                                     absl::Time now, LevelMove* move) {
  const std::string name =
      reference_->ScopeName(Scope(common::v1::SCOPE_KIND_BOARD_AREA, board_area_id));
  const RollUpPlan& plan = BoardPlan(board_area_id);
  const std::vector<ExpectedFigure>& expected = plan.expected;
  return Recompute(
      plan.scope, name, "", "board-level",
      {"stp_service_manager", "assistant_director"}, now, plan.reads,
      [&](const RollUpInputs& in, common::v1::OpelLevel current,
          std::vector<v1::IndicatorEvidence>* evidence, std::optional<double>*,
          std::optional<double>*) -> absl::StatusOr<ComputedLevel> {
        std::map<std::string, const v1::IndicatorStatus*> fresh;
        const std::vector<LevelInput> inputs = FigureInputs(expected, in.figures, current, now, &fresh);
        ComputedLevel computed = LevelByQuorum(inputs, options_.system_quorum,
                                               static_cast<uint32_t>(expected.size()));
        for (const std::string& key : computed.because) {
          if (auto it = fresh.find(key); it != fresh.end()) evidence->push_back(it->second->latest());
        }
        return computed;
      },
      [&](ScopeLevelContext* context) {
        // A rise elsewhere in the system is KCC's to answer or decline (DESIGN 4.2): the board
        // level goes to the service manager and assistant director, not through KCC's matrix.
        context->catalogue = nullptr;
      },
      {}, move);
}

std::vector<std::string> LevelRollUp::BoardAreasOf(const common::v1::ScopeRef& scope) const {
  std::vector<std::string> out;
  for (const auto& b : reference_->data().board_areas()) {
    const auto& ids = scope.kind() == common::v1::SCOPE_KIND_ACUTE_SITE ? b.acute_site_ids() : b.area_ids();
    if (std::find(ids.begin(), ids.end(), scope.id()) != ids.end()) out.push_back(b.id());
  }
  return out;
}

void LevelRollUp::Reached(const std::string& topic, int32_t partition, int64_t offset) {
  int64_t& at = applied_.try_emplace({topic, partition}, -1).first->second;
  if (offset <= at) return;
  at = offset;
  applied_header_.clear();
}

void LevelRollUp::RewoundTo(const std::string& topic, int32_t partition, int64_t next_offset) {
  int64_t& at = applied_.try_emplace({topic, partition}, -1).first->second;
  if (next_offset - 1 >= at) return;
  at = next_offset - 1;
  applied_header_.clear();
}

kafka::Headers LevelRollUp::StatusHeaders() {
  if (applied_.empty()) return {};
  if (applied_header_.empty()) applied_header_ = FormatApplied(applied_);
  return {{kAppliedHeader, applied_header_}};
}

absl::Status LevelRollUp::EndWave() {
  in_wave_ = false;
  before_read_ = nullptr;
  wave_inputs_.clear();
  std::map<std::string, KeptEvidence> kept;
  kept.swap(kept_evidence_);
  std::vector<LevelStore> stores;
  stores.reserve(kept.size());
  for (const auto& [key, k] : kept) stores.push_back({&k.scope, k.version, &k.assessment});
  auto stored = state_->StoreMany(stores);
  if (!stored.ok()) return stored.status();
  size_t i = 0;
  for (const auto& [key, k] : kept) {
    const absl::Status& outcome = (*stored)[i++];
    if (absl::IsAborted(outcome)) continue;  // a newer status was stored meanwhile
    if (!outcome.ok()) return outcome;
    // Published once stored, so a status stored meanwhile by another writer is never followed
    // on the topic by this older one. Not waited for: lost, the previous values stand until the
    // next evaluation re-derives them (as after a Redis rebuild).
    producer_->SendAsync({options_.status_topic, key, k.assessment.next.status.SerializeAsString(),
                          StatusHeaders()},
                         [key](absl::Status sent) {
                           if (!sent.ok()) {
                             Logger("escalation")->warn("status of {} not published: {}", key,
                                                        sent.ToString());
                           }
                         });
  }
  return absl::OkStatus();
}

absl::Status LevelRollUp::RecomputeAll(absl::Time now) {
  for (const auto& area : reference_->data().areas()) {
    auto changed = RecomputeArea(area.id(), now);
    if (!changed.ok()) return changed.status();
  }
  for (const auto& board : reference_->data().board_areas()) {
    auto changed = RecomputeBoardArea(board.id(), now);
    if (!changed.ok()) return changed.status();
  }
  return RecomputeCounty(now).status();
}

}  // namespace resilience::escalation
