// Validated, all-or-nothing operations on action plans.
#include "services/action_plan/domain/plan.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/action_plan/domain/errors.h"
#include "services/common/validation.h"

namespace recovery::action_plan {
namespace {

using recovery::common::IsBlank;

bool IsFinal(ItemStatus s) { return s == ItemStatus::kDone || s == ItemStatus::kCancelled; }
bool IsFinal(CommitmentStatus s) { return s == CommitmentStatus::kKept || s == CommitmentStatus::kBroken; }

// One lookup for const and mutable callers (Vec is a possibly-const vector).
template <typename Vec>
auto FindById(Vec& items, absl::string_view id) -> decltype(&items.front()) {
  auto it = std::find_if(items.begin(), items.end(), [&](const auto& x) { return x.id == id; });
  return it == items.end() ? nullptr : &*it;
}

ActionItem* MutableItem(Plan& plan, absl::string_view id) { return FindById(plan.items, id); }
Commitment* MutableCommitment(Plan& plan, absl::string_view id) { return FindById(plan.commitments, id); }

absl::Status ItemNotFound(absl::string_view id) {
  return Refuse(PlanError::kItemNotFound, absl::StrCat("item_id: no action item '", id, "' in this plan"));
}

absl::Status ValidateDue(std::optional<absl::Time> due, absl::Time now, absl::string_view field) {
  if (due.has_value() && *due < now) {
    return Refuse(PlanError::kInvalidInput, absl::StrCat(field, ": ", absl::FormatTime(*due), " is in the past (now ",
                                                         absl::FormatTime(now), ")"));
  }
  return absl::OkStatus();
}

bool IsIsoCurrency(absl::string_view c) {
  return c.size() == 3 && std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

}  // namespace

absl::string_view ToString(ItemStatus status) {
  switch (status) {
    case ItemStatus::kOpen:
      return "open";
    case ItemStatus::kInProgress:
      return "in_progress";
    case ItemStatus::kDone:
      return "done";
    case ItemStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

absl::string_view ToString(CommitmentStatus status) {
  switch (status) {
    case CommitmentStatus::kOpen:
      return "open";
    case CommitmentStatus::kKept:
      return "kept";
    case CommitmentStatus::kBroken:
      return "broken";
    case CommitmentStatus::kRenegotiated:
      return "renegotiated";
  }
  return "unknown";
}

absl::string_view ToString(AmendsKind kind) {
  switch (kind) {
    case AmendsKind::kDiscount:
      return "discount";
    case AmendsKind::kCredit:
      return "credit";
    case AmendsKind::kFreeService:
      return "free_service";
    case AmendsKind::kOther:
      return "other";
  }
  return "unknown";
}

const ActionItem* FindItem(const Plan& plan, absl::string_view item_id) { return FindById(plan.items, item_id); }

const Commitment* FindCommitment(const Plan& plan, absl::string_view commitment_id) {
  return FindById(plan.commitments, commitment_id);
}

absl::Status AddItem(Plan& plan, ActionItem item, absl::Time now) {
  if (IsBlank(item.id)) return Refuse(PlanError::kInvalidInput, "item.id: must not be empty");
  if (FindItem(plan, item.id) != nullptr) {
    return Refuse(PlanError::kDuplicateId, absl::StrCat("item.id: '", item.id, "' already exists in this plan"));
  }
  if (IsBlank(item.what)) return Refuse(PlanError::kInvalidInput, "item.what: must not be empty");
  if (IsBlank(item.owner) && IsBlank(item.owner_role)) {
    return Refuse(PlanError::kInvalidInput, "item.owner: an item needs an owner or an owner_role");
  }
  if (item.status != ItemStatus::kOpen) {
    return Refuse(PlanError::kInvalidInput,
                  absl::StrCat("item.status: a new item must be open, got ", ToString(item.status)));
  }
  if (absl::Status s = ValidateDue(item.due, now, "item.due"); !s.ok()) return s;
  if (!item.completion_note.empty() || item.completed_at.has_value() || !item.cancellation_reason.empty()) {
    return Refuse(PlanError::kInvalidInput, "item.completion_note: a new item cannot carry completion or cancellation");
  }
  plan.items.push_back(std::move(item));
  return absl::OkStatus();
}

absl::Status UpdateItem(Plan& plan, absl::string_view item_id, const ItemUpdate& update, absl::Time now) {
  ActionItem* item = MutableItem(plan, item_id);
  if (item == nullptr) return ItemNotFound(item_id);
  if (IsFinal(item->status)) {
    return Refuse(PlanError::kFinalState, absl::StrCat("item_id: item '", item_id, "' is ", ToString(item->status),
                                                       " and can no longer change"));
  }
  // Validate everything before touching the item so a failure changes nothing.
  if (update.what && IsBlank(*update.what)) return Refuse(PlanError::kInvalidInput, "update.what: must not be empty");
  const std::string& owner = update.owner ? *update.owner : item->owner;
  const std::string& role = update.owner_role ? *update.owner_role : item->owner_role;
  if (IsBlank(owner) && IsBlank(role)) {
    return Refuse(PlanError::kInvalidInput, "update.owner: an item needs an owner or an owner_role");
  }
  if (absl::Status s = ValidateDue(update.due, now, "update.due"); !s.ok()) return s;
  if (update.status && IsFinal(*update.status)) {
    return Refuse(
        PlanError::kInvalidInput,
        absl::StrCat("update.status: use CompleteItem or CancelItem to make an item ", ToString(*update.status)));
  }
  ActionItem next = *item;
  if (update.what) next.what = *update.what;
  if (update.owner) next.owner = *update.owner;
  if (update.owner_role) next.owner_role = *update.owner_role;
  if (update.where) next.where = *update.where;
  if (update.due) next.due = *update.due;
  if (update.why) next.why = *update.why;
  if (update.how) next.how = *update.how;
  if (update.status) next.status = *update.status;
  if (update.client_visible) next.client_visible = *update.client_visible;
  *item = std::move(next);
  return absl::OkStatus();
}

absl::Status CompleteItem(Plan& plan, absl::string_view item_id, absl::string_view completion_note, absl::Time now) {
  ActionItem* item = MutableItem(plan, item_id);
  if (item == nullptr) return ItemNotFound(item_id);
  if (IsFinal(item->status)) {
    return Refuse(PlanError::kFinalState, absl::StrCat("item_id: item '", item_id, "' is ", ToString(item->status),
                                                       " and cannot be completed"));
  }
  if (IsBlank(completion_note)) {
    return Refuse(PlanError::kInvalidInput, "completion_note: say what was done; it is the evidence for the review");
  }
  item->status = ItemStatus::kDone;
  item->completion_note = std::string(completion_note);
  item->completed_at = now;
  return absl::OkStatus();
}

absl::Status CancelItem(Plan& plan, absl::string_view item_id, absl::string_view reason) {
  ActionItem* item = MutableItem(plan, item_id);
  if (item == nullptr) return ItemNotFound(item_id);
  if (IsFinal(item->status)) {
    return Refuse(PlanError::kFinalState, absl::StrCat("item_id: item '", item_id, "' is ", ToString(item->status),
                                                       " and cannot be cancelled"));
  }
  if (IsBlank(reason)) return Refuse(PlanError::kInvalidInput, "reason: a cancellation needs a reason");
  item->status = ItemStatus::kCancelled;
  item->cancellation_reason = std::string(reason);
  return absl::OkStatus();
}

absl::StatusOr<int> AssignOwners(Plan& plan, absl::string_view case_owner) {
  if (IsBlank(case_owner)) return Refuse(PlanError::kInvalidInput, "case_owner: must not be empty");
  int assigned = 0;
  for (ActionItem& item : plan.items) {
    if (item.owner_role == kCaseOwnerRole && item.owner.empty()) {
      item.owner = std::string(case_owner);
      ++assigned;
    }
  }
  return assigned;
}

int AssignRoleOwners(Plan& plan, const std::map<std::string, std::string>& role_owners) {
  int assigned = 0;
  for (ActionItem& item : plan.items) {
    if (!item.owner.empty()) continue;
    auto it = role_owners.find(item.owner_role);
    if (it == role_owners.end()) continue;
    item.owner = it->second;
    ++assigned;
  }
  return assigned;
}

absl::Status AddCommitment(Plan& plan, Commitment commitment, absl::Time now) {
  if (IsBlank(commitment.id)) return Refuse(PlanError::kInvalidInput, "commitment.id: must not be empty");
  if (FindCommitment(plan, commitment.id) != nullptr) {
    return Refuse(PlanError::kDuplicateId, absl::StrCat("commitment.id: '", commitment.id, "' already exists"));
  }
  if (IsBlank(commitment.text)) return Refuse(PlanError::kInvalidInput, "commitment.text: must not be empty");
  if (IsBlank(commitment.owner)) {
    return Refuse(PlanError::kInvalidInput, "commitment.owner: every promise needs a named owner");
  }
  if (commitment.due <= now) {
    return Refuse(PlanError::kInvalidInput, absl::StrCat("commitment.due: ", absl::FormatTime(commitment.due),
                                                         " is not in the future (now ", absl::FormatTime(now), ")"));
  }
  if (commitment.status != CommitmentStatus::kOpen) {
    return Refuse(PlanError::kInvalidInput,
                  absl::StrCat("commitment.status: a new commitment must be open, got ", ToString(commitment.status)));
  }
  commitment.renegotiations = 0;
  plan.commitments.push_back(std::move(commitment));
  return absl::OkStatus();
}

absl::Status UpdateCommitment(Plan& plan, absl::string_view commitment_id, const CommitmentUpdate& update,
                              absl::Time now) {
  Commitment* c = MutableCommitment(plan, commitment_id);
  if (c == nullptr) {
    return Refuse(PlanError::kCommitmentNotFound,
                  absl::StrCat("commitment_id: no commitment '", commitment_id, "' in this plan"));
  }
  if (IsFinal(c->status)) {
    return Refuse(PlanError::kFinalState, absl::StrCat("commitment_id: commitment '", commitment_id, "' is ",
                                                       ToString(c->status), " and can no longer change"));
  }
  if (!update.due && !update.status) {
    return Refuse(PlanError::kInvalidInput, "update: set a new due (renegotiate) or a status (kept/broken)");
  }
  if (update.due) {
    if (update.status && *update.status != CommitmentStatus::kRenegotiated) {
      return Refuse(PlanError::kInvalidInput,
                    absl::StrCat("update.status: a new due means renegotiated, not ", ToString(*update.status)));
    }
    if (*update.due <= now) {
      return Refuse(PlanError::kInvalidInput,
                    absl::StrCat("update.due: ", absl::FormatTime(*update.due), " is not in the future"));
    }
    c->due = *update.due;
    c->status = CommitmentStatus::kRenegotiated;
    ++c->renegotiations;
    return absl::OkStatus();
  }
  switch (*update.status) {
    case CommitmentStatus::kKept:
    case CommitmentStatus::kBroken:
      c->status = *update.status;
      return absl::OkStatus();
    case CommitmentStatus::kRenegotiated:
      return Refuse(PlanError::kInvalidInput, "update.due: renegotiating needs the new due date");
    case CommitmentStatus::kOpen:
      return Refuse(PlanError::kInvalidInput, "update.status: a commitment cannot be set back to open");
  }
  return Refuse(PlanError::kInvalidInput, "update.status: unknown status");
}

absl::Status RecordAmends(Plan& plan, Amends amends, absl::Time now) {
  if (amends.value_minor_units < 0) return Refuse(PlanError::kInvalidInput, "amends.value: must not be negative");
  const bool monetary = amends.kind == AmendsKind::kDiscount || amends.kind == AmendsKind::kCredit;
  if (monetary && amends.value_minor_units == 0) {
    return Refuse(PlanError::kInvalidInput, absl::StrCat("amends.value: a ", ToString(amends.kind), " needs a value"));
  }
  if ((monetary || amends.value_minor_units > 0) && !IsIsoCurrency(amends.currency)) {
    return Refuse(PlanError::kInvalidInput,
                  absl::StrCat("amends.currency: '", amends.currency, "' is not an ISO 4217 code like GBP"));
  }
  if (IsBlank(amends.approver)) return Refuse(PlanError::kInvalidInput, "amends.approver: amends need an approver");
  if (IsBlank(amends.reason)) return Refuse(PlanError::kInvalidInput, "amends.reason: must not be empty");
  amends.recorded_at = now;
  plan.amends.push_back(std::move(amends));
  return absl::OkStatus();
}

absl::Status SetRootCause(Plan& plan, RootCause root_cause) {
  if (IsBlank(root_cause.client_view)) {
    return Refuse(PlanError::kInvalidInput, "root_cause.client_view: understand the client's view first");
  }
  if (IsBlank(root_cause.firm_view)) return Refuse(PlanError::kInvalidInput, "root_cause.firm_view: must not be empty");
  plan.root_cause = std::move(root_cause);
  return absl::OkStatus();
}

absl::Status RecordSharedVersion(Plan& plan, int version, std::string text, absl::Time now) {
  const int expected = plan.shared_versions.empty() ? 1 : plan.shared_versions.back().version + 1;
  if (version != expected) {
    return Refuse(PlanError::kOutOfOrder,
                  absl::StrCat("version: expected ", expected, " (versions increase by one), got ", version));
  }
  if (IsBlank(text)) return Refuse(PlanError::kInvalidInput, "text: the shared summary must not be empty");
  plan.shared_versions.push_back(SharedVersion{version, now, std::move(text)});
  return absl::OkStatus();
}

bool IsComplete(const Plan& plan) {
  bool any_done = false;
  for (const ActionItem& item : plan.items) {
    if (!item.client_visible) continue;
    if (!IsFinal(item.status)) return false;
    any_done = any_done || item.status == ItemStatus::kDone;
  }
  return any_done;
}

}  // namespace recovery::action_plan
