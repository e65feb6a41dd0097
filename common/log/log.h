// Structured logging: one named spdlog logger per module, plain text or JSON lines. Debian's
// Abseil has no absl/log, hence spdlog. Thread-safe.
#ifndef RESILIENCE_COMMON_LOG_LOG_H_
#define RESILIENCE_COMMON_LOG_LOG_H_

#include <memory>
#include <string_view>

#include "spdlog/spdlog.h"

namespace resilience {

enum class LogFormat { kText, kJson };

// Chooses the format and minimum level ("debug", "info", "warn", "error") of every logger,
// existing and future. Call once from main() before logging.
void ConfigureLogging(LogFormat format, std::string_view level = "info");

// The logger of a module ("kafka", "escalation.pipeline"), created on first use; writes to stderr.
std::shared_ptr<spdlog::logger> Logger(std::string_view module);

}  // namespace resilience

#endif  // RESILIENCE_COMMON_LOG_LOG_H_
