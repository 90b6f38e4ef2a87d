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

absl::Status ValidateExportEvents(const recovery::v1::ExportEventsRequest& request) {
  RETURN_IF_ERROR(common::CheckId("case_id", request.case_id(), false));
  return common::CheckTimeRange("occurred_from", request.has_occurred_from() ? &request.occurred_from() : nullptr,
                                "occurred_to", request.has_occurred_to() ? &request.occurred_to() : nullptr);
}

absl::Status ValidateEvent(const recovery::v1::Event& event) {
  if (event.event_id().empty()) return common::InvalidField("event_id", "required");
  if (event.case_id().empty()) return common::InvalidField("case_id", "required");
  if (event.body_case() == recovery::v1::Event::BODY_NOT_SET) return common::InvalidField("body", "required");
  return absl::OkStatus();
}

}  // namespace recovery::audit
