// Request validation for the ActionPlan API.
#include "services/action_plan/validation.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;

absl::Status Invalid(const std::string& field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", std::string(why)));
}

bool Blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

absl::Status Text(const std::string& field, const std::string& value, size_t max, bool required) {
  if (required && Blank(value)) return Invalid(field, "required");
  if (value.size() > max) return Invalid(field, absl::StrCat("at most ", max, " bytes"));
  return absl::OkStatus();
}

absl::Status Id(const std::string& field, const std::string& value, bool required) {
  if (auto s = Text(field, value, kMaxIdLength, required); !s.ok()) return s;
  for (char c : value) {
    if (static_cast<unsigned char>(c) <= ' ') return Invalid(field, "must not contain spaces or control characters");
  }
  return absl::OkStatus();
}

absl::Status Timestamp(const std::string& field, const google::protobuf::Timestamp& ts) {
  // 0001-01-01 .. 9999-12-31, as google.protobuf.Timestamp defines.
  if (ts.seconds() < -62135596800LL || ts.seconds() > 253402300799LL || ts.nanos() < 0 || ts.nanos() > 999999999) {
    return Invalid(field, "not a valid timestamp");
  }
  return absl::OkStatus();
}

// Writes: request_id, then exactly one of plan_id / case_id, then the actor.
template <typename Req>
absl::Status WriteCommon(const Req& req) {
  if (auto s = Id("request_id", req.request_id(), true); !s.ok()) return s;
  if (req.plan_id().empty() == req.case_id().empty()) {
    return Invalid(req.plan_id().empty() ? "plan_id" : "case_id", "set exactly one of plan_id and case_id");
  }
  if (auto s = Id("plan_id", req.plan_id(), false); !s.ok()) return s;
  if (auto s = Id("case_id", req.case_id(), false); !s.ok()) return s;
  return Id("actor", req.actor(), false);
}

}  // namespace

absl::Status ValidateGetPlan(const v1::GetPlanRequest& req) {
  if (req.plan_id().empty() == req.case_id().empty()) {
    return Invalid(req.plan_id().empty() ? "plan_id" : "case_id", "set exactly one of plan_id and case_id");
  }
  if (auto s = Id("plan_id", req.plan_id(), false); !s.ok()) return s;
  return Id("case_id", req.case_id(), false);
}

absl::Status ValidateListPlans(const v1::ListPlansRequest& req) {
  if (req.limit() < 0 || req.limit() > 1000) return Invalid("limit", "must be between 0 and 1000");
  return Id("page_token", req.page_token(), false);
}

absl::Status ValidateAddActionItem(const v1::AddActionItemRequest& req) {
  if (auto s = WriteCommon(req); !s.ok()) return s;
  if (!req.has_item()) return Invalid("item", "required");
  const auto& item = req.item();
  if (auto s = Id("item.id", item.id(), false); !s.ok()) return s;
  if (auto s = Text("item.what", item.what(), kMaxLongText, true); !s.ok()) return s;
  if (auto s = Id("item.owner", item.owner(), false); !s.ok()) return s;
  if (auto s = Id("item.owner_role", item.owner_role(), false); !s.ok()) return s;
  if (item.owner().empty() && item.owner_role().empty()) return Invalid("item.owner", "set an owner or an owner_role");
  if (auto s = Text("item.where", item.where(), kMaxShortText, false); !s.ok()) return s;
  if (item.has_due()) {
    if (auto s = Timestamp("item.due", item.due()); !s.ok()) return s;
  }
  if (auto s = Text("item.why", item.why(), kMaxLongText, false); !s.ok()) return s;
  if (auto s = Text("item.how", item.how(), kMaxLongText, false); !s.ok()) return s;
  if (item.status() != v1::ITEM_STATUS_UNSPECIFIED && item.status() != v1::ITEM_STATUS_OPEN) {
    return Invalid("item.status", "a new item is open; complete or cancel it afterwards");
  }
  if (!item.completion_note().empty()) return Invalid("item.completion_note", "a new item cannot carry one");
  return absl::OkStatus();
}

absl::Status ValidateUpdateActionItem(const v1::UpdateActionItemRequest& req) {
  if (auto s = WriteCommon(req); !s.ok()) return s;
  if (auto s = Id("item_id", req.item_id(), true); !s.ok()) return s;
  if (!req.has_update()) return Invalid("update", "required");
  const auto& u = req.update();
  if (u.has_what()) {
    if (auto s = Text("update.what", u.what(), kMaxLongText, true); !s.ok()) return s;
  }
  if (auto s = Id("update.owner", u.owner(), false); !s.ok()) return s;
  if (auto s = Id("update.owner_role", u.owner_role(), false); !s.ok()) return s;
  if (auto s = Text("update.where", u.where(), kMaxShortText, false); !s.ok()) return s;
  if (u.has_due()) {
    if (auto s = Timestamp("update.due", u.due()); !s.ok()) return s;
  }
  if (auto s = Text("update.why", u.why(), kMaxLongText, false); !s.ok()) return s;
  if (auto s = Text("update.how", u.how(), kMaxLongText, false); !s.ok()) return s;
  if (u.status() != v1::ITEM_STATUS_UNSPECIFIED && u.status() != v1::ITEM_STATUS_OPEN &&
      u.status() != v1::ITEM_STATUS_IN_PROGRESS) {
    return Invalid("update.status", "only OPEN or IN_PROGRESS here; use CompleteActionItem / CancelActionItem");
  }
  if (!u.has_what() && !u.has_owner() && !u.has_owner_role() && !u.has_where() && !u.has_due() && !u.has_why() &&
      !u.has_how() && u.status() == v1::ITEM_STATUS_UNSPECIFIED && !u.has_client_visible()) {
    return Invalid("update", "nothing to change");
  }
  return absl::OkStatus();
}

