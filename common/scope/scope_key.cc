#include "common/scope/scope_key.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace resilience {

std::string ScopeKindName(common::v1::ScopeKind kind) {
  std::string name = common::v1::ScopeKind_Name(kind);
  constexpr absl::string_view kPrefix = "SCOPE_KIND_";
  if (absl::StartsWith(name, kPrefix)) name = name.substr(kPrefix.size());
  return absl::AsciiStrToLower(name);
}

std::string ScopeKey(const common::v1::ScopeRef& scope) {
  return absl::StrCat(ScopeKindName(scope.kind()), "/", scope.id());
}

bool IsValidScopeId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) return false;
  }
  return true;
}

absl::StatusOr<common::v1::ScopeRef> ParseScopeKey(absl::string_view key) {
  auto slash = key.find('/');
  if (slash == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("scope '", key, "': expected <kind>/<id>"));
  }
  std::string kind_name = absl::StrCat("SCOPE_KIND_", absl::AsciiStrToUpper(key.substr(0, slash)));
  common::v1::ScopeKind kind;
  if (!common::v1::ScopeKind_Parse(kind_name, &kind) ||
      kind == common::v1::SCOPE_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("scope '", key, "': unknown kind '", key.substr(0, slash), "'"));
  }
  absl::string_view id = key.substr(slash + 1);
  if (!IsValidScopeId(id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scope '", key, "': id must be 1-64 lower-case letters, digits or '-'"));
  }
  common::v1::ScopeRef scope;
  scope.set_kind(kind);
  scope.set_id(std::string(id));
  return scope;
}

}  // namespace resilience
