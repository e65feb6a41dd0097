#include "services/escalation/core/action_catalogue.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace resilience::escalation {

absl::StatusOr<ActionCatalogue> ActionCatalogue::FromConfig(
    const v1::ActionCatalogue& config, const std::map<std::string, std::string>& known_roles) {
  ActionCatalogue out;
  std::set<std::string> action_ids;
  for (const v1::RoleActions& role : config.roles()) {
    if (known_roles.count(role.role_id()) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("action catalogue: unknown role '", role.role_id(), "'"));
    }
    if (out.role_names_.count(role.role_id())) {
      return absl::InvalidArgumentError(
          absl::StrCat("action catalogue: role '", role.role_id(), "' appears twice"));
    }
    out.role_order_.push_back(role.role_id());
    out.role_names_[role.role_id()] = known_roles.at(role.role_id());
    for (const v1::LevelActions& level : role.levels()) {
      if (!out.levels_.emplace(std::make_pair(role.role_id(), static_cast<int>(level.level())), level)
               .second) {
        return absl::InvalidArgumentError(absl::StrCat("action catalogue: role '", role.role_id(),
                                                       "' has level ", level.level(), " twice"));
      }
      for (const v1::Action& a : level.actions()) {
        if (a.action_id().empty() || !action_ids.insert(a.action_id()).second) {
          return absl::InvalidArgumentError(
              absl::StrCat("action catalogue: empty or repeated action id '", a.action_id(), "'"));
        }
      }
    }
  }
  return out;
}

std::optional<v1::ActionCard> ActionCatalogue::CardFor(const std::string& role_id,
                                                       common::v1::OpelLevel level) const {
  auto first = levels_.find({role_id, static_cast<int>(level)});
  if (first == levels_.end()) return std::nullopt;
  v1::ActionCard card;
  card.set_role_id(role_id);
  card.set_role_name(role_names_.at(role_id));
  card.set_level(level);
  std::set<int> visited;
  std::set<std::string> added;
  std::vector<int> todo = {static_cast<int>(level)};
  // Own actions first, then continued levels, highest first.
  while (!todo.empty()) {
    const int l = todo.front();
    todo.erase(todo.begin());
    if (!visited.insert(l).second) continue;
    auto it = levels_.find({role_id, l});
    if (it == levels_.end()) continue;
    for (const v1::Action& a : it->second.actions()) {
      if (added.insert(a.action_id()).second) *card.add_actions() = a;
    }
    std::vector<int> next;
    for (int c : it->second.continue_levels()) next.push_back(c);
    std::sort(next.rbegin(), next.rend());
    todo.insert(todo.end(), next.begin(), next.end());
  }
  if (card.actions_size() == 0) return std::nullopt;
  return card;
}

std::vector<std::string> ActionCatalogue::RolesAt(common::v1::OpelLevel level) const {
  std::vector<std::string> out;
  for (const std::string& role : role_order_) {
    if (CardFor(role, level).has_value()) out.push_back(role);
  }
  return out;
}

std::vector<v1::ActionCard> ActionCatalogue::CardsAt(common::v1::OpelLevel level) const {
  std::vector<v1::ActionCard> out;
  for (const std::string& role : role_order_) {
    if (auto card = CardFor(role, level)) out.push_back(*std::move(card));
  }
  return out;
}

}  // namespace resilience::escalation
