// Audit request and event validation.
#include "services/audit/validation.h"

#include "services/common/status_macros.h"
#include "services/common/validation.h"

namespace recovery::audit {

absl::Status ValidateGetTimeline(const recovery::v1::GetTimelineRequest& request) {
  return common::CheckId("case_id", request.case_id(), true);
}

absl::Status ValidateListConfigChanges(const recovery::v1::ListConfigChangesRequest& request) {
  if (!request.service().empty() && request.service() != "intake" && request.service() != "escalation" &&
      request.service() != "action-plan" && request.service() != "follow-up")
    return common::InvalidField("service", "one of intake, escalation, action-plan, follow-up (or empty: every one)");
  RETURN_IF_ERROR(common::CheckText("kind", request.kind(), {.max_chars = 64, .required = false, .multiline = false}));
  RETURN_IF_ERROR(common::CheckText("id", request.id(), {.max_chars = 200, .required = false, .multiline = false}));
  if (!request.id().empty() && request.kind().empty()) return common::InvalidField("kind", "required with id");
  if (request.limit() < 0 || request.limit() > 1000) return common::InvalidField("limit", "between 0 and 1000");
  return absl::OkStatus();
}

absl::Status ValidateListRejectedEvents(const recovery::v1::ListRejectedEventsRequest& request) {
  if (request.limit() < 0 || request.limit() > 1000) return common::InvalidField("limit", "between 0 and 1000");
  return absl::OkStatus();
}

absl::Status ValidateListCaseAccess(const recovery::v1::ListCaseAccessRequest& request) {
  if (request.case_id() != "*") RETURN_IF_ERROR(common::CheckId("case_id", request.case_id(), true));
  if (request.limit() < 0 || request.limit() > 1000) return common::InvalidField("limit", "between 0 and 1000");
  return absl::OkStatus();
}

absl::Status ValidateExportEvents(const recovery::v1::ExportEventsRequest& request) {
  RETURN_IF_ERROR(common::CheckId("case_id", request.case_id(), false));
  return common::CheckTimeRange("occurred_from", request.has_occurred_from() ? &request.occurred_from() : nullptr,
                                "occurred_to", request.has_occurred_to() ? &request.occurred_to() : nullptr);
}

absl::Status ValidateGetCheckpoint(const recovery::v1::GetCheckpointRequest& request) {
  if (request.tree_size() < 0) return common::InvalidField("tree_size", "must not be negative (0: the latest)");
  return absl::OkStatus();
}

absl::Status ValidateGetInclusionProof(const recovery::v1::GetInclusionProofRequest& request) {
  switch (request.record_case()) {
    case recovery::v1::GetInclusionProofRequest::kSeq:
      if (request.seq() < 1) return common::InvalidField("seq", "must be at least 1");
      break;
    case recovery::v1::GetInclusionProofRequest::kCaseId:
      RETURN_IF_ERROR(common::CheckId("case_id", request.case_id(), true));
      break;
    case recovery::v1::GetInclusionProofRequest::RECORD_NOT_SET:
      return common::InvalidField("seq", "required (or case_id)");
  }
  if (request.tree_size() < 0)
    return common::InvalidField("tree_size", "must not be negative (0: the latest checkpoint)");
  return absl::OkStatus();
}

absl::Status ValidateGetConsistencyProof(const recovery::v1::GetConsistencyProofRequest& request) {
  if (request.first_size() < 1) return common::InvalidField("first_size", "must be at least 1");
  if (request.second_size() < 0)
    return common::InvalidField("second_size", "must not be negative (0: the latest checkpoint)");
  if (request.second_size() != 0 && request.first_size() > request.second_size())
    return common::InvalidField("first_size", "must not exceed second_size");
  return absl::OkStatus();
}

absl::Status ValidateEvent(const recovery::v1::Event& event) {
  if (event.event_id().empty()) return common::InvalidField("event_id", "required");
  if (event.case_id().empty()) return common::InvalidField("case_id", "required");
  if (event.body_case() == recovery::v1::Event::BODY_NOT_SET) return common::InvalidField("body", "required");
  return absl::OkStatus();
}

}  // namespace recovery::audit
