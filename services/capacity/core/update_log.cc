#include "services/capacity/core/update_log.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"

namespace resilience::capacity {
namespace {

std::string Key(const std::string& provider_id, const std::string& update_id) {
  return absl::StrCat(provider_id, "\n", update_id);
}

std::string PageToken(const std::pair<absl::Time, uint64_t>& key) {
  return absl::StrCat(absl::ToUnixNanos(key.first), ":", key.second);
}

bool ParsePageToken(const std::string& token, std::pair<absl::Time, uint64_t>* key) {
  std::vector<std::string> parts = absl::StrSplit(token, ':');
  int64_t nanos = 0;
  uint64_t seq = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &nanos) ||
      !absl::SimpleAtoi(parts[1], &seq)) {
    return false;
  }
  *key = {absl::FromUnixNanos(nanos), seq};
  return true;
}

}  // namespace

const common::v1::UpdateAck* UpdateLog::FindAccepted(const std::string& provider_id,
                                                     const std::string& update_id,
                                                     absl::Time now) const {
  auto it = accepted_.find(Key(provider_id, update_id));
  if (it == accepted_.end()) return nullptr;
  if (it->second.first_received_at < now - options_.idempotency_window) return nullptr;
  return &it->second.ack;
}

v1::ProviderUpdateRecord* UpdateLog::Touch(const std::string& provider_id,
                                           const std::string& update_id, absl::Time received_at) {
  ProviderLog& log = logs_[provider_id];
  v1::ProviderUpdateRecord record;
  if (auto it = log.by_update_id.find(update_id); it != log.by_update_id.end()) {
    auto node = log.records.extract(it->second);
    record = std::move(node.mapped());
    // A record read back from the log may be older than one already held: keep the later time.
    received_at = std::max(received_at, FromProtoTime(record.last_received_at()));
  } else {
    record.set_provider_id(provider_id);
    *record.mutable_first_received_at() = ToProtoTime(received_at);
  }
  const LogKey key{received_at, next_seq_++};
  log.by_update_id[update_id] = key;
  *record.mutable_last_received_at() = ToProtoTime(received_at);
  auto [pos, inserted] = log.records.emplace(key, std::move(record));
  while (log.records.size() > options_.max_per_provider) {
    auto oldest = log.records.begin();
    log.by_update_id.erase(oldest->second.update().update_id());
    log.records.erase(oldest);
  }
  return &pos->second;
}

void UpdateLog::RecordAccepted(const v1::CapacityChange& change) {
  const std::string& provider = change.provider_id();
  const std::string& update_id = change.update().update_id();
  const absl::Time received_at = FromProtoTime(change.received_at());
  common::v1::UpdateAck duplicate = change.ack();
  duplicate.set_outcome(common::v1::UpdateAck::OUTCOME_DUPLICATE);
  duplicate.set_message("duplicate: this update id was accepted before; nothing applied again");
  auto [it, inserted] =
      accepted_.try_emplace(Key(provider, update_id), Accepted{duplicate, received_at});
  if (!inserted && received_at < it->second.first_received_at) {
    it->second = Accepted{duplicate, received_at};
  }

  v1::ProviderUpdateRecord* r = Touch(provider, update_id, received_at);
  const bool first = r->receipts() == 0;
  *r->mutable_update() = change.update();
  if (first || r->ack().outcome() != common::v1::UpdateAck::OUTCOME_DUPLICATE) {
    *r->mutable_ack() = change.ack();
  }
  r->set_receipts(r->receipts() + 1);
  r->set_transport(change.transport());
  if (FromProtoTime(change.received_at()) < FromProtoTime(r->first_received_at())) {
    *r->mutable_first_received_at() = change.received_at();
  }
  r->clear_figures();
  for (const v1::RecordedEvent& e : change.facts().events()) {
    v1::FigureOutcome* f = r->add_figures();
    f->set_indicator(e.indicator());
    *f->mutable_scope() = e.event().envelope().scope();
    f->set_event_id(e.event().envelope().event_id());
  }
}

void UpdateLog::RecordAnswer(const std::string& provider_id, const v1::CapacityUpdate& update,
                             const common::v1::UpdateAck& ack, absl::Time received_at,
                             v1::Transport transport) {
  v1::ProviderUpdateRecord* r = Touch(provider_id, update.update_id(), received_at);
  if (r->receipts() == 0) *r->mutable_update() = update;
  *r->mutable_ack() = ack;
  r->set_receipts(r->receipts() + 1);
  r->set_transport(transport);
}

absl::StatusOr<v1::ListProviderUpdatesResponse> UpdateLog::List(
    const std::string& provider_id, const v1::ListProviderUpdatesRequest& request,
    const FactStore& facts) const {
  if (request.limit() > 500) {
    return absl::InvalidArgumentError("limit: at most 500");
  }
  const size_t limit = request.limit() == 0 ? 100 : request.limit();
  LogKey before{absl::InfiniteFuture(), 0};
  if (!request.page_token().empty() && !ParsePageToken(request.page_token(), &before)) {
    return absl::InvalidArgumentError("page_token: not a token this service gave");
  }
  v1::ListProviderUpdatesResponse out;
  auto log = logs_.find(provider_id);
  if (log == logs_.end()) return out;
  const absl::Time since =
      request.has_since() ? FromProtoTime(request.since()) : absl::InfinitePast();
  const absl::Time until =
      request.has_until() ? FromProtoTime(request.until()) : absl::InfiniteFuture();
  const auto& records = log->second.records;
  LogKey last_returned;
  for (auto it = std::make_reverse_iterator(records.lower_bound(before)); it != records.rend();
       ++it) {
    const v1::ProviderUpdateRecord& r = it->second;
    const absl::Time at = FromProtoTime(r.last_received_at());
    if (at >= until) continue;
    if (at < since) break;
    if (!request.update_id().empty() && r.update().update_id() != request.update_id()) continue;
    if (!request.outcomes().empty() &&
        std::find(request.outcomes().begin(), request.outcomes().end(), r.ack().outcome()) ==
            request.outcomes().end()) {
      continue;
    }
    if (static_cast<size_t>(out.updates_size()) == limit) {
      // The token names the last record returned: the next page starts below it.
      out.set_next_page_token(PageToken(last_returned));
      break;
    }
    v1::ProviderUpdateRecord* copy = out.add_updates();
    *copy = r;
    last_returned = it->first;
    for (v1::FigureOutcome& f : *copy->mutable_figures()) {
      const v1::RecordedEvent* held = facts.Latest(ScopeKey(f.scope()), f.indicator());
      if (held == nullptr) {
        f.set_current(true);  // event bodies (referral steps, notices) are never replaced
        continue;
      }
      f.set_current(held->event().envelope().event_id() == f.event_id());
      if (!f.current()) {
        f.set_superseded_by_provider_id(held->event().envelope().provenance().provider_id());
        f.set_superseded_by_update_id(held->event().envelope().provenance().update_id());
      }
    }
  }
  return out;
}

void UpdateLog::Expire(absl::Time now) {
  for (auto it = accepted_.begin(); it != accepted_.end();) {
    if (it->second.first_received_at < now - options_.idempotency_window) {
      it = accepted_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [provider, log] : logs_) {
    while (!log.records.empty() &&
           log.records.begin()->first.first < now - options_.retention) {
      log.by_update_id.erase(log.records.begin()->second.update().update_id());
      log.records.erase(log.records.begin());
    }
  }
}

}  // namespace resilience::capacity
