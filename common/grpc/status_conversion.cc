#include "common/grpc/status_conversion.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace resilience {
namespace {

constexpr char kPayloadUrl[] = "type.googleapis.com/resilience.common.v1.FieldViolations";

}  // namespace

absl::Status InvalidArgumentWithViolations(
    const std::vector<common::v1::FieldViolation>& violations) {
  std::string message = absl::StrJoin(violations, "; ", [](std::string* out, const auto& v) {
    absl::StrAppend(out, v.field(), ": ", v.reason());
  });
  absl::Status status = absl::InvalidArgumentError(message);
  common::v1::FieldViolations all;
  for (const auto& v : violations) *all.add_violations() = v;
  status.SetPayload(kPayloadUrl, absl::Cord(all.SerializeAsString()));
  return status;
}

std::vector<common::v1::FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<common::v1::FieldViolation> out;
  auto payload = status.GetPayload(kPayloadUrl);
  if (!payload.has_value()) return out;
  common::v1::FieldViolations all;
  if (all.ParseFromString(std::string(*payload))) {
    out.assign(all.violations().begin(), all.violations().end());
  }
  return out;
}

grpc::Status ToGrpcStatus(const absl::Status& status, grpc::ServerContextBase* context) {
  if (status.ok()) return grpc::Status::OK;
  if (context != nullptr) {
    auto violations = FieldViolationsOf(status);
    if (!violations.empty()) {
      common::v1::FieldViolations all;
      for (const auto& v : violations) *all.add_violations() = v;
      context->AddTrailingMetadata(kFieldViolationsTrailer, all.SerializeAsString());
    }
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status, const grpc::ClientContext* context) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  if (context != nullptr) {
    const auto& trailers = context->GetServerTrailingMetadata();
    auto it = trailers.find(kFieldViolationsTrailer);
    if (it != trailers.end()) {
      common::v1::FieldViolations all;
      if (all.ParseFromArray(it->second.data(), static_cast<int>(it->second.size()))) {
        std::vector<common::v1::FieldViolation> v(all.violations().begin(),
                                                  all.violations().end());
        absl::Status rebuilt = InvalidArgumentWithViolations(v);
        out.SetPayload(kPayloadUrl, *rebuilt.GetPayload(kPayloadUrl));
      }
    }
  }
  return out;
}

}  // namespace resilience
