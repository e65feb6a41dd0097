// TLS material for gRPC from config settings: PEM files named relative to the config file, and
// client channels (plaintext, TLS, or mTLS with a client certificate) built from a service's or a
// tool's common.v1.ClientTlsSettings. Thread-compatible (pure functions, file reads).
#ifndef RESILIENCE_COMMON_GRPC_TLS_CREDENTIALS_H_
#define RESILIENCE_COMMON_GRPC_TLS_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/v1/settings.pb.h"
#include "grpcpp/grpcpp.h"

namespace resilience {

// The contents of the PEM file `path` (relative to the folder of `config_path`; absolute as
// given; relative to the working directory when `config_path` is empty). INVALID_ARGUMENT
// "config_path: field: ..." when it cannot be read or holds no PEM block.
absl::StatusOr<std::string> ReadPemFile(const std::string& config_path, const std::string& field,
                                        const std::string& path);

// INVALID_ARGUMENT naming `field` unless `cert_pem` and `key_pem` are a certificate and its
// private key (catches a swapped or mismatched pair at start-up rather than at the first call).
absl::Status CheckKeyPair(const std::string& config_path, const std::string& field,
                          const std::string& cert_pem, const std::string& key_pem);

// A channel to `address` as `tls` says: plaintext when tls.ca_path is empty (local development
// only), else TLS checking the server against that CA, with the client certificate when
// tls.cert_path is set. INVALID_ARGUMENT naming `field_prefix`.<field> for incomplete settings or
// unreadable files.
absl::StatusOr<std::shared_ptr<grpc::Channel>> NewGrpcChannel(
    const std::string& address, const common::v1::ClientTlsSettings& tls,
    const std::string& config_path, const std::string& field_prefix = "tls");

}  // namespace resilience

#endif  // RESILIENCE_COMMON_GRPC_TLS_CREDENTIALS_H_
