#include "services/workforce/change_recorder.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "common/ids/uuid.h"
#include "common/scope/scope_key.h"
#include "services/workforce/core/staffing_report.h"
#include "services/workforce/core/workforce_update.h"

namespace resilience::workforce {
namespace {

common::v1::UpdateAck Ack(const std::string& update_id, common::v1::UpdateAck::Outcome outcome,
                          std::string message) {
  common::v1::UpdateAck ack;
  ack.set_update_id(update_id);
  ack.set_outcome(outcome);
  ack.set_message(std::move(message));
  return ack;
}

}  // namespace

std::string ChangeEventId(const std::string& provider_id, const std::string& update_id) {
  return NameBasedUuid(absl::StrCat("workforce/change/", provider_id), update_id);
}

ChangeRecorder::ChangeRecorder(WorkforceState* state, kafka::Producer* producer,
                               const Clock* clock, MetricsRegistry* metrics,
                               ChangeRecorderOptions options)
    : state_(state), producer_(producer), clock_(clock), options_(std::move(options)) {
  const std::string name = "resilience_workforce_updates_total";
  const std::string help = "Workforce updates by outcome.";
  accepted_ = metrics->GetCounter(name, help, R"(outcome="accepted")");
  duplicate_ = metrics->GetCounter(name, help, R"(outcome="duplicate")");
  rejected_ = metrics->GetCounter(name, help, R"(outcome="rejected")");
  retry_ = metrics->GetCounter(name, help, R"(outcome="retry")");
  writer_ = std::thread([this] { WriteLoop(); });
}

ChangeRecorder::~ChangeRecorder() {
  {
    absl::MutexLock lock(&queue_mu_);
    stop_ = true;
  }
  writer_.join();
}

void ChangeRecorder::Submit(v1::WorkforceUpdate update, std::string provider_id,
                            std::function<void(common::v1::UpdateAck)> done) {
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back({std::move(update), std::move(provider_id), std::move(done)});
}

void ChangeRecorder::WriteLoop() {
  while (true) {
    std::deque<Pending> batch;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](ChangeRecorder* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->queue_mu_) {
            return r->stop_ || !r->queue_.empty();
          },
          this));
      if (queue_.empty() && stop_) return;
      batch.swap(queue_);
    }
    WriteBatch(std::move(batch));
  }
}

void ChangeRecorder::WriteBatch(std::deque<Pending> batch) {
  const absl::Time now = clock_->Now();
  struct Accepted {
    Pending* pending;
    v1::WorkforceChange change;
    std::string change_id;
  };
  std::vector<Accepted> accepted;
  std::vector<std::pair<Pending*, common::v1::UpdateAck>> answered;
  {
    absl::MutexLock lock(&state_->mu);
    for (Pending& p : batch) {
      const std::string key = UpdateKey(p.provider_id, p.update.update_id());
      if (auto it = state_->acks.find(key); it != state_->acks.end()) {
        duplicate_->Increment();
        answered.emplace_back(&p, it->second);
        continue;
      }
      auto violations =
          ValidateWorkforceUpdate(p.update, state_->ledger, now, options_.max_future_skew);
      if (violations.empty() && options_.reference != nullptr) {
        if (auto denied = ProviderScopeViolation(*options_.reference, p.provider_id, p.update,
                                                 state_->ledger)) {
          violations.push_back(*std::move(denied));
        }
      }
      if (!violations.empty()) {
        rejected_->Increment();
        common::v1::UpdateAck ack = Ack(p.update.update_id(), common::v1::UpdateAck::OUTCOME_REJECTED,
                                        std::string(InvalidArgumentWithViolations(violations).message()));
        for (auto& v : violations) *ack.add_violations() = std::move(v);
        answered.emplace_back(&p, std::move(ack));
        continue;
      }
      v1::WorkforceChange change = ToChange(p.update, p.provider_id, now);
      const auto held = state_->ledger.LatestChangeAt(StaffingLedger::EntityKey(change));
      if (held.has_value() && FromProtoTime(change.occurred_at()) < *held) {
        // DESIGN 4.6: the later change wins; an older one arriving late is not applied.
        duplicate_->Increment();
        answered.emplace_back(
            &p, Ack(p.update.update_id(), common::v1::UpdateAck::OUTCOME_DUPLICATE,
                    "superseded: a later change to the same entity is already recorded"));
        continue;
      }
      accepted.push_back({&p, std::move(change), ChangeEventId(p.provider_id, p.update.update_id())});
    }
  }
  for (auto& [p, ack] : answered) p->done(std::move(ack));
  if (accepted.empty()) return;

  std::vector<kafka::OutgoingRecord> records;
  records.reserve(accepted.size());
  for (const Accepted& a : accepted) {
    records.push_back({options_.changes_topic, StaffingLedger::EntityKey(a.change),
                       a.change.SerializeAsString(), {{"event_id", a.change_id}}});
  }
  std::vector<absl::Status> sent = producer_->SendAll(records);

  std::vector<std::pair<Pending*, common::v1::UpdateAck>> results;
  {
    absl::MutexLock lock(&state_->mu);
    for (size_t i = 0; i < accepted.size(); ++i) {
      Accepted& a = accepted[i];
      const std::string& update_id = a.pending->update.update_id();
      if (!sent[i].ok()) {
        retry_->Increment();
        results.emplace_back(a.pending,
                             Ack(update_id, common::v1::UpdateAck::OUTCOME_RETRY,
                                 absl::StrCat("not recorded, retry with the same update id: ",
                                              sent[i].message())));
        continue;
      }
      const std::vector<std::string> teams = TeamsTouched(a.change, state_->ledger);
      state_->ApplyLocked(a.change, a.change_id);
      common::v1::UpdateAck ack = Ack(update_id, common::v1::UpdateAck::OUTCOME_ACCEPTED, "accepted");
      ack.set_event_id(a.change_id);
      *ack.mutable_accepted_at() = a.change.provenance().accepted_at();
      const PublicationCause cause{a.change.provenance(), FromProtoTime(a.change.occurred_at())};
      for (const std::string& team : teams) {
        ack.add_event_ids(StaffingEventId(a.pending->provider_id, update_id, team));
        // As ApplyLocked noted it (no earlier than the team's last figure).
        auto noted = state_->latest_cause.find(team);
        state_->dirty[team] = noted != state_->latest_cause.end() ? noted->second : cause;
      }
      // The change may start or end later: make sure the publisher wakes then.
      for (absl::Time t : TransitionTimes(a.change)) {
        if (t > now && t < state_->next_transition) state_->next_transition = t;
      }
      common::v1::UpdateAck duplicate = ack;
      duplicate.set_outcome(common::v1::UpdateAck::OUTCOME_DUPLICATE);
      duplicate.set_message("duplicate: this update id was accepted before; nothing applied again");
      state_->acks[UpdateKey(a.pending->provider_id, update_id)] = std::move(duplicate);
      accepted_->Increment();
      results.emplace_back(a.pending, std::move(ack));
    }
  }
  for (auto& [p, ack] : results) p->done(std::move(ack));
}

