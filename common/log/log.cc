#include "common/log/log.h"

#include <string>

#include "absl/synchronization/mutex.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace resilience {
namespace {

// JSON lines: the message is escaped by spdlog's %v only loosely, so messages avoid quotes by
// convention; fields are level, time, logger, msg.
constexpr char kJsonPattern[] =
    R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","pid":%P,"msg":"%v"})";
constexpr char kTextPattern[] = "%Y-%m-%d %H:%M:%S.%e %^%L%$ [%n] %v";

std::string& Pattern() {
  static std::string* pattern = new std::string(kTextPattern);
  return *pattern;
}

}  // namespace

void ConfigureLogging(LogFormat format, std::string_view level) {
  Pattern() = format == LogFormat::kJson ? kJsonPattern : kTextPattern;
  spdlog::set_pattern(Pattern(), spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
}

std::shared_ptr<spdlog::logger> Logger(std::string_view module) {
  static absl::Mutex mu(absl::kConstInit);
  absl::MutexLock lock(&mu);  // spdlog throws when two threads register one name
  std::string name(module);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = spdlog::stderr_logger_mt(name);
  logger->set_pattern(Pattern(), spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::get_level());
  return logger;
}

}  // namespace resilience
