// Follow-up request and event validation.
#include "services/follow_up/validation.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"

namespace recovery::follow_up {
namespace v1 = recovery::v1;
namespace {

using common::CheckEnum;
using common::CheckId;
using common::CheckRange;
using common::CheckRequestId;
using common::CheckTimeRange;
using common::CheckTimestamp;
using common::InvalidField;

constexpr size_t kMaxAnswerChars = 10000;
constexpr size_t kMaxCommentChars = 10000;
constexpr size_t kMaxReasonChars = 2000;
constexpr int kMaxListEntries = 50;
constexpr int kMaxBatchCases = 500;

absl::Status CheckSlaKind(v1::SlaKind kind) {
  if (kind != v1::SLA_KIND_ACKNOWLEDGE && kind != v1::SLA_KIND_RESOLVE)
    return InvalidField("kind", "must be SLA_KIND_ACKNOWLEDGE or SLA_KIND_RESOLVE");
  return absl::OkStatus();
}

absl::Status CheckList(const std::string& field, const google::protobuf::RepeatedPtrField<std::string>& items,
                       size_t max_chars) {
  if (items.size() > kMaxListEntries) return InvalidField(field, absl::StrCat("at most ", kMaxListEntries, " entries"));
  for (int i = 0; i < items.size(); ++i)
    RETURN_IF_ERROR(common::RequireText(absl::StrCat(field, "[", i, "]"), items[i], max_chars));
  return absl::OkStatus();
}

absl::Status CheckOptionalTimestamp(const std::string& field, bool has, const google::protobuf::Timestamp& ts) {
  return has ? CheckTimestamp(field, ts) : absl::OkStatus();
}

absl::Status CheckItem(const std::string& field, const v1::ActionItem& item) {
  return CheckOptionalTimestamp(field + ".due", item.has_due(), item.due());
}

absl::Status CheckCommitment(const std::string& field, const v1::Commitment& c) {
  return CheckOptionalTimestamp(field + ".due", c.has_due(), c.due());
}

}  // namespace

absl::Status ValidateListReminders(const v1::ListRemindersRequest& r) {
  RETURN_IF_ERROR(CheckId("case_id", r.case_id(), false));
  RETURN_IF_ERROR(CheckId("recipient", r.recipient(), false));
  RETURN_IF_ERROR(CheckTimeRange("due_from", r.has_due_from() ? &r.due_from() : nullptr, "due_to",
                                 r.has_due_to() ? &r.due_to() : nullptr));
  return CheckRange("limit", r.limit(), 0, 1000);
}

absl::Status ValidateSnoozeReminder(const v1::SnoozeReminderRequest& r) {
  RETURN_IF_ERROR(CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckId("reminder_id", r.reminder_id(), true));
  if (!r.has_until()) return InvalidField("until", "required");
  return CheckTimestamp("until", r.until());
}

absl::Status ValidateRecordFollowUpSent(const v1::RecordFollowUpSentRequest& r) {
  RETURN_IF_ERROR(CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckId("case_id", r.case_id(), true));
  RETURN_IF_ERROR(CheckEnum<v1::Channel>("channel", r.channel(), true));
  return common::LongText("summary", r.summary(), kMaxAnswerChars, true);
}

absl::Status ValidateRecordSatisfaction(const v1::RecordSatisfactionRequest& r) {
  RETURN_IF_ERROR(CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckId("case_id", r.case_id(), true));
  RETURN_IF_ERROR(CheckRange("score", r.score(), 1, 5));
  return common::LongText("comment", r.comment(), kMaxCommentChars, false);
}

absl::Status ValidateSubmitReview(const v1::SubmitReviewRequest& r) {
  RETURN_IF_ERROR(CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckId("case_id", r.case_id(), true));
  const std::pair<const char*, const std::string*> answers[] = {{"expected", &r.expected()},
                                                                {"happened", &r.happened()},
                                                                {"went_well", &r.went_well()},
                                                                {"to_improve", &r.to_improve()},
                                                                {"next_steps", &r.next_steps()}};
  for (const auto& [field, value] : answers) RETURN_IF_ERROR(common::LongText(field, *value, kMaxAnswerChars, true));
  RETURN_IF_ERROR(CheckList("themes", r.themes(), 100));
  RETURN_IF_ERROR(common::OptionalText("root_cause", r.root_cause(), 200));
  return CheckList("follow_on_actions", r.follow_on_actions(), 2000);
}

absl::Status ValidateGetReview(const v1::GetReviewRequest& r) { return CheckId("case_id", r.case_id(), true); }

absl::Status ValidateGetTrends(const v1::GetTrendsRequest& r) {
  if (!r.has_from()) return InvalidField("from", "required");
  if (!r.has_to()) return InvalidField("to", "required");
  RETURN_IF_ERROR(CheckTimeRange("from", &r.from(), "to", &r.to()));
  return CheckEnum<v1::TrendGroupBy>("group_by", r.group_by(), true);
}

absl::Status ValidateBatchGetCaseFollowUps(const v1::BatchGetCaseFollowUpsRequest& r) {
  if (r.case_ids().empty()) return InvalidField("case_ids", "required: at least one case id");
  if (r.case_ids_size() > kMaxBatchCases)
    return InvalidField("case_ids", absl::StrCat("at most ", kMaxBatchCases, " ids, got ", r.case_ids_size()));
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < r.case_ids_size(); ++i) {
    const std::string field = absl::StrCat("case_ids[", i, "]");
    RETURN_IF_ERROR(CheckId(field, r.case_ids(i), true));
    if (!seen.insert(r.case_ids(i)).second) return InvalidField(field, absl::StrCat("'", r.case_ids(i), "' repeated"));
  }
  return absl::OkStatus();
}

