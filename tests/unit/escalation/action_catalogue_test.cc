// The shipped action catalogue (the plan's Appendix 2 and section 8 matrix) and the routing it
// implies: a role is told of a level when it has actions there.
#include "services/escalation/core/action_catalogue.h"

#include <set>

#include "common/config/text_proto.h"
#include "common/reference/reference_index.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/status_matchers.h"

namespace resilience::escalation {
namespace {

using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;
using ::testing::Contains;
using ::testing::Not;

std::map<std::string, std::string> Roles() {
  auto reference = ReferenceIndex::Load(::resilience::testing::SourceDir() +
                                        "/deploy/config/kent-medway/reference.textproto");
  EXPECT_THAT(reference, IsOk());
  std::map<std::string, std::string> roles;
  for (const auto& r : (*reference)->data().roles()) roles[r.id()] = r.name();
  return roles;
}

const ActionCatalogue& Shipped() {
  static const ActionCatalogue* catalogue = [] {
    auto config = LoadTextProto<v1::ActionCatalogue>(
        ::resilience::testing::SourceDir() + "/deploy/config/kent-medway/actions.textproto");
    EXPECT_THAT(config, IsOk());
    auto built = ActionCatalogue::FromConfig(*config, Roles());
    EXPECT_THAT(built, IsOk());
    return new ActionCatalogue(*std::move(built));
  }();
  return *catalogue;
}

TEST(ActionCatalogueTest, WhoIsToldFollowsTheMatrix) {
  // OPEL 1 is business as usual: nobody is told.
  EXPECT_TRUE(Shipped().RolesAt(common::v1::OPEL_LEVEL_1_GREEN).empty());
  // DESIGN 4.4: the assistant director already has OPEL 2 actions; the director's first are at
  // OPEL 3.
  EXPECT_THAT(Shipped().RolesAt(common::v1::OPEL_LEVEL_2_AMBER), Contains("assistant_director"));
  EXPECT_THAT(Shipped().RolesAt(common::v1::OPEL_LEVEL_2_AMBER), Not(Contains("director_asc")));
  EXPECT_THAT(Shipped().RolesAt(common::v1::OPEL_LEVEL_3_RED), Contains("director_asc"));
  EXPECT_THAT(Shipped().RolesAt(common::v1::OPEL_LEVEL_4_BLACK), Contains("director_asc"));
  EXPECT_THAT(Shipped().RolesAt(common::v1::OPEL_LEVEL_3_RED), Contains("stp_team_manager"));
}

TEST(ActionCatalogueTest, ContinuedLevelsAreResolvedEachActionOnce) {
  auto l2 = Shipped().CardFor("keah_locality_organiser", common::v1::OPEL_LEVEL_2_AMBER);
  auto l4 = Shipped().CardFor("keah_locality_organiser", common::v1::OPEL_LEVEL_4_BLACK);
  ASSERT_TRUE(l2.has_value());
  ASSERT_TRUE(l4.has_value());
  EXPECT_GE(l4->actions_size(), l2->actions_size());  // level 4 carries level 2 (and 3) forward
  std::set<std::string> ids;
  for (const auto& a : l4->actions()) EXPECT_TRUE(ids.insert(a.action_id()).second) << a.action_id();
  for (const auto& a : l2->actions()) EXPECT_TRUE(ids.count(a.action_id())) << a.action_id();
  EXPECT_EQ(l4->level(), common::v1::OPEL_LEVEL_4_BLACK);
  EXPECT_FALSE(l4->role_name().empty());
  for (const auto& a : l4->actions()) {
    EXPECT_FALSE(a.text().empty());
    EXPECT_FALSE(a.source().empty());
  }
}

TEST(ActionCatalogueTest, BadCataloguesAreRefused) {
  v1::ActionCatalogue c;
  auto* role = c.add_roles();
  role->set_role_id("no_such_role");
  EXPECT_THAT(ActionCatalogue::FromConfig(c, Roles()), StatusIs(absl::StatusCode::kInvalidArgument));
  role->set_role_id("director_asc");
  auto* level = role->add_levels();
  level->set_level(common::v1::OPEL_LEVEL_3_RED);
  level->add_actions()->set_action_id("x");
  level->add_actions()->set_action_id("x");
  EXPECT_THAT(ActionCatalogue::FromConfig(c, Roles()), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ActionCatalogueTest, ContinueLoopsEndAndRolesWithoutActionsGetNoCard) {
  v1::ActionCatalogue c;
  auto* role = c.add_roles();
  role->set_role_id("director_asc");
  auto* three = role->add_levels();
  three->set_level(common::v1::OPEL_LEVEL_3_RED);
  three->add_continue_levels(common::v1::OPEL_LEVEL_4_BLACK);
  auto* a = three->add_actions();
  a->set_action_id("d3");
  a->set_text("chair the escalation group");
  auto* four = role->add_levels();
  four->set_level(common::v1::OPEL_LEVEL_4_BLACK);
  four->add_continue_levels(common::v1::OPEL_LEVEL_3_RED);  // a loop in the data
  auto built = ActionCatalogue::FromConfig(c, Roles());
  ASSERT_THAT(built, IsOk());
  auto card = built->CardFor("director_asc", common::v1::OPEL_LEVEL_4_BLACK);
  ASSERT_TRUE(card.has_value());
  EXPECT_EQ(card->actions_size(), 1);
  EXPECT_FALSE(built->CardFor("assistant_director", common::v1::OPEL_LEVEL_3_RED).has_value());
}

}  // namespace
}  // namespace resilience::escalation
