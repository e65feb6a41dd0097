# Provider capacity service tests (included from tests/CMakeLists.txt).

# --- unit -----------------------------------------------------------------------------------------
foreach(t update_validation_test update_plan_test capacity_rules_test admission_test)
  add_project_test(capacity_${t} SRCS unit/capacity/${t}.cc
    DEPS capacity_core config reference test_support LABELS unit)
endforeach()

