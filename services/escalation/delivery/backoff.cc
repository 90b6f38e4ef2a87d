// Exponential backoff for delivery retries.
#include "services/escalation/delivery/backoff.h"

#include <algorithm>

namespace recovery::escalation::delivery {

absl::Duration BackoffDelay(int attempts, const BackoffPolicy& policy) {
  absl::Duration d = policy.initial;
  for (int i = 1; i < attempts; ++i) {
    d = d * policy.multiplier;
    if (d >= policy.max) return policy.max;
  }
  return std::min(d, policy.max);
}

bool AttemptsExhausted(int attempts, const BackoffPolicy& policy) {
  return policy.max_attempts > 0 && attempts >= policy.max_attempts;
}

}  // namespace recovery::escalation::delivery
