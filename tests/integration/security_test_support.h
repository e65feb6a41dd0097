// Shared by the security tests (DESIGN 8): development certificates made by the project's own
// script (deploy/tls/make-dev-certs.sh) into a test folder, a certificate from a CA nobody
// trusts, and client channels as a provider, the console, or a client without a certificate.
// Header-only, test-only.
#ifndef RESILIENCE_TESTS_INTEGRATION_SECURITY_TEST_SUPPORT_H_
#define RESILIENCE_TESTS_INTEGRATION_SECURITY_TEST_SUPPORT_H_

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/tls_credentials.h"
#include "common/v1/settings.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"

namespace resilience::testing {

// The console's client certificate name (deploy/tls/make-dev-certs.sh).
inline constexpr char kConsoleClient[] = "resilience-console";

// Runs `command` through the shell; INTERNAL with the command when it fails.
inline absl::Status RunShell(const std::string& command) {
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("failed: ", command));
  }
  return absl::OkStatus();
}

// Development certificates in a folder of this test binary's own (made once per process):
// ca.pem, server.pem/.key, clients/<provider id or console>.pem/.key, and intruder/ with a CA
// nobody trusts and a client certificate it signed, named "rostering-kcc" (a real provider's id).
inline const std::string& CertificateDir() {
  static const std::string* dir = [] {
    auto* d = new std::string(absl::StrCat(::testing::TempDir(), "/security-tls-", getpid()));
    const std::string script = SourceDir() + "/deploy/tls/make-dev-certs.sh";
    EXPECT_TRUE(RunShell(absl::StrCat("bash '", script, "' '", *d, "' >/dev/null")).ok());
    // A look-alike: same provider name, signed by a CA of its own.
    const std::string i = *d + "/intruder";
    EXPECT_TRUE(RunShell(absl::StrCat(
        "mkdir -p '", i, "' && cd '", i, "' && ",
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "-subj '/CN=Intruder CA' -keyout ca.key -out ca.pem 2>/dev/null && ",
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-subj '/CN=rostering-kcc' -keyout client.key -out client.csr 2>/dev/null && ",
        "printf 'extendedKeyUsage=clientAuth\\n' > ext && ",
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile ext -out client.pem 2>/dev/null")).ok());
    return d;
  }();
  return *dir;
}

// TLS client settings trusting the development CA, with the client certificate of `client` (a
// provider id or kConsoleClient; empty: none).
inline common::v1::ClientTlsSettings ClientTls(const std::string& client = "") {
  common::v1::ClientTlsSettings tls;
  tls.set_ca_path(CertificateDir() + "/ca.pem");
  if (!client.empty()) {
    tls.set_cert_path(CertificateDir() + "/clients/" + client + ".pem");
    tls.set_key_path(CertificateDir() + "/clients/" + client + ".key");
  }
  return tls;
}

// TLS client settings with the intruder's certificate (valid in form, signed by an unknown CA).
inline common::v1::ClientTlsSettings IntruderTls() {
  common::v1::ClientTlsSettings tls = ClientTls();
  tls.set_cert_path(CertificateDir() + "/intruder/client.pem");
  tls.set_key_path(CertificateDir() + "/intruder/client.key");
  return tls;
}

// A channel to `address` with `tls` (test settings are complete; a failure fails the test).
inline std::shared_ptr<grpc::Channel> SecureChannel(const std::string& address,
                                                    const common::v1::ClientTlsSettings& tls) {
  auto channel = NewGrpcChannel(address, tls, "");
  EXPECT_TRUE(channel.ok()) << channel.status();
  return channel.ok() ? *channel : nullptr;
}

inline std::shared_ptr<grpc::Channel> PlaintextChannel(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

// The server side of the development set.
inline common::v1::ServerTlsSettings ServerTls(bool require_client_certificate) {
  common::v1::ServerTlsSettings tls;
  tls.set_cert_path(CertificateDir() + "/server.pem");
  tls.set_key_path(CertificateDir() + "/server.key");
  tls.set_client_ca_path(CertificateDir() + "/ca.pem");
  tls.set_require_client_certificate(require_client_certificate);
  return tls;
}

}  // namespace resilience::testing

#endif  // RESILIENCE_TESTS_INTEGRATION_SECURITY_TEST_SUPPORT_H_
