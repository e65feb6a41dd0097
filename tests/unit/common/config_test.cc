// Config loading: errors name file, line, column and reason; the shipped configs load and
// validate.
#include "common/config/text_proto.h"

#include <fstream>

#include "common/reference/reference_index.h"
#include "common/v1/settings.pb.h"
#include "escalation/v1/config.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/status_matchers.h"
#include "workforce/v1/config.pb.h"

namespace resilience {
namespace {

using ::resilience::testing::IsOk;
using ::resilience::testing::StatusIs;
using ::testing::HasSubstr;

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(TextProtoTest, SyntaxErrorNamesFileLineAndReason) {
  std::string path = WriteTemp("bad_topics.textproto",
                               "topics { name: \"a\" partitions: 1 }\n"
                               "topics { name: \"b\" partitions: x }\n");
  auto loaded = LoadTextProto<common::v1::TopicSet>(path);
  EXPECT_THAT(loaded, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr(path + ":2:")));
  EXPECT_THAT(loaded.status().message(), HasSubstr("integer"));
}

TEST(TextProtoTest, UnknownFieldNamesFileLineAndField) {
  std::string path = WriteTemp("unknown_field.textproto", "\n\nprefx: \"oops\"\n");
  auto loaded = LoadTextProto<common::v1::TopicNames>(path);
  EXPECT_THAT(loaded, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(path + ":3:")));
  EXPECT_THAT(loaded.status().message(), HasSubstr("prefx"));
}

TEST(TextProtoTest, MissingFileIsNotFound) {
  EXPECT_THAT(LoadTextProto<common::v1::TopicSet>("/nonexistent/x.textproto"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/x.textproto")));
}

TEST(TextProtoTest, ResolveBesideTheConfigFile) {
  EXPECT_EQ(ResolveBeside("/etc/rp/escalation.textproto", "reference.textproto"),
            "/etc/rp/reference.textproto");
  EXPECT_EQ(ResolveBeside("/etc/rp/escalation.textproto", "/abs/r.textproto"), "/abs/r.textproto");
  EXPECT_EQ(ResolveBeside("escalation.textproto", "r.textproto"), "r.textproto");
}

TEST(ReferenceIndexTest, UnknownCrossReferenceNamesTheField) {
  reference::v1::ReferenceData d;
  d.add_areas()->set_id("west-kent");
  auto* team = d.add_teams();
  team->set_id("stp-x");
  team->set_area_id("nowhere");
  team->set_establishment_wte(10);
  EXPECT_THAT(ReferenceIndex::Build(d, "ref.textproto"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ref.textproto: teams[0].area_id: unknown area 'nowhere'")));
  team->set_area_id("west-kent");
  team->set_establishment_wte(0);
  EXPECT_THAT(ReferenceIndex::Build(d), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 HasSubstr("establishment_wte")));
  team->set_establishment_wte(10);
  d.add_areas()->set_id("west-kent");
  EXPECT_THAT(ReferenceIndex::Build(d), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 HasSubstr("duplicate id 'west-kent'")));
}

// The Kent and Medway set that the run command starts with.
TEST(ShippedConfigTest, KentAndMedwayConfigsLoadAndValidate) {
  const std::string dir = ::resilience::testing::SourceDir() + "/deploy/config/kent-medway/";
  auto reference = ReferenceIndex::Load(dir + "reference.textproto");
  ASSERT_THAT(reference, IsOk());
  EXPECT_NE((*reference)->FindTeam("stp-west-kent"), nullptr);
  EXPECT_EQ((*reference)->data().areas_size(), 4);
  EXPECT_EQ((*reference)->data().keah_patches_size(), 9);
  EXPECT_NE((*reference)->FindIndicator("stp_staffing_pct"), nullptr);
  EXPECT_THAT(LoadTextProto<escalation::v1::EscalationConfig>(dir + "escalation.textproto"),
              IsOk());
  EXPECT_THAT(LoadTextProto<workforce::v1::WorkforceConfig>(dir + "workforce.textproto"), IsOk());
  EXPECT_THAT(LoadTextProto<common::v1::TopicSet>(::resilience::testing::SourceDir() +
                                                  "/deploy/topics.textproto"),
              IsOk());
}

}  // namespace
}  // namespace resilience
