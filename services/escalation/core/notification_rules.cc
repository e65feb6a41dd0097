#include "services/escalation/core/notification_rules.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock/proto_time.h"
#include "common/scope/scope_key.h"

namespace resilience::escalation {
namespace {

bool SameScope(const common::v1::ScopeRef& a, const common::v1::ScopeRef& b) {
  return a.kind() == b.kind() && a.id() == b.id();
}

bool HasRecipient(const v1::Alert& alert, const std::string& role) {
  return std::any_of(alert.recipients().begin(), alert.recipients().end(),
                     [&](const v1::Recipient& r) { return r.role_id() == role; });
}

}  // namespace

std::optional<Renotification> RenotifyIfDue(
    const v1::Alert& alert, absl::Time now, const RenotifyRule& rule,
    const google::protobuf::RepeatedPtrField<reference::v1::Role>& roles) {
  if (alert.state() != v1::ALERT_STATE_FIRING || !alert.silence_id().empty()) return std::nullopt;
  const absl::Time since = alert.has_firing_since() ? FromProtoTime(alert.firing_since())
                                                    : FromProtoTime(alert.raised_at());
  const int due = RenotificationsDue(alert.level(), since, now, rule);
  if (due <= static_cast<int>(alert.renotifications())) return std::nullopt;
  Renotification out{alert, {}};
  std::vector<std::string> first_roles;
  for (const auto& r : alert.recipients()) {
    if (!r.escalated()) first_roles.push_back(r.role_id());
  }
  for (const std::string& role : first_roles) {
    for (const std::string& up : EscalationChain(role, due, roles)) {
      if (HasRecipient(out.alert, up)) continue;
      v1::Recipient* added = out.alert.add_recipients();
      added->set_role_id(up);
      added->set_escalated(true);
      out.added_roles.push_back(up);
    }
  }
  out.alert.set_renotifications(static_cast<uint32_t>(due));
  out.alert.set_revision(alert.revision() + 1);
  *out.alert.mutable_updated_at() = ToProtoTime(now);
  return out;
}

std::string AlertIndicator(const v1::Alert& alert) {
  if (alert.rule() != "indicator-level" && alert.rule() != "stale-data") return "";
  // "<rule>/<kind>/<scope id>/<indicator>/<n>"
  std::vector<std::string> parts = absl::StrSplit(alert.alert_id(), '/');
  return parts.size() >= 5 ? parts[3] : "";
}

bool SilenceCovers(const v1::Silence& silence, const v1::Alert& alert, absl::Time now) {
  if (FromProtoTime(silence.until()) <= now) return false;
  if (silence.has_created_at() && FromProtoTime(silence.created_at()) > now) return false;
  if (silence.scope().kind() == common::v1::SCOPE_KIND_AREA && silence.indicator().empty() &&
      alert.area_id() == silence.scope().id()) {
    return true;
  }
  if (!SameScope(silence.scope(), alert.scope())) return false;
  return silence.indicator().empty() || silence.indicator() == AlertIndicator(alert);
}

void StampNotification(v1::Alert* alert, const std::vector<v1::Silence>& silences,
                       absl::Duration group_window, absl::Time now) {
  alert->clear_silence_id();
  for (const auto& s : silences) {
    if (SilenceCovers(s, *alert, now)) {
      alert->set_silence_id(s.silence_id());
      break;
    }
  }
  if (alert->state() != v1::ALERT_STATE_FIRING) return;
  const std::string area = alert->area_id().empty() ? "county" : alert->area_id();
  const std::string prefix = absl::StrCat("group/", area, "/L", static_cast<int>(alert->level()), "/");
  if (absl::StartsWith(alert->group_id(), prefix)) return;  // same area and level: keep its group
  const absl::Time since = alert->has_firing_since() ? FromProtoTime(alert->firing_since()) : now;
  int64_t window_s = std::max<int64_t>(1, absl::ToInt64Seconds(group_window));
  const int64_t start = absl::ToUnixSeconds(since) / window_s * window_s;
  alert->set_group_id(absl::StrCat(prefix, start));
}

absl::Status ValidateSilence(const v1::Silence& silence, absl::Time now) {
  if (!silence.has_until() || FromProtoTime(silence.until()) <= now) {
    return absl::InvalidArgumentError("until: must be in the future");
  }
  if (FromProtoTime(silence.until()) > now + absl::Hours(24 * 14)) {
    return absl::InvalidArgumentError("until: at most 14 days ahead; renew it if it still holds");
  }
  if (silence.reason().size() < 10) {
    return absl::InvalidArgumentError("reason: required, at least 10 characters on why");
  }
  if (silence.reason().size() > 1000) {
    return absl::InvalidArgumentError("reason: at most 1000 characters");
  }
  return absl::OkStatus();
}

}  // namespace resilience::escalation
