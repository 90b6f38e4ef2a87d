// EscalationApp's cover requests: load -> scope (scopes.h) -> decide (domain/cover.h) -> apply.
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/apply.h"
#include "services/common/logging.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"
#include "services/escalation/app.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using common::Tx;

constexpr int kDefaultPageSize = 50;

std::optional<CoverStatus> StatusFilter(v1::CoverRequestStatus s) {
  switch (s) {
    case v1::COVER_REQUEST_STATUS_PENDING:
      return CoverStatus::kPending;
    case v1::COVER_REQUEST_STATUS_ACCEPTED:
      return CoverStatus::kAccepted;
    case v1::COVER_REQUEST_STATUS_DECLINED:
      return CoverStatus::kDeclined;
    case v1::COVER_REQUEST_STATUS_CANCELLED:
      return CoverStatus::kCancelled;
    case v1::COVER_REQUEST_STATUS_EXPIRED:
      return CoverStatus::kExpired;
    default:
      return std::nullopt;
  }
}

// The request's answer, or the refusal as a status about cover_request_id.
absl::StatusOr<CoverOutcome> OutcomeOrStatus(const Decided<CoverOutcome>& decided) {
  if (const auto* refused = std::get_if<Refusal>(&decided)) return ToStatus(*refused, "cover_request_id");
  return std::get<CoverOutcome>(decided);
}

}  // namespace

absl::Status EscalationApp::ApplyCover(Tx& tx, const CoverOutcome& outcome) {
  RETURN_IF_ERROR(common::ApplyOutcome(tx, outcome, timers_, outbox_, &WriteCoverRows));
  if (outcome.rows.add_override) RETURN_IF_ERROR(RefreshOverridesAfterCommit(tx));
  return absl::OkStatus();
}

absl::StatusOr<CoverRequest> EscalationApp::LoadCoverForAnswer(Tx& tx, const std::string& cover_request_id) {
  ASSIGN_OR_RETURN(auto request, LoadCoverRequest(tx, cover_request_id));
  if (!request) {
    return ToStatus(Refusal{EscalationError::kUnknownCoverRequest, common::QuoteForMessage(cover_request_id)},
                    "cover_request_id");
  }
  return *std::move(request);
}

absl::StatusOr<CoverRequest> EscalationApp::RequestCover(Tx& tx, const v1::RequestCoverRequest& r,
                                                         const CallerScope& caller) {
  const auto dir = directory();
  const CoverAsk ask{
      r.schedule_id(), caller.person_id, r.person_id(), common::FromProto(r.start()), common::FromProto(r.end()),
      r.reason()};
  RETURN_IF_ERROR(MayRequestCover(*dir, caller, ask.schedule_id, ask.start, ask.end));
  Decided<CoverOutcome> decided =
      escalation::RequestCover(*dir, ask, Cause{r.request_id(), caller.actor, "", ""}, clock_.Now());
  if (const auto* refused = std::get_if<Refusal>(&decided)) return ToStatus(*refused, "person_id");
  const CoverOutcome& outcome = std::get<CoverOutcome>(decided);
  RETURN_IF_ERROR(ApplyCover(tx, outcome));
  return outcome.rows.request;
}

absl::StatusOr<CoverRequest> EscalationApp::AcceptCover(Tx& tx, const v1::AcceptCoverRequest& r,
                                                        const CallerScope& caller) {
  ASSIGN_OR_RETURN(CoverRequest request, LoadCoverForAnswer(tx, r.cover_request_id()));
  RETURN_IF_ERROR(MayAnswerCover(caller, request, "accept"));
  ASSIGN_OR_RETURN(CoverOutcome outcome, OutcomeOrStatus(escalation::AcceptCover(
                                             request, Cause{r.request_id(), caller.actor, "", ""}, clock_.Now())));
  RETURN_IF_ERROR(ApplyCover(tx, outcome));
  return outcome.rows.request;
}

absl::StatusOr<CoverRequest> EscalationApp::DeclineCover(Tx& tx, const v1::DeclineCoverRequest& r,
                                                         const CallerScope& caller) {
  ASSIGN_OR_RETURN(CoverRequest request, LoadCoverForAnswer(tx, r.cover_request_id()));
  RETURN_IF_ERROR(MayAnswerCover(caller, request, "decline"));
  ASSIGN_OR_RETURN(CoverOutcome outcome,
                   OutcomeOrStatus(escalation::DeclineCover(
                       request, r.reason(), Cause{r.request_id(), caller.actor, "", ""}, clock_.Now())));
  RETURN_IF_ERROR(ApplyCover(tx, outcome));
  return outcome.rows.request;
}

absl::StatusOr<CoverRequest> EscalationApp::CancelCover(Tx& tx, const v1::CancelCoverRequest& r,
                                                        const CallerScope& caller) {
  ASSIGN_OR_RETURN(CoverRequest request, LoadCoverForAnswer(tx, r.cover_request_id()));
  RETURN_IF_ERROR(MayCancelCover(caller, request));
  ASSIGN_OR_RETURN(CoverOutcome outcome,
                   OutcomeOrStatus(escalation::CancelCover(request, r.reason(),
                                                           Cause{r.request_id(), caller.actor, "", ""}, clock_.Now())));
  RETURN_IF_ERROR(ApplyCover(tx, outcome));
  return outcome.rows.request;
}

absl::StatusOr<EscalationApp::CoverPage> EscalationApp::ListCoverRequests(const v1::ListCoverRequestsRequest& r,
                                                                          const CallerScope& caller) {
  CoverPage page;
  if ((r.mine() || r.addressed_to_me()) && caller.person_id.empty()) return page;
  CoverFilter filter;
  if (r.mine()) filter.requester_id = caller.person_id;
  if (r.addressed_to_me()) filter.person_id = caller.person_id;
  filter.schedule_id = r.schedule_id();
  filter.status = StatusFilter(r.status());
  filter.before_id = r.page_token();
  const int size = r.page_size() > 0 ? r.page_size() : kDefaultPageSize;
  filter.limit = size + 1;  // one more tells whether another page follows
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(page.requests, escalation::ListCoverRequests(tx, filter, now));
    return absl::OkStatus();
  }));
  if (static_cast<int>(page.requests.size()) > size) {
    page.requests.resize(size);
    page.next_page_token = page.requests.back().cover_request_id;
  }
  return page;
}

absl::Status EscalationApp::OnCoverTimer(Tx& tx, const common::Timer& timer) {
  ASSIGN_OR_RETURN(auto request, LoadCoverRequest(tx, timer.key));
  if (!request) {
    common::LogWarn("cover timer for an unknown request", {{"key", common::QuoteForMessage(timer.key)}});
    return absl::OkStatus();
  }
  Decided<CoverOutcome> decided = ExpireCover(
      *request, Cause{absl::StrCat("timer:", kCoverTimer, ":", timer.key), kServiceActor, "", ""}, clock_.Now());
  // Answered meanwhile (its timer is cancelled then; a late firing changes nothing).
  if (std::holds_alternative<Refusal>(decided)) return absl::OkStatus();
  return ApplyCover(tx, std::get<CoverOutcome>(decided));
}

}  // namespace recovery::escalation
