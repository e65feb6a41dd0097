#include "services/beds/change_writer.h"

#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "common/log/log.h"
#include "services/beds/core/bed_update.h"

namespace resilience::beds {
namespace {

common::v1::UpdateAck Ack(const std::string& update_id, common::v1::UpdateAck::Outcome outcome,
                          std::string message) {
  common::v1::UpdateAck ack;
  ack.set_update_id(update_id);
  ack.set_outcome(outcome);
  ack.set_message(std::move(message));
  return ack;
}

// True when `provider_id` may write the location: listed in its may_write, or running it.
bool MayWrite(const ReferenceIndex& reference, const std::string& provider_id,
              const reference::v1::Location& location) {
  if (!location.provider_id().empty() && location.provider_id() == provider_id) return true;
  const auto* provider = reference.FindProvider(provider_id);
  if (provider == nullptr) return false;
  for (const auto& scope : provider->may_write()) {
    if (scope.kind() == common::v1::SCOPE_KIND_LOCATION && scope.id() == location.id()) return true;
  }
  return false;
}

}  // namespace

ChangeWriter::ChangeWriter(BedsState* state, kafka::Producer* producer, const Clock* clock,
                           MetricsRegistry* metrics, ChangeWriterOptions options)
    : state_(state), producer_(producer), clock_(clock), options_(std::move(options)) {
  const std::string name = "resilience_beds_updates_total";
  const std::string help = "Bed updates by outcome.";
  accepted_ = metrics->GetCounter(name, help, R"(outcome="accepted")");
  duplicate_ = metrics->GetCounter(name, help, R"(outcome="duplicate")");
  rejected_ = metrics->GetCounter(name, help, R"(outcome="rejected")");
  retry_ = metrics->GetCounter(name, help, R"(outcome="retry")");
  writer_ = std::thread([this] { WriteLoop(); });
}

ChangeWriter::~ChangeWriter() {
  {
    absl::MutexLock lock(&queue_mu_);
    stop_ = true;
  }
  writer_.join();
}

void ChangeWriter::Submit(Write write) {
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back(std::move(write));
}

void ChangeWriter::WriteLoop() {
  while (true) {
    std::deque<Write> batch;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](ChangeWriter* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->queue_mu_) {
            return w->stop_ || !w->queue_.empty();
          },
          this));
      if (queue_.empty() && stop_) return;
      batch.swap(queue_);
    }
    WriteBatch(std::move(batch));
  }
}

void ChangeWriter::WriteBatch(std::deque<Write> batch) {
  const absl::Time now = clock_->Now();
  std::set<std::string> taken, blocked;
  std::deque<Write> deferred;
  struct Prepared {
    Write write;
    std::optional<Record> record;
    absl::Status status;
  };
  std::vector<Prepared> prepared;
  {
    absl::MutexLock lock(&state_->mu);
    for (const std::string& id : state_->board.ExpireHolds(now)) {
      state_->dirty.emplace(id, FigureCause{common::v1::Provenance(), now});
    }
    for (Write& w : batch) {
      bool clash = false;
      for (const auto& k : w.keys) clash = clash || taken.count(k) > 0 || blocked.count(k) > 0;
      if (clash) {
        blocked.insert(w.keys.begin(), w.keys.end());
        deferred.push_back(std::move(w));
        continue;
      }
      taken.insert(w.keys.begin(), w.keys.end());
      auto record = w.prepare(*state_, now);
      Prepared p{std::move(w), std::nullopt, record.status()};
      if (record.ok()) p.record = *std::move(record);
      prepared.push_back(std::move(p));
    }
  }
  if (!deferred.empty()) {  // they go first next time, in their order
    absl::MutexLock lock(&queue_mu_);
    for (auto it = deferred.rbegin(); it != deferred.rend(); ++it) {
      queue_.push_front(std::move(*it));
    }
  }
  std::vector<kafka::OutgoingRecord> records;
  std::vector<size_t> index;
  for (size_t i = 0; i < prepared.size(); ++i) {
    if (!prepared[i].status.ok() || !prepared[i].record.has_value()) continue;
    records.push_back({options_.changes_topic, prepared[i].record->key,
                       prepared[i].record->change.SerializeAsString(), {}});
    index.push_back(i);
  }
  if (!records.empty()) {
    std::vector<absl::Status> sent = producer_->SendAll(records);
    absl::MutexLock lock(&state_->mu);
    for (size_t j = 0; j < index.size(); ++j) {
      Prepared& p = prepared[index[j]];
      if (!sent[j].ok()) {
        p.status = absl::UnavailableError(
            absl::StrCat("not recorded, retry with the same id: ", sent[j].message()));
        continue;
      }
      p.write.commit(*state_, *p.record, now);
    }
  }
  for (Prepared& p : prepared) p.write.done(p.status);
}

