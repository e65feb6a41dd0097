// The canonical text form of a scope, "<kind>/<id>" (e.g. "team/stp-west-kent"), used as the
// Kafka key of a scope's events and as the Redis hash tag of its keys. Pure functions.
#ifndef RESILIENCE_COMMON_SCOPE_SCOPE_KEY_H_
#define RESILIENCE_COMMON_SCOPE_SCOPE_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/v1/types.pb.h"

namespace resilience {

// "team", "keah_patch", "acute_site", ...: the ScopeKind name without prefix, lower case.
std::string ScopeKindName(common::v1::ScopeKind kind);

// "<kind>/<id>".
std::string ScopeKey(const common::v1::ScopeRef& scope);

// Parses "<kind>/<id>". INVALID_ARGUMENT for an unknown kind or a malformed id.
absl::StatusOr<common::v1::ScopeRef> ParseScopeKey(absl::string_view key);

// True for ids of 1 to 64 characters of lower-case letters, digits and '-'.
bool IsValidScopeId(absl::string_view id);

}  // namespace resilience

#endif  // RESILIENCE_COMMON_SCOPE_SCOPE_KEY_H_
