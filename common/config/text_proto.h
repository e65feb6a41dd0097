// Loads typed configuration and reference data from protobuf text format files, with errors that
// name the file, line, column and reason. Thread-compatible (pure functions).
#ifndef RESILIENCE_COMMON_CONFIG_TEXT_PROTO_H_
#define RESILIENCE_COMMON_CONFIG_TEXT_PROTO_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace resilience {

// Parses the text format file at `path` into `message` (cleared first). Errors:
// NOT_FOUND when the file cannot be read; INVALID_ARGUMENT "path:line:column: reason" for the
// first syntax error or unknown field.
absl::Status ParseTextProtoFile(const std::string& path, google::protobuf::Message* message);

// Parses text format from a string; `source_name` stands for the file name in errors.
absl::Status ParseTextProto(absl::string_view text, absl::string_view source_name,
                            google::protobuf::Message* message);

// Loads a `T` from a text format file (see ParseTextProtoFile).
template <typename T>
absl::StatusOr<T> LoadTextProto(const std::string& path) {
  T message;
  absl::Status status = ParseTextProtoFile(path, &message);
  if (!status.ok()) return status;
  return message;
}

// Resolves `relative` against the folder of `config_path` (absolute paths are returned as given),
// so a config file can name its reference data beside it.
std::string ResolveBeside(const std::string& config_path, const std::string& relative);

// An INVALID_ARGUMENT status "path: field: reason" for semantic checks done after parsing
// (the Validate() of each service's config).
absl::Status ConfigError(absl::string_view path, absl::string_view field, absl::string_view reason);

}  // namespace resilience

#endif  // RESILIENCE_COMMON_CONFIG_TEXT_PROTO_H_
