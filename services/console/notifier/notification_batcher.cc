#include "services/console/notifier/notification_batcher.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace resilience::console {

std::string DeliveryKey(const std::string& url, const escalation::v1::Alert& alert) {
  return absl::StrCat(url, "\t", alert.alert_id(), "\t", alert.revision());
}

bool DeliveryLedger::Record(const std::string& key) {
  std::vector<std::string> parts = absl::StrSplit(key, '\t');
  int64_t revision = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[2], &revision)) return false;
  if (!keys_.insert(key).second) return false;
  int64_t& latest = latest_[{parts[0], parts[1]}];
  latest = std::max(latest, revision);
  return true;
}

bool DeliveryLedger::Covers(const std::string& url, const escalation::v1::Alert& alert) const {
  auto it = latest_.find({url, alert.alert_id()});
  return it != latest_.end() && it->second >= static_cast<int64_t>(alert.revision());
}

int NotificationBatcher::Add(const escalation::v1::Alert& alert,
                             const std::vector<Destination>& destinations, uint64_t sequence,
                             absl::Time now, const DeliveryLedger& delivered) {
  int taken = 0;
  // An alert without a group is a group of its own.
  const std::string group = alert.group_id().empty() ? alert.alert_id() : alert.group_id();
  for (const auto& d : destinations) {
    const std::string key = DeliveryKey(d.url, alert);
    if (delivered.Covers(d.url, alert) || !waiting_keys_.insert(key).second) continue;
    auto [it, fresh] = pending_.try_emplace({d.url, group});
    Notification& n = it->second;
    if (fresh) {
      n.destination = d;
      n.group_id = group;
      n.first_added = now;
    }
    bool replaced = false;
    for (auto& existing : n.alerts) {
      if (existing.alert_id() == alert.alert_id()) {
        if (alert.revision() > existing.revision()) existing = alert;
        replaced = true;
      }
    }
    if (!replaced) n.alerts.push_back(alert);
    n.keys.push_back(key);
    n.sequences.push_back(sequence);
    ++taken;
  }
  return taken;
}

std::vector<Notification> NotificationBatcher::TakeDue(absl::Time now, absl::Duration wait) {
  std::vector<Notification> due;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second.first_added >= wait) {
      for (const auto& k : it->second.keys) waiting_keys_.erase(k);
      due.push_back(std::move(it->second));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return due;
}

}  // namespace resilience::console
