// The gRPC side of caller identity: the name on a verified client certificate (mTLS), and the
// per-call check of the development headers that a TLS server runs before any service sees the
// call. Thread-safe.
#ifndef RESILIENCE_COMMON_AUTH_GRPC_CALLER_H_
#define RESILIENCE_COMMON_AUTH_GRPC_CALLER_H_

#include <memory>
#include <string>

#include "common/auth/credentials.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/auth_metadata_processor.h"
#include "grpcpp/server_context.h"

namespace resilience::auth {

// The common name of the client certificate the peer presented and the server verified against
// its client CA; empty on a plaintext connection or a TLS one without a client certificate.
// (Servers only ever ask for certificates they verify, see common/grpc/server_security.h, so a
// name here is proven.)
std::string VerifiedClientName(const grpc::AuthContext& context);
std::string VerifiedClientName(const grpc::ServerContextBase& context);

// A processor for a TLS server's credentials that refuses, with UNAUTHENTICATED, every call whose
// development headers `policy` does not accept (CheckDevelopmentHeaders), before the call reaches
// a service. Non-blocking.
std::shared_ptr<grpc::AuthMetadataProcessor> NewCallerPolicyProcessor(CallerPolicy policy);

}  // namespace resilience::auth

#endif  // RESILIENCE_COMMON_AUTH_GRPC_CALLER_H_
