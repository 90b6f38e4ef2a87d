// The follow-up domain: pure functions (state, input, now) -> Outcome (new state, timers to
// arm or cancel, events to publish). No I/O; the caller applies an Outcome in one transaction.
//
// Timers (kinds below) carry no state of their own: the handler loads the case or reminder
// named by the key and asks this module what firing means now, so a stale timer is harmless.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "recovery/v1/follow_up.pb.h"
#include "services/common/outcome.h"
#include "services/follow_up/domain/config.h"

namespace recovery::follow_up {

inline constexpr char kService[] = "follow-up";
// The actor of what follow-up does on its own (timers, effects of consumed events); the
// actor of an RPC's events is its authenticated caller's (Principal::Actor()).
inline constexpr char kServiceActor[] = "service:follow-up";
// Timer kinds. Keys: sla "<case>/ack" | "<case>/resolve"; reminder: the reminder id;
// satisfaction: the case id.
inline constexpr char kSlaTimer[] = "fu.sla";
inline constexpr char kReminderTimer[] = "fu.reminder";
inline constexpr char kSatisfactionTimer[] = "fu.satisfaction";

enum class SlaState { kNone = 0, kRunning = 1, kPaused = 2, kMet = 3, kBreached = 4 };

struct SlaClockState {
  SlaState state = SlaState::kNone;
  absl::Time due = absl::InfinitePast();            // while running (and the breached deadline)
  absl::Duration remaining = absl::ZeroDuration();  // while paused
};

// Everything follow-up knows about one case; also the per-case facts row used by trends.
struct CaseState {
  std::string case_id;
  bool known = false;  // false: no row yet
  recovery::v1::Severity severity = recovery::v1::SEVERITY_UNSPECIFIED;
  std::string category;
  std::string client_id;
  std::string calendar_id;
  std::string owner;
  recovery::v1::CaseStatus status = recovery::v1::CASE_STATUS_UNSPECIFIED;
  std::optional<absl::Time> opened_at, acked_at, resolved_at, closed_at;
  SlaClockState ack, resolve;
  int breaches = 0;
  std::optional<int> satisfaction;
  std::string satisfaction_comment;
  std::vector<std::string> themes;
  std::string root_cause;
  bool satisfaction_pending = false;  // a satisfaction check timer is armed
};

enum class ReminderKind { kActionItem = 1, kCommitment = 2, kWrittenFollowUp = 3 };
enum class ReminderStage { kBeforeDue = 1, kAtDue = 2, kOverdue = 3 };

// One tracked subject (action item, commitment, written recap) and its next firing.
struct ReminderTrack {
  std::string reminder_id;  // ReminderId(case, kind, subject)
  std::string case_id;
  ReminderKind kind = ReminderKind::kActionItem;
  std::string subject_id;
  std::string owner;  // person responsible for the subject ("" -> case owner)
  std::string text;   // what / commitment text
  absl::Time subject_due = absl::InfinitePast();
  ReminderStage stage = ReminderStage::kAtDue;
  int repeat = 0;  // overdue repeat number of the next firing (1-based), 0 otherwise
  absl::Time next_due = absl::InfinitePast();
};

// The follow-up rows an Outcome writes (store.h WriteRows).
struct Rows {
  std::optional<CaseState> case_state;                // set: write this row
  std::vector<ReminderTrack> upsert_reminders;        // write these rows
  std::vector<std::string> delete_reminders;          // remove these rows
  std::optional<recovery::v1::Review> insert_review;  // a submitted review
};
using common::TimerOp;
using Outcome = common::Outcome<Rows>;

std::string ReminderId(const std::string& case_id, ReminderKind kind, const std::string& subject_id);
std::string SlaTimerKey(const std::string& case_id, recovery::v1::SlaKind kind);
// The ReminderDue.kind string of a track's next firing, e.g. "item_before_due", "commitment_overdue".
std::string StageName(ReminderKind kind, ReminderStage stage);
// The person the next firing goes to: the owner (or case owner), the owner's manager after
// `manager_after` overdue repeats.
std::string RecipientOf(const FollowUpConfig& cfg, const CaseState& c, const ReminderTrack& t);
std::string ReasonOf(const ReminderTrack& t);

// Places a track at its first stage that is still ahead of `now` (before due, else at due).
void PlaceTrack(const FollowUpConfig& cfg, ReminderTrack& t, absl::Time now);

// Reacts to one event from the topic (validated: validation.h ValidateEvent). `reminders`
// are the case's current tracks. The runtime keeps follow-up's own events away from it.
Outcome OnEvent(const FollowUpConfig& cfg, const CaseState& state, const std::vector<ReminderTrack>& reminders,
                const recovery::v1::Event& event, absl::Time now);

// Timer firings. `cause` becomes the causation id of published events.
Outcome OnSlaTimer(const FollowUpConfig& cfg, const CaseState& state, recovery::v1::SlaKind kind, absl::Time now,
                   const std::string& cause);
Outcome OnReminderTimer(const FollowUpConfig& cfg, const CaseState& state, const ReminderTrack& track, absl::Time now,
                        const std::string& cause);
Outcome OnSatisfactionTimer(const CaseState& state, absl::Time now, const std::string& cause);

// RPC decisions (inputs already validated for shape; these check state). Every one refuses
// a case follow-up has not seen (kUnknownCase); refusals are statuses from Refuse (errors.h).
absl::StatusOr<Outcome> PauseSla(const CaseState& state, recovery::v1::SlaKind kind, const std::string& reason,
                                 absl::Time now, const std::string& actor, const std::string& cause);
absl::StatusOr<Outcome> ResumeSla(const CaseState& state, recovery::v1::SlaKind kind, absl::Time now,
                                  const std::string& actor, const std::string& cause);
absl::StatusOr<Outcome> SnoozeReminder(const ReminderTrack& track, absl::Time until, absl::Time now,
                                       const std::string& actor, const std::string& cause);
// A second satisfaction answer for a case is refused (kSatisfactionAlreadyRecorded): the
// first answer is the one trends count; a replay of the same request_id is answered from the
// idempotency record before this is asked.
absl::StatusOr<Outcome> RecordSatisfaction(const FollowUpConfig& cfg, const CaseState& state, int score,
                                           const std::string& comment, absl::Time now, const std::string& actor,
                                           const std::string& cause);

// The written recap was sent: stops the written follow-up reminder, publishes FollowUpSent
// (`sent.sent_by` is the acting person's id, `actor` the event's actor).
absl::StatusOr<Outcome> RecordFollowUpSent(const CaseState& state, const std::vector<ReminderTrack>& reminders,
                                           const recovery::v1::FollowUpSent& sent, absl::Time now,
                                           const std::string& actor, const std::string& cause);
// A quality review of a resolved or closed case (one per case: `prior_review_id` is the
// review already stored, if any): its themes and root cause become the case's facts.
absl::StatusOr<Outcome> SubmitReview(const CaseState& state, const std::optional<std::string>& prior_review_id,
                                     const recovery::v1::Review& review, absl::Time now, const std::string& actor,
                                     const std::string& cause);

// The clock of one SLA kind (ack or resolve).
const SlaClockState& ClockOf(const CaseState& c, recovery::v1::SlaKind kind);

}  // namespace recovery::follow_up
