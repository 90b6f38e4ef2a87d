// Applies an Outcome inside the caller's transaction: the service's row changes first, then
// timer operations, then events into the outbox. One function for every service, so a
// decision's effects commit together or not at all.
#pragma once

#include "absl/status/status.h"
#include "services/common/outbox.h"
#include "services/common/outcome.h"
#include "services/common/status_macros.h"
#include "services/common/store.h"
#include "services/common/timers.h"

namespace recovery::common {

// Timer operations and events (in that order) in tx. Not thread-safe per tx.
absl::Status ApplyEffects(Tx& tx, const Effects& effects, TimerService& timers, Outbox& outbox);

// `write_rows(tx, rows)` writes the service's rows; then ApplyEffects.
template <typename Rows, typename WriteRows>
absl::Status ApplyOutcome(Tx& tx, const Outcome<Rows>& outcome, TimerService& timers, Outbox& outbox,
                          WriteRows&& write_rows) {
  RETURN_IF_ERROR(write_rows(tx, outcome.rows));
  return ApplyEffects(tx, outcome, timers, outbox);
}

}  // namespace recovery::common
