# Provider capacity service tests (included from tests/CMakeLists.txt).

# --- unit -----------------------------------------------------------------------------------------
foreach(t update_validation_test update_plan_test capacity_rules_test admission_test)
  add_project_test(capacity_${t} SRCS unit/capacity/${t}.cc
    DEPS capacity_core config reference test_support LABELS unit)
endforeach()

# --- integration (real broker, real capacity-service binary) ----------------------------------------
add_project_test(capacity_ingest_test SRCS integration/capacity_ingest_test.cc
  DEPS grpc_status kafka_rdkafka clock config events_proto capacity_proto test_support
  LABELS integration INFRA TIMEOUT 600)
add_dependencies(capacity_ingest_test capacity-service)
# Stops and starts the instance's broker (deploy/kafka/kafka.sh): INFRA holds the infra_heavy lock,
# so no other infrastructure test runs meanwhile.
add_project_test(capacity_kafka_outage_test SRCS integration/capacity_kafka_outage_test.cc
  DEPS grpc_status kafka_rdkafka clock config events_proto capacity_proto test_support
  LABELS integration INFRA TIMEOUT 600)
add_dependencies(capacity_kafka_outage_test capacity-service)
set_property(TEST capacity_kafka_outage_test APPEND PROPERTY ENVIRONMENT
  RESILIENCE_INSTANCE=${RESILIENCE_TEST_INSTANCE})
