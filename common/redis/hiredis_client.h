// The Redis Client over hiredis's synchronous API. Thread-safe: one connection guarded by a
// mutex. A lost connection is re-established on the next call, retrying with exponential backoff
// for up to `reconnect_timeout` before returning UNAVAILABLE.
#ifndef RESILIENCE_COMMON_REDIS_HIREDIS_CLIENT_H_
#define RESILIENCE_COMMON_REDIS_HIREDIS_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"

namespace resilience::redis {

struct ClientOptions {
  // Default 127.0.0.1.
  std::string host = "127.0.0.1";
  // Default 6379; the project's own Redis is on 26379 (deploy/settings.sh).
  int port = 6379;
  // Connect timeout and socket read/write timeout. Default 2 s. Blocking reads (XREAD BLOCK)
  // must block for less than this.
  absl::Duration timeout = absl::Seconds(2);
  // How long a call keeps retrying to reconnect before returning UNAVAILABLE. Default 2 s.
  absl::Duration reconnect_timeout = absl::Seconds(2);
};

// Creates a client; connects lazily, so it succeeds even while Redis is down.
std::unique_ptr<Client> NewHiredisClient(const ClientOptions& options);

}  // namespace resilience::redis

#endif  // RESILIENCE_COMMON_REDIS_HIREDIS_CLIENT_H_
