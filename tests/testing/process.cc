#include "tests/testing/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "tests/testing/infra.h"
#include "tests/testing/wait_for.h"

namespace resilience::testing {

absl::StatusOr<ChildProcess> ChildProcess::Start(const std::vector<std::string>& argv,
                                                 const std::string& log_path) {
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError(absl::StrCat("cannot open ", log_path));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    // The test process blocks nothing, but be explicit: the child gets default signal handling.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(log_fd);
  return ChildProcess(pid, log_path);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), log_path_(std::move(other.log_path_)), exit_code_(other.exit_code_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    Kill();
    pid_ = other.pid_;
    log_path_ = std::move(other.log_path_);
    exit_code_ = other.exit_code_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() { Kill(); }

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  pid_ = -1;
  return false;
}

absl::StatusOr<int> ChildProcess::Terminate(absl::Duration timeout) {
  if (pid_ <= 0) return exit_code_;
  kill(pid_, SIGTERM);
  if (WaitFor([this] { return !Running(); }, timeout)) return exit_code_;
  Kill();
  return absl::DeadlineExceededError("process did not exit after SIGTERM");
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  exit_code_ = 128 + SIGKILL;
  pid_ = -1;
}

std::string ChildProcess::LogTail(int lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& l : tail) absl::StrAppend(&out, l, "\n");
  return out;
}

absl::StatusOr<RunningService> StartService(const std::string& name,
                                            const std::vector<std::string>& args,
                                            absl::Duration timeout) {
  const std::string dir = ::testing::TempDir();
  const std::string tag = UniqueNamespace(name);
  const std::string port_file = absl::StrCat(dir, "/", tag, "port");
  const std::string log = absl::StrCat(dir, "/", tag, "log");
  std::vector<std::string> argv = {absl::StrCat(BinaryDir(), "/services/", absl::StripSuffix(name, "-service"), "/", name)};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--port_file=" + port_file);
  auto process = ChildProcess::Start(argv, log);
  if (!process.ok()) return process.status();
  int port = 0;
  bool exited = false;
  bool ready = WaitFor(
      [&] {
        if (!process->Running()) return exited = true;
        std::ifstream in(port_file);
        std::string text;
        return std::getline(in, text) && absl::SimpleAtoi(text, &port) && port > 0;
      },
      timeout, absl::Milliseconds(50));
  if (!ready || exited) {
    std::string tail = process->LogTail();
    return absl::DeadlineExceededError(
        absl::StrCat(name, exited ? " exited at start:\n" : " did not start in time:\n", tail));
  }
  return RunningService{*std::move(process), port};
}

}  // namespace resilience::testing
