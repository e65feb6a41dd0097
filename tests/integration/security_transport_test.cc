// The transport half of DESIGN 8 against a real gRPC server in this process, configured by
// ApplyServerSecurity exactly as the services are, with certificates from
// deploy/tls/make-dev-certs.sh: a plaintext client is refused by a TLS port; a client without a
// certificate, or with one from another CA, is refused where mTLS is required; a verified
// certificate's name reaches the service; bare development headers are refused before the service
// sees them unless a trusted client sends x-staff-user; inconsistent settings fail at start-up.
#include <map>
#include <memory>
#include <string>

#include "common/auth/grpc_caller.h"
#include "common/grpc/server_security.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/security_test_support.h"
#include "tests/testing/status_matchers.h"

namespace resilience::testing {
namespace {

using ::testing::HasSubstr;
namespace health = grpc::health::v1;

// Answers SERVING and says, in trailing metadata, what the service saw: the verified client
// certificate's name ("x-peer") and the x-staff-user header if it got through ("x-seen-user").
class EchoHealth final : public health::Health::CallbackService {
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const health::HealthCheckRequest* /*request*/,
                                  health::HealthCheckResponse* response) override {
    response->set_status(health::HealthCheckResponse::SERVING);
    context->AddTrailingMetadata("x-peer", auth::VerifiedClientName(*context));
    auto it = context->client_metadata().find("x-staff-user");
    if (it != context->client_metadata().end()) {
      context->AddTrailingMetadata("x-seen-user", std::string(it->second.data(), it->second.size()));
    }
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// What one call came back with.
struct Outcome {
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  std::string message;
  std::string peer;       // x-peer
  std::string seen_user;  // x-seen-user
};

class SecureServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now());
  }

  // Serves EchoHealth with the credentials ApplyServerSecurity makes of `settings`.
  void Serve(const common::v1::ServerSettings& settings) {
    GrpcServerOptions options;
    ASSERT_THAT(ApplyServerSecurity(settings, "", &options), IsOk());
    grpc::ServerBuilder builder;
    builder.AddListeningPort(
        "127.0.0.1:0",
        options.credentials ? options.credentials : grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port_, 0);
  }
  std::string Address() const { return absl::StrCat("127.0.0.1:", port_); }

  static Outcome Call(const std::shared_ptr<grpc::Channel>& channel,
                      const std::multimap<std::string, std::string>& metadata = {}) {
    Outcome out;
    if (channel == nullptr) return out;
    auto stub = health::Health::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
    health::HealthCheckResponse response;
    grpc::Status status = stub->Check(&context, health::HealthCheckRequest(), &response);
    out.code = status.error_code();
    out.message = status.error_message();
    for (const auto& [key, value] : context.GetServerTrailingMetadata()) {
      std::string v(value.data(), value.size());
      if (key == "x-peer") out.peer = v;
      if (key == "x-seen-user") out.seen_user = v;
    }
    return out;
  }
  Outcome CallAs(const common::v1::ClientTlsSettings& tls,
                 const std::multimap<std::string, std::string>& metadata = {}) {
    return Call(SecureChannel(Address(), tls), metadata);
  }

