// The one mapping from intake's refusals to status codes, chosen by what the caller should do.
#include "services/intake/domain/errors.h"

#include <gtest/gtest.h>

namespace recovery::intake {
namespace {

TEST(IntakeErrorTest, EachRefusalMapsToWhatTheCallerShouldDo) {
  EXPECT_EQ(IntakeErrorCode(IntakeError::kCaseNotFound), absl::StatusCode::kNotFound);
  EXPECT_EQ(IntakeErrorCode(IntakeError::kIllegalTransition), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(IntakeErrorCode(IntakeError::kCaseClosed), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(IntakeErrorCode(IntakeError::kConcurrentReport), absl::StatusCode::kAborted);
  EXPECT_EQ(IntakeErrorCode(IntakeError::kStoredCaseCorrupt), absl::StatusCode::kDataLoss);
}

TEST(IntakeErrorTest, StatusKeepsTheMessage) {
  const absl::Status s = IntakeErrorStatus(IntakeError::kCaseNotFound, "case_id: no case 'x'");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "case_id: no case 'x'");
}

}  // namespace
}  // namespace recovery::intake
