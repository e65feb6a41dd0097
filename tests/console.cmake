# The web console's tests (services/console): unit tests of its pure parts, integration tests
# against the real escalation service, broker and Redis, and browser tests in headless Chromium.

# --- unit ---------------------------------------------------------------------------------------
add_project_test(console_core_test SRCS unit/console/console_core_test.cc
  DEPS console_core console_server config reference grpc_status test_support LABELS unit)
add_project_test(console_notifier_core_test SRCS unit/console/notifier_core_test.cc
  DEPS console_notifier_core reference test_support LABELS unit)

# --- integration (real broker, Redis, escalation-service and console-service binaries) -----------
add_project_library(console_test_support
  HDRS integration/console_test_support.h SRCS integration/console_test_support.cc
  DEPS test_support console_proto events_proto kafka_rdkafka ids clock config PkgConfig::HTTPLIB)
add_project_test(console_api_test SRCS integration/console_api_test.cc
  DEPS console_test_support LABELS integration INFRA)
add_dependencies(console_api_test escalation-service console-service)
add_project_test(console_notifier_test SRCS integration/console_notifier_test.cc
  DEPS console_test_support escalation_proto LABELS integration INFRA)
add_dependencies(console_notifier_test escalation-service console-service)

# --- browser (headless Debian Chromium driven by playwright-core from npm) ------------------------
# npm packages are installed once per run, only when missing or when package-lock.json changed.
add_test(NAME console_browser_npm COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/browser/npm-install.sh)
set_tests_properties(console_browser_npm PROPERTIES FIXTURES_SETUP console_browser_npm
  LABELS browser TIMEOUT 300)
add_project_test(console_browser_test SRCS browser/console_browser_test.cc
  DEPS console_test_support LABELS browser INFRA TIMEOUT 600)
set_property(TEST console_browser_test APPEND PROPERTY FIXTURES_REQUIRED console_browser_npm)
add_dependencies(console_browser_test escalation-service console-service)
