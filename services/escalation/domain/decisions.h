// What each input decides, as one common::Outcome: the escalation's new state and its queued
// pages (the service's rows), the events (built here, never in the app or gRPC code) and the
// ack/hold timer operations. Pure: (directory, state, input, cause, now) -> Outcome or a
// Refusal; ids come from common::NewId(now). The app applies the Outcome once, inside the
// transaction that loaded the state (services/common/apply.h).
//
// Timers: kind "ack" key "<escalation_id>/<tier>/<round>", kind "hold" key "<escalation_id>".
// A stale ack timer is refused (kStaleTimeout), so a duplicate firing changes nothing.
// Thread-safety: pure functions over values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "services/common/outcome.h"
#include "services/escalation/domain/config.h"
#include "services/escalation/domain/errors.h"
#include "services/escalation/domain/escalation.h"
#include "services/escalation/domain/model.h"

namespace recovery::escalation {

inline constexpr char kServiceName[] = "escalation";
// The actor of effects of consumed events, timers and deliveries (common::Principal::Service).
inline constexpr char kServiceActor[] = "service:escalation";
inline constexpr char kAckTimer[] = "ack";    // key "<escalation_id>/<tier>/<round>"
inline constexpr char kHoldTimer[] = "hold";  // key "<escalation_id>"
// A handoff reminder (domain/handoff.h): key HandoffTimerKey, payload HandoffTimerPayload.
inline constexpr char kHandoffTimer[] = "handoff";
// Every kHandoffRearmEvery, the handoff reminders of the next 35 days are armed again (so a
// changed rota, override or reminder setting is picked up); key "rearm".
inline constexpr char kHandoffRearmTimer[] = "handoff-rearm";
inline constexpr absl::Duration kHandoffRearmEvery = absl::Minutes(10);
inline constexpr absl::Duration kHandoffHorizon = absl::Hours(24 * 35);

std::string AckTimerKey(const std::string& escalation_id, int tier, int round);
// Parses an ack timer key; false when malformed.
bool ParseAckTimerKey(const std::string& key, std::string* escalation_id, int* tier, int* round);

recovery::v1::PageChannel ChannelToProto(Channel c);

// A message for the delivery queue (one row of delivery/queue.h): a page to one person on one
// channel, or a reminder.
struct QueuedMessage {
  enum class Kind { kPage, kReminder };
  Kind kind = Kind::kPage;
  std::string page_id;
  std::string escalation_id;  // pages only
  std::string case_id;
  std::string person_id;
  Channel channel = Channel::kLog;
  std::string target;
  int tier = 0;
  int round = 0;
  absl::Time not_before = absl::InfinitePast();
  std::string idempotency_key;  // the same on every attempt: receivers de-duplicate by it
  std::string payload;          // JSON body (storage.proto's PagePayload / ReminderPayload)
  std::string subject;          // e-mail subject
  std::string reminder_id;      // reminders only
  absl::Time created_at = absl::InfinitePast();
};

// Escalation's row changes, written in this order: the escalation, the cancellation of its
// undelivered pages, the new queue rows.
struct EscalationRows {
  std::optional<EscalationState> escalation;  // the new state to store
  bool cancel_undelivered = false;            // pending/sending pages of `escalation` stop
  // The tier moved on: pages already tried stop retrying; a page never tried keeps its one
  // attempt (no page is cancelled before it was tried). cancel_undelivered wins.
  bool supersede_undelivered = false;
  std::vector<QueuedMessage> queue;
};
using EscalationOutcome = common::Outcome<EscalationRows>;

// Why an input is applied: the events' causation and actor.
struct Cause {
  std::string causation_id;           // the consumed event id, the request_id, "timer:<kind>:<key>" or a page id
  std::string actor = kServiceActor;  // the authenticated caller's Actor() for RPCs
  std::string page_id;                // the acknowledged page, if any
  std::string reason;                 // the resolve reason (EscalationResolved.reason)
};

// Routes the case (rules, team and client calendars) and starts an escalation: started, and
// held or paging tier 0. Refusals: kNoMatchingRule, kRoutingBroken.
Decided<EscalationOutcome> StartEscalation(const EscalationConfig& directory, const CaseFacts& facts,
                                           const std::string& reason, const Cause& cause, absl::Time now);

// One input to a stored escalation (Step, translated). `facts` (may be null) words the pages.
// A refusal is the state machine's reason for ignoring the input.
Decided<EscalationOutcome> Decide(const EscalationConfig& directory, const EscalationState& state, const Input& input,
                                  const CaseFacts* facts, const Cause& cause, absl::Time now);

// "The next tier now" (SLA breached): a paging escalation advances as if its ack timer fired
// (that timer is cancelled), a held one pages at once. Otherwise kNotActive.
Decided<EscalationOutcome> AdvanceNow(const EscalationConfig& directory, const EscalationState& state,
                                      const CaseFacts* facts, const Cause& cause, absl::Time now);

// A ReminderDue event: one queued reminder per contact method of the recipient. Refusal:
// kUnknownRecipient.
Decided<EscalationOutcome> QueueReminder(const EscalationConfig& directory, const recovery::v1::Event& reminder_due,
                                         absl::Time now);

// The outcome event of one delivery attempt: PageDelivered / PageFailed (final when no retry
// follows) for pages; ReminderDelivered for a delivered reminder (a failed reminder attempt
// publishes nothing: it is retried).
common::Effects DeliveryAttempted(const QueuedMessage& message, int attempts, bool ok, const std::string& error,
                                  bool final, absl::Time now);

// A page's JSON body (PagePayload, as StartEscalation and Decide word it) with `ack_url`
// added. The app makes the link (ack_link.h: it needs the key) before writing the rows.
std::string PagePayloadWithAckUrl(const std::string& payload, const std::string& ack_url);

// Case facts from intake's events.
CaseFacts FactsFromCaseOpened(const recovery::v1::Event& case_opened);
// A reopened case: the facts it carries replace the stored ones.
CaseFacts MergeCaseReopened(CaseFacts facts, const recovery::v1::CaseReopened& reopened);
// An update: the facts it carries replace the stored ones. True when the severity was raised
// (P1 most severe).
bool MergeCaseUpdated(CaseFacts& facts, const recovery::v1::CaseUpdated& updated);
// A breach for a case without stored facts: what the breach says.
CaseFacts MergeSlaBreached(CaseFacts facts, const recovery::v1::SlaBreached& breach);

}  // namespace recovery::escalation
