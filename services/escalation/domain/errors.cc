// EscalationError -> name and status.
#include "services/escalation/domain/errors.h"

#include "absl/strings/str_cat.h"

namespace recovery::escalation {

absl::string_view EscalationErrorName(EscalationError error) {
  switch (error) {
    case EscalationError::kUnknownEscalation:
      return "unknown escalation";
    case EscalationError::kUnknownPage:
      return "unknown page";
    case EscalationError::kNotStarted:
      return "not started";
    case EscalationError::kAlreadyStarted:
      return "already started";
    case EscalationError::kAlreadyAcknowledged:
      return "already acknowledged";
    case EscalationError::kAlreadyResolved:
      return "already resolved";
    case EscalationError::kNotActive:
      return "not paging or held";
    case EscalationError::kNotHeld:
      return "not held";
    case EscalationError::kStaleTimeout:
      return "stale ack timeout";
    case EscalationError::kNoMatchingRule:
      return "no routing rule matches";
    case EscalationError::kRoutingBroken:
      return "routing configuration is broken";
    case EscalationError::kUnknownRecipient:
      return "unknown person";
    case EscalationError::kUnknownCoverRequest:
      return "unknown cover request";
    case EscalationError::kCoverNotPending:
      return "cover request no longer pending";
    case EscalationError::kCoverExpired:
      return "cover request expired";
    case EscalationError::kNotATeammate:
      return "not a teammate";
  }
  return "unknown error";
}

absl::Status ToStatus(const Refusal& refusal, absl::string_view field) {
  std::string message = field.empty() ? "" : absl::StrCat(field, ": ");
  absl::StrAppend(&message, EscalationErrorName(refusal.error));
  if (!refusal.detail.empty()) absl::StrAppend(&message, " ", refusal.detail);
  switch (refusal.error) {
    case EscalationError::kUnknownEscalation:
    case EscalationError::kUnknownPage:
    case EscalationError::kUnknownRecipient:
    case EscalationError::kUnknownCoverRequest:
      return absl::NotFoundError(message);
    case EscalationError::kNotStarted:
    case EscalationError::kAlreadyStarted:
    case EscalationError::kAlreadyAcknowledged:
    case EscalationError::kAlreadyResolved:
    case EscalationError::kNotActive:
    case EscalationError::kNotHeld:
    case EscalationError::kStaleTimeout:
    case EscalationError::kNoMatchingRule:
    case EscalationError::kRoutingBroken:
    case EscalationError::kCoverNotPending:
    case EscalationError::kCoverExpired:
    case EscalationError::kNotATeammate:
      return absl::FailedPreconditionError(message);
  }
  return absl::InternalError(message);
}

}  // namespace recovery::escalation
