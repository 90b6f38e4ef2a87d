// Intake's domain refusals: one enum, mapped to a status code in one function
// (IntakeErrorCode) by what the caller should do. Pure; thread-safe.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace recovery::intake {

enum class IntakeError {
  kCaseNotFound,       // no case with that id: fix the id (NOT_FOUND)
  kIllegalTransition,  // the lifecycle forbids it from the current status (FAILED_PRECONDITION)
  kCaseClosed,         // an edit of a CLOSED case: reopen first (FAILED_PRECONDITION)
  kConcurrentReport,   // another report of the same client and category committed first:
                       // run the decision again, it now links (ABORTED)
  kStoredCaseCorrupt,  // a stored row does not parse (DATA_LOSS)
};

// The one mapping from a refusal to a status code.
absl::StatusCode IntakeErrorCode(IntakeError error);

// A status of IntakeErrorCode(error) whose message is `message` (starting with the field).
absl::Status IntakeErrorStatus(IntakeError error, absl::string_view message);

}  // namespace recovery::intake
