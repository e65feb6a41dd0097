#include "services/beds/beds_state.h"

#include "absl/strings/str_cat.h"
#include "common/clock/proto_time.h"
#include "common/ids/uuid.h"

namespace resilience::beds {

std::string UpdateKey(const std::string& provider_id, const std::string& update_id) {
  return absl::StrCat(provider_id, "\n", update_id);
}

std::string ChangeEventId(const std::string& provider_id, const std::string& update_id) {
  return NameBasedUuid(absl::StrCat("beds/change/", provider_id), update_id);
}

std::string LocationLogKey(const std::string& location_id) {
  return absl::StrCat("location/", location_id);
}
std::string PlacementLogKey(const std::string& placement_id) {
  return absl::StrCat("placement/", placement_id);
}
std::string FigureLogKey(const std::string& scope_key, const std::string& indicator) {
  return absl::StrCat("figure/", scope_key, "/", indicator);
}

void BedsState::RestoreLocked(const v1::BedsChange& change) {
  switch (change.change_case()) {
    case v1::BedsChange::kLocation:
      board.Restore(change.location());
      break;
    case v1::BedsChange::kPlacement:
      placements.Put(change.placement());
      break;
    case v1::BedsChange::kFigure:
      published[absl::StrCat(change.figure().scope_key(), "/", change.figure().indicator())] =
          change.figure();
      break;
    default:
      break;
  }
}

void BedsState::IndexAcceptedUpdatesLocked() {
  std::vector<std::pair<absl::Time, std::string>> all;
  for (const v1::LocationRecord* r : board.Locations()) {
    for (const auto& u : r->recent_updates()) {
      all.push_back({FromProtoTime(u.accepted_at()), UpdateKey(u.provider_id(), u.update_id())});
    }
  }
  std::sort(all.begin(), all.end());
  for (auto& [at, key] : all) {
    accepted[key] = at;
    accepted_order.push_back({at, std::move(key)});
  }
}

void BedsState::RememberLocked(const std::string& provider_id, const std::string& update_id,
                               absl::Time accepted_at, absl::Time now) {
  const std::string key = UpdateKey(provider_id, update_id);
  accepted[key] = accepted_at;
  accepted_order.push_back({accepted_at, key});
  while (!accepted_order.empty() && accepted_order.front().first + idempotency_window < now) {
    auto it = accepted.find(accepted_order.front().second);
    if (it != accepted.end() && it->second == accepted_order.front().first) accepted.erase(it);
    accepted_order.pop_front();
  }
}

}  // namespace resilience::beds
