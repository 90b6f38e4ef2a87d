// Handlers for the events intake consumes: one function per event type. Each runs inside
// the consumer's transaction (exactly once per event id, guaranteed by the runtime).
#pragma once

#include "absl/status/status.h"
#include "recovery/v1/events.pb.h"
#include "services/common/clock.h"
#include "services/intake/case_actions.h"

namespace recovery::intake {

class IntakeEventHandlers {
 public:
  IntakeEventHandlers(recovery::common::Clock& clock, CaseActions& actions) : clock_(clock), actions_(actions) {}

  // Dispatches on the body type; events intake does not react to are ignored (OK).
  absl::Status Handle(Tx& tx, const recovery::v1::Event& event);

  // The page was acknowledged: that person owns the case (OwnerAssigned, "page acknowledged").
  absl::Status OnEscalationAcknowledged(Tx& tx, const recovery::v1::Event& event);
  // The plan reached the client: ACKNOWLEDGED/REOPENED -> PLANNED (CasePlanned).
  absl::Status OnPlanShared(Tx& tx, const recovery::v1::Event& event);
  // A low satisfaction score is a weak signal (LOW_SATISFACTION) run through the rules.
  absl::Status OnSatisfactionRecorded(Tx& tx, const recovery::v1::Event& event);

 private:
  Cause CauseOf(const recovery::v1::Event& event, const std::string& actor) const;

  recovery::common::Clock& clock_;
  CaseActions& actions_;
};

}  // namespace recovery::intake
