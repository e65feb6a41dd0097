#include "common/config/text_proto.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace resilience {
namespace {

// Keeps the first error; the parser reports lines and columns zero-based.
class FirstErrorCollector final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!has_error_) {
      has_error_ = true;
      line_ = line + 1;
      column_ = column + 1;
      message_ = message;
    }
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}

  bool has_error_ = false;
  int line_ = 0;
  int column_ = 0;
  std::string message_;
};

}  // namespace

absl::Status ParseTextProto(absl::string_view text, absl::string_view source_name,
                            google::protobuf::Message* message) {
  message->Clear();
  FirstErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), message)) {
    if (!errors.has_error_) {
      return absl::InvalidArgumentError(absl::StrCat(source_name, ": cannot parse as ",
                                                     message->GetTypeName()));
    }
    return absl::InvalidArgumentError(absl::StrCat(source_name, ":", errors.line_, ":",
                                                   errors.column_, ": ", errors.message_));
  }
  return absl::OkStatus();
}

absl::Status ParseTextProtoFile(const std::string& path, google::protobuf::Message* message) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open config file"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseTextProto(buffer.str(), path, message);
}

std::string ResolveBeside(const std::string& config_path, const std::string& relative) {
  if (relative.empty() || relative.front() == '/') return relative;
  auto slash = config_path.rfind('/');
  if (slash == std::string::npos) return relative;
  return config_path.substr(0, slash + 1) + relative;
}

absl::Status ConfigError(absl::string_view path, absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", field, ": ", reason));
}

}  // namespace resilience
