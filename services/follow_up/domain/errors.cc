// The mapping of follow-up refusals to status codes.
#include "services/follow_up/domain/errors.h"

namespace recovery::follow_up {

absl::StatusCode StatusCodeOf(FollowUpError error) {
  switch (error) {
    case FollowUpError::kUnknownCase:
    case FollowUpError::kUnknownReminder:
    case FollowUpError::kNoReview:
      return absl::StatusCode::kNotFound;
    case FollowUpError::kClockNotRunning:
    case FollowUpError::kClockNotPaused:
    case FollowUpError::kCaseNotResolved:
      return absl::StatusCode::kFailedPrecondition;
    case FollowUpError::kSnoozeNotInFuture:
      return absl::StatusCode::kInvalidArgument;
    case FollowUpError::kReviewAlreadySubmitted:
    case FollowUpError::kSatisfactionAlreadyRecorded:
      return absl::StatusCode::kAlreadyExists;
  }
  return absl::StatusCode::kInternal;
}

absl::string_view ErrorName(FollowUpError error) {
  switch (error) {
    case FollowUpError::kUnknownCase:
      return "unknown_case";
    case FollowUpError::kUnknownReminder:
      return "unknown_reminder";
    case FollowUpError::kNoReview:
      return "no_review";
    case FollowUpError::kClockNotRunning:
      return "clock_not_running";
    case FollowUpError::kClockNotPaused:
      return "clock_not_paused";
    case FollowUpError::kCaseNotResolved:
      return "case_not_resolved";
    case FollowUpError::kSnoozeNotInFuture:
      return "snooze_not_in_future";
    case FollowUpError::kReviewAlreadySubmitted:
      return "review_already_submitted";
    case FollowUpError::kSatisfactionAlreadyRecorded:
      return "satisfaction_already_recorded";
  }
  return "unknown";
}

absl::Status Refuse(FollowUpError error, absl::string_view message) {
  return absl::Status(StatusCodeOf(error), message);
}

}  // namespace recovery::follow_up
