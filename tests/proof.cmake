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
  DEPS proof_support kafka_rdkafka redis_hiredis config scope clock events_proto reference_proto escalation_proto
       test_support
  LABELS integration INFRA TIMEOUT 600)
add_dependencies(escalation_scaleout_test escalation-service)

# --- fault injection: 100,000 updates through every service, each service, the broker and Redis
# killed with SIGKILL in turn, compared with an undisturbed run (label `fault`; INFRA takes the
# infra_heavy lock, so no other infrastructure test runs while the broker and Redis go down) ------
add_project_test(fault_injection_test SRCS fault/fault_injection_test.cc fault/provider_stream.h
  DEPS proof_support kafka_rdkafka redis_hiredis config clock capacity_proto beds_proto workforce_proto
       events_proto reference_proto escalation_proto test_support absl::random_random
  LABELS fault INFRA TIMEOUT 3000)
add_dependencies(fault_injection_test escalation-service capacity-service beds-service
  workforce-service)
set_property(TEST fault_injection_test APPEND PROPERTY ENVIRONMENT
  RESILIENCE_INSTANCE=${RESILIENCE_TEST_INSTANCE})

# --- fuzzing (libFuzzer, clang from Debian). The fuzz build is a separate build tree configured
# with clang, -DRESILIENCE_FUZZ=ON and the sanitizer flags on everything it compiles; its target
# `fuzzers` builds only the four fuzzers and the libraries they need. tests/fuzz/run.sh does both
# and runs each fuzzer over its seed corpus (tests/fuzz/corpus/<target>/); README "Proof" has the
# long run. ---------------------------------------------------------------------------------------
option(RESILIENCE_FUZZ "Build the libFuzzer targets (a clang build tree; see tests/fuzz/run.sh)" OFF)
if(RESILIENCE_FUZZ)
  set(fuzz_deps_capacity_update capacity_core capacity_proto config reference)
  set(fuzz_deps_bed_update beds_core beds_proto beds_changes_proto config reference clock)
  set(fuzz_deps_workforce_update workforce_core workforce_proto config reference)
  set(fuzz_deps_config escalation_core escalation_proto capacity_proto beds_proto workforce_proto
      reference_proto config reference)
  set(fuzzers)
  foreach(f capacity_update bed_update workforce_update config)
    add_executable(${f}_fuzzer fuzz/${f}_fuzzer.cc fuzz/fuzz_support.h)
    target_link_libraries(${f}_fuzzer PRIVATE ${fuzz_deps_${f}})
    target_compile_definitions(${f}_fuzzer PRIVATE RESILIENCE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    target_link_options(${f}_fuzzer PRIVATE -fsanitize=fuzzer)
    list(APPEND fuzzers ${f}_fuzzer)
  endforeach()
  add_custom_target(fuzzers DEPENDS ${fuzzers})
else()
  find_program(CLANGXX_FOR_FUZZING clang++)
  if(CLANGXX_FOR_FUZZING)
    # The short run: builds the fuzz tree inside this build tree, then 20 s per fuzzer after
    # replaying its corpus (which holds every input that once crashed: the regression tests).
    add_test(NAME fuzz_short
      COMMAND env FUZZ_BUILD_DIR=${PROJECT_BINARY_DIR}/fuzz FUZZ_SECONDS=20
              bash ${PROJECT_SOURCE_DIR}/tests/fuzz/run.sh)
    set_tests_properties(fuzz_short PROPERTIES LABELS fuzz TIMEOUT 2400)
  endif()
endif()

# --- load generator smoke run (the figures come from tools/loadgen/measure.sh, README "Proof"):
# a rate the escalation service sustains, for a few seconds, against the test instance ----------
add_test(NAME loadgen_smoke
  COMMAND env RESILIENCE_INSTANCE=${RESILIENCE_TEST_INSTANCE} RESILIENCE_BUILD_DIR=${PROJECT_BINARY_DIR}
          LOADGEN_RATES=20 bash ${PROJECT_SOURCE_DIR}/tools/loadgen/measure.sh --seconds=3
          --drain_seconds=60)
set_tests_properties(loadgen_smoke PROPERTIES LABELS bench TIMEOUT 300
  FIXTURES_REQUIRED infra RESOURCE_LOCK infra_heavy)
