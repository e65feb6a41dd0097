#include "services/capacity/update_recorder.h"

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "capacity/v1/changes.pb.h"
#include "common/clock/proto_time.h"
#include "common/grpc/status_conversion.h"
#include "common/log/log.h"
#include "common/scope/scope_key.h"
#include "services/capacity/core/update_plan.h"
#include "services/capacity/core/update_validation.h"

namespace resilience::capacity {
namespace {

using Ack = common::v1::UpdateAck;

Ack MakeAck(const std::string& update_id, Ack::Outcome outcome, std::string message) {
  Ack ack;
  ack.set_update_id(update_id);
  ack.set_outcome(outcome);
  ack.set_message(std::move(message));
  return ack;
}

std::string ChangeKey(const std::string& provider_id, const std::string& update_id) {
  return absl::StrCat(provider_id, "/", update_id);
}

kafka::OutgoingRecord EventRecord(const std::string& topic, const v1::RecordedEvent& e) {
  return {topic, ScopeKey(e.event().envelope().scope()), e.event().SerializeAsString(),
          {{"event_id", e.event().envelope().event_id()}}};
}

}  // namespace

absl::Status RejectionStatus(absl::StatusCode code,
                             const std::vector<common::v1::FieldViolation>& violations) {
  absl::Status with_payload = InvalidArgumentWithViolations(violations);
  absl::Status out(code, with_payload.message());
  with_payload.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

UpdateRecorder::UpdateRecorder(CapacityState* state, std::shared_ptr<const ReferenceIndex> reference,
                               const CapacityRules* rules, kafka::Producer* producer,
                               const Clock* clock, MetricsRegistry* metrics,
                               UpdateRecorderOptions options)
    : state_(state),
      reference_(std::move(reference)),
      rules_(rules),
      producer_(producer),
      clock_(clock),
      options_(std::move(options)) {
  const std::string name = "resilience_capacity_updates_total";
  const std::string help = "Capacity updates answered, by outcome.";
  accepted_ = metrics->GetCounter(name, help, R"(outcome="accepted")");
  duplicate_ = metrics->GetCounter(name, help, R"(outcome="duplicate")");
  rejected_ = metrics->GetCounter(name, help, R"(outcome="rejected")");
  superseded_ = metrics->GetCounter(name, help, R"(outcome="superseded")");
  retry_ = metrics->GetCounter(name, help, R"(outcome="retry")");
  record_seconds_ = metrics->GetHistogram("resilience_capacity_record_seconds",
                                          "Time for Kafka to confirm one batch of updates.");
  batch_size_ = metrics->GetHistogram("resilience_capacity_batch_updates",
                                      "Updates recorded together in one Kafka batch.", "",
                                      {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096});
  remembered_ids_ = metrics->GetGauge("resilience_capacity_remembered_update_ids",
                                      "Accepted update ids answered DUPLICATE on a retry.");
  batches_in_flight_ = metrics->GetGauge("resilience_capacity_batches_in_flight",
                                         "Batches of updates sent to Kafka, not yet confirmed.");
  next_expiry_ = clock_->Now();
  writer_ = std::thread([this] { WriteLoop(); });
}

UpdateRecorder::~UpdateRecorder() {
  {
    absl::MutexLock lock(&queue_mu_);
    stop_ = true;
  }
  writer_.join();
}

void UpdateRecorder::Count(const Ack& ack) {
  switch (ack.outcome()) {
    case Ack::OUTCOME_ACCEPTED: accepted_->Increment(); break;
    case Ack::OUTCOME_DUPLICATE: duplicate_->Increment(); break;
    case Ack::OUTCOME_REJECTED: rejected_->Increment(); break;
    case Ack::OUTCOME_SUPERSEDED: superseded_->Increment(); break;
    case Ack::OUTCOME_RETRY: retry_->Increment(); break;
    default: break;
  }
}

void UpdateRecorder::Submit(Submission s, std::function<void(Answer)> done) {
  const absl::Time now = clock_->Now();
  const std::string& provider = s.provider->id();
  // A retry of an accepted update is answered as before, whatever it now contains.
  std::optional<Answer> duplicate;
  {
    absl::MutexLock lock(&state_->mu);
    if (const Ack* dup = state_->log.FindAccepted(provider, s.update.update_id(), now)) {
      duplicate = Answer{*dup, absl::OkStatus()};
      state_->log.RecordAnswer(provider, s.update, duplicate->ack, now, s.transport);
    }
  }
  if (duplicate.has_value()) {
    Count(duplicate->ack);
    done(*std::move(duplicate));
    return;
  }
  Verdict verdict =
      ValidateCapacityUpdate(s.update, s.bytes, *s.provider, *reference_, *rules_, now);
  if (!verdict.ok()) {
    absl::Status status = RejectionStatus(verdict.code, verdict.violations);
    Answer answer{MakeAck(s.update.update_id(), Ack::OUTCOME_REJECTED,
                          absl::StrCat("rejected: ", status.message())),
                  status};
    for (auto& v : verdict.violations) *answer.ack.add_violations() = std::move(v);
    {
      absl::MutexLock lock(&state_->mu);
      state_->log.RecordAnswer(provider, s.update, answer.ack, now, s.transport);
    }
    Count(answer.ack);
    done(std::move(answer));
    return;
  }
  absl::MutexLock lock(&queue_mu_);
  queue_.push_back({std::move(s), now, std::move(done)});
}

void UpdateRecorder::WriteLoop() {
  while (true) {
    std::deque<Pending> updates;
    std::deque<uint64_t> completed;
    bool done = false;
    {
      absl::MutexLock lock(&queue_mu_);
      struct Ready {
        UpdateRecorder* r;
        size_t in_flight;
        bool derived;
      } ready{this, in_flight_.size(), derived_ != nullptr};
      queue_mu_.AwaitWithTimeout(
          absl::Condition(
              +[](Ready* x) ABSL_EXCLUSIVE_LOCKS_REQUIRED(x->r->queue_mu_) {
                return !x->r->completed_.empty() ||
                       (!x->r->queue_.empty() &&
                        x->in_flight < x->r->options_.max_batches_in_flight) ||
                       (x->r->stop_ && x->in_flight == 0 && !x->derived);
              },
              &ready),
          options_.tick);
      completed.swap(completed_);
      const bool stalled = in_flight_.size() >= options_.max_batches_in_flight &&
                           in_flight_.begin()->second->answered_early;
      if (in_flight_.size() < options_.max_batches_in_flight || stalled) {
        while (!queue_.empty() && updates.size() < options_.max_batch_updates) {
          updates.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      done = stop_ && queue_.empty() && updates.empty() && completed.empty() &&
             in_flight_.empty() && derived_ == nullptr;
    }
    for (uint64_t id : completed) {
      if (id == kDerivedBatch) {
        FinishDerived();
      } else {
        Finish(id);
      }
    }
    AnswerOverdue(&updates);
    if (!updates.empty()) Send(std::move(updates));
    if (done) return;
    batches_in_flight_->Set(static_cast<double>(in_flight_.size()));
    const absl::Time now = clock_->Now();
    PublishTimeDriven(now);
    if (now >= next_expiry_) {
      Expire(now);
      next_expiry_ = now + absl::Minutes(1);
    }
  }
}

void UpdateRecorder::Reply(Pending& p, Ack ack, absl::Status status) {
  if (ack.outcome() != Ack::OUTCOME_ACCEPTED) {
    absl::MutexLock lock(&state_->mu);
    state_->log.RecordAnswer(p.submission.provider->id(), p.submission.update, ack, p.received_at,
                             p.submission.transport);
  }
  Count(ack);
  p.done(Answer{std::move(ack), std::move(status)});
}

void UpdateRecorder::Send(std::deque<Pending> updates) {
  auto batch = std::make_unique<Batch>();
  batch->id = next_batch_++;
  std::vector<std::pair<Pending, Ack>> answered;  // decided without Kafka
  {
    absl::MutexLock lock(&state_->mu);
    const FactLookup facts(&state_->facts, &pending_facts_);
    for (Pending& p : updates) {
      const v1::CapacityUpdate& u = p.submission.update;
      const std::string& provider = p.submission.provider->id();
      if (const Ack* dup = state_->log.FindAccepted(provider, u.update_id(), p.received_at)) {
        answered.emplace_back(std::move(p), *dup);
        continue;
      }
      const std::string key = ChangeKey(provider, u.update_id());
      if (auto it = in_flight_keys_.find(key); it != in_flight_keys_.end()) {
        // Being recorded already: answered as that copy is, or, if that copy was answered
        // RETRY while Kafka is slow, RETRY again now.
        Batch* holder = it->second.first == batch->id ? batch.get()
                                                      : in_flight_.at(it->second.first).get();
        if (holder->answered_early) {
          answered.emplace_back(
              std::move(p), MakeAck(u.update_id(), Ack::OUTCOME_RETRY,
                                    "not recorded yet (Kafka has not confirmed this update id's "
                                    "first copy), retry with the same update id"));
          continue;
        }
        holder->items[it->second.second].repeats.push_back(std::move(p));
        continue;
      }
      UpdatePlan plan = PlanUpdate(u, provider, p.received_at, facts, *reference_, *rules_);
      if (plan.all_superseded()) {
        Ack ack = MakeAck(u.update_id(), Ack::OUTCOME_SUPERSEDED,
                          absl::StrCat("superseded, not applied: ",
                                       absl::StrJoin(plan.superseded, "; ")));
        answered.emplace_back(std::move(p), std::move(ack));
        continue;
      }
      pending_facts_.Merge(plan.facts);
      in_flight_keys_[key] = {batch->id, batch->items.size()};
      Item& item = batch->items.emplace_back();
      item.key = key;
      item.plan = std::move(plan);
      item.pending = std::move(p);
    }
  }
  for (auto& [p, ack] : answered) {
    absl::Status status = ack.outcome() == Ack::OUTCOME_RETRY
                              ? absl::UnavailableError(ack.message())
                              : absl::OkStatus();
    Reply(p, std::move(ack), std::move(status));
  }
  if (batch->items.empty()) return;

  std::vector<kafka::OutgoingRecord> records;
  for (Item& item : batch->items) {
    const Pending& p = item.pending;
    item.change.set_provider_id(p.submission.provider->id());
    *item.change.mutable_update() = p.submission.update;
    *item.change.mutable_received_at() = ToProtoTime(p.received_at);
    item.change.set_transport(p.submission.transport);
    // The ack is known before Kafka answers (its accepted_at is when the update arrived).
    *item.change.mutable_ack() =
        AcceptedAck(p.submission.update.update_id(), item.plan, p.received_at);
    item.change.mutable_facts()->Swap(&item.plan.facts);  // the change holds them from here
    item.first_record = records.size();
    for (const v1::RecordedEvent& e : item.change.facts().events()) {
      records.push_back(EventRecord(options_.capacity_topic, e));
    }
    item.records = records.size() - item.first_record;
  }
  batch_size_->Observe(static_cast<double>(batch->items.size()));
  Batch* b = batch.get();
  b->started = absl::Now();
  in_flight_[b->id] = std::move(batch);
  if (records.empty()) {
    // Nothing but change records (an update whose figures carry no event): straight on.
    if (!SendChanges(b)) Finish(b->id);
    return;
  }
  b->sent.resize(records.size());
  b->remaining = records.size();
  for (size_t i = 0; i < records.size(); ++i) {
    producer_->SendAsync(records[i], [this, b, i](absl::Status status) {
      b->sent[i] = std::move(status);
      if (--b->remaining == 0) {
        absl::MutexLock lock(&queue_mu_);
        completed_.push_back(b->id);
      }
    });
  }
}

bool UpdateRecorder::SendChanges(Batch* b) {
  b->changes_sent = true;
  std::vector<kafka::OutgoingRecord> records;
  for (Item& item : b->items) {
    bool events_ok = true;
    for (size_t r = item.first_record; r < item.first_record + item.records; ++r) {
      events_ok = events_ok && b->sent[r].ok();
    }
    if (!events_ok) continue;  // not recorded: the retry writes its events again, then this
    item.change_record = b->sent.size() + records.size();
    records.push_back({options_.changes_topic, item.key, item.change.SerializeAsString(),
                       {{"event_id", item.change.ack().event_id()}}});
  }
  if (records.empty()) return false;
  const size_t first = b->sent.size();
  b->sent.resize(first + records.size());
  b->remaining = records.size();
  for (size_t i = 0; i < records.size(); ++i) {
    producer_->SendAsync(records[i], [this, b, i = first + i](absl::Status status) {
      b->sent[i] = std::move(status);
      if (--b->remaining == 0) {
        absl::MutexLock lock(&queue_mu_);
        completed_.push_back(b->id);
      }
    });
  }
  return true;
}

void UpdateRecorder::Finish(uint64_t id) {
  if (Batch* b = in_flight_.at(id).get(); !b->changes_sent && SendChanges(b)) return;
  std::unique_ptr<Batch> batch = std::move(in_flight_.at(id));
  in_flight_.erase(id);
  record_seconds_->Observe(absl::ToDoubleSeconds(absl::Now() - batch->started));
  bool any_failed = false;
  struct Outcome {
    Pending* pending;
    Ack ack;
    absl::Status status;
  };
  std::vector<Outcome> replies;
  {
    absl::MutexLock lock(&state_->mu);
    for (Item& item : batch->items) {
      in_flight_keys_.erase(item.key);
      absl::Status failed;
      for (size_t r = item.first_record; r < item.first_record + item.records; ++r) {
        if (!batch->sent[r].ok()) {
          failed = batch->sent[r];
          break;
        }
      }
      if (failed.ok()) {
        failed = item.change_record.has_value()
                     ? batch->sent[*item.change_record]
                     : absl::InternalError("change record never sent");
      }
      const std::string& update_id = item.pending.submission.update.update_id();
      if (!failed.ok()) {
        any_failed = true;
        if (batch->answered_early) continue;  // answered RETRY already; not applied
        Ack retry = MakeAck(update_id, Ack::OUTCOME_RETRY,
                            absl::StrCat("not recorded, retry with the same update id: ",
                                         failed.message()));
        absl::Status unavailable = absl::UnavailableError(absl::StrCat(
            "not recorded (Kafka unavailable), retry with the same update id: ", failed.message()));
        replies.push_back({&item.pending, retry, unavailable});
        for (Pending& r : item.repeats) replies.push_back({&r, retry, unavailable});
        continue;
      }
      state_->facts.Merge(item.change.facts());
      state_->log.RecordAccepted(item.change);
      if (batch->answered_early) continue;  // its retries are answered DUPLICATE from now on
      replies.push_back({&item.pending, item.change.ack(), absl::OkStatus()});
      const Ack* dup = state_->log.FindAccepted(item.pending.submission.provider->id(), update_id,
                                                item.pending.received_at);
      for (Pending& r : item.repeats) {
        replies.push_back({&r, dup != nullptr ? *dup : item.change.ack(), absl::OkStatus()});
      }
    }
    remembered_ids_->Set(static_cast<double>(state_->log.accepted_count()));
  }
  if (any_failed) {
    // What failed must not count as held: plan again over what is still in flight.
    pending_facts_ = FactStore();
    for (const auto& [other_id, other] : in_flight_) {
      for (const Item& item : other->items) pending_facts_.Merge(item.change.facts());
    }
  } else if (in_flight_.empty()) {
    pending_facts_ = FactStore();  // everything is confirmed
  }
  for (Outcome& r : replies) Reply(*r.pending, std::move(r.ack), std::move(r.status));
}

void UpdateRecorder::AnswerOverdue(std::deque<Pending>* queued) {
  const absl::Time now = absl::Now();
  struct Overdue {
    Pending* pending;
    std::string message;
  };
  std::vector<Overdue> overdue;
  bool stalled = false;
  for (auto& [id, batch] : in_flight_) {
    if (batch->answered_early) continue;
    if (now - batch->started < options_.answer_timeout) break;  // later batches are younger
    batch->answered_early = true;
    const std::string message = absl::StrCat(
        "not confirmed by Kafka within ", absl::FormatDuration(options_.answer_timeout),
        ", retry with the same update id (if Kafka confirms it later it is applied once and the "
        "retry is answered DUPLICATE)");
    for (Item& item : batch->items) {
      overdue.push_back({&item.pending, message});
      for (Pending& r : item.repeats) overdue.push_back({&r, message});
    }
  }
  if (!in_flight_.empty() && in_flight_.size() >= options_.max_batches_in_flight &&
      in_flight_.begin()->second->answered_early) {
    stalled = true;
  }
  for (Overdue& o : overdue) {
    Reply(*o.pending,
          MakeAck(o.pending->submission.update.update_id(), Ack::OUTCOME_RETRY, o.message),
          absl::UnavailableError(o.message));
  }
  if (!stalled) return;
  // Kafka confirms nothing and the pipeline is full: nothing more can be recorded now.
  for (Pending& p : *queued) {
    const std::string message =
        "not recorded: Kafka is not confirming writes; retry with the same update id";
    Reply(p, MakeAck(p.submission.update.update_id(), Ack::OUTCOME_RETRY, message),
          absl::UnavailableError(message));
  }
  queued->clear();
}

void UpdateRecorder::PublishTimeDriven(absl::Time now) {
  if (derived_ != nullptr) return;  // the last ones are still being recorded
  v1::CapacityFacts derived;
  {
    absl::MutexLock lock(&state_->mu);
    derived = PlanWeatherAt(now, FactLookup(&state_->facts, &pending_facts_), *reference_);
  }
  if (derived.events().empty()) return;
  // One change record per derived figure, keyed by its scope and indicator (compaction keeps the
  // last, which the merge rule would pick anyway). Sent without waiting, like updates.
  derived_ = std::make_unique<DerivedBatch>();
  std::vector<kafka::OutgoingRecord> records;
  for (const v1::RecordedEvent& e : derived.events()) {
    v1::CapacityChange change;
    *change.mutable_received_at() = ToProtoTime(now);
    *change.mutable_facts()->add_events() = e;
    change.mutable_ack()->set_event_id(e.event().envelope().event_id());
    records.push_back(EventRecord(options_.capacity_topic, e));
    derived_->changes.push_back({options_.changes_topic,
                                 absl::StrCat("derived/", ScopeKey(e.event().envelope().scope()),
                                              "/", e.indicator()),
                                 change.SerializeAsString(),
                                 {{"event_id", e.event().envelope().event_id()}}});
    derived_->facts.push_back(change.facts());
  }
  DerivedBatch* d = derived_.get();
  // Events first; FinishDerived sends the change records of those confirmed.
  d->sent.resize(2 * records.size());
  d->remaining = records.size();
  for (size_t i = 0; i < records.size(); ++i) {
    producer_->SendAsync(records[i], [this, d, i](absl::Status status) {
      d->sent[i] = std::move(status);
      if (--d->remaining == 0) {
        absl::MutexLock lock(&queue_mu_);
        completed_.push_back(kDerivedBatch);
      }
    });
  }
}

void UpdateRecorder::FinishDerived() {
  DerivedBatch* d = derived_.get();
  const size_t n = d->facts.size();
  if (!d->changes_sent) {
    // The events are confirmed (or failed): now the change records of those confirmed, so the
    // changes log never holds a figure whose event is not on the topic.
    d->changes_sent = true;
    std::vector<size_t> confirmed;
    for (size_t i = 0; i < n; ++i) {
      if (d->sent[i].ok()) {
        confirmed.push_back(i);
      } else {
        d->sent[n + i] = absl::AbortedError("its event was not recorded");
      }
    }
    if (!confirmed.empty()) {
      d->remaining = confirmed.size();
      for (size_t i : confirmed) {
        producer_->SendAsync(d->changes[i], [this, d, j = n + i](absl::Status status) {
          d->sent[j] = std::move(status);
          if (--d->remaining == 0) {
            absl::MutexLock lock(&queue_mu_);
            completed_.push_back(kDerivedBatch);
          }
        });
      }
      return;
    }
  }
  std::unique_ptr<DerivedBatch> done = std::move(derived_);
  absl::MutexLock lock(&state_->mu);
  for (size_t i = 0; i < n; ++i) {
    if (done->sent[i].ok() && done->sent[n + i].ok()) {
      state_->facts.Merge(done->facts[i]);
    } else {
      // Tried again at a later tick: the figure still differs from the one held.
      Logger("capacity")->warn("time-driven figure not recorded: {}",
                               (done->sent[i].ok() ? done->sent[n + i] : done->sent[i]).ToString());
    }
  }
}

void UpdateRecorder::Expire(absl::Time now) {
  absl::MutexLock lock(&state_->mu);
  state_->log.Expire(now);
  remembered_ids_->Set(static_cast<double>(state_->log.accepted_count()));
}

absl::Status UpdateRecorder::Rebuild(
    CapacityState* state, absl::Time now,
    const std::function<absl::Status(
        const std::function<absl::Status(const std::string&, const std::string&)>&)>& read) {
  absl::Status s = read([state](const std::string& key, const std::string& value) -> absl::Status {
    if (value.empty()) return absl::OkStatus();  // a tombstone
    v1::CapacityChange change;
    if (!change.ParseFromString(value)) {
      return absl::DataLossError(absl::StrCat("capacity-changes: unreadable record ", key));
    }
    absl::MutexLock lock(&state->mu);
    state->facts.Merge(change.facts());
    if (!change.provider_id().empty()) state->log.RecordAccepted(change);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  absl::MutexLock lock(&state->mu);
  state->log.Expire(now);
  return absl::OkStatus();
}

}  // namespace resilience::capacity
