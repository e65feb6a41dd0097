// A Redis client: commands, pipelines and Lua scripts (for changes that must be atomic), with
// Redis errors and connection failures returned as Status. Implementations are thread-safe
// (calls are serialised on one connection; use separate clients for blocking reads).
#ifndef RESILIENCE_COMMON_REDIS_REDIS_CLIENT_H_
#define RESILIENCE_COMMON_REDIS_REDIS_CLIENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace resilience::redis {

// A Redis reply. Error replies never appear here: they are returned as a Status.
struct Reply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  // Bulk string or status text.
  std::string str;
  std::vector<Reply> elements;

  bool is_nil() const { return type == Type::kNil; }
};

// A Lua script run with EVALSHA; the client loads it when Redis does not know it (first use, or
// after Redis restarted).
class Script {
 public:
  explicit Script(std::string source) : source_(std::move(source)) {}
  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

using Command = std::vector<std::string>;

// KEYS and ARGV of one run of a script.
struct ScriptCall {
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

class Client {
 public:
  virtual ~Client() = default;

  // Runs one command, e.g. {"HSET", key, field, value}. UNAVAILABLE when Redis cannot be reached
  // (the client reconnects with backoff on later calls); FAILED_PRECONDITION carrying Redis's
  // message for an error reply (WRONGTYPE, a script's error).
  virtual absl::StatusOr<Reply> Run(const Command& command) = 0;

  // Sends all commands in one round trip (not atomic). UNAVAILABLE as above; otherwise one result
  // per command, each OK or FAILED_PRECONDITION.
  virtual absl::StatusOr<std::vector<absl::StatusOr<Reply>>> RunPipeline(
      const std::vector<Command>& commands) = 0;

  // Runs `script` atomically with KEYS and ARGV. Errors as Run.
  virtual absl::StatusOr<Reply> Eval(const Script& script, const std::vector<std::string>& keys,
                                     const std::vector<std::string>& args) = 0;

  // Runs `script` once per call in one round trip: each run atomic on its own, not together, in
  // order. UNAVAILABLE as Run; otherwise one result per call, each OK or FAILED_PRECONDITION.
  virtual absl::StatusOr<std::vector<absl::StatusOr<Reply>>> EvalMany(
      const Script& script, const std::vector<ScriptCall>& calls) = 0;
};

}  // namespace resilience::redis

#endif  // RESILIENCE_COMMON_REDIS_REDIS_CLIENT_H_
