// The stored state of one plan: the domain Plan with what the service keeps beside it
// (playbook, client facts for rendering and timing, amends ids, shared markdown, whether
// PlanCompleted was published). Plain value; no synchronisation.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/action_plan/domain/plan.h"

namespace recovery::action_plan {

struct PlanRecord {
  Plan plan;
  std::string playbook_id;
  std::string client_name;
  std::string client_time_zone = "UTC";  // IANA name
  std::string client_calendar_id;
  std::vector<std::string> amends_ids;  // parallel to plan.amends
  std::string root_cause_category;
  std::vector<std::string> shared_markdown;  // parallel to plan.shared_versions
  bool completed = false;                    // PlanCompleted was published
  absl::Time created_at = absl::UnixEpoch();
  absl::Time updated_at = absl::UnixEpoch();
};

}  // namespace recovery::action_plan
