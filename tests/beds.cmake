# Bed availability service tests (included from tests/CMakeLists.txt).

# --- unit ---------------------------------------------------------------------------------------
add_project_test(beds_update_test SRCS unit/beds/bed_update_test.cc
  DEPS beds_core test_support LABELS unit)
add_project_test(beds_board_test SRCS unit/beds/bed_board_test.cc
  DEPS beds_core test_support LABELS unit)
add_project_test(beds_placement_book_test SRCS unit/beds/placement_book_test.cc
  DEPS beds_core test_support LABELS unit)

