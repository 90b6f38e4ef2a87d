// The action-plan service's table: one row per plan, keyed by plan id, unique per case,
// with the plan serialized as recovery.v1.Plan (plans are small and always read whole).
// Functions take the caller's transaction; thread-safety is the Tx's (one thread per Tx).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/action_plan/plan_codec.h"
#include "services/common/store.h"

namespace recovery::action_plan {

absl::Status MigrateActionPlanTables(recovery::common::Store& store);

// Inserts a new plan; ALREADY_EXISTS when the case already has one.
absl::Status InsertPlan(recovery::common::Tx& tx, const PlanRecord& record);
// Replaces a stored plan (same plan id).
absl::Status UpdatePlan(recovery::common::Tx& tx, const PlanRecord& record);

absl::StatusOr<std::optional<PlanRecord>> FindPlanById(recovery::common::Tx& tx, const std::string& plan_id);
absl::StatusOr<std::optional<PlanRecord>> FindPlanByCase(recovery::common::Tx& tx, const std::string& case_id);

// Plans ordered by plan id (UUIDv7: creation order), those after `after_plan_id`.
absl::StatusOr<std::vector<PlanRecord>> ListPlans(recovery::common::Tx& tx, const std::string& after_plan_id,
                                                  bool open_only, int limit);

}  // namespace recovery::action_plan
