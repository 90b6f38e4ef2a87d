// The one retry backoff policy: exponential from `initial`, capped at `max`, with optional
// deterministic jitter (the caller passes a fraction in [0,1) so tests stay reproducible).
// Used by page delivery retries, the outbox relay, the consumer and failing timers.
// Thread-safety: a value type; const methods are pure.
#pragma once

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace recovery::common {

struct BackoffPolicy {
  absl::Duration initial = absl::Milliseconds(100);
  absl::Duration max = absl::Seconds(30);
  double multiplier = 2.0;
  // Fraction of the delay that jitter may remove (0: none, 0.5: delay in [d/2, d]).
  double jitter = 0.0;

  // Delay before retry number `attempt` (1 = the first retry). `random01` in [0,1).
  absl::Duration Delay(int attempt, double random01 = 0.0) const {
    if (attempt < 1) attempt = 1;
    const double factor = std::pow(multiplier, std::min(attempt - 1, 62));
    absl::Duration d = initial * factor;
    if (d > max || d < absl::ZeroDuration()) d = max;
    if (jitter > 0) d -= d * (jitter * std::clamp(random01, 0.0, 1.0));
    return d;
  }
};

// Whether a failure is worth waiting out rather than giving up on: the database or a peer
// away, a serialisation failure, overload. The consumer and the timers retry these without
// a limit; any other error counts towards their attempt limits.
inline bool IsTransient(const absl::Status& status) {
  const absl::StatusCode code = status.code();
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kAborted ||
         code == absl::StatusCode::kDeadlineExceeded || code == absl::StatusCode::kResourceExhausted;
}

}  // namespace recovery::common
