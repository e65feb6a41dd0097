// A server's transport security and caller policy from its common.v1.ServerSettings (DESIGN 8):
// TLS from `tls` (plaintext when unset: local development), client certificates verified
// against `tls.client_ca_path` (required on provider ports, optional where staff sign in with
// tokens), and the development headers refused per call unless `callers` allows them.
// Thread-compatible.
#ifndef RESILIENCE_COMMON_GRPC_SERVER_SECURITY_H_
#define RESILIENCE_COMMON_GRPC_SERVER_SECURITY_H_

#include <string>

#include "absl/status/status.h"
#include "common/auth/credentials.h"
#include "common/grpc/grpc_server.h"
#include "common/v1/settings.pb.h"

namespace resilience {

// The caller policy `settings` asks for: development headers allowed as
// callers.allow_development_headers says, or, when unset, only on a plaintext port.
auth::CallerPolicy CallerPolicyOf(const common::v1::ServerSettings& settings);

// Sets options->credentials (and options->security, a one-line description for the start-up
// log) from `settings`; PEM files are read relative to the folder of `config_path`.
// INVALID_ARGUMENT "config_path: server.tls.<field>: reason" for settings that do not fit
// together (a key without a certificate, client certificates without TLS, development headers
// turned off on a plaintext port, trusted clients without a client CA), unreadable files, or a
// key that does not belong to its certificate.
absl::Status ApplyServerSecurity(const common::v1::ServerSettings& settings,
                                 const std::string& config_path, GrpcServerOptions* options);

}  // namespace resilience

#endif  // RESILIENCE_COMMON_GRPC_SERVER_SECURITY_H_
