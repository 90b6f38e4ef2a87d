// Request and consumed-event validation for the action-plan service.
#include "services/action_plan/validation.h"

#include <string>

#include "recovery/v1/common.pb.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;
namespace common = recovery::common;

// Exactly one of plan_id / case_id, each a well-formed id.
template <typename Req>
absl::Status PlanReference(const Req& req) {
  if (req.plan_id().empty() == req.case_id().empty()) {
    return common::InvalidField(req.plan_id().empty() ? "plan_id" : "case_id",
                                "set exactly one of plan_id and case_id");
  }
  RETURN_IF_ERROR(common::CheckId("plan_id", req.plan_id(), false));
  return common::CheckId("case_id", req.case_id(), false);
}

// Writes: request_id and the plan reference (the deprecated `actor` is ignored: the actor is
// the authenticated caller).
template <typename Req>
absl::Status WriteCommon(const Req& req) {
  RETURN_IF_ERROR(common::CheckRequestId(req.request_id()));
  return PlanReference(req);
}

absl::Status OptionalTimestamp(const char* field, bool has, const google::protobuf::Timestamp& ts) {
  return has ? common::CheckTimestamp(field, ts) : absl::OkStatus();
}

absl::Status EventEnvelope(const v1::Event& event) {
  RETURN_IF_ERROR(common::CheckId("event_id", event.event_id(), true));
  return common::CheckId("case_id", event.case_id(), true);
}

}  // namespace

absl::Status ValidateGetPlan(const v1::GetPlanRequest& req) { return PlanReference(req); }

absl::Status ValidateListPlans(const v1::ListPlansRequest& req) {
  RETURN_IF_ERROR(common::CheckRange("limit", req.limit(), 0, 1000));
  return common::CheckId("page_token", req.page_token(), false);
}

absl::Status ValidateAddActionItem(const v1::AddActionItemRequest& req) {
  RETURN_IF_ERROR(WriteCommon(req));
  if (!req.has_item()) return common::InvalidField("item", "required");
  const auto& item = req.item();
  RETURN_IF_ERROR(common::CheckId("item.id", item.id(), false));
  RETURN_IF_ERROR(common::LongText("item.what", item.what(), kMaxLongText, true));
  RETURN_IF_ERROR(common::CheckId("item.owner", item.owner(), false));
  RETURN_IF_ERROR(common::CheckId("item.owner_role", item.owner_role(), false));
  if (item.owner().empty() && item.owner_role().empty())
    return common::InvalidField("item.owner", "set an owner or an owner_role");
  RETURN_IF_ERROR(common::OptionalText("item.where", item.where(), kMaxShortText));
  RETURN_IF_ERROR(OptionalTimestamp("item.due", item.has_due(), item.due()));
  RETURN_IF_ERROR(common::LongText("item.why", item.why(), kMaxLongText, false));
  RETURN_IF_ERROR(common::LongText("item.how", item.how(), kMaxLongText, false));
  if (item.status() != v1::ITEM_STATUS_UNSPECIFIED && item.status() != v1::ITEM_STATUS_OPEN) {
    return common::InvalidField("item.status", "a new item is open; complete or cancel it afterwards");
  }
  if (!item.completion_note().empty())
    return common::InvalidField("item.completion_note", "a new item cannot carry one");
  return absl::OkStatus();
}

