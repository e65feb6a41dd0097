#include "services/escalation/alert_feed.h"

#include "absl/hash/hash.h"
#include "common/log/log.h"

namespace resilience::escalation {

bool RelayedRevisions::FirstTime(const v1::Alert& alert) {
  if (capacity_ == 0) return true;
  const uint64_t key = absl::HashOf(alert.alert_id(), alert.revision());
  if (!seen_.insert(key).second) return false;
  order_.push_back(key);
  if (order_.size() > capacity_) {
    seen_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

AlertFeed::AlertFeed(LiveState* state, size_t remembered) : state_(state), relayed_(remembered) {}

AlertFeed::~AlertFeed() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

absl::Status AlertFeed::Start() {
  auto last = state_->LastStreamId();
  if (!last.ok()) return last.status();
  {
    absl::MutexLock lock(&mu_);
    last_id_ = *last;
  }
  thread_ = std::thread([this] { Tail(); });
  return absl::OkStatus();
}

std::string AlertFeed::Add(AlertFeedListener* listener) {
  absl::MutexLock lock(&mu_);
  listeners_.insert(listener);
  return last_id_;
}

void AlertFeed::Remove(AlertFeedListener* listener) {
  absl::MutexLock lock(&mu_);
  listeners_.erase(listener);
}

void AlertFeed::ShutdownListeners() {
  absl::MutexLock lock(&mu_);
  for (AlertFeedListener* l : listeners_) l->OnShutdown();
  listeners_.clear();
}

void AlertFeed::Tail() {
  auto log = Logger("escalation.feed");
  std::string after;
  {
    absl::MutexLock lock(&mu_);
    after = last_id_;
  }
  absl::Time last_idle = absl::Now();
  while (!stop_) {
    auto entries = state_->ReadStream(after, 200, absl::Milliseconds(500));
    if (!entries.ok()) {
      log->warn("reading the alert stream: {}", entries.status().ToString());
      // ReadStream already waited for Redis's reconnect timeout; go round again.
    } else if (!entries->empty()) {
      absl::MutexLock lock(&mu_);
      for (const StreamEntry& e : *entries) {
        last_id_ = e.id;
        // A revision written back by a rebuild: every listener here already had it (live, or
        // from Redis when it joined), so it is not sent twice; its position still is, so a
        // listener's next resume token is past the rebuilt stream and does not replay it.
        const bool repeat = !relayed_.FirstTime(e.alert);
        for (AlertFeedListener* l : listeners_) l->OnEntry(e, repeat);
      }
      after = last_id_;
    }
    if (absl::Now() - last_idle >= absl::Seconds(1)) {
      last_idle = absl::Now();
      absl::MutexLock lock(&mu_);
      for (AlertFeedListener* l : listeners_) l->OnIdle(last_idle);
    }
  }
}

}  // namespace resilience::escalation
