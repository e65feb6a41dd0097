#include "common/grpc/server_security.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/grpc_caller.h"
#include "common/config/text_proto.h"
#include "common/grpc/tls_credentials.h"

namespace resilience {

auth::CallerPolicy CallerPolicyOf(const common::v1::ServerSettings& settings) {
  auth::CallerPolicy policy;
  const auto& callers = settings.callers();
  policy.allow_development_headers = callers.has_allow_development_headers()
                                         ? callers.allow_development_headers()
                                         : settings.tls().cert_path().empty();
  policy.trusted_clients.assign(callers.trusted_clients().begin(), callers.trusted_clients().end());
  return policy;
}

absl::Status ApplyServerSecurity(const common::v1::ServerSettings& settings,
                                 const std::string& config_path, GrpcServerOptions* options) {
  const auto& tls = settings.tls();
  const auth::CallerPolicy policy = CallerPolicyOf(settings);
  if (tls.cert_path().empty()) {
    if (!tls.key_path().empty()) {
      return ConfigError(config_path, "server.tls.cert_path", "required with key_path");
    }
    if (!tls.client_ca_path().empty() || tls.require_client_certificate()) {
      return ConfigError(config_path, "server.tls.cert_path",
                         "client certificates need TLS: set cert_path and key_path");
    }
    if (!policy.allow_development_headers) {
      // Without TLS no caller can be told apart from another, and the per-call check needs it.
      return ConfigError(config_path, "server.callers.allow_development_headers",
                         "false needs TLS (server.tls.cert_path)");
    }
    if (!policy.trusted_clients.empty()) {
      return ConfigError(config_path, "server.callers.trusted_clients",
                         "needs client certificates (server.tls.client_ca_path)");
    }
    options->credentials = nullptr;
    options->security = "plaintext (local development), development headers accepted";
    return absl::OkStatus();
  }
  if (tls.key_path().empty()) {
    return ConfigError(config_path, "server.tls.key_path", "required with cert_path");
  }
  if (tls.require_client_certificate() && tls.client_ca_path().empty()) {
    return ConfigError(config_path, "server.tls.client_ca_path",
                       "required with require_client_certificate");
  }
  if (!policy.trusted_clients.empty() && tls.client_ca_path().empty()) {
    return ConfigError(config_path, "server.callers.trusted_clients",
                       "needs client certificates (server.tls.client_ca_path)");
  }
  auto cert = ReadPemFile(config_path, "server.tls.cert_path", tls.cert_path());
  if (!cert.ok()) return cert.status();
  auto key = ReadPemFile(config_path, "server.tls.key_path", tls.key_path());
  if (!key.ok()) return key.status();
  if (auto s = CheckKeyPair(config_path, "server.tls.key_path", *cert, *key); !s.ok()) return s;

  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  ssl.pem_key_cert_pairs.push_back({*std::move(key), *std::move(cert)});
  std::string clients = "no client certificates";
  if (!tls.client_ca_path().empty()) {
    auto ca = ReadPemFile(config_path, "server.tls.client_ca_path", tls.client_ca_path());
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *std::move(ca);
    // Certificates are only ever asked for with verification, so a name on one is proven
    // (auth::VerifiedClientName relies on it).
    ssl.client_certificate_request =
        tls.require_client_certificate()
            ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
            : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
    clients = tls.require_client_certificate() ? "client certificates required"
                                               : "client certificates verified when sent";
  }
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::SslServerCredentials(ssl);
  if (!policy.allow_development_headers) {
    credentials->SetAuthMetadataProcessor(auth::NewCallerPolicyProcessor(policy));
  }
  options->credentials = std::move(credentials);
  options->security = absl::StrCat(
      "TLS, ", clients, ", development headers ",
      policy.allow_development_headers ? "accepted" : "refused",
      policy.trusted_clients.empty() ? ""
                                     : absl::StrCat(", trusted clients: ",
                                                    absl::StrJoin(policy.trusted_clients, ",")));
  return absl::OkStatus();
}

}  // namespace resilience
