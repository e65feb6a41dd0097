// The console's HTTP server (cpp-httplib): sign-in and pages, the JSON API over the escalation
// service's AlertService, the live feed as Server-Sent Events, /healthz and /metrics. Every API
// call runs as the signed-in user (x-staff-user) and every read is filtered to what the user's
// role and areas allow. Thread-safe; requests are served by a pool of threads.
#ifndef RESILIENCE_SERVICES_CONSOLE_CONSOLE_SERVER_H_
#define RESILIENCE_SERVICES_CONSOLE_CONSOLE_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "common/metrics/metrics.h"
#include "common/reference/reference_index.h"
#include "console/v1/config.pb.h"
#include "services/console/escalation_client.h"
#include "services/console/live_feed.h"
#include "services/console/sessions.h"

namespace httplib {
class Server;
}

namespace resilience::console {

struct ConsoleServerOptions {
  // Folder to serve /static/* and the pages from; empty means the assets built into the binary.
  std::string static_dir;
  // Serve GET /metrics on the console's own port too (when no separate metrics port).
  bool serve_metrics = true;
  // The notifier's latest delivery attempts as JSON ({"attempts": [...]}); null means none.
  std::function<std::string()> notifications_json;
  // Threads serving requests; each open live feed holds one. Default 64.
  int threads = 64;
  // How often an idle live feed writes a keep-alive comment. Default 15 s.
  absl::Duration feed_keepalive = absl::Seconds(15);
};

class ConsoleServer {
 public:
  // Not owned: all must outlive the server.
  ConsoleServer(const v1::ConsoleConfig& config, std::shared_ptr<const ReferenceIndex> reference,
                const EscalationClient* escalation, SessionStore* sessions,
                MetricsRegistry* metrics, ConsoleServerOptions options);
  ~ConsoleServer();

  // Binds `address` ("host:port", port 0 picks one) and serves on a thread of its own. Returns
  // the bound port; UNAVAILABLE when it cannot bind.
  absl::StatusOr<int> Start(const std::string& address);

  // Graceful stop: /healthz turns 503, live feeds are told to reconnect and end, then the
  // listener closes and in-flight requests get up to `grace` to finish. Idempotent.
  void Shutdown(absl::Duration grace);

  // Wakes every live feed with a "board" event (a change that is not on the alert stream).
  void NotifyBoardChanged() { signal_.Notify(); }

 private:
  void Routes();

  v1::ConsoleConfig config_;
  std::shared_ptr<const ReferenceIndex> reference_;
  const EscalationClient* escalation_;
  SessionStore* sessions_;
  MetricsRegistry* metrics_;
  ConsoleServerOptions options_;
  ConsoleSignal signal_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  bool stopped_ = false;
  std::atomic<int> live_feeds_{0};
};

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_CONSOLE_SERVER_H_
