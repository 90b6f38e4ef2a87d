// Follow-up's refusals: one enum, mapped to a status code in one place (StatusCodeOf) by what
// the caller should do: NOT_FOUND (check the id), FAILED_PRECONDITION (change the state
// first), ALREADY_EXISTS (it was done: read it instead), INVALID_ARGUMENT (fix the request).
// Thread-safety: pure functions.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace recovery::follow_up {

enum class FollowUpError {
  kUnknownCase,                  // no case with that id seen by follow-up (yet)
  kUnknownReminder,              // no pending reminder with that id
  kNoReview,                     // no review submitted for the case
  kClockNotRunning,              // PauseSla on a clock that is not running
  kClockNotPaused,               // ResumeSla on a clock that is not paused
  kCaseNotResolved,              // SubmitReview before the case is resolved or closed
  kSnoozeNotInFuture,            // SnoozeReminder until a time already past
  kReviewAlreadySubmitted,       // a second SubmitReview for the case
  kSatisfactionAlreadyRecorded,  // a second RecordSatisfaction for the case
};

// The one mapping of a refusal to a status code.
absl::StatusCode StatusCodeOf(FollowUpError error);
// A short stable name ("unknown_case"), for logs and metrics.
absl::string_view ErrorName(FollowUpError error);
// The refusal as a status: StatusCodeOf(error) with `message` ("<field>: <why>").
absl::Status Refuse(FollowUpError error, absl::string_view message);

}  // namespace recovery::follow_up
