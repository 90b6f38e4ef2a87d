// The events intake publishes, built in one place from the domain's state. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "recovery/v1/intake.pb.h"

namespace recovery::intake {

// Who did it and why: the event envelope's actor (the authenticated caller's actor string,
// or "service:intake" for effects of consumed events; "" becomes "system"), the acting
// person's id when a person acts ("" for integrations and services), the causation id (a
// request_id or the id of the consumed event), and when. `now` has the store's microsecond
// precision, so what a decision returns is exactly what a later read returns.
struct Cause {
  std::string actor;
  std::string causation_id;
  absl::Time now;
  std::string person;

  static Cause At(std::string actor, std::string causation_id, absl::Time now, std::string person = {});
  const std::string& Actor() const;
};

recovery::v1::Event CaseOpenedEvent(const recovery::v1::Case& c, const Cause& cause);
recovery::v1::Event ContactRecordedEvent(const std::string& case_id, const recovery::v1::ContactRecord& contact,
                                         const Cause& cause);
recovery::v1::Event CaseUpdatedEvent(const recovery::v1::Case& c, const std::vector<std::string>& changed_fields,
                                     recovery::v1::Severity previous_severity, const Cause& cause);
recovery::v1::Event NoteAddedEvent(const std::string& case_id, const recovery::v1::Note& note, const Cause& cause);
recovery::v1::Event CaseAcknowledgedEvent(const recovery::v1::Case& c, const std::string& acknowledged_by,
                                          const std::string& message, recovery::v1::EmotionalState emotion,
                                          absl::Duration time_to_acknowledge, const Cause& cause);
recovery::v1::Event OwnerAssignedEvent(const std::string& case_id, const std::string& owner,
                                       const std::string& previous_owner, const std::string& reason,
                                       const Cause& cause);
recovery::v1::Event CaseResolvedEvent(const recovery::v1::Case& c, absl::Duration time_to_resolve, const Cause& cause);
recovery::v1::Event CaseClosedEvent(const recovery::v1::Case& c, const std::string& reason, const Cause& cause);
recovery::v1::Event CaseReopenedEvent(const recovery::v1::Case& c, const std::string& reason,
                                      recovery::v1::CaseStatus previous_status, const Cause& cause);
recovery::v1::Event CasePlannedEvent(const std::string& case_id, const std::string& plan_version, const Cause& cause);
// Keyed by the case the signal opened or linked ("" when none).
recovery::v1::Event SignalRecordedEvent(const recovery::v1::Signal& signal, const Cause& cause);

}  // namespace recovery::intake
