#include "services/console/sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/console/console_config.h"

namespace resilience::console {

std::string Sha256Hex(absl::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string CookieValue(absl::string_view cookie_header, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(cookie_header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
      return std::string(part);
    }
  }
  return "";
}

std::string SessionCookieHeader(const std::string& session_id, absl::Duration lifetime,
                                bool secure) {
  const int64_t max_age = session_id.empty() ? 0 : absl::ToInt64Seconds(lifetime);
  return absl::StrCat(kSessionCookie, "=", session_id, "; Path=/; HttpOnly; SameSite=Strict; Max-Age=",
                      max_age, secure ? "; Secure" : "");
}

SessionStore::SessionStore(const v1::ConsoleConfig& config,
                           std::shared_ptr<const ReferenceIndex> reference, const Clock* clock)
    : clock_(clock), lifetime_(SessionLifetimeOf(config)) {
  for (const auto& u : config.development_users()) {
    Viewer v;
    v.user_id = u.user_id();
    v.display_name = u.display_name();
    v.role_id = u.role_id();
    v.area_ids.assign(u.area_ids().begin(), u.area_ids().end());
    v.county_wide = u.county_wide();
    if (const auto* role = reference->FindRole(u.role_id()); role != nullptr) {
      v.may_declare_level = role->may_declare_level();
      v.may_silence = role->may_silence();
    }
    users_[u.user_id()] = {std::move(v), u.password_sha256()};
  }
}

absl::StatusOr<std::string> SessionStore::SignIn(const std::string& user_id,
                                                 const std::string& password) {
  auto it = users_.find(user_id);
  // Hash either way so a wrong user and a wrong password take the same time.
  const std::string given = Sha256Hex(password);
  const std::string& expected = it == users_.end() ? given : it->second.second;
  const bool same = CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
  if (it == users_.end() || !same) {
    return absl::UnauthenticatedError("unknown user or wrong password");
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::UnavailableError("no randomness for a session id");
  }
  std::string id = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
  absl::MutexLock lock(&mu_);
  sessions_[id] = Session{it->second.first, clock_->Now() + lifetime_};
  return id;
}

std::optional<Viewer> SessionStore::Find(const std::string& session_id) {
  if (session_id.empty()) return std::nullopt;
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return std::nullopt;
  const absl::Time now = clock_->Now();
  if (now >= it->second.expires) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.expires = now + lifetime_;
  return it->second.viewer;
}

void SessionStore::SignOut(const std::string& session_id) {
  absl::MutexLock lock(&mu_);
  sessions_.erase(session_id);
}

size_t SessionStore::LiveCount() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = now >= it->second.expires ? sessions_.erase(it) : std::next(it);
  }
  return sessions_.size();
}

}  // namespace resilience::console
