# The web console's tests (services/console): unit tests of its pure parts, integration tests
# against the real escalation service, broker and Redis, and browser tests in headless Chromium.

# --- unit ---------------------------------------------------------------------------------------
add_project_test(console_core_test SRCS unit/console/console_core_test.cc
  DEPS console_core console_server config reference grpc_status test_support LABELS unit)
add_project_test(console_notifier_core_test SRCS unit/console/notifier_core_test.cc
  DEPS console_notifier_core reference test_support LABELS unit)