absl::Status ChangeRecorder::RecordTeam(const reference::v1::Team& team,
                                        const std::string& changed_by, const std::string& reason) {
  std::vector<common::v1::FieldViolation> violations;
  if (!IsValidScopeId(team.id())) {
    violations.push_back(Violation("team.id", "must be 1-64 lower-case letters, digits or '-'"));
  }
  if (team.area_id().empty()) violations.push_back(Violation("team.area_id", "required"));
  if (team.kind() == reference::v1::TEAM_KIND_UNSPECIFIED) {
    violations.push_back(Violation("team.kind", "required"));
  }
  if (!(team.establishment_wte() > 0) || team.establishment_wte() > 10000) {
    violations.push_back(Violation("team.establishment_wte", "must be more than 0"));
  }
  if (changed_by.empty()) violations.push_back(Violation("changed_by", "required (audited)"));
  if (!violations.empty()) return InvalidArgumentWithViolations(violations);
  const absl::Time now = clock_->Now();
  v1::WorkforceChange change;
  change.mutable_provenance()->set_entered_by(changed_by);
  change.mutable_provenance()->set_accepted_by("workforce-service");
  *change.mutable_provenance()->mutable_accepted_at() = ToProtoTime(now);
  change.mutable_provenance()->set_update_id(absl::StrCat("team-change:", reason));
  *change.mutable_occurred_at() = ToProtoTime(now);
  *change.mutable_team() = team;
  absl::Status sent = producer_->Send(
      {options_.changes_topic, StaffingLedger::EntityKey(change), change.SerializeAsString(), {}});
  if (!sent.ok()) return sent;
  absl::MutexLock lock(&state_->mu);
  state_->ApplyLocked(change, ChangeEventId("", change.provenance().update_id()));
  auto noted = state_->latest_cause.find(team.id());
  state_->dirty[team.id()] = noted != state_->latest_cause.end()
                                 ? noted->second
                                 : PublicationCause{change.provenance(), now};
  return absl::OkStatus();
}

absl::Status ChangeRecorder::Rebuild(
    WorkforceState* state,
    const std::function<absl::Status(
        const std::function<absl::Status(const std::string&, const std::string&)>&)>& read) {
  return read([state](const std::string& key, const std::string& value) -> absl::Status {
    v1::WorkforceChange change;
    if (!change.ParseFromString(value)) {
      return absl::DataLossError(absl::StrCat("workforce-changes: unreadable record ", key));
    }
    absl::MutexLock lock(&state->mu);
    state->ApplyLocked(change, ChangeEventId(change.provenance().provider_id(),
                                             change.provenance().update_id()));
    return absl::OkStatus();
  });
}

}  // namespace resilience::workforce
