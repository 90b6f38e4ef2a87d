// Cover requests (self-service swaps): a person asks a teammate to take a stretch of a
// schedule; the teammate accepts (an override puts them on call), declines, or lets it expire
// at its start; the requester may cancel it while it is pending. Pure decisions: (directory,
// request, input, cause, now) -> one common::Outcome<CoverRows> (the request's new state, the
// override an acceptance adds, the events, the expiry timer) or a Refusal.
//
// Who may do what (the requester holds the stretch, only the teammate answers, only the
// requester cancels) is checked before, in scopes.h; these functions decide what the request's
// state allows.
//
// Events carry the envelope case_id "schedule:<schedule_id>" (CoverCaseId): no case is
// involved, and one schedule's requests stay in order on one partition.
// Timer: kind "cover" (kCoverTimer), key the cover_request_id, due at the request's start.
// Thread-safety: pure functions over values.
#pragma once

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "services/common/outcome.h"
#include "services/escalation/domain/config.h"
#include "services/escalation/domain/decisions.h"
#include "services/escalation/domain/errors.h"

namespace recovery::escalation {

inline constexpr char kCoverTimer[] = "cover";  // key "<cover_request_id>", due at the request's start

enum class CoverStatus { kPending, kAccepted, kDeclined, kCancelled, kExpired };
// "pending", "accepted", "declined", "cancelled", "expired" (the stored form).
const char* CoverStatusName(CoverStatus s);
std::optional<CoverStatus> ParseCoverStatus(const std::string& name);

struct CoverRequest {
  std::string cover_request_id;
  std::string schedule_id;
  std::string requester_id;  // the person who asked
  std::string person_id;     // the teammate asked
  absl::Time start;
  absl::Time end;  // exclusive
  std::string reason;
  CoverStatus status = CoverStatus::kPending;
  std::string requested_by;  // actor of RequestCover
  absl::Time requested_at = absl::InfinitePast();
  std::string answered_by;  // actor who accepted, declined or cancelled; kServiceActor on expiry
  absl::Time answered_at = absl::InfinitePast();
  std::string answer_reason;
  std::string override_id;  // set once accepted
};

// The override an acceptance adds: a stored override like AddOverride's, created by the
// requester and approved by the teammate.
struct CoverOverride {
  std::string override_id;
  std::string schedule_id;
  std::string person_id;
  absl::Time start;
  absl::Time end;
  std::string reason;
  std::string created_by;   // the requester's actor
  std::string approved_by;  // the teammate's actor
  std::string cover_request_id;
};

struct CoverRows {
  CoverRequest request;  // to insert (inserted) or to update from pending
  bool inserted = false;
  std::optional<CoverOverride> add_override;
};
using CoverOutcome = common::Outcome<CoverRows>;

// The envelope case_id of a schedule's cover events.
std::string CoverCaseId(const std::string& schedule_id);

// What a reader is told: a pending request at or after its start is expired, even before the
// expiry timer has fired.
CoverStatus EffectiveStatus(const CoverRequest& request, absl::Time now);

// Who may be asked to cover on `schedule_id`: a participant of one of its layers, or a member
// of a team whose schedule it is.
bool IsTeammate(const EscalationConfig& directory, const std::string& schedule_id, const std::string& person_id);

// What RequestCover asks.
struct CoverAsk {
  std::string schedule_id;
  std::string requester_id;
  std::string person_id;
  absl::Time start;
  absl::Time end;
  std::string reason;
};

// A new pending request, CoverRequested, and the expiry timer at its start. Refusals:
// kNotATeammate (person_id is neither a participant nor a team member, or is the requester).
Decided<CoverOutcome> RequestCover(const EscalationConfig& directory, const CoverAsk& ask, const Cause& cause,
                                   absl::Time now);
// Accepted: the override, CoverAccepted (with its override id), the timer cancelled.
// Refusals: kCoverNotPending, kCoverExpired (now at or after the start).
Decided<CoverOutcome> AcceptCover(const CoverRequest& request, const Cause& cause, absl::Time now);
// Declined with `reason`: CoverDeclined. Refusals as AcceptCover's.
Decided<CoverOutcome> DeclineCover(const CoverRequest& request, const std::string& reason, const Cause& cause,
                                   absl::Time now);
// Cancelled with `reason`: CoverCancelled. Refusals as AcceptCover's.
Decided<CoverOutcome> CancelCover(const CoverRequest& request, const std::string& reason, const Cause& cause,
                                  absl::Time now);
// The expiry timer fired: a pending request expires (CoverExpired). kCoverNotPending once it
// was answered (a late or duplicate firing changes nothing).
Decided<CoverOutcome> ExpireCover(const CoverRequest& request, const Cause& cause, absl::Time now);

}  // namespace recovery::escalation
