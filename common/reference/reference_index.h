// Read-only lookups over the reference data (areas, teams, indicators, roles, ...), built once at
// start-up after checking that every cross-reference resolves. Thread-safe after construction
// (immutable).
#ifndef RESILIENCE_COMMON_REFERENCE_REFERENCE_INDEX_H_
#define RESILIENCE_COMMON_REFERENCE_REFERENCE_INDEX_H_

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reference/v1/reference.pb.h"

namespace resilience {

class ReferenceIndex {
 public:
  // Indexes `data`. INVALID_ARGUMENT naming the entry and field for a duplicate id, a malformed
  // id, or a reference to something that does not exist (a team's area, a role's escalates_to).
  // `source` (the file name) prefixes errors.
  static absl::StatusOr<std::shared_ptr<const ReferenceIndex>> Build(
      reference::v1::ReferenceData data, absl::string_view source = "reference data");

  // Loads a ReferenceData textproto and indexes it.
  static absl::StatusOr<std::shared_ptr<const ReferenceIndex>> Load(const std::string& path);

  const reference::v1::ReferenceData& data() const { return data_; }

  // Lookups; null when unknown. Pointers live as long as the index.
  const reference::v1::Area* FindArea(absl::string_view id) const;
  const reference::v1::Team* FindTeam(absl::string_view id) const;
  const reference::v1::Role* FindRole(absl::string_view id) const;
  const reference::v1::IndicatorDefinition* FindIndicator(absl::string_view id) const;
  const reference::v1::Provider* FindProvider(absl::string_view id) const;
  const reference::v1::StaffMember* FindPerson(absl::string_view id) const;
  const reference::v1::AcuteSite* FindAcuteSite(absl::string_view id) const;

  // True when the scope names something in the reference data.
  bool ScopeExists(const common::v1::ScopeRef& scope) const;

  // The KCC locality a scope belongs to (a team's, patch's or location's area; an area itself);
  // nullopt for county-wide and NHS scopes.
  std::optional<std::string> AreaOf(const common::v1::ScopeRef& scope) const;

  // Display name of a scope ("Short-term Pathway West Kent"), or its id when unknown.
  std::string ScopeName(const common::v1::ScopeRef& scope) const;

 private:
  explicit ReferenceIndex(reference::v1::ReferenceData data) : data_(std::move(data)) {}

  reference::v1::ReferenceData data_;
  std::map<std::string, const reference::v1::Area*, std::less<>> areas_;
  std::map<std::string, const reference::v1::BoardArea*, std::less<>> board_areas_;
  std::map<std::string, const reference::v1::Trust*, std::less<>> trusts_;
  std::map<std::string, const reference::v1::AcuteSite*, std::less<>> sites_;
  std::map<std::string, const reference::v1::KeahPatch*, std::less<>> patches_;
  std::map<std::string, const reference::v1::Team*, std::less<>> teams_;
  std::map<std::string, const reference::v1::Location*, std::less<>> locations_;
  std::map<std::string, const reference::v1::Provider*, std::less<>> providers_;
  std::map<std::string, const reference::v1::Role*, std::less<>> roles_;
  std::map<std::string, const reference::v1::IndicatorDefinition*, std::less<>> indicators_;
  std::map<std::string, const reference::v1::StaffMember*, std::less<>> people_;
};

}  // namespace resilience

#endif  // RESILIENCE_COMMON_REFERENCE_REFERENCE_INDEX_H_
