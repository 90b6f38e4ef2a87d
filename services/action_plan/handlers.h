// Event handlers of the action-plan service: one function per consumed event type. Each
// runs inside the consumer's transaction (exactly once per event id).
#pragma once

#include "absl/status/status.h"
#include "recovery/v1/events.pb.h"
#include "services/action_plan/plan_actions.h"
#include "services/common/store.h"

namespace recovery::action_plan {

class ActionPlanEventHandlers {
 public:
  explicit ActionPlanEventHandlers(PlanActions& actions) : actions_(actions) {}

  // Dispatches by body type; events this service does not consume (and its own) are ignored.
  absl::Status Handle(recovery::common::Tx& tx, const recovery::v1::Event& event);

  absl::Status OnCaseOpened(recovery::common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnCaseAcknowledged(recovery::common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnOwnerAssigned(recovery::common::Tx& tx, const recovery::v1::Event& event);

 private:
  PlanActions& actions_;
};

}  // namespace recovery::action_plan
