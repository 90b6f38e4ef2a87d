// Event handlers: one function per consumed event type, each running in the consumer's
// transaction (exactly once per event id). They update the case facts kept for routing and
// drive escalations through the engine. Thread-safe (stateless beyond the engine).
#pragma once

#include "absl/status/status.h"
#include "recovery/v1/events.pb.h"
#include "services/common/store.h"
#include "services/escalation/engine.h"

namespace recovery::escalation {

class EscalationHandlers {
 public:
  explicit EscalationHandlers(EscalationEngine& engine) : engine_(engine) {}

  // Dispatches by body type; events this service does not consume are ignored.
  absl::Status OnEvent(common::Tx& tx, const recovery::v1::Event& event);

  absl::Status OnCaseOpened(common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnCaseReopened(common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnCaseUpdated(common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnSlaBreached(common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnCaseEnded(common::Tx& tx, const recovery::v1::Event& event, const std::string& reason);
  absl::Status OnReminderDue(common::Tx& tx, const recovery::v1::Event& event);

 private:
  // Starts an escalation unless one is already held or paging for the case.
  absl::Status StartUnlessActive(common::Tx& tx, const CaseRecord& c, const std::string& reason,
                                 const recovery::v1::Event& cause);

  EscalationEngine& engine_;
};

}  // namespace recovery::escalation
