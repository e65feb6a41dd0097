#include "services/console/console_config.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/config/text_proto.h"

namespace resilience::console {
namespace {

bool ValidUserId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

bool ValidRouteId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) return false;
  }
  return true;
}

bool ValidSha256Hex(const std::string& hex) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    if (!(absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

absl::Status ValidateConsoleConfig(const v1::ConsoleConfig& config, const ReferenceIndex& reference,
                                   const std::string& path) {
  if (config.http_address().empty()) return ConfigError(path, "http_address", "required");
  if (config.escalation_grpc_address().empty()) {
    return ConfigError(path, "escalation_grpc_address", "required");
  }
  std::set<std::string> users;
  for (int i = 0; i < config.development_users_size(); ++i) {
    const auto& u = config.development_users(i);
    const std::string field = absl::StrCat("development_users[", i, "]");
    if (!ValidUserId(u.user_id())) {
      return ConfigError(path, field + ".user_id",
                         "1 to 64 lower-case letters, digits, '-' or '_'");
    }
    if (!users.insert(u.user_id()).second) {
      return ConfigError(path, field + ".user_id", absl::StrCat("duplicate '", u.user_id(), "'"));
    }
    if (u.display_name().empty()) return ConfigError(path, field + ".display_name", "required");
    if (reference.FindRole(u.role_id()) == nullptr) {
      return ConfigError(path, field + ".role_id",
                         absl::StrCat("no role '", u.role_id(), "' in the reference data"));
    }
    for (const auto& area : u.area_ids()) {
      if (reference.FindArea(area) == nullptr) {
        return ConfigError(path, field + ".area_ids",
                           absl::StrCat("no area '", area, "' in the reference data"));
      }
    }
    if (!ValidSha256Hex(u.password_sha256())) {
      return ConfigError(path, field + ".password_sha256",
                         "64 lower-case hex characters (printf %s pw | sha256sum)");
    }
  }
  if (config.has_notifier()) {
    const auto& n = config.notifier();
    std::set<std::string> routes;
    for (int i = 0; i < n.routes_size(); ++i) {
      const auto& r = n.routes(i);
      const std::string field = absl::StrCat("notifier.routes[", i, "]");
      if (!ValidRouteId(r.route_id())) {
        return ConfigError(path, field + ".route_id", "1 to 64 lower-case letters, digits or '-'");
      }
      if (!routes.insert(r.route_id()).second) {
        return ConfigError(path, field + ".route_id", absl::StrCat("duplicate '", r.route_id(), "'"));
      }
      if (r.url().rfind("http://", 0) != 0 && r.url().rfind("https://", 0) != 0) {
        return ConfigError(path, field + ".url", "required: an http:// or https:// URL");
      }
      if (!r.role_id().empty() && reference.FindRole(r.role_id()) == nullptr) {
        return ConfigError(path, field + ".role_id",
                           absl::StrCat("no role '", r.role_id(), "' in the reference data"));
      }
      for (const auto& area : r.area_ids()) {
        if (reference.FindArea(area) == nullptr) {
          return ConfigError(path, field + ".area_ids",
                             absl::StrCat("no area '", area, "' in the reference data"));
        }
      }
    }
    if (n.has_retry()) {
      const auto& p = n.retry();
      if (p.backoff_multiplier() != 0 && p.backoff_multiplier() < 1) {
        return ConfigError(path, "notifier.retry.backoff_multiplier", "must be >= 1");
      }
      if (p.has_jitter() && (p.jitter() < 0 || p.jitter() > 1)) {
        return ConfigError(path, "notifier.retry.jitter", "must be 0 to 1");
      }
    }
  }
  return absl::OkStatus();
}

EffectiveRetryPolicy RetryPolicyOf(const v1::NotifierConfig& notifier) {
  EffectiveRetryPolicy policy;
  if (!notifier.has_retry()) return policy;
  const auto& p = notifier.retry();
  if (p.max_attempts() > 0) policy.max_attempts = static_cast<int>(p.max_attempts());
  if (p.initial_backoff_ms() > 0) policy.initial_backoff = absl::Milliseconds(p.initial_backoff_ms());
  if (p.backoff_multiplier() >= 1) policy.multiplier = p.backoff_multiplier();
  if (p.max_backoff_ms() > 0) policy.max_backoff = absl::Milliseconds(p.max_backoff_ms());
  if (p.has_jitter()) policy.jitter = p.jitter();
  return policy;
}

absl::Duration SessionLifetimeOf(const v1::ConsoleConfig& config) {
  return absl::Minutes(config.session_lifetime_minutes() == 0 ? 720
                                                              : config.session_lifetime_minutes());
}

}  // namespace resilience::console
