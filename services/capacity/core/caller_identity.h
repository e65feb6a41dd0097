// Who is calling the capacity service: a provider (the name on its verified client certificate,
// mTLS; or a development token "authorization: Bearer <token>" matched by SHA-256 against the
// reference data, or, where the config allows it, an "x-provider-id" header) or a staff user
// ("x-staff-user", queries only).
// Immutable after construction, so thread-safe.
#ifndef RESILIENCE_SERVICES_CAPACITY_CORE_CALLER_IDENTITY_H_
#define RESILIENCE_SERVICES_CAPACITY_CORE_CALLER_IDENTITY_H_

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "capacity/v1/config.pb.h"
#include "common/reference/reference_index.h"

namespace resilience::capacity {

struct Caller {
  // Set for a provider system.
  const reference::v1::Provider* provider = nullptr;
  // Set for a member of staff.
  const reference::v1::StaffMember* staff = nullptr;
};

// The metadata values that identify a caller; empty when absent.
struct CallerCredentials {
  std::string authorization;  // "Bearer <token>"
  std::string provider_id;    // x-provider-id
  std::string staff_user;     // x-staff-user
  // Common name of the client certificate the server verified (mTLS); empty without one.
  std::string certificate_name;
};

class CallerIdentity {
 public:
  CallerIdentity(std::shared_ptr<const ReferenceIndex> reference, v1::CallerAuth auth);

  // The caller. A verified client certificate names a provider, and a call bearing one may carry
  // no other credentials. UNAUTHENTICATED when nothing acceptable identifies it: no credentials,
  // a certificate that names no provider, other credentials beside a certificate, a token
  // that matches no provider (whatever else is sent), a malformed authorization value, or a
  // header the config does not accept or that names nobody in the reference data.
  absl::StatusOr<Caller> Identify(const CallerCredentials& credentials) const;

 private:
  std::shared_ptr<const ReferenceIndex> reference_;
  v1::CallerAuth auth_;
  // SHA-256 hex of a token -> provider.
  std::map<std::string, const reference::v1::Provider*, std::less<>> by_token_hash_;
};

// SHA-256 of `data` in lower-case hex.
std::string Sha256Hex(absl::string_view data);

}  // namespace resilience::capacity

#endif  // RESILIENCE_SERVICES_CAPACITY_CORE_CALLER_IDENTITY_H_
