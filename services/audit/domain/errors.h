// Audit's refusals: one enum, mapped to a status code in one place (StatusCodeOf) by what
// the caller should do. Audit refuses little: its reads answer from what was recorded.
// Thread-safety: pure functions.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace recovery::audit {

enum class AuditError {
  // GetTimeline of a case with nothing recorded (yet): NOT_FOUND. Audit is eventually
  // consistent, so a caller that just opened the case may retry.
  kNoEventsForCase,
  // A tree size, seq or proof range beyond the log as it is: INVALID_ARGUMENT naming the field
  // (the caller asked for what the log does not hold; a smaller size answers).
  kBeyondTree,
  // GetCheckpoint when no checkpoint is kept (yet, or at that size): NOT_FOUND.
  kNoCheckpoint,
};

absl::StatusCode StatusCodeOf(AuditError error);
absl::Status Refuse(AuditError error, absl::string_view message);

}  // namespace recovery::audit
