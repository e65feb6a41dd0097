#include "services/console/notifier/webhook_body.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/ids/uuid.h"
#include "services/console/json_api.h"

namespace resilience::console {

namespace esc = escalation::v1;

std::string LevelText(common::v1::OpelLevel level) {
  switch (level) {
    case common::v1::OPEL_LEVEL_1_GREEN: return "OPEL 1 (Green)";
    case common::v1::OPEL_LEVEL_2_AMBER: return "OPEL 2 (Amber)";
    case common::v1::OPEL_LEVEL_3_RED: return "OPEL 3 (Red)";
    case common::v1::OPEL_LEVEL_4_BLACK: return "OPEL 4 (Black)";
    default: return "level not known";
  }
}

namespace {

std::string StateText(const esc::Alert& alert) {
  switch (alert.state()) {
    case esc::ALERT_STATE_ACKNOWLEDGED: {
      if (alert.acknowledgements().empty()) return "acknowledged";
      const auto& a = alert.acknowledgements(alert.acknowledgements_size() - 1);
      return absl::StrCat("acknowledged by ", a.user_id(), a.note().empty() ? "" : ": ", a.note());
    }
    case esc::ALERT_STATE_RESOLVED: return "resolved";
    default: return alert.silence_id().empty() ? "firing" : "firing (silenced)";
  }
}

std::string ChatText(const Notification& n, const std::string& console_url) {
  std::vector<std::string> lines;
  if (n.alerts.size() > 1) {
    lines.push_back(absl::StrCat(n.alerts.size(), " alerts together (group ", n.group_id, "):"));
  }
  for (const auto& a : n.alerts) {
    lines.push_back(absl::StrCat("[", LevelText(a.level()), "] ", a.title(), " - ", StateText(a)));
    if (!a.summary().empty()) lines.push_back(a.summary());
    const esc::ActionCard* card = nullptr;
    for (const auto& c : a.action_cards()) {
      if (n.destination.role_id.empty() || c.role_id() == n.destination.role_id) {
        card = &c;
        break;
      }
    }
    if (card != nullptr && card->actions_size() > 0) {
      lines.push_back(absl::StrCat("What to do now (", card->role_name(), "):"));
      for (const auto& action : card->actions()) lines.push_back("- " + action.text());
    }
    if (!console_url.empty()) {
      lines.push_back(absl::StrCat(console_url, "/#/alert/", a.alert_id()));
    }
  }
  return absl::StrJoin(lines, "\n");
}

}  // namespace

std::string WebhookBody(const Notification& notification, const std::string& console_url,
                        const ReferenceIndex& reference) {
  if (notification.destination.format == v1::WEBHOOK_FORMAT_CHAT_TEXT) {
    return absl::StrCat("{\"text\":", JsonQuote(ChatText(notification, console_url)), "}");
  }
  std::vector<std::string> alerts;
  for (const auto& a : notification.alerts) alerts.push_back(ToJson(a));
  return absl::StrCat("{\"group_id\":", JsonQuote(notification.group_id), ",\"alerts\":[",
                      absl::StrJoin(alerts, ","), "]}");
}

std::string DeliveryId(const Notification& notification) {
  std::vector<std::string> parts;
  for (const auto& a : notification.alerts) {
    parts.push_back(absl::StrCat(a.alert_id(), "#", a.revision()));
  }
  std::sort(parts.begin(), parts.end());
  return NameBasedUuid("console-notifier",
                       absl::StrCat(notification.destination.url, "\n", absl::StrJoin(parts, "\n")));
}

std::string SignBody(absl::string_view body, absl::string_view key) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
  return absl::StrCat("sha256=", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(mac), length)));
}

bool SplitUrl(const std::string& url, std::string* origin, std::string* path) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return false;
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return false;
  const size_t path_start = url.find('/', scheme_end + 3);
  if (path_start == std::string::npos) {
    *origin = url;
    *path = "/";
  } else {
    *origin = url.substr(0, path_start);
    *path = url.substr(path_start);
  }
  return origin->size() > scheme_end + 3;
}

}  // namespace resilience::console
