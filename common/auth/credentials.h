// Who a call comes from, apart from the transport: bearer tokens (the reference data holds only
// their SHA-256, so the data files hold no secrets) and the rule on the development headers that
// name a caller without proof ("x-staff-user", "x-provider-id"). Pure functions over immutable
// data; thread-safe. The gRPC side (client certificates, the per-call check) is grpc_caller.h.
#ifndef RESILIENCE_COMMON_AUTH_CREDENTIALS_H_
#define RESILIENCE_COMMON_AUTH_CREDENTIALS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/reference/reference_index.h"

namespace resilience::auth {

// Call metadata keys (gRPC lower-cases them).
inline constexpr char kAuthorizationHeader[] = "authorization";
inline constexpr char kStaffUserHeader[] = "x-staff-user";
inline constexpr char kProviderIdHeader[] = "x-provider-id";

// SHA-256 of `data` in lower-case hex (64 characters).
std::string Sha256Hex(absl::string_view data);

// The token of an authorization value "Bearer <token>" (the scheme in any case).
// UNAUTHENTICATED when the value is not of that form or the token is empty.
absl::StatusOr<std::string> BearerToken(absl::string_view authorization);

// The person of the reference data whose `token_sha256` is the SHA-256 of `token`.
// UNAUTHENTICATED when nobody's is. The pointer lives as long as `reference`.
absl::StatusOr<const reference::v1::StaffMember*> StaffByToken(const ReferenceIndex& reference,
                                                               absl::string_view token);

// Who may name a caller with the development headers. Built from common.v1.CallerSettings.
struct CallerPolicy {
  // Bare "x-staff-user" and "x-provider-id" accepted from anyone (local development).
  bool allow_development_headers = true;
  // Common names of verified client certificates that may name the signed-in staff user in
  // "x-staff-user" even when development headers are off (the console signs its users in).
  std::vector<std::string> trusted_clients;
};

// The development headers a call carries.
struct DevelopmentHeaders {
  bool staff_user = false;
  bool provider_id = false;
};

// OK when a call whose verified client certificate is named `peer_name` (empty: no certificate)
// may carry `headers` under `policy`; otherwise UNAUTHENTICATED saying what to send instead.
// "x-provider-id" is never accepted on a trusted client's word: providers prove who they are.
absl::Status CheckDevelopmentHeaders(const CallerPolicy& policy, absl::string_view peer_name,
                                     const DevelopmentHeaders& headers);

}  // namespace resilience::auth

#endif  // RESILIENCE_COMMON_AUTH_CREDENTIALS_H_
