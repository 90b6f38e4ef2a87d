// Event handling for the audit service. Audit consumes every event type the same way, so
// there is one handler: append the event to the chain.
#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "services/common/store.h"

namespace recovery::audit {

// Runs inside the consumer's transaction (already deduplicated by event id). A repeated
// event id is still recorded once (the log's own UNIQUE guard).
absl::Status RecordEvent(common::Tx& tx, const recovery::v1::Event& event, absl::Time now);

}  // namespace recovery::audit
