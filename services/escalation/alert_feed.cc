#include "services/escalation/alert_feed.h"

#include "common/log/log.h"

namespace resilience::escalation {

AlertFeed::AlertFeed(LiveState* state) : state_(state) {}

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
        for (AlertFeedListener* l : listeners_) l->OnEntry(e);
        last_id_ = e.id;
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
