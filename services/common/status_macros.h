// The one status-macro header: early returns on a non-OK absl::Status or absl::StatusOr,
// in the style of Envoy's RETURN_IF_NOT_OK and Abseil's internal ASSIGN_OR_RETURN.
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RECOVERY_STATUS_CONCAT_INNER(a, b) a##b
#define RECOVERY_STATUS_CONCAT(a, b) RECOVERY_STATUS_CONCAT_INNER(a, b)

// Returns the status of `expr` (an absl::Status or absl::StatusOr) from the enclosing
// function when it is not OK.
#define RETURN_IF_ERROR(expr)                                                                             \
  do {                                                                                                    \
    if (auto recovery_status_ = ::recovery::common::internal::AsStatus((expr)); !recovery_status_.ok()) { \
      return recovery_status_;                                                                            \
    }                                                                                                     \
  } while (false)

// ASSIGN_OR_RETURN(auto x, Compute()); ASSIGN_OR_RETURN(x, Compute());
// Evaluates `expr` (an absl::StatusOr<T>) once; on error returns its status, otherwise moves
// the value into `lhs`.
#define ASSIGN_OR_RETURN(lhs, expr) \
  RECOVERY_ASSIGN_OR_RETURN_IMPL(RECOVERY_STATUS_CONCAT(recovery_statusor_, __LINE__), lhs, expr)

#define RECOVERY_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

namespace recovery::common::internal {
inline const absl::Status& AsStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& AsStatus(const absl::StatusOr<T>& s) {
  return s.status();
}
}  // namespace recovery::common::internal
