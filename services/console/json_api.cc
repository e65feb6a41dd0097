#include "services/console/json_api.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/grpc/status_conversion.h"

namespace resilience::console {

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "{}";
  return out;
}

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

std::string ErrorJson(const absl::Status& status) {
  std::vector<std::string> violations;
  for (const auto& v : FieldViolationsOf(status)) {
    violations.push_back(absl::StrCat("{\"field\":", JsonQuote(v.field()),
                                      ",\"reason\":", JsonQuote(v.reason()), "}"));
  }
  return absl::StrCat("{\"error\":{\"code\":", JsonQuote(absl::StatusCodeToString(status.code())),
                      ",\"message\":", JsonQuote(status.message()), ",\"violations\":[",
                      absl::StrJoin(violations, ","), "],\"not_available_yet\":",
                      status.code() == absl::StatusCode::kUnimplemented ? "true" : "false", "}}");
}

std::string AlertsJson(const std::vector<escalation::v1::Alert>& alerts) {
  std::vector<std::string> parts;
  parts.reserve(alerts.size());
  for (const auto& a : alerts) parts.push_back(ToJson(a));
  return absl::StrCat("{\"alerts\":[", absl::StrJoin(parts, ","), "]}");
}

std::string ViewerJson(const Viewer& viewer, const ReferenceIndex& reference) {
  std::vector<std::string> areas;
  const auto add_area = [&](const std::string& id) {
    const auto* a = reference.FindArea(id);
    areas.push_back(absl::StrCat("{\"id\":", JsonQuote(id), ",\"name\":",
                                 JsonQuote(a != nullptr ? a->name() : id), "}"));
  };
  if (viewer.county_wide) {
    for (const auto& a : reference.data().areas()) add_area(a.id());
  } else {
    for (const auto& id : viewer.area_ids) add_area(id);
  }
  const auto* role = reference.FindRole(viewer.role_id);
  return absl::StrCat(
      "{\"user_id\":", JsonQuote(viewer.user_id), ",\"display_name\":",
      JsonQuote(viewer.display_name), ",\"role_id\":", JsonQuote(viewer.role_id),
      ",\"role_name\":", JsonQuote(role != nullptr ? role->name() : viewer.role_id),
      ",\"county_wide\":", viewer.county_wide ? "true" : "false", ",\"areas\":[",
      absl::StrJoin(areas, ","), "],\"may_declare_level\":",
      viewer.may_declare_level ? "true" : "false",
      ",\"may_silence\":", viewer.may_silence ? "true" : "false", "}");
}

reference::v1::ReferenceData ReferenceForConsole(const reference::v1::ReferenceData& data) {
  reference::v1::ReferenceData out = data;
  for (auto& p : *out.mutable_providers()) p.clear_token_sha256();
  for (auto& p : *out.mutable_people()) p.clear_contact();
  return out;
}

}  // namespace resilience::console
