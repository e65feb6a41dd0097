#include "common/auth/credentials.h"

#include <openssl/evp.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace resilience::auth {

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

absl::StatusOr<std::string> BearerToken(absl::string_view authorization) {
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWithIgnoreCase(authorization, kBearer)) {
    return absl::UnauthenticatedError("authorization must be \"Bearer <token>\"");
  }
  absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(kBearer.size()));
  if (token.empty()) return absl::UnauthenticatedError("authorization: the token is empty");
  return std::string(token);
}

absl::StatusOr<const reference::v1::StaffMember*> StaffByToken(const ReferenceIndex& reference,
                                                               absl::string_view token) {
  const std::string hash = Sha256Hex(token);
  for (const auto& person : reference.data().people()) {
    if (!person.token_sha256().empty() &&
        absl::AsciiStrToLower(person.token_sha256()) == hash) {
      return &person;
    }
  }
  // The token itself is never echoed: it may be someone's real secret mistyped.
  return absl::UnauthenticatedError("the bearer token matches no member of staff");
}

absl::Status CheckDevelopmentHeaders(const CallerPolicy& policy, absl::string_view peer_name,
                                     const DevelopmentHeaders& headers) {
  if (policy.allow_development_headers) return absl::OkStatus();
  if (headers.provider_id) {
    return absl::UnauthenticatedError(absl::StrCat(
        kProviderIdHeader,
        " is not accepted here: a provider is identified by its client certificate"));
  }
  if (headers.staff_user) {
    const bool trusted =
        !peer_name.empty() && std::find(policy.trusted_clients.begin(),
                                        policy.trusted_clients.end(),
                                        peer_name) != policy.trusted_clients.end();
    if (!trusted) {
      return absl::UnauthenticatedError(absl::StrCat(
          kStaffUserHeader,
          " is accepted only from a trusted client (the console); sign in with \"",
          kAuthorizationHeader, ": Bearer <your token>\""));
    }
  }
  return absl::OkStatus();
}

}  // namespace resilience::auth
