// Retry timing for the delivery queue: exponential backoff with a cap and an attempt limit.
// Pure functions of their arguments.
#pragma once

#include "absl/time/time.h"

namespace recovery::escalation::delivery {

struct BackoffPolicy {
  absl::Duration initial = absl::Seconds(5);
  absl::Duration max = absl::Minutes(5);
  double multiplier = 2.0;
  // After this many failed attempts the row is marked failed (PageFailed final). Pages are
  // normally cancelled long before: the escalation moves on or is acknowledged.
  int max_attempts = 25;
};

// Delay before the next attempt after `attempts` failed ones (attempts >= 1):
// initial * multiplier^(attempts-1), capped at max. attempts < 1 is treated as 1.
absl::Duration BackoffDelay(int attempts, const BackoffPolicy& policy = {});

// True when a row that has failed `attempts` times gets no further attempt.
bool AttemptsExhausted(int attempts, const BackoffPolicy& policy = {});

}  // namespace recovery::escalation::delivery
