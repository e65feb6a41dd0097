// The production example config set (deploy/config/production/, DESIGN 8): every service's gRPC
// port on TLS, client certificates required where providers write and trusted only from the
// console where staff read, no development credentials anywhere; and, apart from those settings
// and the paths, the same as the Kent and Medway development set, so the two never drift apart.
#include <functional>
#include <string>

#include "beds/v1/config.pb.h"
#include "capacity/v1/config.pb.h"
#include "common/config/text_proto.h"
#include "common/grpc/server_security.h"
#include "console/v1/config.pb.h"
#include "escalation/v1/config.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/status_matchers.h"
#include "workforce/v1/config.pb.h"

namespace resilience::testing {
namespace {

std::string Production(const std::string& name) {
  return SourceDir() + "/deploy/config/production/" + name + ".textproto";
}
std::string Development(const std::string& name) {
  return SourceDir() + "/deploy/config/kent-medway/" + name + ".textproto";
}

// Loads both sets' config of `name`, checks production's server settings, then compares the
// rest after `strip` has removed what production may set differently.
template <typename Config>
void ExpectSameButSecured(const std::string& name, bool providers_write,
                          const std::function<void(Config*)>& strip = nullptr) {
  SCOPED_TRACE(name);
  auto production = LoadTextProto<Config>(Production(name));
  ASSERT_THAT(production, IsOk());
  auto development = LoadTextProto<Config>(Development(name));
  ASSERT_THAT(development, IsOk());

  const common::v1::ServerSettings& server = production->server();
  EXPECT_FALSE(server.tls().cert_path().empty());
  EXPECT_FALSE(server.tls().key_path().empty());
  EXPECT_FALSE(server.tls().client_ca_path().empty());
  EXPECT_EQ(server.tls().require_client_certificate(), providers_write);
  ASSERT_TRUE(server.callers().has_allow_development_headers());
  EXPECT_FALSE(server.callers().allow_development_headers());
  EXPECT_FALSE(CallerPolicyOf(server).allow_development_headers);
  // The development set stays as it was: plaintext, headers accepted.
  EXPECT_FALSE(development->server().has_tls());
  EXPECT_TRUE(CallerPolicyOf(development->server()).allow_development_headers);

  // Paths name the same files.
  EXPECT_EQ(ResolveBeside(Production(name), production->reference_path()),
            SourceDir() + "/deploy/config/production/../kent-medway/reference.textproto");
  for (Config* c : {&*production, &*development}) {
    c->clear_server();
    c->clear_reference_path();
    if (strip) strip(c);
  }
  std::string differences;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differ.Compare(*development, *production))
      << "deploy/config/production/" << name << ".textproto has drifted from kent-medway/"
      << name << ".textproto (copy the change across):\n"
      << differences;
}

TEST(ProductionConfigTest, ProviderPortsRequireClientCertificates) {
  ExpectSameButSecured<workforce::v1::WorkforceConfig>("workforce", true);
  ExpectSameButSecured<beds::v1::BedsConfig>("beds", true);
  ExpectSameButSecured<capacity::v1::CapacityConfig>(
      "capacity", true, [](capacity::v1::CapacityConfig* c) { c->clear_auth(); });
}

TEST(ProductionConfigTest, CapacityAcceptsNoDevelopmentCredentials) {
  auto production = LoadTextProto<capacity::v1::CapacityConfig>(Production("capacity"));
  ASSERT_THAT(production, IsOk());
  EXPECT_FALSE(production->auth().accept_dev_tokens());
  EXPECT_FALSE(production->auth().accept_provider_id_header());
  EXPECT_FALSE(production->auth().accept_staff_user_header());
}

TEST(ProductionConfigTest, EscalationTrustsOnlyTheConsoleToNameUsers) {
  ExpectSameButSecured<escalation::v1::EscalationConfig>(
      "escalation", false,
      [](escalation::v1::EscalationConfig* c) { c->clear_action_catalogue_path(); });
  auto production = LoadTextProto<escalation::v1::EscalationConfig>(Production("escalation"));
  ASSERT_THAT(production, IsOk());
  EXPECT_THAT(production->server().callers().trusted_clients(),
              ::testing::ElementsAre("resilience-console"));
}

TEST(ProductionConfigTest, ConsoleUsesItsClientCertificateAndSignsNobodyInByPassword) {
  auto production = LoadTextProto<console::v1::ConsoleConfig>(Production("console"));
  ASSERT_THAT(production, IsOk());
  EXPECT_EQ(production->development_users_size(), 0);
  EXPECT_TRUE(production->escalation_ca_cert_path().empty());
  EXPECT_FALSE(production->escalation_tls().ca_path().empty());
  EXPECT_THAT(production->escalation_tls().cert_path(),
              ::testing::HasSubstr("resilience-console.pem"));
  EXPECT_FALSE(production->escalation_tls().key_path().empty());
  EXPECT_FALSE(production->notifier().enabled());
}

}  // namespace
}  // namespace resilience::testing
