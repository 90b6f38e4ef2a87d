// Audit's request checks and the check of a consumed event, on services/common/validation.h.
// Request errors are INVALID_ARGUMENT "<field>: <why>".
// Thread-safety: pure functions.
#pragma once

#include "absl/status/status.h"
#include "recovery/v1/audit.pb.h"
#include "recovery/v1/events.pb.h"

namespace recovery::audit {

absl::Status ValidateGetTimeline(const recovery::v1::GetTimelineRequest& request);
absl::Status ValidateListConfigChanges(const recovery::v1::ListConfigChangesRequest& request);
absl::Status ValidateListCaseAccess(const recovery::v1::ListCaseAccessRequest& request);
absl::Status ValidateListRejectedEvents(const recovery::v1::ListRejectedEventsRequest& request);
absl::Status ValidateExportEvents(const recovery::v1::ExportEventsRequest& request);
absl::Status ValidateGetCheckpoint(const recovery::v1::GetCheckpointRequest& request);
absl::Status ValidateGetInclusionProof(const recovery::v1::GetInclusionProofRequest& request);
absl::Status ValidateGetConsistencyProof(const recovery::v1::GetConsistencyProofRequest& request);

// Whether a consumed event can be chained. Audit records what was on the topic, so it asks
// only for what a record needs: an event_id (the chain's and the dedup's key), a case_id
// (the timeline's key) and a body. Anything else that parsed is recorded as it came; an
// event refused here is parked in dead_letters, not chained.
absl::Status ValidateEvent(const recovery::v1::Event& event);

}  // namespace recovery::audit