  EchoHealth service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(SecureServerTest, PlaintextClientIsRefusedByATlsPort) {
  common::v1::ServerSettings settings;
  *settings.mutable_tls() = ServerTls(false);
  settings.mutable_tls()->clear_client_ca_path();
  ASSERT_NO_FATAL_FAILURE(Serve(settings));
  Outcome plaintext = Call(PlaintextChannel(Address()));
  EXPECT_EQ(plaintext.code, grpc::StatusCode::UNAVAILABLE) << plaintext.message;
  // The same call over TLS, trusting the development CA, is served; no client certificate.
  Outcome tls = CallAs(ClientTls());
  EXPECT_EQ(tls.code, grpc::StatusCode::OK) << tls.message;
  EXPECT_EQ(tls.peer, "");
  // A client that trusts another CA refuses the server (and so never sends anything).
  common::v1::ClientTlsSettings elsewhere;
  elsewhere.set_ca_path(CertificateDir() + "/intruder/ca.pem");
  EXPECT_EQ(CallAs(elsewhere).code, grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SecureServerTest, MutualTlsRefusesClientsWithoutATrustedCertificate) {
  common::v1::ServerSettings settings;
  *settings.mutable_tls() = ServerTls(/*require_client_certificate=*/true);
  ASSERT_NO_FATAL_FAILURE(Serve(settings));
  Outcome none = CallAs(ClientTls());
  EXPECT_EQ(none.code, grpc::StatusCode::UNAVAILABLE) << none.message;
  Outcome intruder = CallAs(IntruderTls());  // the right name, the wrong CA
  EXPECT_EQ(intruder.code, grpc::StatusCode::UNAVAILABLE) << intruder.message;
  EXPECT_EQ(Call(PlaintextChannel(Address())).code, grpc::StatusCode::UNAVAILABLE);
  // A provider's certificate is served and its name reaches the service.
  Outcome provider = CallAs(ClientTls("rostering-kcc"));
  EXPECT_EQ(provider.code, grpc::StatusCode::OK) << provider.message;
  EXPECT_EQ(provider.peer, "rostering-kcc");
}

TEST_F(SecureServerTest, OptionalClientCertificatesAreStillVerified) {
  common::v1::ServerSettings settings;
  *settings.mutable_tls() = ServerTls(/*require_client_certificate=*/false);
  ASSERT_NO_FATAL_FAILURE(Serve(settings));
  Outcome none = CallAs(ClientTls());
  EXPECT_EQ(none.code, grpc::StatusCode::OK) << none.message;
  EXPECT_EQ(none.peer, "");
  Outcome console = CallAs(ClientTls(kConsoleClient));
  EXPECT_EQ(console.code, grpc::StatusCode::OK) << console.message;
  EXPECT_EQ(console.peer, kConsoleClient);
  // Sent, a certificate must verify: a look-alike never gets a name.
  EXPECT_NE(CallAs(IntruderTls()).code, grpc::StatusCode::OK);
}

TEST_F(SecureServerTest, BareDevelopmentHeadersAreRefusedUnlessATrustedClientNamesItsUser) {
  common::v1::ServerSettings settings;
  *settings.mutable_tls() = ServerTls(false);
  settings.mutable_callers()->set_allow_development_headers(false);
  settings.mutable_callers()->add_trusted_clients(kConsoleClient);
  ASSERT_NO_FATAL_FAILURE(Serve(settings));
  const std::multimap<std::string, std::string> staff = {{"x-staff-user", "priya-nair"}};
  const std::multimap<std::string, std::string> provider = {{"x-provider-id", "rostering-kcc"}};

  Outcome bare = CallAs(ClientTls(), staff);
  EXPECT_EQ(bare.code, grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(bare.message, HasSubstr("Bearer"));
  EXPECT_EQ(CallAs(ClientTls("rostering-kcc"), staff).code, grpc::StatusCode::UNAUTHENTICATED);
  Outcome console = CallAs(ClientTls(kConsoleClient), staff);
  EXPECT_EQ(console.code, grpc::StatusCode::OK) << console.message;
  EXPECT_EQ(console.seen_user, "priya-nair");

  // x-provider-id from anyone: providers prove who they are with their certificate.
  Outcome named = CallAs(ClientTls("rostering-kcc"), provider);
  EXPECT_EQ(named.code, grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(named.message, HasSubstr("client certificate"));
  EXPECT_EQ(CallAs(ClientTls(kConsoleClient), provider).code, grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CallAs(ClientTls(), provider).code, grpc::StatusCode::UNAUTHENTICATED);

  // Calls without those headers go through (tokens are the service's to check).
  EXPECT_EQ(CallAs(ClientTls()).code, grpc::StatusCode::OK);
  EXPECT_EQ(CallAs(ClientTls(), {{"authorization", "Bearer dev-token-priya-nair"}}).code,
            grpc::StatusCode::OK);
}

TEST_F(SecureServerTest, UnsetPolicyRefusesHeadersOnTlsPorts) {
  common::v1::ServerSettings settings;
  *settings.mutable_tls() = ServerTls(false);
  ASSERT_NO_FATAL_FAILURE(Serve(settings));
  EXPECT_EQ(CallAs(ClientTls(), {{"x-staff-user", "priya-nair"}}).code,
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(SecureServerTest, PlaintextDevelopmentPortAcceptsHeadersAsBefore) {
  ASSERT_NO_FATAL_FAILURE(Serve(common::v1::ServerSettings()));
  Outcome dev = Call(PlaintextChannel(Address()), {{"x-staff-user", "priya-nair"}});
  EXPECT_EQ(dev.code, grpc::StatusCode::OK) << dev.message;
  EXPECT_EQ(dev.seen_user, "priya-nair");
  EXPECT_EQ(dev.peer, "");
}

TEST(ServerSecuritySettingsTest, InconsistentOrBrokenSettingsFailAtStartUp) {
  const std::string dir = CertificateDir();
  struct Case {
    std::string name;
    std::string text;  // ServerSettings in text format
    std::string error;  // substring of the INVALID_ARGUMENT message
  };
  // tls { cert_path key_path <rest> } with files of the certificate folder.
  auto tls = [&](const std::string& cert, const std::string& key, const std::string& rest = "") {
    return absl::StrCat("tls { cert_path: '", dir, "/", cert, "' key_path: '", dir, "/", key, "' ",
                        rest, " }");
  };
  const std::vector<Case> cases = {
      {"key without certificate", "tls { key_path: 'k' }", "server.tls.cert_path"},
      {"certificate without key", absl::StrCat("tls { cert_path: '", dir, "/server.pem' }"),
       "server.tls.key_path"},
      {"client CA without TLS", "tls { client_ca_path: 'ca.pem' }", "server.tls.cert_path"},
      {"require without CA", tls("server.pem", "server.key", "require_client_certificate: true"),
       "client_ca_path"},
      {"headers off on plaintext", "callers { allow_development_headers: false }",
       "allow_development_headers"},
      {"trusted clients on plaintext", "callers { trusted_clients: 'x' }", "trusted_clients"},
      {"trusted clients without a client CA",
       tls("server.pem", "server.key") + " callers { trusted_clients: 'x' }", "trusted_clients"},
      {"unreadable certificate", tls("missing.pem", "server.key"), "cannot read"},
      {"someone else's key", tls("server.pem", "clients/rostering-kcc.key"), "does not belong"},
      {"a key file as certificate", tls("server.key", "server.key"), "no certificate"},
  };

  for (const Case& c : cases) {
    common::v1::ServerSettings settings;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(c.text, &settings)) << c.name;
    GrpcServerOptions options;
    EXPECT_THAT(ApplyServerSecurity(settings, "svc.textproto", &options),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.name;
  }
}

TEST(ClientTlsSettingsTest, IncompleteSettingsAreRefused) {
  common::v1::ClientTlsSettings no_ca = ClientTls("rostering-kcc");
  no_ca.clear_ca_path();
  EXPECT_THAT(NewGrpcChannel("127.0.0.1:1", no_ca, "c.textproto", "escalation_tls"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("escalation_tls.ca_path")));
  common::v1::ClientTlsSettings no_key = ClientTls("rostering-kcc");
  no_key.clear_key_path();
  EXPECT_THAT(NewGrpcChannel("127.0.0.1:1", no_key, "c.textproto"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tls.key_path")));
  common::v1::ClientTlsSettings swapped = ClientTls("rostering-kcc");
  swapped.set_key_path(CertificateDir() + "/clients/" + kConsoleClient + ".key");
  EXPECT_THAT(NewGrpcChannel("127.0.0.1:1", swapped, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not belong")));
  EXPECT_THAT(NewGrpcChannel("127.0.0.1:1", ClientTls(), ""), IsOk());
  EXPECT_THAT(NewGrpcChannel("127.0.0.1:1", common::v1::ClientTlsSettings(), ""), IsOk());
}

}  // namespace
}  // namespace resilience::testing
