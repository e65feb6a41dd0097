// JSON shaping of the console's HTTP API: protobuf messages in the protobuf JSON mapping (proto
// field names, enums by name, defaults printed so the browser never guesses), errors as
// {"error": {...}} with the HTTP status that matches the gRPC code, request bodies parsed into the
// AlertService's own request messages. Pure functions; thread-safe.
#ifndef RESILIENCE_SERVICES_CONSOLE_JSON_API_H_
#define RESILIENCE_SERVICES_CONSOLE_JSON_API_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "escalation/v1/alert_service.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "reference/v1/reference.pb.h"
#include "services/console/viewer.h"

namespace resilience::console {

// `message` as JSON (proto field names, enums as names, default values printed).
std::string ToJson(const google::protobuf::Message& message);

// `text` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view text);

// HTTP status for a status code: OK 200, INVALID_ARGUMENT/OUT_OF_RANGE 400, UNAUTHENTICATED 401,
// PERMISSION_DENIED 403, NOT_FOUND 404, ALREADY_EXISTS/ABORTED/FAILED_PRECONDITION 409,
// RESOURCE_EXHAUSTED 429, UNIMPLEMENTED 501, UNAVAILABLE 503, DEADLINE_EXCEEDED 504, others 500.
int HttpStatusFor(absl::StatusCode code);

// {"error": {"code": "UNIMPLEMENTED", "message": "...", "violations": [{"field", "reason"}],
//  "not_available_yet": true|false}}. not_available_yet marks UNIMPLEMENTED, which the pages show
// as "not available yet" rather than as a failure.
std::string ErrorJson(const absl::Status& status);

// Parses a JSON request body into `T`; INVALID_ARGUMENT naming the parse error. Unknown fields
// are refused (a typo must not silently drop a note).
template <typename T>
absl::StatusOr<T> ParseJsonBody(absl::string_view body) {
  T message;
  if (body.empty()) return message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(std::string(body), &message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        std::string("request body is not a valid ") + T::descriptor()->name() + ": " +
        std::string(status.message()));
  }
  return message;
}

// {"alerts": [...]} for a filtered list.
std::string AlertsJson(const std::vector<escalation::v1::Alert>& alerts);

// The signed-in user as the pages need them: id, name, role id and name, areas (ids and names),
// county-wide, and what the role may do.
std::string ViewerJson(const Viewer& viewer, const ReferenceIndex& reference);

// The reference data the pages show names from, without what the browser has no business
// holding: providers' token hashes and people's contact points.
reference::v1::ReferenceData ReferenceForConsole(const reference::v1::ReferenceData& data);

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_JSON_API_H_
