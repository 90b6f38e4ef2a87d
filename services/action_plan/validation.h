// Field validation of every ActionPlan request and of every consumed event, on
// services/common/validation.h, before anything touches the store. Each function returns OK
// or INVALID_ARGUMENT with a message that starts with the field path ("commitment.due: ...").
// Lengths count characters; a required text of only whitespace or zero-width characters is
// blank; control characters are refused (newline and tab allowed in long texts). Domain rules
// (unknown item, state transitions) are checked later by the domain, which names its fields
// the same way. Thread-safety: pure functions.
#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "recovery/v1/action_plan.pb.h"
#include "recovery/v1/events.pb.h"

namespace recovery::action_plan {

inline constexpr size_t kMaxShortText = 256;
inline constexpr size_t kMaxLongText = 8000;
inline constexpr size_t kMaxReviewText = 20000;

absl::Status ValidateGetPlan(const recovery::v1::GetPlanRequest& req);
absl::Status ValidateListPlans(const recovery::v1::ListPlansRequest& req);
absl::Status ValidateAddActionItem(const recovery::v1::AddActionItemRequest& req);
absl::Status ValidateUpdateActionItem(const recovery::v1::UpdateActionItemRequest& req);
absl::Status ValidateCompleteActionItem(const recovery::v1::CompleteActionItemRequest& req);
absl::Status ValidateCancelActionItem(const recovery::v1::CancelActionItemRequest& req);
absl::Status ValidateAddCommitment(const recovery::v1::AddCommitmentRequest& req);
absl::Status ValidateUpdateCommitment(const recovery::v1::UpdateCommitmentRequest& req);
absl::Status ValidateRecordAmends(const recovery::v1::RecordAmendsRequest& req);
absl::Status ValidateSetRootCause(const recovery::v1::SetRootCauseRequest& req);
absl::Status ValidateSharePlan(const recovery::v1::SharePlanRequest& req);
absl::Status ValidateReviewMessage(const recovery::v1::ReviewMessageRequest& req);
absl::Status ValidateGetPlaybook(const recovery::v1::GetPlaybookRequest& req);

// Consumed events, validated like requests (field paths start at the body: "case_opened.category").
// A CaseOpened needs an event id, a case id, a category and a severity: a body that intake
// would never publish (e.g. empty) is malformed, not a case to plan.
absl::Status ValidateCaseOpened(const recovery::v1::Event& event);
// CaseAcknowledged / OwnerAssigned: an event id, a case id, well-formed owner ids.
absl::Status ValidateOwnerEvent(const recovery::v1::Event& event);

}  // namespace recovery::action_plan
