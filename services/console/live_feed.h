// The live side of the console: Server-Sent Events framing, one AlertService.Subscribe stream per
// open browser feed (resumed from the browser's Last-Event-ID, which is the stream's resume
// token), and a console-wide signal for changes that do not travel on the alert stream (a level
// declared through the console) and for shutdown. Thread-safe.
#ifndef RESILIENCE_SERVICES_CONSOLE_LIVE_FEED_H_
#define RESILIENCE_SERVICES_CONSOLE_LIVE_FEED_H_

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "escalation/v1/alert_service.pb.h"
#include "services/console/escalation_client.h"

namespace resilience::console {

// One SSE event: "id: <id>\nevent: <event>\ndata: <line>\n...\n\n". Empty id or event are left
// out; `data` is split on newlines into several data lines (the browser joins them back). Carriage
// returns and newlines in id and event are removed (they would end the field).
std::string FormatSseEvent(const std::string& id, const std::string& event, const std::string& data);

// A counter others wait on: bumped when something every open feed should hear about happens.
class ConsoleSignal {
 public:
  // Bumps the version and wakes every waiter.
  void Notify();
  // Marks shutdown and wakes every waiter; feeds end.
  void Shutdown();
  // Blocks until the version differs from `seen`, shutdown, or `timeout`; returns the version.
  uint64_t WaitChange(uint64_t seen, absl::Duration timeout);
  uint64_t version();
  bool shutting_down();

 private:
  absl::Mutex mu_;
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

// Reads one Subscribe stream on a thread of its own into a queue. Destroying it cancels the call
// and joins the thread.
class AlertStreamRelay {
 public:
  // Starts the stream as `user_id` from `resume_token` (empty: from now).
  AlertStreamRelay(const EscalationClient* client, const std::string& user_id,
                   const std::string& resume_token);
  ~AlertStreamRelay();
  AlertStreamRelay(const AlertStreamRelay&) = delete;
  AlertStreamRelay& operator=(const AlertStreamRelay&) = delete;

  // What Next returns: an item, or the end of the stream with its status.
  struct Event {
    std::optional<escalation::v1::AlertStreamItem> item;
    absl::Status ended = absl::OkStatus();  // meaningful when item is empty
  };
  // Waits up to `timeout` for the next item; nullopt on timeout.
  std::optional<Event> Next(absl::Duration timeout);

 private:
  void Run(const EscalationClient* client, std::string user_id,
           escalation::v1::SubscribeRequest request);

  grpc::ClientContext context_;
  absl::Mutex mu_;
  std::deque<escalation::v1::AlertStreamItem> items_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> ended_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace resilience::console

#endif  // RESILIENCE_SERVICES_CONSOLE_LIVE_FEED_H_
