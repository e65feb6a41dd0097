// Launches a real binary (a service, a real redis-server) as a child process for integration
// tests, with its output in a log file, and stops it with SIGTERM or SIGKILL.
#ifndef RESILIENCE_TESTS_TESTING_PROCESS_H_
#define RESILIENCE_TESTS_TESTING_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace resilience::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`, stdout and stderr appended to `log_path`.
  static absl::StatusOr<ChildProcess> Start(const std::vector<std::string>& argv,
                                            const std::string& log_path);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();  // SIGKILLs a process still running

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  bool Running();

  // Sends SIGTERM and waits up to `timeout` for the exit; returns the exit code (or 128+signal).
  // DEADLINE_EXCEEDED when it did not exit (it is then SIGKILLed).
  absl::StatusOr<int> Terminate(absl::Duration timeout = absl::Seconds(20));
  // SIGKILL and reap: a crash.
  void Kill();
  // The last `lines` lines of the log, for failure messages.
  std::string LogTail(int lines = 30) const;

 private:
  ChildProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_ = -1;
  std::string log_path_;
  int exit_code_ = -1;
};

// Starts a service binary (build/services/<name>/<name>) with `args` plus --port_file, and waits
// until it has written its port (serving). The log goes to a temporary file.
struct RunningService {
  ChildProcess process;
  int port = 0;
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};
absl::StatusOr<RunningService> StartService(const std::string& name,
                                            const std::vector<std::string>& args,
                                            absl::Duration timeout = absl::Seconds(30));

}  // namespace resilience::testing

#endif  // RESILIENCE_TESTS_TESTING_PROCESS_H_
