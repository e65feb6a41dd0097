# Proof under load, faults and attack (issue 8): benchmarks of the pure rules, the scale-out and
# fault-injection tests, fuzz targets. Included from tests/CMakeLists.txt.

# --- benchmarks (Google Benchmark; a tiny run in ctest proves they work; figures come from
# `build/tests/escalation_rules_bench --benchmark_min_time=1`, see README "Proof") -------------
add_executable(escalation_rules_bench bench/escalation_rules_bench.cc bench/ratio_reporter.h)
target_link_libraries(escalation_rules_bench PRIVATE escalation_core config benchmark::benchmark
  absl::random_random)
target_compile_definitions(escalation_rules_bench PRIVATE
  RESILIENCE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_test(NAME escalation_rules_bench COMMAND escalation_rules_bench --benchmark_min_time=0.01)
set_tests_properties(escalation_rules_bench PROPERTIES LABELS bench TIMEOUT 300)

# --- shared harness of the proof tests (also for the Redis-rebuild test in services/escalation's
# care: tests/fault/escalation_harness.h) --------------------------------------------------------
add_project_library(proof_support
  HDRS fault/escalation_harness.h
  SRCS fault/escalation_harness.cc
  DEPS test_support escalation_proto scope gRPC::grpc++ absl::synchronization absl::strings)

# --- scale-out: two escalation instances in one consumer group, one killed ------------------------
add_project_test(escalation_scaleout_test SRCS integration/escalation_scaleout_test.cc
  DEPS proof_support kafka_rdkafka config scope clock events_proto reference_proto escalation_proto
       test_support
  LABELS integration INFRA TIMEOUT 600)
add_dependencies(escalation_scaleout_test escalation-service)

