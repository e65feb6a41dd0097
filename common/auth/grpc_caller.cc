#include "common/auth/grpc_caller.h"

#include <grpc/grpc_security_constants.h>

namespace resilience::auth {
namespace {

class CallerPolicyProcessor : public grpc::AuthMetadataProcessor {
 public:
  explicit CallerPolicyProcessor(CallerPolicy policy) : policy_(std::move(policy)) {}

  // Runs on the call's own thread: a lookup in a short list, nothing that blocks.
  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context,
                       OutputMetadata* /*consumed*/, OutputMetadata* /*response*/) override {
    DevelopmentHeaders headers;
    headers.staff_user = metadata.count(kStaffUserHeader) > 0;
    headers.provider_id = metadata.count(kProviderIdHeader) > 0;
    absl::Status allowed = CheckDevelopmentHeaders(policy_, VerifiedClientName(*context), headers);
    if (allowed.ok()) return grpc::Status::OK;
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(allowed.message()));
  }

 private:
  const CallerPolicy policy_;
};

}  // namespace

std::string VerifiedClientName(const grpc::AuthContext& context) {
  if (!context.IsPeerAuthenticated()) return "";
  std::vector<grpc::string_ref> names = context.FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  if (names.size() != 1) return "";
  return std::string(names[0].data(), names[0].size());
}

std::string VerifiedClientName(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  return auth == nullptr ? "" : VerifiedClientName(*auth);
}

std::shared_ptr<grpc::AuthMetadataProcessor> NewCallerPolicyProcessor(CallerPolicy policy) {
  return std::make_shared<CallerPolicyProcessor>(std::move(policy));
}

}  // namespace resilience::auth