void ChangeWriter::SubmitUpdate(v1::BedUpdate update, std::string provider_id,
                                std::function<void(UpdateResult)> done) {
  const std::string location_id = LocationOfUpdate(update);
  auto result = std::make_shared<UpdateResult>();
  auto u = std::make_shared<v1::BedUpdate>(std::move(update));
  Write w;
  w.keys = {LocationLogKey(location_id), UpdateKey(provider_id, u->update_id())};
  w.prepare = [this, u, provider_id, location_id, result](
                  BedsState& s, absl::Time now) -> absl::StatusOr<std::optional<Record>> {
    using A = common::v1::UpdateAck;
    if (auto it = s.accepted.find(UpdateKey(provider_id, u->update_id())); it != s.accepted.end()) {
      result->ack = Ack(u->update_id(), A::OUTCOME_DUPLICATE,
                        "duplicate: this update id was accepted before; nothing applied again");
      result->ack.set_event_id(ChangeEventId(provider_id, u->update_id()));
      result->ack.add_event_ids(result->ack.event_id());
      *result->ack.mutable_accepted_at() = ToProtoTime(it->second);
      duplicate_->Increment();
      return std::nullopt;
    }
    const v1::LocationRecord* record = s.board.Find(location_id);
    UpdateCheck check;
    if (record != nullptr && !MayWrite(*s.reference, provider_id, record->location())) {
      check.code = absl::StatusCode::kPermissionDenied;
      check.violations.push_back(Violation(
          "location_id", absl::StrCat("provider '", provider_id, "' may not write location '",
                                      location_id, "'")));
    } else {
      check = CheckBedUpdate(*u, record, now, options_.max_future_skew);
    }
    if (!check.ok()) {
      rejected_->Increment();
      result->code = check.code;
      result->ack = Ack(u->update_id(), A::OUTCOME_REJECTED,
                        absl::StrCat("rejected: ", InvalidArgumentWithViolations(check.violations)
                                                       .message()));
      for (auto& v : check.violations) *result->ack.add_violations() = std::move(v);
      return std::nullopt;
    }
    common::v1::Provenance p;
    p.set_provider_id(provider_id);
    p.set_update_id(u->update_id());
    p.set_accepted_by("beds-service");
    *p.mutable_accepted_at() = ToProtoTime(now);
    p.set_entered_by(u->entered_by());
    Record out;
    out.key = LocationLogKey(location_id);
    v1::LocationRecord* next = out.change.mutable_location();
    *next = *record;
    ApplyBedUpdate(*u, p, s.idempotency_window, next);
    return out;
  };
  w.commit = [this, u, provider_id, location_id, result](BedsState& s, const Record& r,
                                                         absl::Time now) {
    s.board.Put(r.change.location());
    s.RememberLocked(provider_id, u->update_id(), now, now);
    s.dirty[location_id] = FigureCause{r.change.location().provenance(), FromProtoTime(u->occurred_at())};
    result->ack = Ack(u->update_id(), common::v1::UpdateAck::OUTCOME_ACCEPTED, "accepted");
    result->ack.set_event_id(ChangeEventId(provider_id, u->update_id()));
    result->ack.add_event_ids(result->ack.event_id());
    *result->ack.mutable_accepted_at() = ToProtoTime(now);
    accepted_->Increment();
  };
  w.done = [this, u, result, done = std::move(done)](const absl::Status& status) {
    if (status.code() == absl::StatusCode::kUnavailable) {
      retry_->Increment();
      result->ack = Ack(u->update_id(), common::v1::UpdateAck::OUTCOME_RETRY,
                        std::string(status.message()));
    }
    done(std::move(*result));
  };
  Submit(std::move(w));
}

absl::Status ChangeWriter::Rebuild(
    BedsState* state,
    const std::function<absl::Status(
        const std::function<absl::Status(const std::string&, const std::string&)>&)>& read) {
  absl::MutexLock lock(&state->mu);
  absl::Status s = read([state](const std::string& key, const std::string& value) -> absl::Status {
    v1::BedsChange change;
    if (!change.ParseFromString(value)) {
      return absl::DataLossError(absl::StrCat("beds-changes: unreadable record ", key));
    }
    state->mu.AssertHeld();
    state->RestoreLocked(change);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  state->IndexAcceptedUpdatesLocked();
  return absl::OkStatus();
}

}  // namespace resilience::beds
