// Shared by the console's integration and browser tests: starts the real escalation service and
// the real console binary against this ctest run's broker and Redis (a namespace of their own),
// publishes figures on the domain topics as a provider service would, and talks to the console
// over HTTP like a browser (session cookie, SSE feed).
#ifndef RESILIENCE_TESTS_INTEGRATION_CONSOLE_TEST_SUPPORT_H_
#define RESILIENCE_TESTS_INTEGRATION_CONSOLE_TEST_SUPPORT_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "console/v1/config.pb.h"
#include "tests/testing/process.h"

namespace httplib {
class Client;
}

namespace resilience::testing {

// One parsed Server-Sent Event.
struct SseEvent {
  std::string id;
  std::string event;
  std::string data;
};

// Reads a console's /api/events feed on a thread of its own.
class SseReader {
 public:
  SseReader(int port, const std::string& session, const std::string& last_event_id = "");
  ~SseReader();
  std::vector<SseEvent> Events();
  // Waits until an event of `type` whose data contains `needle` arrived; returns it.
  std::optional<SseEvent> WaitFor(const std::string& type, const std::string& needle,
                                  absl::Duration deadline = absl::Seconds(60));

 private:
  absl::Mutex mu_;
  std::string buffer_;
  std::vector<SseEvent> events_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<httplib::Client> client_;
  std::thread thread_;
};

// The escalation service and the console, in a namespace of their own.
class ConsoleStack {
 public:
  // Starts both; `notifier` (may be empty) goes into the console's config.
  static absl::StatusOr<std::unique_ptr<ConsoleStack>> Start(const console::v1::NotifierConfig& notifier);
  ~ConsoleStack();

  // Restarts the console (graceful stop, same config and notifier state).
  absl::Status RestartConsole();

  // Publishes a Short-term Pathway team's staffing percentage on the workforce topic.
  absl::Status PublishStaffing(const std::string& team, double percent);

  // Signs in as a development user (password "winter"); returns the session id.
  absl::StatusOr<std::string> SignIn(const std::string& user);

  int console_port() const { return console_->port; }
  const std::string& escalation_address() const { return escalation_address_; }
  std::string Logs();

 private:
  std::string ns_;
  std::string dir_;
  std::string config_path_;
  std::string escalation_address_;
  std::unique_ptr<RunningService> escalation_;
  std::unique_ptr<RunningService> console_;
};

}  // namespace resilience::testing

#endif  // RESILIENCE_TESTS_INTEGRATION_CONSOLE_TEST_SUPPORT_H_
