#include "services/capacity/core/caller_identity.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/credentials.h"

namespace resilience::capacity {

std::string Sha256Hex(absl::string_view data) { return auth::Sha256Hex(data); }

CallerIdentity::CallerIdentity(std::shared_ptr<const ReferenceIndex> reference,
                               v1::CallerAuth auth)
    : reference_(std::move(reference)), auth_(std::move(auth)) {
  for (const auto& p : reference_->data().providers()) {
    if (!p.token_sha256().empty()) {
      by_token_hash_[absl::AsciiStrToLower(p.token_sha256())] = &p;
    }
  }
}

absl::StatusOr<Caller> CallerIdentity::Identify(const CallerCredentials& c) const {
  Caller caller;
  if (!c.certificate_name.empty()) {
    // mTLS (DESIGN 8): the certificate is the proof; a second, weaker credential naming perhaps
    // someone else is refused rather than silently ignored.
    if (!c.authorization.empty() || !c.provider_id.empty() || !c.staff_user.empty()) {
      return absl::UnauthenticatedError(
          "a call with a client certificate carries no other credentials");
    }
    caller.provider = reference_->FindProvider(c.certificate_name);
    if (caller.provider == nullptr) {
      return absl::UnauthenticatedError(
          absl::StrCat("the client certificate names no provider ('", c.certificate_name, "')"));
    }
    return caller;
  }
  if (!c.authorization.empty()) {
    if (!auth_.accept_dev_tokens()) {
      return absl::UnauthenticatedError("tokens are not accepted here (use the client certificate)");
    }
    absl::string_view value = c.authorization;
    constexpr absl::string_view kBearer = "Bearer ";
    if (!absl::StartsWithIgnoreCase(value, kBearer) || value.size() == kBearer.size()) {
      return absl::UnauthenticatedError("authorization must be \"Bearer <token>\"");
    }
    auto it = by_token_hash_.find(Sha256Hex(value.substr(kBearer.size())));
    if (it == by_token_hash_.end()) {
      return absl::UnauthenticatedError("the token matches no provider");
    }
    caller.provider = it->second;
    return caller;
  }
  if (!c.provider_id.empty()) {
    if (!auth_.accept_provider_id_header()) {
      return absl::UnauthenticatedError("send the provider's token (x-provider-id is not accepted)");
    }
    caller.provider = reference_->FindProvider(c.provider_id);
    if (caller.provider == nullptr) {
      return absl::UnauthenticatedError(absl::StrCat("unknown provider '", c.provider_id, "'"));
    }
    return caller;
  }
  if (!c.staff_user.empty()) {
    if (!auth_.accept_staff_user_header()) {
      return absl::UnauthenticatedError("x-staff-user is not accepted here");
    }
    caller.staff = reference_->FindPerson(c.staff_user);
    if (caller.staff == nullptr) {
      return absl::UnauthenticatedError(absl::StrCat("unknown staff user '", c.staff_user, "'"));
    }
    return caller;
  }
  return absl::UnauthenticatedError(
      "no credentials: send \"authorization: Bearer <token>\" in the call metadata");
}

}  // namespace resilience::capacity
