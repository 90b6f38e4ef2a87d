// Escalation's domain refusals, and the one function that maps them to a status by what the
// caller should do (STYLE.md rule 11; Redpanda's map_topic_error_code). The domain returns an
// EscalationError; the app maps it with ToStatus; gRPC code sees only the status.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace recovery::escalation {

enum class EscalationError {
  kUnknownEscalation,    // no escalation with that id                      -> NOT_FOUND
  kUnknownPage,          // no page with that id                            -> NOT_FOUND
  kNotStarted,           // the escalation has not started                  -> FAILED_PRECONDITION
  kAlreadyStarted,       // Start on a started escalation                   -> FAILED_PRECONDITION
  kAlreadyAcknowledged,  // a second acknowledgement                        -> FAILED_PRECONDITION
  kAlreadyResolved,      // acknowledging or resolving a resolved one       -> FAILED_PRECONDITION
  kNotActive,            // "advance now" on one neither held nor paging    -> FAILED_PRECONDITION
  kNotHeld,              // the hold ended on one that is no longer held    -> FAILED_PRECONDITION
  kStaleTimeout,         // an ack timeout for a tier no longer current     -> FAILED_PRECONDITION
  kNoMatchingRule,       // no routing rule matches the case                -> FAILED_PRECONDITION
  kRoutingBroken,        // the matching rule names a team/policy not there -> FAILED_PRECONDITION
  kUnknownRecipient,     // a reminder for a person the directory lacks     -> NOT_FOUND
  kUnknownCoverRequest,  // no cover request with that id                   -> NOT_FOUND
  kCoverNotPending,      // answering a request already answered/cancelled  -> FAILED_PRECONDITION
  kCoverExpired,         // answering a request at or after its start       -> FAILED_PRECONDITION
  kNotATeammate,         // cover asked of someone outside the schedule     -> FAILED_PRECONDITION
};

// "already acknowledged", "no routing rule matches", ...
absl::string_view EscalationErrorName(EscalationError error);

// A refusal: the error and what it is about ("case 'c1'").
struct Refusal {
  EscalationError error;
  std::string detail;
};

// A domain decision: the value, or why the domain refused.
template <typename T>
using Decided = std::variant<T, Refusal>;

// The status a caller gets for a refusal. `field` is the request field it concerns (put in
// front of the message, "escalation_id: already acknowledged"); empty for none.
//   NOT_FOUND: the id names nothing; FAILED_PRECONDITION: the escalation's state (or the
//   configuration) must change first, retrying the same call cannot help.
absl::Status ToStatus(const Refusal& refusal, absl::string_view field = "");

}  // namespace recovery::escalation