absl::Status ValidateCompleteActionItem(const v1::CompleteActionItemRequest& req) {
  if (auto s = WriteCommon(req); !s.ok()) return s;
  if (auto s = Id("item_id", req.item_id(), true); !s.ok()) return s;
  return Text("completion_note", req.completion_note(), kMaxLongText, true);
}

absl::Status ValidateCancelActionItem(const v1::CancelActionItemRequest& req) {
  if (auto s = WriteCommon(req); !s.ok()) return s;
  if (auto s = Id("item_id", req.item_id(), true); !s.ok()) return s;
  return Text("reason", req.reason(), kMaxLongText, true);
}

absl::Status ValidateAddCommitment(const v1::AddCommitmentRequest& req) {
  if (auto s = WriteCommon(req); !s.ok()) return s;
  if (!req.has_commitment()) return Invalid("commitment", "required");
  const auto& c = req.commitment();
  if (auto s = Id("commitment.id", c.id(), false); !s.ok()) return s;
  if (auto s = Text("commitment.text", c.text(), kMaxLongText, true); !s.ok()) return s;
  if (auto s = Id("commitment.owner", c.owner(), true); !s.ok()) return s;
  if (!c.has_due()) return Invalid("commitment.due", "required");
  if (auto s = Timestamp("commitment.due", c.due()); !s.ok()) return s;
  if (c.status() != v1::COMMITMENT_STATUS_UNSPECIFIED && c.status() != v1::COMMITMENT_STATUS_OPEN) {
    return Invalid("commitment.status", "a new commitment is open");
  }
  return absl::OkStatus();
}

absl::Status ValidateUpdateCommitment(const v1::UpdateCommitmentRequest& req) {
  if (auto s = WriteCommon(req); !s.ok()) return s;
  if (auto s = Id("commitment_id", req.commitment_id(), true); !s.ok()) return s;
  if (!req.has_update()) return Invalid("update", "required");
  const auto& u = req.update();
  const bool settle = u.status() != v1::COMMITMENT_STATUS_UNSPECIFIED;
  if (u.has_due() == settle) return Invalid("update", "set a new due (renegotiate) or a status (KEPT / BROKEN)");
  if (u.has_due()) {
    if (auto s = Timestamp("update.due", u.due()); !s.ok()) return s;
  }
  if (settle && u.status() != v1::COMMITMENT_STATUS_KEPT && u.status() != v1::COMMITMENT_STATUS_BROKEN) {
    return Invalid("update.status", "must be KEPT or BROKEN; renegotiate by setting update.due");
  }
  return Text("reason", req.reason(), kMaxLongText, false);
}

absl::Status ValidateRecordAmends(const v1::RecordAmendsRequest& req) {
  if (auto s = WriteCommon(req); !s.ok()) return s;
  if (!req.has_amends()) return Invalid("amends", "required");
  const auto& a = req.amends();
  if (!a.amends_id().empty()) return Invalid("amends.amends_id", "set by the service");
  if (a.has_recorded_at()) return Invalid("amends.recorded_at", "set by the service");
  if (a.kind() == v1::AMENDS_KIND_UNSPECIFIED || !v1::AmendsKind_IsValid(a.kind())) {
    return Invalid("amends.kind", "required: DISCOUNT, CREDIT, FREE_SERVICE or OTHER");
  }
  if (a.value_minor_units() < 0) return Invalid("amends.value_minor_units", "must not be negative");
  if (auto s = Id("amends.currency", a.currency(), false); !s.ok()) return s;
  if (auto s = Id("amends.approver", a.approver(), true); !s.ok()) return s;
  return Text("amends.reason", a.reason(), kMaxLongText, true);
}

absl::Status ValidateSetRootCause(const v1::SetRootCauseRequest& req) {
  if (auto s = WriteCommon(req); !s.ok()) return s;
  if (!req.has_root_cause()) return Invalid("root_cause", "required");
  const auto& r = req.root_cause();
  if (auto s = Text("root_cause.client_view", r.client_view(), kMaxLongText, true); !s.ok()) return s;
  if (auto s = Text("root_cause.firm_view", r.firm_view(), kMaxLongText, true); !s.ok()) return s;
  if (auto s = Text("root_cause.agreed_explanation", r.agreed_explanation(), kMaxLongText, false); !s.ok()) return s;
  return Id("root_cause.category", r.category(), false);
}

absl::Status ValidateSharePlan(const v1::SharePlanRequest& req) { return WriteCommon(req); }

absl::Status ValidateReviewMessage(const v1::ReviewMessageRequest& req) {
  return Text("text", req.text(), kMaxReviewText, true);
}

absl::Status ValidateGetPlaybook(const v1::GetPlaybookRequest& req) {
  if (req.id().empty() == req.category().empty()) {
    return Invalid(req.id().empty() ? "id" : "category", "set exactly one of id and category");
  }
  if (auto s = Id("id", req.id(), false); !s.ok()) return s;
  return Id("category", req.category(), false);
}

}  // namespace recovery::action_plan
