// Why the action-plan domain refuses a change, and the one mapping of each reason to a
// status code, chosen by what the caller should do (as Redpanda's map_topic_error_code):
// fix the request (INVALID_ARGUMENT), look again (NOT_FOUND), stop retrying a create
// (ALREADY_EXISTS), or change the state first (FAILED_PRECONDITION).
// Thread-safety: pure functions.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace recovery::action_plan {

enum class PlanError {
  kInvalidInput,        // a value breaks a domain rule (due in the past, no owner, bad currency)
  kPlanNotFound,        // no plan for the plan id or case id
  kItemNotFound,        // no such action item in the plan
  kCommitmentNotFound,  // no such commitment in the plan
  kPlaybookNotFound,    // no playbook by that id, or for that category without a generic one
  kDuplicateId,         // an item or commitment with that id exists already
  kFinalState,          // the item is done/cancelled, the commitment kept/broken
  kOutOfOrder,          // a shared summary version that does not follow the last one
};

// The one mapping; tested on its own (tests/action_plan/errors_test.cc).
absl::StatusCode StatusCodeFor(PlanError error);

// A refusal: StatusCodeFor(error) with `message`, which starts with the field it is about.
absl::Status Refuse(PlanError error, absl::string_view message);

}  // namespace recovery::action_plan
