#include "services/capacity/core/caller_identity.h"

#include <openssl/evp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace resilience::capacity {

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
