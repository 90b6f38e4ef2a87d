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
};

absl::StatusCode StatusCodeOf(AuditError error);
absl::Status Refuse(AuditError error, absl::string_view message);

}  // namespace recovery::audit
