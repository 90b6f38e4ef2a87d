// The one mapping of follow-up refusals to status codes, by what the caller should do.
#include "services/follow_up/domain/errors.h"

#include <gtest/gtest.h>

namespace recovery::follow_up {
namespace {

TEST(FollowUpErrorTest, EachRefusalMapsToTheCodeThatTellsTheCallerWhatToDo) {
  const std::pair<FollowUpError, absl::StatusCode> expected[] = {
      {FollowUpError::kUnknownCase, absl::StatusCode::kNotFound},
      {FollowUpError::kUnknownReminder, absl::StatusCode::kNotFound},
      {FollowUpError::kNoReview, absl::StatusCode::kNotFound},
      {FollowUpError::kClockNotRunning, absl::StatusCode::kFailedPrecondition},
      {FollowUpError::kClockNotPaused, absl::StatusCode::kFailedPrecondition},
      {FollowUpError::kCaseNotResolved, absl::StatusCode::kFailedPrecondition},
      {FollowUpError::kSnoozeNotInFuture, absl::StatusCode::kInvalidArgument},
      {FollowUpError::kReviewAlreadySubmitted, absl::StatusCode::kAlreadyExists},
      {FollowUpError::kSatisfactionAlreadyRecorded, absl::StatusCode::kAlreadyExists},
  };
  for (const auto& [error, code] : expected) {
    EXPECT_EQ(StatusCodeOf(error), code) << ErrorName(error);
    const absl::Status s = Refuse(error, "case_id: why");
    EXPECT_EQ(s.code(), code);
    EXPECT_EQ(s.message(), "case_id: why");
    EXPECT_NE(ErrorName(error), "unknown");
  }
}

}  // namespace
}  // namespace recovery::follow_up
