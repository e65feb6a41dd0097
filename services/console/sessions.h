// Signed-in sessions of the console: development sign-in against the config's users (SHA-256 of
// the password, compared in constant time), an opaque random session id carried in an HttpOnly,
// SameSite=Strict cookie, and a sliding lifetime on an injected clock. Thread-safe.
#ifndef RESILIENCE_SERVICES_CONSOLE_SESSIONS_H_
#define RESILIENCE_SERVICES_CONSOLE_SESSIONS_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/clock/clock.h"
#include "common/reference/reference_index.h"
#include "console/v1/config.pb.h"
#include "services/console/viewer.h"

namespace resilience::console {

// Name of the session cookie.
inline constexpr char kSessionCookie[] = "console_session";

// Lower-case hex SHA-256 of `text`.
std::string Sha256Hex(absl::string_view text);

// The value of cookie `name` in a Cookie request header, or empty.
std::string CookieValue(absl::string_view cookie_header, absl::string_view name);

// The Set-Cookie header value for a session id (HttpOnly, SameSite=Strict, Path=/, Max-Age the
// lifetime); `secure` adds Secure (when served over TLS). An empty id clears the cookie.
std::string SessionCookieHeader(const std::string& session_id, absl::Duration lifetime, bool secure);

class SessionStore {
 public:
  // `users` and `reference` (role permissions) are copied/shared; `clock` not owned, must outlive.
  SessionStore(const v1::ConsoleConfig& config, std::shared_ptr<const ReferenceIndex> reference,
               const Clock* clock);

  // Checks the password and opens a session; returns its id. UNAUTHENTICATED for an unknown user
  // or a wrong password (one message for both, so ids cannot be probed).
  absl::StatusOr<std::string> SignIn(const std::string& user_id, const std::string& password);

  // The viewer of a live session, extending its lifetime; nullopt when unknown or expired.
  std::optional<Viewer> Find(const std::string& session_id);

  // Ends a session (no-op when unknown).
  void SignOut(const std::string& session_id);

  // Sessions alive now (expired ones are dropped as a side effect).
  size_t LiveCount();

  absl::Duration lifetime() const { return lifetime_; }

 private:
  struct Session {
    Viewer viewer;
    absl::Time expires;
  };
  std::map<std::string, std::pair<Viewer, std::string>> users_;  // id -> viewer, password hash
  const Clock* clock_;
  absl::Duration lifetime_;
  absl::Mutex mu_;
  std::map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_SESSIONS_H_
