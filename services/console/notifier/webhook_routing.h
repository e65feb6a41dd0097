// Which webhooks an alert transition is delivered to (NotifierConfig routes, and recipients'
// personal webhooks): by role, area, minimum level, silence and kind of transition. Pure
// functions; thread-safe.
#ifndef RESILIENCE_SERVICES_CONSOLE_NOTIFIER_WEBHOOK_ROUTING_H_
#define RESILIENCE_SERVICES_CONSOLE_NOTIFIER_WEBHOOK_ROUTING_H_

#include <string>
#include <vector>

#include "common/reference/reference_index.h"
#include "console/v1/config.pb.h"
#include "escalation/v1/alerts.pb.h"

namespace resilience::console {

// Where one notification goes.
struct Destination {
  // Route id, or "person:<user id>" for a recipient's personal webhook.
  std::string route_id;
  std::string url;
  v1::WebhookFormat format = v1::WEBHOOK_FORMAT_JSON;
  // Role whose action card a chat message shows; empty means the first card.
  std::string role_id;
  // Environment variable holding the signing key; empty means unsigned.
  std::string signing_key_env;
};

// True for transitions delivered by default: a firing alert (raised, moved level, escalated).
// Acknowledgements and resolutions go only to routes with include_transitions.
bool IsFiring(const escalation::v1::Alert& alert);

// The destinations of `alert`, each URL once (the first matching route wins), in route order then
// people. Empty when the notifier is disabled, or nothing matches. A silenced alert goes only to
// routes with include_silenced (never to people); a non-firing transition only to routes with
// include_transitions (never to people).
std::vector<Destination> DestinationsFor(const escalation::v1::Alert& alert,
                                         const v1::NotifierConfig& config,
                                         const ReferenceIndex& reference);

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_NOTIFIER_WEBHOOK_ROUTING_H_
