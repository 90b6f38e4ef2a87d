// Action plans: owned action items, commitments made to the client, amends and the
// agreed root cause, with pure, validated operations on them.
//
// Every operation takes the plan by reference and either applies the whole change
// and returns OK, or returns an error and leaves the plan untouched. Error codes
// tell the caller what to do: INVALID_ARGUMENT (fix the input; the message names
// the field), NOT_FOUND (unknown item/commitment id), ALREADY_EXISTS (duplicate id),
// FAILED_PRECONDITION (the current state forbids it, e.g. completing a cancelled
// item). Functions that need the time take `now`; nothing reads a clock.
// Thread-safety: plain values; no internal synchronisation.
#ifndef RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_PLAN_H_
#define RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_PLAN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace recovery::action_plan {

// The role a playbook assigns before a person is known; AssignOwners fills it in.
inline constexpr absl::string_view kCaseOwnerRole = "case_owner";

enum class ItemStatus { kOpen, kInProgress, kDone, kCancelled };
absl::string_view ToString(ItemStatus status);

// One step of the recovery: who, what, where, when, why, how.
struct ActionItem {
  std::string id;                 // unique within the plan
  std::string what;               // client-readable description of the step
  std::string owner;              // person id; empty until assigned
  std::string owner_role;         // e.g. case_owner, account_lead, billing
  std::string where;              // channel or place (internal detail)
  std::optional<absl::Time> due;  // absolute instant; nullopt = no date agreed yet
  std::string why;                // internal rationale
  std::string how;                // internal method
  ItemStatus status = ItemStatus::kOpen;
  bool client_visible = false;
  std::string completion_note;  // internal; required by CompleteItem
  std::optional<absl::Time> completed_at;
  std::string cancellation_reason;  // internal; required by CancelItem
};

enum class CommitmentStatus { kOpen, kKept, kBroken, kRenegotiated };
absl::string_view ToString(CommitmentStatus status);

// A promise made to the client. kOpen and kRenegotiated are live; kKept and
// kBroken are final.
struct Commitment {
  std::string id;
  std::string text;   // the promise as worded to the client
  std::string owner;  // person id accountable for keeping it
  absl::Time due;
  CommitmentStatus status = CommitmentStatus::kOpen;
  int renegotiations = 0;
};

enum class AmendsKind { kDiscount, kCredit, kFreeService, kOther };
absl::string_view ToString(AmendsKind kind);

// A goodwill gesture. Money is in minor units (cents, pence) of an ISO 4217
// currency so that no floating point ever touches it; discount and credit need a
// positive value and a currency, free_service and other may carry zero.
struct Amends {
  AmendsKind kind = AmendsKind::kOther;
  int64_t value_minor_units = 0;
  std::string currency;  // ISO 4217, e.g. "GBP"
  std::string approver;  // person id who approved it
  std::string reason;    // internal justification
  absl::Time recorded_at;
};

// Understand the failure from both sides before agreeing an explanation.
struct RootCause {
  std::string client_view;
  std::string firm_view;
  std::string agreed_explanation;  // the one wording shared with the client
};

// A client summary that was shared: which version, when, and its text.
struct SharedVersion {
  int version = 0;
  absl::Time shared_at;
  std::string text;
};

struct Plan {
  std::string plan_id;
  std::string case_id;
  std::vector<ActionItem> items;
  std::vector<Commitment> commitments;
  std::vector<Amends> amends;
  RootCause root_cause;
  std::vector<SharedVersion> shared_versions;
};

// Partial update of an item: unset fields stay as they are. Status may only move
// between kOpen and kInProgress here; use CompleteItem/CancelItem to finish.
struct ItemUpdate {
  std::optional<std::string> what;
  std::optional<std::string> owner;
  std::optional<std::string> owner_role;
  std::optional<std::string> where;
  std::optional<absl::Time> due;
  std::optional<std::string> why;
  std::optional<std::string> how;
  std::optional<ItemStatus> status;
  std::optional<bool> client_visible;
};

// Either renegotiate (new due, status becomes kRenegotiated) or settle (kKept /
// kBroken); not both at once.
struct CommitmentUpdate {
  std::optional<absl::Time> due;
  std::optional<CommitmentStatus> status;
};

// Adds a new open item. Requires a unique non-empty id, `what`, and either an
// owner or an owner_role; a due date, if any, must not be before `now`.
absl::Status AddItem(Plan& plan, ActionItem item, absl::Time now);
absl::Status UpdateItem(Plan& plan, absl::string_view item_id, const ItemUpdate& update, absl::Time now);
// Marks an open or in-progress item done; the note is the evidence.
absl::Status CompleteItem(Plan& plan, absl::string_view item_id, absl::string_view completion_note, absl::Time now);
// Cancels an open or in-progress item; a done item cannot be cancelled.
absl::Status CancelItem(Plan& plan, absl::string_view item_id, absl::string_view reason);
// Sets `case_owner` on every item whose owner_role is case_owner and that has no
// owner yet. Returns how many items were assigned.
absl::StatusOr<int> AssignOwners(Plan& plan, absl::string_view case_owner);

// Gives each unowned item whose owner_role has a configured person that person
// (role_owners: owner_role -> person id). Returns how many items changed.
int AssignRoleOwners(Plan& plan, const std::map<std::string, std::string>& role_owners);

// Adds an open commitment; its due must be after `now`.
absl::Status AddCommitment(Plan& plan, Commitment commitment, absl::Time now);
absl::Status UpdateCommitment(Plan& plan, absl::string_view commitment_id, const CommitmentUpdate& update,
                              absl::Time now);

// Records a goodwill gesture with its approver.
absl::Status RecordAmends(Plan& plan, Amends amends, absl::Time now);
// Requires both views; the agreed explanation may come later.
absl::Status SetRootCause(Plan& plan, RootCause root_cause);
// Records that a rendered summary was shared; versions must increase by one.
absl::Status RecordSharedVersion(Plan& plan, int version, std::string text, absl::Time now);

// True when every client-visible item is done or cancelled and at least one
// client-visible item is done.
bool IsComplete(const Plan& plan);

const ActionItem* FindItem(const Plan& plan, absl::string_view item_id);
const Commitment* FindCommitment(const Plan& plan, absl::string_view commitment_id);

}  // namespace recovery::action_plan

#endif  // RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_PLAN_H_
