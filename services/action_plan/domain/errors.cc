// The action-plan error enum mapped to status codes.
#include "services/action_plan/domain/errors.h"

namespace recovery::action_plan {

absl::StatusCode StatusCodeFor(PlanError error) {
  switch (error) {
    case PlanError::kInvalidInput:
      return absl::StatusCode::kInvalidArgument;
    case PlanError::kPlanNotFound:
    case PlanError::kItemNotFound:
    case PlanError::kCommitmentNotFound:
    case PlanError::kPlaybookNotFound:
      return absl::StatusCode::kNotFound;
    case PlanError::kDuplicateId:
      return absl::StatusCode::kAlreadyExists;
    case PlanError::kFinalState:
    case PlanError::kOutOfOrder:
      return absl::StatusCode::kFailedPrecondition;
  }
  return absl::StatusCode::kInternal;
}

absl::Status Refuse(PlanError error, absl::string_view message) { return absl::Status(StatusCodeFor(error), message); }

}  // namespace recovery::action_plan
