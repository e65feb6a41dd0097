// Grouping and deduplication of notifications (DESIGN 5: alerts that arise together for one area
// and level go out as one message). Alerts bound for one URL with one group id wait together for
// the group wait, then leave as one notification; an alert revision already delivered to a URL,
// or already waiting for it, is not added again (at-least-once delivery, deduplicated by alert id
// and revision). Pure logic on an explicit clock; thread-compatible (the notifier locks).
#ifndef RESILIENCE_SERVICES_CONSOLE_NOTIFIER_NOTIFICATION_BATCHER_H_
#define RESILIENCE_SERVICES_CONSOLE_NOTIFIER_NOTIFICATION_BATCHER_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "escalation/v1/alerts.pb.h"
#include "services/console/notifier/webhook_routing.h"

namespace resilience::console {

// The key under which one alert revision's delivery to one URL is remembered.
std::string DeliveryKey(const std::string& url, const escalation::v1::Alert& alert);

// The alert revisions delivered to each URL: the notifier's ledger file (one DeliveryKey per
// line) and the deliveries since it was read.
class DeliveryLedger {
 public:
  // Records a delivery key; false when it was recorded already (or is not a DeliveryKey).
  bool Record(const std::string& key);
  // Whether `alert`'s revision, or a later revision of the same alert, was delivered to `url`.
  // A stream replayed after a Redis wipe (a resume token older than the rebuilt stream) brings
  // back every revision the rebuild read, so one the destination missed can come after one it
  // was sent; telling it the older state then would undo what it knows, as the console, which
  // ignores a revision older than the one it shows, never does.
  bool Covers(const std::string& url, const escalation::v1::Alert& alert) const;

 private:
  std::set<std::string> keys_;
  // (url, alert id) -> the latest revision delivered.
  std::map<std::pair<std::string, std::string>, int64_t> latest_;
};

// One message to send: one destination, the alerts of one group.
struct Notification {
  Destination destination;
  std::string group_id;
  // Latest revision of each alert, in arrival order.
  std::vector<escalation::v1::Alert> alerts;
  // Delivery keys it covers (every revision that arrived while waiting).
  std::vector<std::string> keys;
  // Stream positions (notifier sequence numbers) whose delivery this notification completes.
  std::vector<uint64_t> sequences;
  absl::Time first_added;
};

class NotificationBatcher {
 public:
  // Adds `alert` (stream position `sequence`) for each destination; skips a destination
  // `delivered` covers (this revision or a later one sent) or whose key is already waiting.
  // Returns how many destinations took it.
  int Add(const escalation::v1::Alert& alert, const std::vector<Destination>& destinations,
          uint64_t sequence, absl::Time now, const DeliveryLedger& delivered);

  // Removes and returns the notifications whose first alert arrived at least `wait` ago.
  std::vector<Notification> TakeDue(absl::Time now, absl::Duration wait);

  // Everything still waiting (for tests and shutdown logs).
  size_t waiting() const { return pending_.size(); }

 private:
  // Keyed by (url, group).
  std::map<std::pair<std::string, std::string>, Notification> pending_;
  std::set<std::string> waiting_keys_;
};

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_NOTIFIER_NOTIFICATION_BATCHER_H_