absl::Status ValidateUpdateActionItem(const v1::UpdateActionItemRequest& req) {
  RETURN_IF_ERROR(WriteCommon(req));
  RETURN_IF_ERROR(common::CheckId("item_id", req.item_id(), true));
  if (!req.has_update()) return common::InvalidField("update", "required");
  const auto& u = req.update();
  if (u.has_what()) RETURN_IF_ERROR(common::LongText("update.what", u.what(), kMaxLongText, true));
  RETURN_IF_ERROR(common::CheckId("update.owner", u.owner(), false));
  RETURN_IF_ERROR(common::CheckId("update.owner_role", u.owner_role(), false));
  RETURN_IF_ERROR(common::OptionalText("update.where", u.where(), kMaxShortText));
  RETURN_IF_ERROR(OptionalTimestamp("update.due", u.has_due(), u.due()));
  RETURN_IF_ERROR(common::LongText("update.why", u.why(), kMaxLongText, false));
  RETURN_IF_ERROR(common::LongText("update.how", u.how(), kMaxLongText, false));
  if (u.status() != v1::ITEM_STATUS_UNSPECIFIED && u.status() != v1::ITEM_STATUS_OPEN &&
      u.status() != v1::ITEM_STATUS_IN_PROGRESS) {
    return common::InvalidField("update.status",
                                "only OPEN or IN_PROGRESS here; use CompleteActionItem / CancelActionItem");
  }
  if (!u.has_what() && !u.has_owner() && !u.has_owner_role() && !u.has_where() && !u.has_due() && !u.has_why() &&
      !u.has_how() && u.status() == v1::ITEM_STATUS_UNSPECIFIED && !u.has_client_visible()) {
    return common::InvalidField("update", "nothing to change");
  }
  return absl::OkStatus();
}

absl::Status ValidateCompleteActionItem(const v1::CompleteActionItemRequest& req) {
  RETURN_IF_ERROR(WriteCommon(req));
  RETURN_IF_ERROR(common::CheckId("item_id", req.item_id(), true));
  return common::LongText("completion_note", req.completion_note(), kMaxLongText, true);
}

absl::Status ValidateCancelActionItem(const v1::CancelActionItemRequest& req) {
  RETURN_IF_ERROR(WriteCommon(req));
  RETURN_IF_ERROR(common::CheckId("item_id", req.item_id(), true));
  return common::LongText("reason", req.reason(), kMaxLongText, true);
}

absl::Status ValidateAddCommitment(const v1::AddCommitmentRequest& req) {
  RETURN_IF_ERROR(WriteCommon(req));
  if (!req.has_commitment()) return common::InvalidField("commitment", "required");
  const auto& c = req.commitment();
  RETURN_IF_ERROR(common::CheckId("commitment.id", c.id(), false));
  RETURN_IF_ERROR(common::LongText("commitment.text", c.text(), kMaxLongText, true));
  RETURN_IF_ERROR(common::CheckId("commitment.owner", c.owner(), true));
  if (!c.has_due()) return common::InvalidField("commitment.due", "required");
  RETURN_IF_ERROR(common::CheckTimestamp("commitment.due", c.due()));
  if (c.status() != v1::COMMITMENT_STATUS_UNSPECIFIED && c.status() != v1::COMMITMENT_STATUS_OPEN) {
    return common::InvalidField("commitment.status", "a new commitment is open");
  }
  return absl::OkStatus();
}

absl::Status ValidateUpdateCommitment(const v1::UpdateCommitmentRequest& req) {
  RETURN_IF_ERROR(WriteCommon(req));
  RETURN_IF_ERROR(common::CheckId("commitment_id", req.commitment_id(), true));
  if (!req.has_update()) return common::InvalidField("update", "required");
  const auto& u = req.update();
  const bool settle = u.status() != v1::COMMITMENT_STATUS_UNSPECIFIED;
  if (u.has_due() == settle)
    return common::InvalidField("update", "set a new due (renegotiate) or a status (KEPT / BROKEN)");
  RETURN_IF_ERROR(OptionalTimestamp("update.due", u.has_due(), u.due()));
  if (settle && u.status() != v1::COMMITMENT_STATUS_KEPT && u.status() != v1::COMMITMENT_STATUS_BROKEN) {
    return common::InvalidField("update.status", "must be KEPT or BROKEN; renegotiate by setting update.due");
  }
  return common::LongText("reason", req.reason(), kMaxLongText, false);
}

