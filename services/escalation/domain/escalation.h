// The escalation state machine: (state, input, now) -> (new state, effects). Pure: it performs
// no I/O and reads no clock; the caller applies the effects (queue pages, arm/cancel durable
// timers, publish events) in the same transaction that stores the new state.
//
// Semantics:
//   Start           -> EscalationStarted; with a future hold: EscalationHeld + ArmHoldTimer,
//                      else page tier 0 of round 0.
//   HoldElapsed     -> page tier 0 of round 0 (ignored unless held).
//   Paging a tier   -> resolve its targets at `now` (schedules/teams -> who is on call),
//                      de-duplicate people, emit PageTarget per person and notification rule
//                      (not_before = now + rule delay; each becomes one queued page and one
//                      PageQueued event), ArmAckTimer(now + timeout).
//                      A tier that resolves to nobody is skipped at once (TierAdvanced).
//   AckTimeout(t,r) -> only if (t, r) is the current tier and round of a paging escalation:
//                      next tier; after the last tier the next round; after `repeats` extra
//                      rounds page the fallback person and end as exhausted. Any other
//                      AckTimeout is stale and ignored, so a duplicate delivery is harmless.
//   Acknowledge(p)  -> acknowledged: CancelAckTimer, CancelPendingPages (delayed channels that
//                      have not gone out must not), EscalationAcknowledged. Nothing pages
//                      afterwards; a second ack is ignored.
//   Resolve         -> resolved from any non-final state, with the same cancellations;
//                      resolved_by is recorded.
// Ignored inputs return the state unchanged, no effects and `ignored` set with a reason.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "services/escalation/domain/config.h"
#include "services/escalation/domain/errors.h"
#include "services/escalation/domain/model.h"
#include "services/escalation/domain/routing.h"

namespace recovery::escalation {

enum class EscalationStatus { kNew, kHeld, kPaging, kAcknowledged, kResolved, kExhausted };

// Tier number used for pages to the fallback person.
inline constexpr int kFallbackTier = -1;

struct EscalationState {
  std::string escalation_id;
  std::string case_id;
  EscalationPlan plan;  // snapshot taken at creation: config edits do not change a running one
  EscalationStatus status = EscalationStatus::kNew;
  int tier = 0;
  int round = 0;
  std::optional<absl::Time> ack_due;
  std::optional<absl::Time> hold_until;
  std::string acknowledged_by;
  std::string resolved_by;
  // How it started (routing's answer), carried by its events; Step leaves these alone.
  std::string team_id;
  std::string rule_id;
  bool business_hours = false;
  Severity severity = recovery::v1::SEVERITY_UNSPECIFIED;
  std::string reason;  // "case opened", "case reopened", "severity raised", "sla breached"
  absl::Time started_at = absl::InfinitePast();
  absl::Time updated_at = absl::InfinitePast();
};

// Why an escalation moved to another tier.
enum class AdvanceReason {
  kAckTimeout,   // nobody acknowledged within the tier's timeout
  kNoOneToPage,  // the tier resolved to nobody and was skipped at once
  kSlaBreached,  // follow-up reported a breached SLA: the next tier now
};
// "ack timeout", "no one to page", "sla breached" (the TierAdvanced event's reason).
absl::string_view AdvanceReasonName(AdvanceReason reason);

EscalationState NewEscalation(std::string escalation_id, std::string case_id, EscalationPlan plan);

// Inputs.
struct Start {
  std::optional<absl::Time> hold_until;  // from RoutingDecision::hold_until
};
struct HoldElapsed {};
struct AckTimeout {
  int tier = 0;
  int round = 0;
};
struct Acknowledge {
  std::string person_id;
};
struct Resolve {
  std::string by;
};
using Input = std::variant<Start, HoldElapsed, AckTimeout, Acknowledge, Resolve>;

// Effects: commands for the runtime.
struct PageTarget {
  std::string person_id;
  Channel channel = Channel::kLog;
  std::string target;
  absl::Time not_before;
  int tier = 0;
  int round = 0;
  std::string idempotency_key;  // unique per escalation/round/tier/person/contact method
};
struct ArmAckTimer {
  absl::Time due;
  int tier = 0;
  int round = 0;
};
struct CancelAckTimer {};
struct ArmHoldTimer {
  absl::Time due;
};
struct CancelHoldTimer {};
struct CancelPendingPages {};  // drop queued pages of this escalation not yet delivered

// Effects: events to publish.
struct EscalationStarted {
  int tier_count = 0;
  int repeats = 0;
};
struct EscalationHeld {
  absl::Time until;
};
struct TierAdvanced {
  int from_tier = 0;
  int from_round = 0;
  int to_tier = 0;
  int to_round = 0;
  AdvanceReason reason = AdvanceReason::kAckTimeout;
};
struct EscalationAcknowledged {
  std::string person_id;
  int tier = 0;
  int round = 0;
};
struct EscalationExhausted {
  std::string fallback_person_id;  // empty if the policy has none
};
struct EscalationResolved {
  std::string by;
};

using Effect = std::variant<PageTarget, ArmAckTimer, CancelAckTimer, ArmHoldTimer, CancelHoldTimer, CancelPendingPages,
                            EscalationStarted, EscalationHeld, TierAdvanced, EscalationAcknowledged,
                            EscalationExhausted, EscalationResolved>;

struct StepResult {
  EscalationState state;
  std::vector<Effect> effects;
  bool ignored = false;
  Refusal refusal{EscalationError::kNotStarted, ""};  // why, when ignored
};

// `directory` resolves targets (people, schedules, teams) at `now`; unknown ids resolve to
// nobody rather than failing, because a running escalation must survive config edits.
StepResult Step(const EscalationConfig& directory, const EscalationState& state, const Input& input, absl::Time now);

// Person ids the targets resolve to at `now`, de-duplicated, in target order.
std::vector<std::string> ResolveTargets(const EscalationConfig& directory, const std::vector<Target>& targets,
                                        absl::Time now);

}  // namespace recovery::escalation
