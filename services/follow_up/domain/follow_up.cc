// Follow-up domain rules: SLA clocks, reminder tracks, satisfaction checks and reviews.
#include "services/follow_up/domain/follow_up.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/events.h"
#include "services/common/status_macros.h"
#include "services/follow_up/domain/errors.h"

namespace recovery::follow_up {
namespace {

using common::FromProto;
using common::NewEvent;
using common::ToProto;
namespace v1 = recovery::v1;

SlaClockState& MutableClock(CaseState& c, v1::SlaKind kind) {
  return kind == v1::SLA_KIND_ACKNOWLEDGE ? c.ack : c.resolve;
}

void Arm(Outcome& out, const char* kind, const std::string& key, absl::Time due) {
  out.timers.push_back(TimerOp::Arm(kind, key, due));
}
void Cancel(Outcome& out, const char* kind, const std::string& key) {
  out.timers.push_back(TimerOp::Cancel(kind, key));
}

absl::Status RequireKnown(const CaseState& state) {
  if (state.known) return absl::OkStatus();
  return Refuse(FollowUpError::kUnknownCase, absl::StrCat("case_id: no case '", state.case_id, "' known to follow-up"));
}

v1::Event MakeEvent(absl::Time now, const std::string& case_id, const std::string& cause,
                    const std::string& actor = kServiceActor) {
  return NewEvent(now, case_id, kService, actor, cause);
}

// Starts (or restarts) an SLA clock at `start` for the case's severity; no target: no clock.
void StartClock(const FollowUpConfig& cfg, CaseState& c, v1::SlaKind kind, absl::Time start, Outcome& out) {
  SlaClockState& clock = MutableClock(c, kind);
  const std::string key = SlaTimerKey(c.case_id, kind);
  std::optional<absl::Time> due;
  if (auto it = cfg.sla.find(c.severity); it != cfg.sla.end()) {
    due = cfg.Deadline(kind == v1::SLA_KIND_ACKNOWLEDGE ? it->second.acknowledge : it->second.resolve, start,
                       c.calendar_id);
  }
  if (!due || *due == absl::InfiniteFuture()) {
    if (clock.state == SlaState::kRunning) Cancel(out, kSlaTimer, key);
    clock = SlaClockState{};
    return;
  }
  clock = SlaClockState{SlaState::kRunning, *due, absl::ZeroDuration()};
  Arm(out, kSlaTimer, key, *due);
}

// The clock's goal was reached (acknowledged / resolved / closed): it can no longer breach.
void StopClock(CaseState& c, v1::SlaKind kind, Outcome& out) {
  SlaClockState& clock = MutableClock(c, kind);
  if (clock.state == SlaState::kRunning) Cancel(out, kSlaTimer, SlaTimerKey(c.case_id, kind));
  if (clock.state == SlaState::kRunning || clock.state == SlaState::kPaused) clock.state = SlaState::kMet;
}

const ReminderTrack* FindTrack(const std::vector<ReminderTrack>& tracks, const std::string& id) {
  for (const auto& t : tracks)
    if (t.reminder_id == id) return &t;
  return nullptr;
}

void DropTrack(const std::vector<ReminderTrack>& tracks, const std::string& id, Outcome& out) {
  if (!FindTrack(tracks, id)) return;
  out.rows.delete_reminders.push_back(id);
  Cancel(out, kReminderTimer, id);
}

// Creates, moves or retires the reminder track of an action item or commitment.
void TrackSubject(const FollowUpConfig& cfg, const CaseState& c, const std::vector<ReminderTrack>& tracks,
                  ReminderKind kind, const std::string& subject_id, const std::string& owner, const std::string& text,
                  const google::protobuf::Timestamp* due, bool closed, absl::Time now, Outcome& out) {
  if (subject_id.empty()) return;
  const std::string id = ReminderId(c.case_id, kind, subject_id);
  if (closed || due == nullptr) {
    DropTrack(tracks, id, out);
    return;
  }
  const ReminderTrack* existing = FindTrack(tracks, id);
  ReminderTrack t = existing ? *existing : ReminderTrack{};
  t.reminder_id = id;
  t.case_id = c.case_id;
  t.kind = kind;
  t.subject_id = subject_id;
  if (!owner.empty()) t.owner = owner;
  if (!text.empty()) t.text = text;
  const absl::Time new_due = FromProto(*due);
  const bool placed = !existing || existing->subject_due != new_due;
  if (placed) {
    t.subject_due = new_due;
    PlaceTrack(cfg, t, now);
    Arm(out, kReminderTimer, id, t.next_due);
  }
  out.rows.upsert_reminders.push_back(t);
}

void TrackItem(const FollowUpConfig& cfg, const CaseState& c, const std::vector<ReminderTrack>& tracks,
               const v1::ActionItem& item, bool closed, absl::Time now, Outcome& out) {
  closed = closed || item.status() == v1::ITEM_STATUS_DONE || item.status() == v1::ITEM_STATUS_CANCELLED;
  TrackSubject(cfg, c, tracks, ReminderKind::kActionItem, item.id(), item.owner(), item.what(),
               item.has_due() ? &item.due() : nullptr, closed, now, out);
}

void TrackCommitment(const FollowUpConfig& cfg, const CaseState& c, const std::vector<ReminderTrack>& tracks,
                     const v1::Commitment& cm, bool closed, absl::Time now, Outcome& out) {
  closed = closed || cm.status() == v1::COMMITMENT_STATUS_KEPT || cm.status() == v1::COMMITMENT_STATUS_BROKEN;
  TrackSubject(cfg, c, tracks, ReminderKind::kCommitment, cm.id(), cm.owner(), cm.text(),
               cm.has_due() ? &cm.due() : nullptr, closed, now, out);
}

// (Re)arms the "send the written recap" reminder after a contact or a shared plan.
void TrackWrittenFollowUp(const FollowUpConfig& cfg, const CaseState& c, const std::vector<ReminderTrack>& tracks,
                          const std::string& fallback_recipient, const std::string& what, absl::Time at, Outcome& out) {
  const std::string id = ReminderId(c.case_id, ReminderKind::kWrittenFollowUp, "recap");
  const ReminderTrack* existing = FindTrack(tracks, id);
  ReminderTrack t = existing ? *existing : ReminderTrack{};
  t.reminder_id = id;
  t.case_id = c.case_id;
  t.kind = ReminderKind::kWrittenFollowUp;
  t.subject_id = "recap";
  if (!fallback_recipient.empty()) t.owner = fallback_recipient;
  t.text = what;
  t.subject_due = at + cfg.written_follow_up_after;
  t.stage = ReminderStage::kAtDue;
  t.repeat = 0;
  t.next_due = t.subject_due;
  Arm(out, kReminderTimer, id, t.next_due);
  out.rows.upsert_reminders.push_back(t);
}

// Fills fields a case may learn late (when CaseOpened was not seen).
void Learn(CaseState& c, v1::Severity severity, const std::string& category, const std::string& client_id) {
  if (c.severity == v1::SEVERITY_UNSPECIFIED) c.severity = severity;
  if (c.category.empty()) c.category = category;
  if (c.client_id.empty()) c.client_id = client_id;
}

std::string FormatDue(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

const char* SlaKindName(v1::SlaKind kind) {
  return kind == v1::SLA_KIND_ACKNOWLEDGE ? "acknowledge" : kind == v1::SLA_KIND_RESOLVE ? "resolve" : "commitment";
}

}  // namespace

std::string ReminderId(const std::string& case_id, ReminderKind kind, const std::string& subject_id) {
  const char* k = kind == ReminderKind::kActionItem   ? "item"
                  : kind == ReminderKind::kCommitment ? "commitment"
                                                      : "written";
  return absl::StrCat(case_id, "/", k, "/", subject_id);
}

std::string SlaTimerKey(const std::string& case_id, v1::SlaKind kind) {
  return absl::StrCat(case_id, kind == v1::SLA_KIND_ACKNOWLEDGE ? "/ack" : "/resolve");
}

const SlaClockState& ClockOf(const CaseState& c, v1::SlaKind kind) {
  return kind == v1::SLA_KIND_ACKNOWLEDGE ? c.ack : c.resolve;
}

std::string StageName(ReminderKind kind, ReminderStage stage) {
  if (kind == ReminderKind::kWrittenFollowUp) return "written_follow_up";
  const char* prefix = kind == ReminderKind::kActionItem ? "item" : "commitment";
  const char* suffix = stage == ReminderStage::kBeforeDue ? "before_due"
                       : stage == ReminderStage::kAtDue   ? "due"
                                                          : "overdue";
  return absl::StrCat(prefix, "_", suffix);
}

std::string RecipientOf(const FollowUpConfig& cfg, const CaseState& c, const ReminderTrack& t) {
  std::string person;
  if (t.kind == ReminderKind::kWrittenFollowUp) {
    person = !c.owner.empty() ? c.owner : t.owner;
  } else {
    person = !t.owner.empty() ? t.owner : c.owner;
  }
  if (t.stage == ReminderStage::kOverdue && t.repeat > cfg.reminders.manager_after) {
    if (auto it = cfg.managers.find(person); it != cfg.managers.end()) return it->second;
  }
  return person;
}

std::string ReasonOf(const ReminderTrack& t) {
  const std::string subject = t.kind == ReminderKind::kActionItem ? absl::StrCat("Action item '", t.text, "'")
                              : t.kind == ReminderKind::kCommitment
                                  ? absl::StrCat("Commitment to the client '", t.text, "'")
                                  : std::string("Written recap of agreed next steps");
  switch (t.stage) {
    case ReminderStage::kBeforeDue:
      return absl::StrCat(subject, " is due at ", FormatDue(t.subject_due));
    case ReminderStage::kAtDue:
      if (t.kind == ReminderKind::kWrittenFollowUp) return absl::StrCat(subject, " has not been sent (", t.text, ")");
      return absl::StrCat(subject, " is due now (", FormatDue(t.subject_due), ")");
    case ReminderStage::kOverdue:
      return absl::StrCat(subject, " is overdue since ", FormatDue(t.subject_due), " (reminder ", t.repeat, ")");
  }
  return subject;
}

void PlaceTrack(const FollowUpConfig& cfg, ReminderTrack& t, absl::Time now) {
  t.repeat = 0;
  const absl::Duration lead = cfg.reminders.lead;
  if (t.kind != ReminderKind::kWrittenFollowUp && lead > absl::ZeroDuration() && t.subject_due - lead > now) {
    t.stage = ReminderStage::kBeforeDue;
    t.next_due = t.subject_due - lead;
  } else {
    t.stage = ReminderStage::kAtDue;
    t.next_due = t.subject_due;
  }
}

Outcome OnEvent(const FollowUpConfig& cfg, const CaseState& state, const std::vector<ReminderTrack>& reminders,
                const v1::Event& e, absl::Time now) {
  Outcome out;
  if (e.case_id().empty()) return out;
  CaseState c = state;
  c.case_id = e.case_id();
  const absl::Time at = e.has_occurred_at() ? FromProto(e.occurred_at()) : now;
  bool changed = true;
  switch (e.body_case()) {
    case v1::Event::kCaseOpened: {
      const auto& b = e.case_opened();
      c.known = true;
      c.severity = b.severity();
      c.category = b.category();
      c.client_id = b.client().id();
      c.calendar_id = b.client().calendar_id();
      c.status = v1::CASE_STATUS_OPEN;
      c.opened_at = at;
      StartClock(cfg, c, v1::SLA_KIND_ACKNOWLEDGE, at, out);
      StartClock(cfg, c, v1::SLA_KIND_RESOLVE, at, out);
      break;
    }
    case v1::Event::kCaseUpdated: {
      const auto& b = e.case_updated();
      if (!b.category().empty()) c.category = b.category();
      if (b.severity() != v1::SEVERITY_UNSPECIFIED && b.severity() != c.severity) {
        c.severity = b.severity();
        // A new severity means new targets, measured from when the case was opened.
        const absl::Time start = c.opened_at.value_or(at);
        for (auto kind : {v1::SLA_KIND_ACKNOWLEDGE, v1::SLA_KIND_RESOLVE})
          if (ClockOf(c, kind).state == SlaState::kRunning) StartClock(cfg, c, kind, start, out);
      }
      break;
    }
    case v1::Event::kCaseAcknowledged: {
      const auto& b = e.case_acknowledged();
      Learn(c, b.severity(), b.category(), b.client_id());
      if (!c.acked_at) c.acked_at = at;
      if (!b.owner().empty())
        c.owner = b.owner();
      else if (c.owner.empty())
        c.owner = b.acknowledged_by();
      if (c.status == v1::CASE_STATUS_OPEN || c.status == v1::CASE_STATUS_UNSPECIFIED)
        c.status = v1::CASE_STATUS_ACKNOWLEDGED;
      StopClock(c, v1::SLA_KIND_ACKNOWLEDGE, out);
      break;
    }
    case v1::Event::kOwnerAssigned:
      if (!e.owner_assigned().owner().empty()) c.owner = e.owner_assigned().owner();
      break;
    case v1::Event::kCaseResolved: {
      const auto& b = e.case_resolved();
      Learn(c, v1::SEVERITY_UNSPECIFIED, b.category(), b.client_id());
      if (!b.owner().empty()) c.owner = b.owner();
      c.resolved_at = at;
      c.status = v1::CASE_STATUS_RESOLVED;
      StopClock(c, v1::SLA_KIND_ACKNOWLEDGE, out);
      StopClock(c, v1::SLA_KIND_RESOLVE, out);
      c.satisfaction_pending = true;
      Arm(out, kSatisfactionTimer, c.case_id, at + cfg.satisfaction_delay);
      break;
    }
    case v1::Event::kCaseReopened: {
      const auto& b = e.case_reopened();
      Learn(c, b.severity(), b.category(), b.client().id());
      if (b.severity() != v1::SEVERITY_UNSPECIFIED) c.severity = b.severity();
      if (c.calendar_id.empty()) c.calendar_id = b.client().calendar_id();
      c.known = true;
      c.status = v1::CASE_STATUS_REOPENED;
      c.resolved_at.reset();
      c.closed_at.reset();
      if (c.satisfaction_pending) Cancel(out, kSatisfactionTimer, c.case_id);
      c.satisfaction_pending = false;
      StartClock(cfg, c, v1::SLA_KIND_RESOLVE, at, out);
      break;
    }
    case v1::Event::kCaseClosed: {
      const auto& b = e.case_closed();
      if (!b.owner().empty()) c.owner = b.owner();
      c.closed_at = at;
      c.status = v1::CASE_STATUS_CLOSED;
      StopClock(c, v1::SLA_KIND_ACKNOWLEDGE, out);
      StopClock(c, v1::SLA_KIND_RESOLVE, out);
      DropTrack(reminders, ReminderId(c.case_id, ReminderKind::kWrittenFollowUp, "recap"), out);
      v1::Event due = MakeEvent(now, c.case_id, e.event_id());
      due.mutable_review_due()->set_owner(c.owner);
      out.events.push_back(std::move(due));
      break;
    }
    case v1::Event::kContactRecorded: {
      const auto& b = e.contact_recorded();
      TrackWrittenFollowUp(cfg, c, reminders, b.recorded_by(), absl::StrCat("after contact: ", b.summary()), at, out);
      changed = false;
      break;
    }
    case v1::Event::kPlanShared:
      TrackWrittenFollowUp(cfg, c, reminders, "",
                           absl::StrCat("after plan v", e.plan_shared().version(), " was shared"), at, out);
      changed = false;
      break;
    case v1::Event::kPlanDrafted:
      for (const auto& item : e.plan_drafted().items()) TrackItem(cfg, c, reminders, item, false, now, out);
      changed = false;
      break;
    case v1::Event::kActionItemAdded:
      TrackItem(cfg, c, reminders, e.action_item_added().item(), false, now, out);
      changed = false;
      break;
    case v1::Event::kActionItemUpdated:
      TrackItem(cfg, c, reminders, e.action_item_updated().item(), false, now, out);
      changed = false;
      break;
    case v1::Event::kActionItemCompleted:
      TrackItem(cfg, c, reminders, e.action_item_completed().item(), true, now, out);
      changed = false;
      break;
    case v1::Event::kCommitmentMade:
      TrackCommitment(cfg, c, reminders, e.commitment_made().commitment(), false, now, out);
      changed = false;
      break;
    case v1::Event::kCommitmentUpdated:
      TrackCommitment(cfg, c, reminders, e.commitment_updated().commitment(), false, now, out);
      changed = false;
      break;
    case v1::Event::kCommitmentKept:
      TrackCommitment(cfg, c, reminders, e.commitment_kept().commitment(), true, now, out);
      changed = false;
      break;
    case v1::Event::kCommitmentBroken:
      TrackCommitment(cfg, c, reminders, e.commitment_broken().commitment(), true, now, out);
      changed = false;
      break;
    case v1::Event::kRootCauseSet:
      if (!e.root_cause_set().category().empty()) c.root_cause = e.root_cause_set().category();
      break;
    default:
      changed = false;
      break;
  }
  if (changed) {
    c.known = true;
    out.rows.case_state = c;
  }
  return out;
}

Outcome OnSlaTimer(const FollowUpConfig& /*cfg*/, const CaseState& state, v1::SlaKind kind, absl::Time now,
                   const std::string& cause) {
  Outcome out;
  if (ClockOf(state, kind).state != SlaState::kRunning) return out;  // met, paused or stale
  CaseState c = state;
  SlaClockState& clock = MutableClock(c, kind);
  clock.state = SlaState::kBreached;
  ++c.breaches;
  v1::Event e = MakeEvent(now, c.case_id, cause);
  auto* b = e.mutable_sla_breached();
  b->set_kind(kind);
  b->set_severity(c.severity);
  *b->mutable_due() = ToProto(clock.due);
  b->set_category(c.category);
  b->set_client_id(c.client_id);
  b->set_owner(c.owner);
  out.events.push_back(std::move(e));
  out.rows.case_state = std::move(c);
  return out;
}

Outcome OnReminderTimer(const FollowUpConfig& cfg, const CaseState& state, const ReminderTrack& track, absl::Time now,
                        const std::string& cause) {
  Outcome out;
  const std::string recipient = RecipientOf(cfg, state, track);
  v1::Event e = MakeEvent(now, track.case_id, cause);
  auto* r = e.mutable_reminder_due();
  r->set_reminder_id(track.reminder_id);
  r->set_recipient(recipient);
  r->set_reason(ReasonOf(track));
  r->set_kind(StageName(track.kind, track.stage));
  r->set_subject_id(track.subject_id);
  *r->mutable_due() = ToProto(track.subject_due);
  r->set_repeat(track.repeat);
  out.events.push_back(std::move(e));

  if (track.kind == ReminderKind::kCommitment && track.stage == ReminderStage::kAtDue) {
    // A promise to the client passed its time unkept: record it broken and escalate.
    v1::Event broken = MakeEvent(now, track.case_id, cause);
    auto* b = broken.mutable_commitment_broken();
    auto* cm = b->mutable_commitment();
    cm->set_id(track.subject_id);
    cm->set_text(track.text);
    cm->set_owner(track.owner);
    *cm->mutable_due() = ToProto(track.subject_due);
    cm->set_status(v1::COMMITMENT_STATUS_BROKEN);
    b->set_reason("due time passed without the commitment being kept");
    out.events.push_back(std::move(broken));
    v1::Event breach = MakeEvent(now, track.case_id, cause);
    auto* s = breach.mutable_sla_breached();
    s->set_kind(v1::SLA_KIND_COMMITMENT);
    s->set_severity(state.severity);
    *s->mutable_due() = ToProto(track.subject_due);
    s->set_category(state.category);
    s->set_client_id(state.client_id);
    s->set_subject_id(track.subject_id);
    s->set_owner(recipient);
    out.events.push_back(std::move(breach));
    if (state.known) {
      CaseState c = state;
      ++c.breaches;
      out.rows.case_state = std::move(c);
    }
  }

  ReminderTrack next = track;
  bool more = true;
  switch (track.stage) {
    case ReminderStage::kBeforeDue:
      next.stage = ReminderStage::kAtDue;
      next.next_due = track.subject_due;
      break;
    case ReminderStage::kAtDue:
      more = track.kind != ReminderKind::kWrittenFollowUp && cfg.reminders.overdue_max > 0;
      next.stage = ReminderStage::kOverdue;
      next.repeat = 1;
      break;
    case ReminderStage::kOverdue:
      more = track.repeat < cfg.reminders.overdue_max;
      next.repeat = track.repeat + 1;
      break;
  }
  if (more && next.stage == ReminderStage::kOverdue) {
    // On schedule from the due time, but never a burst of repeats after downtime.
    next.next_due =
        std::max(track.subject_due + cfg.reminders.overdue_every * next.repeat, now + cfg.reminders.overdue_every);
  }
  if (more) {
    out.rows.upsert_reminders.push_back(next);
    Arm(out, kReminderTimer, next.reminder_id, next.next_due);
  } else {
    out.rows.delete_reminders.push_back(track.reminder_id);  // the timer row was consumed by firing
  }
  return out;
}

Outcome OnSatisfactionTimer(const CaseState& state, absl::Time now, const std::string& cause) {
  Outcome out;
  if (!state.satisfaction_pending) return out;
  CaseState c = state;
  c.satisfaction_pending = false;
  v1::Event e = MakeEvent(now, c.case_id, cause);
  e.mutable_satisfaction_check_due()->set_client_id(c.client_id);
  out.events.push_back(std::move(e));
  out.rows.case_state = std::move(c);
  return out;
}

absl::StatusOr<Outcome> PauseSla(const CaseState& state, v1::SlaKind kind, const std::string& reason, absl::Time now,
                                 const std::string& actor, const std::string& cause) {
  RETURN_IF_ERROR(RequireKnown(state));
  if (ClockOf(state, kind).state != SlaState::kRunning)
    return Refuse(FollowUpError::kClockNotRunning,
                  absl::StrCat("kind: the ", SlaKindName(kind), " SLA clock is not running"));
  Outcome out;
  CaseState c = state;
  SlaClockState& clock = MutableClock(c, kind);
  clock.state = SlaState::kPaused;
  clock.remaining = std::max(absl::ZeroDuration(), clock.due - now);
  Cancel(out, kSlaTimer, SlaTimerKey(c.case_id, kind));
  v1::Event e = MakeEvent(now, c.case_id, cause, actor);
  auto* b = e.mutable_sla_paused();
  b->set_kind(kind);
  b->set_reason(reason);
  b->mutable_remaining()->set_seconds(absl::ToInt64Seconds(clock.remaining));
  out.events.push_back(std::move(e));
  out.rows.case_state = std::move(c);
  return out;
}

absl::StatusOr<Outcome> ResumeSla(const CaseState& state, v1::SlaKind kind, absl::Time now, const std::string& actor,
                                  const std::string& cause) {
  RETURN_IF_ERROR(RequireKnown(state));
  if (ClockOf(state, kind).state != SlaState::kPaused)
    return Refuse(FollowUpError::kClockNotPaused,
                  absl::StrCat("kind: the ", SlaKindName(kind), " SLA clock is not paused"));
  Outcome out;
  CaseState c = state;
  SlaClockState& clock = MutableClock(c, kind);
  clock.state = SlaState::kRunning;
  clock.due = now + clock.remaining;
  clock.remaining = absl::ZeroDuration();
  Arm(out, kSlaTimer, SlaTimerKey(c.case_id, kind), clock.due);
  v1::Event e = MakeEvent(now, c.case_id, cause, actor);
  e.mutable_sla_resumed()->set_kind(kind);
  *e.mutable_sla_resumed()->mutable_new_due() = ToProto(clock.due);
  out.events.push_back(std::move(e));
  out.rows.case_state = std::move(c);
  return out;
}

absl::StatusOr<Outcome> SnoozeReminder(const ReminderTrack& track, absl::Time until, absl::Time now,
                                       const std::string& actor, const std::string& cause) {
  if (until <= now) return Refuse(FollowUpError::kSnoozeNotInFuture, "until: must be in the future");
  Outcome out;
  ReminderTrack t = track;
  t.next_due = until;
  Arm(out, kReminderTimer, t.reminder_id, until);
  v1::Event e = MakeEvent(now, t.case_id, cause, actor);
  e.mutable_reminder_snoozed()->set_reminder_id(t.reminder_id);
  *e.mutable_reminder_snoozed()->mutable_until() = ToProto(until);
  out.events.push_back(std::move(e));
  out.rows.upsert_reminders.push_back(std::move(t));
  return out;
}

absl::StatusOr<Outcome> RecordSatisfaction(const FollowUpConfig& cfg, const CaseState& state, int score,
                                           const std::string& comment, absl::Time now, const std::string& actor,
                                           const std::string& cause) {
  RETURN_IF_ERROR(RequireKnown(state));
  if (state.satisfaction)
    return Refuse(FollowUpError::kSatisfactionAlreadyRecorded,
                  absl::StrCat("case_id: satisfaction ", *state.satisfaction, "/5 already recorded for the case"));
  Outcome out;
  CaseState c = state;
  c.satisfaction = score;
  c.satisfaction_comment = comment;
  if (c.satisfaction_pending) Cancel(out, kSatisfactionTimer, c.case_id);  // the answer came first
  c.satisfaction_pending = false;
  v1::Event e = MakeEvent(now, c.case_id, cause, actor);
  auto* b = e.mutable_satisfaction_recorded();
  b->set_score(score);
  b->set_comment(comment);
  b->set_low(score <= cfg.satisfaction_low_threshold);
  b->set_client_id(c.client_id);
  out.events.push_back(std::move(e));
  out.rows.case_state = std::move(c);
  return out;
}

absl::StatusOr<Outcome> RecordFollowUpSent(const CaseState& state, const std::vector<ReminderTrack>& reminders,
                                           const v1::FollowUpSent& sent, absl::Time now, const std::string& actor,
                                           const std::string& cause) {
  RETURN_IF_ERROR(RequireKnown(state));
  Outcome out;
  DropTrack(reminders, ReminderId(state.case_id, ReminderKind::kWrittenFollowUp, "recap"), out);
  v1::Event e = MakeEvent(now, state.case_id, cause, actor);
  *e.mutable_follow_up_sent() = sent;
  out.events.push_back(std::move(e));
  return out;
}

absl::StatusOr<Outcome> SubmitReview(const CaseState& state, const std::optional<std::string>& prior_review_id,
                                     const v1::Review& review, absl::Time now, const std::string& actor,
                                     const std::string& cause) {
  RETURN_IF_ERROR(RequireKnown(state));
  if (state.status != v1::CASE_STATUS_RESOLVED && state.status != v1::CASE_STATUS_CLOSED)
    return Refuse(FollowUpError::kCaseNotResolved, "case_id: the case is not resolved or closed yet");
  if (prior_review_id)
    return Refuse(FollowUpError::kReviewAlreadySubmitted,
                  absl::StrCat("case_id: review ", *prior_review_id, " already submitted"));
  Outcome out;
  CaseState c = state;
  c.themes.assign(review.themes().begin(), review.themes().end());
  if (!review.root_cause().empty()) c.root_cause = review.root_cause();
  v1::Event e = MakeEvent(now, c.case_id, cause, actor);
  auto* submitted = e.mutable_review_submitted();
  submitted->set_review_id(review.review_id());
  *submitted->mutable_themes() = review.themes();
  submitted->set_root_cause(review.root_cause());
  out.events.push_back(std::move(e));
  out.rows.case_state = std::move(c);
  out.rows.insert_review = review;
  return out;
}

}  // namespace recovery::follow_up
