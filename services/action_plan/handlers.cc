// Consumed events: CaseOpened drafts the plan; CaseAcknowledged / OwnerAssigned set owners.
#include "services/action_plan/handlers.h"

#include "services/common/logging.h"

namespace recovery::action_plan {

namespace v1 = recovery::v1;
using recovery::common::Tx;

absl::Status ActionPlanEventHandlers::Handle(Tx& tx, const v1::Event& event) {
  if (event.source() == kEventSource) return absl::OkStatus();
  if (event.case_id().empty()) {
    recovery::common::LogWarn("event without case id skipped", {{"event_id", event.event_id()}});
    return absl::OkStatus();
  }
  switch (event.body_case()) {
    case v1::Event::kCaseOpened: return OnCaseOpened(tx, event);
    case v1::Event::kCaseAcknowledged: return OnCaseAcknowledged(tx, event);
    case v1::Event::kOwnerAssigned: return OnOwnerAssigned(tx, event);
    default: return absl::OkStatus();
  }
}

absl::Status ActionPlanEventHandlers::OnCaseOpened(Tx& tx, const v1::Event& event) {
  return actions_.DraftFromCase(tx, event);
}

absl::Status ActionPlanEventHandlers::OnCaseAcknowledged(Tx& tx, const v1::Event& event) {
  const auto& body = event.case_acknowledged();
  const std::string owner = !body.owner().empty() ? body.owner() : body.acknowledged_by();
  return actions_.AssignCaseOwner(tx, event, owner, "");
}

absl::Status ActionPlanEventHandlers::OnOwnerAssigned(Tx& tx, const v1::Event& event) {
  const auto& body = event.owner_assigned();
  return actions_.AssignCaseOwner(tx, event, body.owner(), body.previous_owner());
}

}  // namespace recovery::action_plan
