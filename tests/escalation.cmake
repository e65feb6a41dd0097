# Escalation service tests added after the foundation (included from tests/CMakeLists.txt).
add_project_test(escalation_notification_rules_test SRCS unit/escalation/notification_rules_test.cc
  DEPS escalation_core test_support LABELS unit)
add_project_test(escalation_protocol_tasks_test SRCS unit/escalation/protocol_tasks_test.cc
  DEPS escalation_core test_support LABELS unit)
add_project_test(escalation_care_setting_events_test SRCS unit/escalation/care_setting_events_test.cc
  DEPS escalation_core test_support LABELS unit)
add_project_test(escalation_day_test SRCS integration/escalation_day_test.cc
  DEPS kafka_rdkafka redis_hiredis scope events_proto escalation_proto test_support
  LABELS integration INFRA TIMEOUT 600)
add_dependencies(escalation_day_test escalation-service)
add_project_test(escalation_workflow_test SRCS integration/escalation_workflow_test.cc
  DEPS kafka_rdkafka scope clock ids events_proto escalation_proto test_support
  LABELS integration INFRA TIMEOUT 600)
add_dependencies(escalation_workflow_test escalation-service)
