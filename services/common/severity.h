// The one Severity: recovery.v1.Severity from common.proto (P1 most urgent .. P4), with the
// short names ("P1") used in configuration, on the command line and in messages.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "recovery/v1/common.pb.h"

namespace recovery::common {

using Severity = recovery::v1::Severity;

// "P1".."P4" (any case) or the proto names "SEVERITY_P1".."SEVERITY_P4"; nullopt otherwise
// (UNSPECIFIED is not a severity).
std::optional<Severity> ParseSeverity(absl::string_view text);
// "P1".."P4"; "unspecified" for SEVERITY_UNSPECIFIED and unknown values.
std::string SeverityName(Severity severity);
// P1 > P2 > P3 > P4: true when `a` is strictly more urgent than `b`.
bool MoreUrgent(Severity a, Severity b);

}  // namespace recovery::common
