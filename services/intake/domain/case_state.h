// The case lifecycle state machine: which transition is legal from which status.
// Pure: no I/O, no clock.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "recovery/v1/common.pb.h"

namespace recovery::intake {

using recovery::v1::CaseStatus;

// Every lifecycle transition, named after the RPC (or event) that asks for it. kOpen starts
// a case: from UNSPECIFIED (no case yet) to OPEN.
enum class Transition { kOpen, kAcknowledge, kPlan, kResolve, kClose, kReopen };

inline constexpr Transition kAllTransitions[] = {Transition::kOpen,    Transition::kAcknowledge, Transition::kPlan,
                                                 Transition::kResolve, Transition::kClose,       Transition::kReopen};

// "OpenCase", "AcknowledgeCase", "PlanShared", "ResolveCase", "CloseCase", "ReopenCase".
std::string TransitionName(Transition t);
// "OPEN", "ACKNOWLEDGED", ... ("UNSPECIFIED" for the zero value).
std::string StatusName(CaseStatus s);

// The status after `t`, or IntakeError::kIllegalTransition (FAILED_PRECONDITION) naming the current status and the
// statuses `t` needs, e.g. "status: case is CLOSED; ResolveCase needs ACKNOWLEDGED,
// PLANNED or REOPENED".
absl::StatusOr<CaseStatus> ApplyTransition(CaseStatus current, Transition t);

// A case still being worked on (not RESOLVED or CLOSED): repeat reports link to it.
bool IsActive(CaseStatus s);

// Edits that are not lifecycle transitions (UpdateCase, AssignOwner) need a case that is
// not CLOSED (IntakeError::kCaseClosed); `rpc` names the RPC in the error.
absl::Status CheckEditable(CaseStatus current, const std::string& rpc);

}  // namespace recovery::intake
