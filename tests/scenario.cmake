# Winter-day scenario and its replayer (tools/scenario; included from tests/CMakeLists.txt).
add_project_test(scenario_timeline_test SRCS unit/scenario/timeline_test.cc
  DEPS scenario_core test_support LABELS unit)
add_project_test(scenario_requests_test SRCS unit/scenario/requests_test.cc
  DEPS scenario_core test_support LABELS unit)
add_project_test(scenario_checks_test SRCS unit/scenario/checks_test.cc
  DEPS scenario_core test_support LABELS unit)
add_project_test(scenario_replayer_test SRCS unit/scenario/replayer_test.cc
  DEPS scenario_replayer test_support LABELS unit)
add_project_test(scenario_winter_day_test SRCS integration/scenario_winter_day_test.cc
  DEPS scenario_replayer reference scope escalation_proto test_support
  LABELS integration INFRA TIMEOUT 900)
add_dependencies(scenario_winter_day_test workforce-service capacity-service beds-service
  escalation-service)
