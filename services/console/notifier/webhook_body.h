// What a webhook receives: the alerts as JSON ({"alerts": [...]}, protobuf JSON mapping) or a
// chat message ({"text": "..."}) that common chat tools' incoming webhooks accept; the delivery
// id that lets a receiver drop a repeat; and the HMAC-SHA256 body signature. Pure functions;
// thread-safe.
#ifndef RESILIENCE_SERVICES_CONSOLE_NOTIFIER_WEBHOOK_BODY_H_
#define RESILIENCE_SERVICES_CONSOLE_NOTIFIER_WEBHOOK_BODY_H_

#include <string>

#include "absl/strings/string_view.h"
#include "common/reference/reference_index.h"
#include "services/console/notifier/notification_batcher.h"

namespace resilience::console {

// "OPEL 3 (Red)" and so on; "level not known" for UNSPECIFIED.
std::string LevelText(common::v1::OpelLevel level);

// The body for the notification's destination format. `console_url` (e.g.
// "http://127.0.0.1:50055") makes the chat message's links; empty leaves them out.
std::string WebhookBody(const Notification& notification, const std::string& console_url,
                        const ReferenceIndex& reference);

// A stable id of the notification's content (the same alerts and revisions to the same URL give
// the same id), sent as X-Resilience-Delivery so a receiver can deduplicate a retry.
std::string DeliveryId(const Notification& notification);

// "sha256=<lower-case hex HMAC-SHA256 of body under key>".
std::string SignBody(absl::string_view body, absl::string_view key);

// Splits "https://host:port/path?q" into ("https://host:port", "/path?q"); the path is "/" when
// absent. Returns false for anything that is not http:// or https://.
bool SplitUrl(const std::string& url, std::string* origin, std::string* path);

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_NOTIFIER_WEBHOOK_BODY_H_
