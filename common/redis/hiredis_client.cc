#include "common/redis/hiredis_client.h"

#include <hiredis/hiredis.h>

#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"

namespace resilience::redis {
namespace {


// Converts a hiredis reply; error replies become FAILED_PRECONDITION.
absl::StatusOr<Reply> Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_ERROR:
      return absl::FailedPreconditionError(absl::StrCat("redis: ", std::string(r->str, r->len)));
    case REDIS_REPLY_NIL:
      out.type = Reply::Type::kNil;
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) {
        auto e = Convert(r->element[i]);
        // An error nested in an array (EXEC results) keeps its text as a status string.
        if (!e.ok()) {
          Reply err;
          err.type = Reply::Type::kStatus;
          err.str = std::string(e.status().message());
          out.elements.push_back(std::move(err));
        } else {
          out.elements.push_back(*std::move(e));
        }
      }
      break;
    default:
      return absl::InternalError(absl::StrCat("redis: unexpected reply type ", r->type));
  }
  return out;
}

class HiredisClient final : public Client {
 public:
  explicit HiredisClient(ClientOptions options) : options_(std::move(options)) {}
  ~HiredisClient() override {
    if (ctx_ != nullptr) redisFree(ctx_);
  }

  absl::StatusOr<Reply> Run(const Command& command) override {
    absl::MutexLock lock(&mu_);
    auto results = RunLocked({command});
    if (!results.ok()) return results.status();
    return std::move(results->front());
  }

  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> RunPipeline(
      const std::vector<Command>& commands) override {
    absl::MutexLock lock(&mu_);
    return RunLocked(commands);
  }

  absl::StatusOr<Reply> Eval(const Script& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) override {
    auto replies = EvalMany(script, {{keys, args}});
    if (!replies.ok()) return replies.status();
    return std::move(replies->front());
  }

  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> EvalMany(
      const Script& script, const std::vector<ScriptCall>& calls) override {
    absl::MutexLock lock(&mu_);
    std::vector<absl::StatusOr<Reply>> out(calls.size(), absl::InternalError("not run"));
    // Indexes of the calls still to run: all at first, then those Redis did not know the
    // script for (it restarted or was flushed), which did not run at all.
    std::vector<size_t> pending(calls.size());
    for (size_t i = 0; i < calls.size(); ++i) pending[i] = i;
    for (int attempt = 0; attempt < 2 && !pending.empty(); ++attempt) {
      std::string& sha = shas_[script.source()];
      if (sha.empty()) {
        auto loaded = RunLocked({{"SCRIPT", "LOAD", script.source()}});
        if (!loaded.ok()) return loaded.status();
        if (!loaded->front().ok()) return loaded->front().status();
        sha = loaded->front()->str;
      }
      std::vector<Command> commands;
      commands.reserve(pending.size());
      for (size_t i : pending) {
        const ScriptCall& call = calls[i];
        Command command = {"EVALSHA", sha, std::to_string(call.keys.size())};
        command.insert(command.end(), call.keys.begin(), call.keys.end());
        command.insert(command.end(), call.args.begin(), call.args.end());
        commands.push_back(std::move(command));
      }
      auto results = RunLocked(commands);
      if (!results.ok()) return results.status();
      std::vector<size_t> unknown;
      for (size_t k = 0; k < pending.size(); ++k) {
        absl::StatusOr<Reply>& reply = (*results)[k];
        if (!reply.ok() && absl::StrContains(reply.status().message(), "NOSCRIPT")) {
          unknown.push_back(pending[k]);
          continue;
        }
        out[pending[k]] = std::move(reply);
      }
      if (!unknown.empty()) sha.clear();  // load it again
      pending = std::move(unknown);
    }
    if (!pending.empty()) return absl::InternalError("redis: script could not be loaded");
    return out;
  }

 private:
  absl::Status ConnectLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (ctx_ != nullptr && ctx_->err == 0) return absl::OkStatus();
    const absl::Time deadline = absl::Now() + options_.reconnect_timeout;
    absl::Duration backoff = absl::Milliseconds(20);
    std::string last_error;
    while (true) {
      if (ctx_ != nullptr) {
        redisFree(ctx_);
        ctx_ = nullptr;
      }
      ctx_ = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                     absl::ToTimeval(options_.timeout));
      if (ctx_ != nullptr && ctx_->err == 0) {
        redisSetTimeout(ctx_, absl::ToTimeval(options_.timeout));
        redisEnableKeepAlive(ctx_);
        if (was_connected_) Logger("redis")->info("reconnected to {}:{}", options_.host, options_.port);
        was_connected_ = true;
        return absl::OkStatus();
      }
      last_error = ctx_ != nullptr ? ctx_->errstr : "cannot allocate context";
      if (absl::Now() + backoff > deadline) break;
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(backoff));  // backoff between attempts
      backoff = std::min(backoff * 2, absl::Milliseconds(500));
    }
    return absl::UnavailableError(absl::StrCat("redis ", options_.host, ":", options_.port,
                                               " unreachable: ", last_error));
  }

  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> RunLocked(
      const std::vector<Command>& commands) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::Status connected = ConnectLocked();
    if (!connected.ok()) return connected;
    for (const Command& command : commands) {
      std::vector<const char*> argv;
      std::vector<size_t> lens;
      for (const std::string& a : command) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data());
    }
    std::vector<absl::StatusOr<Reply>> out;
    out.reserve(commands.size());
    for (size_t i = 0; i < commands.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
        std::string err = ctx_->errstr;
        // The connection is unusable now (and replies may be out of step): drop it.
        redisFree(ctx_);
        ctx_ = nullptr;
        return absl::UnavailableError(absl::StrCat("redis ", options_.host, ":", options_.port,
                                                   ": ", err));
      }
      auto* reply = static_cast<redisReply*>(raw);
      out.push_back(Convert(reply));
      freeReplyObject(reply);
    }
    return out;
  }

  const ClientOptions options_;
  absl::Mutex mu_;
  redisContext* ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool was_connected_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::string> shas_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<Client> NewHiredisClient(const ClientOptions& options) {
  return std::make_unique<HiredisClient>(options);
}

}  // namespace resilience::redis
