// Early-return helpers for absl::Status and absl::StatusOr. Debian's Abseil (20220623) has no
// status macros, so they are defined once here.
#ifndef RESILIENCE_COMMON_STATUS_STATUS_MACROS_H_
#define RESILIENCE_COMMON_STATUS_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RESILIENCE_STATUS_CONCAT_INNER_(a, b) a##b
#define RESILIENCE_STATUS_CONCAT_(a, b) RESILIENCE_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                         \
  do {                                                \
    ::absl::Status resilience_status_ = (expr);       \
    if (!resilience_status_.ok()) return resilience_status_; \
  } while (0)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, else moves the value
// into `lhs`, which may be a declaration: ASSIGN_OR_RETURN(auto config, Load(path));
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  RESILIENCE_ASSIGN_OR_RETURN_IMPL_(RESILIENCE_STATUS_CONCAT_(statusor_, __LINE__), lhs, rexpr)

#define RESILIENCE_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                      \
  if (!statusor.ok()) return std::move(statusor).status();      \
  lhs = std::move(statusor).value()

#endif  // RESILIENCE_COMMON_STATUS_STATUS_MACROS_H_
