// Tails the alert stream in Redis on its own thread and hands every new entry to the registered
// subscribers, so one Redis reader serves any number of gRPC subscribers. Thread-safe.
#ifndef RESILIENCE_SERVICES_ESCALATION_ALERT_FEED_H_
#define RESILIENCE_SERVICES_ESCALATION_ALERT_FEED_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "services/escalation/live_state.h"

namespace resilience::escalation {

// Receives entries from the feed. Called on the feed's thread; must not block.
class AlertFeedListener {
 public:
  virtual ~AlertFeedListener() = default;
  // `repeat`: a revision the feed relayed before, written back by a rebuild (RelayedRevisions);
  // the listener had it already, so only the position moves on.
  virtual void OnEntry(const StreamEntry& entry, bool repeat) = 0;
  // Called about once a second, so idle streams can send heartbeats.
  virtual void OnIdle(absl::Time now) = 0;
  // The service is shutting down: finish the stream so the client reconnects elsewhere with its
  // resume token. Called with the feed's lock held, so it must not call Remove(): the feed
  // forgets every listener itself afterwards.
  virtual void OnShutdown() = 0;
};

// The alert revisions a feed relayed most recently, at most `capacity` of them (the oldest is
// forgotten first). A rebuilt stream (Redis lost, LiveStateRebuild) adds again revisions the
// feed already relayed; a listener connected through the wipe has had them. Not thread-safe.
class RelayedRevisions {
 public:
  explicit RelayedRevisions(size_t capacity) : capacity_(capacity) {}

  // True the first time this alert id and revision is offered while remembered; remembers it.
  bool FirstTime(const v1::Alert& alert);

 private:
  size_t capacity_;
  absl::flat_hash_set<uint64_t> seen_;  // hashes of (alert id, revision)
  std::deque<uint64_t> order_;          // oldest first
};

class AlertFeed {
 public:
  // `state` must use its own Redis client (the feed blocks on it) and outlive the feed.
  // `remembered` bounds the revisions remembered as relayed (RelayedRevisions): twice the
  // stream's bound covers every revision a rebuild writes back but each alert's latest (the
  // default: twice the default bound of 100,000).
  explicit AlertFeed(LiveState* state, size_t remembered = 200000);
  ~AlertFeed();  // stops the thread

  // Starts tailing after the current last entry.
  absl::Status Start();

  // Registers a listener and returns the id of the last entry delivered before it joined:
  // the listener receives every entry after that id. Not owned.
  std::string Add(AlertFeedListener* listener);
  // After Remove returns, the listener is never called again.
  void Remove(AlertFeedListener* listener);

  // Asks every listener to finish (graceful shutdown: open streams would otherwise hold the
  // server for its whole grace period).
  void ShutdownListeners();

 private:
  void Tail();

  LiveState* state_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  absl::Mutex mu_;
  std::set<AlertFeedListener*> listeners_ ABSL_GUARDED_BY(mu_);
  std::string last_id_ ABSL_GUARDED_BY(mu_) = "0-0";
  RelayedRevisions relayed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_ALERT_FEED_H_
