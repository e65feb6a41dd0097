#include "services/console/notifier/webhook_routing.h"

#include <algorithm>
#include <set>

namespace resilience::console {

namespace esc = escalation::v1;

bool IsFiring(const esc::Alert& alert) { return alert.state() == esc::ALERT_STATE_FIRING; }

namespace {

bool RouteMatches(const v1::WebhookRoute& route, const esc::Alert& alert) {
  if (!IsFiring(alert) && !route.include_transitions()) return false;
  if (!alert.silence_id().empty() && !route.include_silenced()) return false;
  if (route.min_level() != common::v1::OPEL_LEVEL_UNSPECIFIED && alert.level() < route.min_level()) {
    return false;
  }
  if (!route.role_id().empty() &&
      std::none_of(alert.recipients().begin(), alert.recipients().end(),
                   [&](const esc::Recipient& r) { return r.role_id() == route.role_id(); })) {
    return false;
  }
  if (!route.area_ids().empty()) {
    if (alert.area_id().empty()) return route.include_county_wide();
    return std::find(route.area_ids().begin(), route.area_ids().end(), alert.area_id()) !=
           route.area_ids().end();
  }
  return true;
}

}  // namespace

std::vector<Destination> DestinationsFor(const esc::Alert& alert, const v1::NotifierConfig& config,
                                         const ReferenceIndex& reference) {
  std::vector<Destination> out;
  if (!config.enabled()) return out;
  std::set<std::string> urls;
  for (const auto& route : config.routes()) {
    if (!RouteMatches(route, alert) || !urls.insert(route.url()).second) continue;
    out.push_back({route.route_id(), route.url(),
                   route.format() == v1::WEBHOOK_FORMAT_UNSPECIFIED ? v1::WEBHOOK_FORMAT_JSON
                                                                    : route.format(),
                   route.role_id(), route.signing_key_env()});
  }
  if (config.deliver_to_people() && IsFiring(alert) && alert.silence_id().empty()) {
    for (const auto& recipient : alert.recipients()) {
      for (const auto& user : recipient.user_ids()) {
        const auto* person = reference.FindPerson(user);
        if (person == nullptr || person->contact().webhook_url().empty()) continue;
        if (!urls.insert(person->contact().webhook_url()).second) continue;
        out.push_back({"person:" + user, person->contact().webhook_url(),
                       v1::WEBHOOK_FORMAT_CHAT_TEXT, recipient.role_id(), ""});
      }
    }
  }
  return out;
}

}  // namespace resilience::console
