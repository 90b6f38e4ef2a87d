// The intake refusal -> status code mapping.
#include "services/intake/domain/errors.h"

namespace recovery::intake {

absl::StatusCode IntakeErrorCode(IntakeError error) {
  switch (error) {
    case IntakeError::kCaseNotFound:
      return absl::StatusCode::kNotFound;
    case IntakeError::kIllegalTransition:
    case IntakeError::kCaseClosed:
      return absl::StatusCode::kFailedPrecondition;
    case IntakeError::kConcurrentReport:
      return absl::StatusCode::kAborted;
    case IntakeError::kStoredCaseCorrupt:
      return absl::StatusCode::kDataLoss;
  }
  return absl::StatusCode::kInternal;
}

absl::Status IntakeErrorStatus(IntakeError error, absl::string_view message) {
  return absl::Status(IntakeErrorCode(error), message);
}

}  // namespace recovery::intake
