# Winter-day scenario and its replayer (tools/scenario; included from tests/CMakeLists.txt).
add_project_test(scenario_timeline_test SRCS unit/scenario/timeline_test.cc
  DEPS scenario_core test_support LABELS unit)
add_project_test(scenario_requests_test SRCS unit/scenario/requests_test.cc
  DEPS scenario_core test_support LABELS unit)
add_project_test(scenario_checks_test SRCS unit/scenario/checks_test.cc
  DEPS scenario_core test_support LABELS unit)
add_project_test(scenario_replayer_test SRCS unit/scenario/replayer_test.cc
  DEPS scenario_replayer test_support LABELS unit)
