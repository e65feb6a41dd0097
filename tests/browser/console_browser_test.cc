// Runs the browser tests (console.test.mjs, headless Debian Chromium through playwright-core)
// against the real escalation service and console on this ctest run's broker and Redis. A small
// control server lets the script publish figures on the workforce topic mid-test, so a level
// change can be watched arriving live.
#include <cstdlib>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/integration/console_test_support.h"
#include "tests/testing/infra.h"
#include "tests/testing/status_matchers.h"

namespace resilience::testing {
namespace {

TEST(ConsoleBrowserTest, PlaywrightScenarios) {
  auto stack = ConsoleStack::Start(console::v1::NotifierConfig());
  ASSERT_THAT(stack, IsOk());
  httplib::Server control;
  control.Post("/staffing", [&](const httplib::Request& req, httplib::Response& res) {
    double percent = 0;
    if (!absl::SimpleAtod(req.get_param_value("percent"), &percent)) {
      res.status = 400;
      return;
    }
    auto s = (*stack)->PublishStaffing(req.get_param_value("team"), percent);
    res.status = s.ok() ? 200 : 500;
    res.set_content(s.ToString(), "text/plain");
  });
  const int control_port = control.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { control.listen_after_bind(); });

  const std::string dir = SourceDir() + "/tests/browser";
  const std::string command = absl::StrCat(
      "cd '", dir, "' && CONSOLE_URL=http://127.0.0.1:", (*stack)->console_port(),
      " CONTROL_URL=http://127.0.0.1:", control_port, " SCREENSHOT_DIR='", BinaryDir(),
      "/Testing/console-screenshots' node --test --test-reporter=spec console.test.mjs 2>&1");
  const int code = std::system(command.c_str());
  control.stop();
  serving.join();
  EXPECT_EQ(code, 0) << (*stack)->Logs();
}

}  // namespace
}  // namespace resilience::testing
