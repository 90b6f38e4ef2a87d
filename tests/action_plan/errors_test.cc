// The one mapping of the action-plan error enum to status codes, by what the caller should do.
#include "services/action_plan/domain/errors.h"

#include <gtest/gtest.h>

#include "services/action_plan/domain/plan.h"

namespace recovery::action_plan {
namespace {

TEST(PlanErrorTest, EachErrorMapsToTheCodeThatTellsTheCallerWhatToDo) {
  EXPECT_EQ(StatusCodeFor(PlanError::kInvalidInput), absl::StatusCode::kInvalidArgument);  // fix the request
  for (PlanError e : {PlanError::kPlanNotFound, PlanError::kItemNotFound, PlanError::kCommitmentNotFound,
                      PlanError::kPlaybookNotFound}) {
    EXPECT_EQ(StatusCodeFor(e), absl::StatusCode::kNotFound);  // look again
  }
  EXPECT_EQ(StatusCodeFor(PlanError::kDuplicateId), absl::StatusCode::kAlreadyExists);      // do not create twice
  EXPECT_EQ(StatusCodeFor(PlanError::kFinalState), absl::StatusCode::kFailedPrecondition);  // change state first
  EXPECT_EQ(StatusCodeFor(PlanError::kOutOfOrder), absl::StatusCode::kFailedPrecondition);
}

TEST(PlanErrorTest, RefuseKeepsTheMessageThatNamesTheField) {
  const absl::Status s = Refuse(PlanError::kItemNotFound, "item_id: no action item 'x' in this plan");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "item_id: no action item 'x' in this plan");
}

TEST(PlanErrorTest, DomainRefusalsUseTheMapping) {
  Plan plan;
  plan.plan_id = "p";
  ActionItem item;
  item.id = "a";
  item.what = "call";
  item.owner = "lee";
  ASSERT_TRUE(AddItem(plan, item, absl::UnixEpoch()).ok());
  EXPECT_EQ(AddItem(plan, item, absl::UnixEpoch()).code(), StatusCodeFor(PlanError::kDuplicateId));
  EXPECT_EQ(CompleteItem(plan, "b", "done", absl::UnixEpoch()).code(), StatusCodeFor(PlanError::kItemNotFound));
  ASSERT_TRUE(CompleteItem(plan, "a", "done", absl::UnixEpoch()).ok());
  EXPECT_EQ(CompleteItem(plan, "a", "again", absl::UnixEpoch()).code(), StatusCodeFor(PlanError::kFinalState));
}

}  // namespace
}  // namespace recovery::action_plan
