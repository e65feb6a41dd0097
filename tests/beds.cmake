# Bed availability service tests (included from tests/CMakeLists.txt).

# --- unit ---------------------------------------------------------------------------------------
add_project_test(beds_update_test SRCS unit/beds/bed_update_test.cc
  DEPS beds_core test_support LABELS unit)
add_project_test(beds_board_test SRCS unit/beds/bed_board_test.cc
  DEPS beds_core test_support LABELS unit)
add_project_test(beds_placement_book_test SRCS unit/beds/placement_book_test.cc
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
