// The action-plan service's table: one row per plan, keyed by plan id, unique per case, with
// the whole plan record in `body` (plans are small and always read whole). The body is the
// API message recovery.v1.Plan today (see README.md, "Storage"); Encode/Decode here are the
// only code that knows it. Functions take the caller's transaction; thread-safety is the
// Tx's (one thread per Tx).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/action_plan/domain/decisions.h"
#include "services/action_plan/domain/plan_record.h"
#include "services/common/store.h"

namespace recovery::action_plan {

// The service's migration steps (ServiceModule::Migrations).
std::vector<std::string> ActionPlanMigrations();

// The row change of a decision (ApplyOutcome's write_rows): insert, update or nothing.
absl::Status WritePlan(recovery::common::Tx& tx, const PlanWrite& write);
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
