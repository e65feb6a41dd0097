# Bed availability service tests (included from tests/CMakeLists.txt).

# --- unit ---------------------------------------------------------------------------------------
add_project_test(beds_update_test SRCS unit/beds/bed_update_test.cc
  DEPS beds_core test_support LABELS unit)
add_project_test(beds_board_test SRCS unit/beds/bed_board_test.cc
  DEPS beds_core test_support LABELS unit)
add_project_test(beds_placement_book_test SRCS unit/beds/placement_book_test.cc
  DEPS beds_core test_support LABELS unit)
add_project_test(beds_rate_limit_test SRCS unit/beds/rate_limit_test.cc
  DEPS beds_core test_support LABELS unit)

# --- integration (real broker and Redis of the test instance, real beds-service binary) --------
add_project_test(beds_ingest_test SRCS integration/beds_ingest_test.cc
  DEPS grpc_status kafka_rdkafka clock beds_proto events_proto test_support
  LABELS integration INFRA)
add_dependencies(beds_ingest_test beds-service)
add_project_test(beds_placement_test SRCS integration/beds_placement_test.cc
  DEPS grpc_status kafka_rdkafka clock beds_proto events_proto test_support
  LABELS integration INFRA)
add_dependencies(beds_placement_test beds-service)
add_project_test(beds_simulator_test SRCS integration/beds_simulator_test.cc
  DEPS beds_proto test_support absl::strings LABELS integration INFRA)
add_dependencies(beds_simulator_test beds-service bedsim)

# --- benchmark (Google Benchmark; a short run in ctest proves it works, figures come from a
# longer run: build/tests/beds_vacancy_bench --benchmark_min_time=1) -----------------------------
add_executable(beds_vacancy_bench bench/beds_vacancy_bench.cc)
target_link_libraries(beds_vacancy_bench PRIVATE beds_core benchmark::benchmark absl::random_random)
add_test(NAME beds_vacancy_bench COMMAND beds_vacancy_bench --benchmark_min_time=0.01)
set_tests_properties(beds_vacancy_bench PROPERTIES LABELS bench TIMEOUT 300)
add_project_test(beds_escalation_test SRCS integration/beds_escalation_test.cc
  DEPS grpc_status redis_hiredis kafka_rdkafka clock beds_proto escalation_proto events_proto
       test_support
  LABELS integration INFRA)
add_dependencies(beds_escalation_test beds-service escalation-service)
