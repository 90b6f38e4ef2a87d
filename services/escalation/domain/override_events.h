// Override events: OverrideAdded and OverrideRemoved, built here as the other escalation events
// are and put in the outbox by the app in the transaction that writes or deletes the override's
// row (app.cc AddOverride, RemoveOverride). Pure: (override, cause, now) -> the event.
//
// Envelope case_id: the pseudo-key "schedule:<schedule_id>" (OverrideCaseId), as cover events
// use: no case is involved, and audit chains every change of one schedule's rota under one key.
// An accepted cover request's override is announced by CoverAccepted (its override_id), so no
// OverrideAdded is built for it; removing it is an OverrideRemoved with its cover_request_id.
// Thread-safety: pure functions over values.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "services/escalation/domain/decisions.h"

namespace recovery::escalation {

// What an override event says about its override.
struct OverrideFacts {
  std::string override_id;
  std::string schedule_id;
  std::string person_id;  // on call over [start, end)
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfinitePast();
  std::string reason;
  std::string created_by;        // actor of AddOverride (the requester, for a cover's override)
  std::string cover_request_id;  // "" unless it came from an accepted cover request
};

// "schedule:<schedule_id>", the key of the schedule's cover events (CoverCaseId).
std::string OverrideCaseId(const OverrideFacts& o);

// OverrideAdded; its actor is the cause's actor.
recovery::v1::Event OverrideAddedEvent(const OverrideFacts& o, const Cause& cause, absl::Time now);
// OverrideRemoved at `now` by the cause's actor.
recovery::v1::Event OverrideRemovedEvent(const OverrideFacts& o, const Cause& cause, absl::Time now);

}  // namespace recovery::escalation
