// The plan's actions per role and level (plan Appendix 2 and the section 8 matrix) and the
// routing they imply (DESIGN 4.4): a role is told of a level when it has actions at that level,
// and each recipient gets the action card for its role. "Continue with level N actions" is
// resolved here, transitively, each action once. Pure code; immutable after construction, so
// thread-safe.
#ifndef RESILIENCE_SERVICES_ESCALATION_CORE_ACTION_CATALOGUE_H_
#define RESILIENCE_SERVICES_ESCALATION_CORE_ACTION_CATALOGUE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "escalation/v1/alerts.pb.h"
#include "escalation/v1/config.pb.h"

namespace resilience::escalation {

class ActionCatalogue {
 public:
  // Checks and indexes the catalogue. INVALID_ARGUMENT for a role not in `known_roles` (role id
  // -> display name), a repeated action id or role, or a level given twice for one role.
  static absl::StatusOr<ActionCatalogue> FromConfig(
      const v1::ActionCatalogue& config, const std::map<std::string, std::string>& known_roles);

  // Roles with actions at `level` (its own rows or continued ones), in catalogue order.
  std::vector<std::string> RolesAt(common::v1::OpelLevel level) const;

  // The card for `role_id` at `level`: the level's own actions, then those of the levels it
  // continues (transitively), each action once. nullopt when the role has none there.
  std::optional<v1::ActionCard> CardFor(const std::string& role_id,
                                        common::v1::OpelLevel level) const;

  // Cards for every role with actions at `level`.
  std::vector<v1::ActionCard> CardsAt(common::v1::OpelLevel level) const;

 private:
  std::vector<std::string> role_order_;
  std::map<std::string, std::string> role_names_;
  std::map<std::pair<std::string, int>, v1::LevelActions> levels_;
};

}  // namespace resilience::escalation

#endif  // RESILIENCE_SERVICES_ESCALATION_CORE_ACTION_CATALOGUE_H_
