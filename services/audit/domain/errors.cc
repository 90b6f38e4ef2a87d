// The mapping of audit refusals to status codes.
#include "services/audit/domain/errors.h"

namespace recovery::audit {

absl::StatusCode StatusCodeOf(AuditError error) {
  switch (error) {
    case AuditError::kNoEventsForCase:
    case AuditError::kNoCheckpoint:
      return absl::StatusCode::kNotFound;
    case AuditError::kBeyondTree:
      return absl::StatusCode::kInvalidArgument;
  }
  return absl::StatusCode::kInternal;
}

absl::Status Refuse(AuditError error, absl::string_view message) { return absl::Status(StatusCodeOf(error), message); }

}  // namespace recovery::audit
