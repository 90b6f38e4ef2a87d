// The one mapping of escalation's domain refusals to a status (domain/errors.h): by what the
// caller should do, with the request field in front.
#include "services/escalation/domain/errors.h"

#include "gtest/gtest.h"

namespace recovery::escalation {
namespace {

TEST(EscalationErrorsTest, UnknownIdsAreNotFoundAndStateConflictsAreFailedPrecondition) {
  struct Case {
    EscalationError error;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {EscalationError::kUnknownEscalation, absl::StatusCode::kNotFound},
      {EscalationError::kUnknownPage, absl::StatusCode::kNotFound},
      {EscalationError::kUnknownRecipient, absl::StatusCode::kNotFound},
      {EscalationError::kNotStarted, absl::StatusCode::kFailedPrecondition},
      {EscalationError::kAlreadyStarted, absl::StatusCode::kFailedPrecondition},
      {EscalationError::kAlreadyAcknowledged, absl::StatusCode::kFailedPrecondition},
      {EscalationError::kAlreadyResolved, absl::StatusCode::kFailedPrecondition},
      {EscalationError::kNotActive, absl::StatusCode::kFailedPrecondition},
      {EscalationError::kNotHeld, absl::StatusCode::kFailedPrecondition},
      {EscalationError::kStaleTimeout, absl::StatusCode::kFailedPrecondition},
      {EscalationError::kNoMatchingRule, absl::StatusCode::kFailedPrecondition},
      {EscalationError::kRoutingBroken, absl::StatusCode::kFailedPrecondition},
      {EscalationError::kUnknownCoverRequest, absl::StatusCode::kNotFound},
      {EscalationError::kCoverNotPending, absl::StatusCode::kFailedPrecondition},
      {EscalationError::kCoverExpired, absl::StatusCode::kFailedPrecondition},
      {EscalationError::kNotATeammate, absl::StatusCode::kFailedPrecondition},
  };
  for (const Case& c : cases) {
    const absl::Status s = ToStatus(Refusal{c.error, ""});
    EXPECT_EQ(s.code(), c.code) << EscalationErrorName(c.error);
    EXPECT_EQ(s.message(), EscalationErrorName(c.error));
  }
}

TEST(EscalationErrorsTest, MessageStartsWithTheFieldAndCarriesTheDetail) {
  const absl::Status s = ToStatus(Refusal{EscalationError::kAlreadyAcknowledged, "by bob"}, "escalation_id");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "escalation_id: already acknowledged by bob");
}

}  // namespace
}  // namespace recovery::escalation