absl::Status ValidatePauseSla(const v1::PauseSlaRequest& r) {
  RETURN_IF_ERROR(CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckId("case_id", r.case_id(), true));
  RETURN_IF_ERROR(CheckSlaKind(r.kind()));
  return common::RequireText("reason", r.reason(), kMaxReasonChars);
}

absl::Status ValidateResumeSla(const v1::ResumeSlaRequest& r) {
  RETURN_IF_ERROR(CheckRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckId("case_id", r.case_id(), true));
  return CheckSlaKind(r.kind());
}

absl::Status ValidateEvent(const v1::Event& e) {
  RETURN_IF_ERROR(CheckId("event_id", e.event_id(), true));
  RETURN_IF_ERROR(CheckId("case_id", e.case_id(), true));
  RETURN_IF_ERROR(CheckOptionalTimestamp("occurred_at", e.has_occurred_at(), e.occurred_at()));
  switch (e.body_case()) {
    case v1::Event::kCaseOpened:
      return CheckEnum<v1::Severity>("case_opened.severity", e.case_opened().severity(), true);
    case v1::Event::kCaseUpdated:
      return CheckEnum<v1::Severity>("case_updated.severity", e.case_updated().severity(), false);
    case v1::Event::kCaseReopened:
      return CheckEnum<v1::Severity>("case_reopened.severity", e.case_reopened().severity(), false);
    case v1::Event::kPlanDrafted:
      for (int i = 0; i < e.plan_drafted().items_size(); ++i)
        RETURN_IF_ERROR(CheckItem(absl::StrCat("plan_drafted.items[", i, "]"), e.plan_drafted().items(i)));
      return absl::OkStatus();
    case v1::Event::kActionItemAdded:
      return CheckItem("action_item_added.item", e.action_item_added().item());
    case v1::Event::kActionItemUpdated:
      return CheckItem("action_item_updated.item", e.action_item_updated().item());
    case v1::Event::kActionItemCompleted:
      return CheckItem("action_item_completed.item", e.action_item_completed().item());
    case v1::Event::kCommitmentMade:
      return CheckCommitment("commitment_made.commitment", e.commitment_made().commitment());
    case v1::Event::kCommitmentUpdated:
      return CheckCommitment("commitment_updated.commitment", e.commitment_updated().commitment());
    case v1::Event::kCommitmentKept:
      return CheckCommitment("commitment_kept.commitment", e.commitment_kept().commitment());
    case v1::Event::kCommitmentBroken:
      return CheckCommitment("commitment_broken.commitment", e.commitment_broken().commitment());
    default:
      return absl::OkStatus();
  }
}

}  // namespace recovery::follow_up