absl::Status ValidateRecordAmends(const v1::RecordAmendsRequest& req) {
  RETURN_IF_ERROR(WriteCommon(req));
  if (!req.has_amends()) return common::InvalidField("amends", "required");
  const auto& a = req.amends();
  if (!a.amends_id().empty()) return common::InvalidField("amends.amends_id", "set by the service");
  if (a.has_recorded_at()) return common::InvalidField("amends.recorded_at", "set by the service");
  if (a.kind() == v1::AMENDS_KIND_UNSPECIFIED) {
    return common::InvalidField("amends.kind", "required: DISCOUNT, CREDIT, FREE_SERVICE or OTHER");
  }
  RETURN_IF_ERROR(common::CheckEnum<v1::AmendsKind>("amends.kind", a.kind(), true));
  if (a.value_minor_units() < 0) return common::InvalidField("amends.value_minor_units", "must not be negative");
  RETURN_IF_ERROR(common::CheckId("amends.currency", a.currency(), false));
  RETURN_IF_ERROR(common::CheckId("amends.approver", a.approver(), true));
  return common::LongText("amends.reason", a.reason(), kMaxLongText, true);
}

absl::Status ValidateSetRootCause(const v1::SetRootCauseRequest& req) {
  RETURN_IF_ERROR(WriteCommon(req));
  if (!req.has_root_cause()) return common::InvalidField("root_cause", "required");
  const auto& r = req.root_cause();
  RETURN_IF_ERROR(common::LongText("root_cause.client_view", r.client_view(), kMaxLongText, true));
  RETURN_IF_ERROR(common::LongText("root_cause.firm_view", r.firm_view(), kMaxLongText, true));
  RETURN_IF_ERROR(common::LongText("root_cause.agreed_explanation", r.agreed_explanation(), kMaxLongText, false));
  return common::CheckId("root_cause.category", r.category(), false);
}

absl::Status ValidateSharePlan(const v1::SharePlanRequest& req) { return WriteCommon(req); }

absl::Status ValidateReviewMessage(const v1::ReviewMessageRequest& req) {
  return common::LongText("text", req.text(), kMaxReviewText, true);
}

absl::Status ValidateGetPlaybook(const v1::GetPlaybookRequest& req) {
  if (req.id().empty() == req.category().empty()) {
    return common::InvalidField(req.id().empty() ? "id" : "category", "set exactly one of id and category");
  }
  RETURN_IF_ERROR(common::CheckId("id", req.id(), false));
  return common::CheckId("category", req.category(), false);
}

absl::Status ValidateCaseOpened(const v1::Event& event) {
  RETURN_IF_ERROR(EventEnvelope(event));
  const auto& body = event.case_opened();
  RETURN_IF_ERROR(common::CheckId("case_opened.category", body.category(), true));
  RETURN_IF_ERROR(common::CheckEnum<v1::Severity>("case_opened.severity", body.severity(), true));
  RETURN_IF_ERROR(common::OptionalText("case_opened.client.name", body.client().name(), kMaxShortText));
  RETURN_IF_ERROR(common::CheckId("case_opened.client.calendar_id", body.client().calendar_id(), false));
  // An unknown time zone is not malformed: the plan falls back to UTC (decisions.h).
  RETURN_IF_ERROR(common::OptionalText("case_opened.client.time_zone", body.client().time_zone(), kMaxShortText));
  return common::OptionalText("case_opened.contact.time_zone", body.contact().time_zone(), kMaxShortText);
}

absl::Status ValidateOwnerEvent(const v1::Event& event) {
  RETURN_IF_ERROR(EventEnvelope(event));
  if (event.has_case_acknowledged()) {
    RETURN_IF_ERROR(common::CheckId("case_acknowledged.owner", event.case_acknowledged().owner(), false));
    return common::CheckId("case_acknowledged.acknowledged_by", event.case_acknowledged().acknowledged_by(), false);
  }
  RETURN_IF_ERROR(common::CheckId("owner_assigned.owner", event.owner_assigned().owner(), false));
  return common::CheckId("owner_assigned.previous_owner", event.owner_assigned().previous_owner(), false);
}

}  // namespace recovery::action_plan
