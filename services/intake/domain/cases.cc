// Intake decisions: the case state machine applied, history rows and events built.
#include "services/intake/domain/cases.h"

#include "absl/strings/str_cat.h"
#include "services/common/ids.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/intake/domain/case_state.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
using recovery::common::FromProto;
using recovery::common::NewId;
using recovery::common::ToProto;

// Sets the case's latest emotional state and adds its history row (none when unspecified).
void RecordEmotion(CaseRows& rows, v1::Case& c, v1::EmotionalState state, const std::string& source,
                   const Cause& cause) {
  if (state == v1::EMOTIONAL_STATE_UNSPECIFIED) return;
  c.set_emotional_state(state);
  v1::EmotionalStateRecord& e = rows.emotions.emplace_back();
  e.set_state(state);
  *e.mutable_recorded_at() = ToProto(cause.now);
  e.set_recorded_by(cause.Actor());
  e.set_source(source);
}

// Moves `c` through `t`: its status, the time of the new status and the transition row.
// Returns the status it had.
absl::StatusOr<v1::CaseStatus> Transit(CaseRows& rows, v1::Case& c, Transition t, const std::string& reason,
                                       const Cause& cause) {
  const v1::CaseStatus previous = c.status();
  ASSIGN_OR_RETURN(const v1::CaseStatus next, ApplyTransition(previous, t));
  c.set_status(next);
  const google::protobuf::Timestamp now = ToProto(cause.now);
  *c.mutable_updated_at() = now;
  switch (next) {
    case v1::CASE_STATUS_OPEN:
      *c.mutable_opened_at() = now;
      break;
    case v1::CASE_STATUS_ACKNOWLEDGED:
      *c.mutable_acknowledged_at() = now;
      break;
    case v1::CASE_STATUS_PLANNED:
      *c.mutable_planned_at() = now;
      break;
    case v1::CASE_STATUS_RESOLVED:
      *c.mutable_resolved_at() = now;
      break;
    case v1::CASE_STATUS_CLOSED:
      *c.mutable_closed_at() = now;
      break;
    case v1::CASE_STATUS_REOPENED:
      *c.mutable_reopened_at() = now;
      break;
    default:
      break;
  }
  v1::StatusTransition& row = rows.transitions.emplace_back();
  row.set_from(previous);
  row.set_to(next);
  *row.mutable_at() = now;
  row.set_actor(cause.Actor());
  row.set_reason(reason);
  return previous;
}

// A contact with the client on `c` (id, author and time filled here), with its emotional
// state and, for a repeat report, the case's repeat count; publishes ContactRecorded.
CaseDecision AddContact(v1::Case c, v1::ContactRecord contact, const std::string& emotion_source, const Cause& cause) {
  CaseDecision d;
  CaseRows& rows = d.outcome.rows;
  contact.set_contact_id(NewId(cause.now));
  contact.set_recorded_by(cause.Actor());
  *contact.mutable_recorded_at() = ToProto(cause.now);
  RecordEmotion(rows, c, contact.emotional_state(), emotion_source, cause);
  if (contact.repeat_report()) c.set_repeat_reports(c.repeat_reports() + 1);
  *c.mutable_updated_at() = ToProto(cause.now);
  d.outcome.events.push_back(ContactRecordedEvent(c.id(), contact, cause));
  d.new_id = contact.contact_id();
  rows.contacts.push_back(std::move(contact));
  rows.save_case = c;
  d.case_record = std::move(c);
  return d;
}

// A change of the case's own fields only: saved, with one event.
CaseDecision Saved(v1::Case c, v1::Event event) {
  CaseDecision d;
  d.outcome.rows.save_case = c;
  d.outcome.events.push_back(std::move(event));
  d.case_record = std::move(c);
  return d;
}

CaseDecision Unchanged(v1::Case c) {
  CaseDecision d;
  d.case_record = std::move(c);
  return d;
}

v1::Channel ChannelForSignal(v1::SignalKind kind) {
  switch (kind) {
    case v1::SIGNAL_KIND_SURVEY_SCORE:
    case v1::SIGNAL_KIND_LOW_SATISFACTION:
      return v1::CHANNEL_SURVEY;
    default:
      return v1::CHANNEL_OTHER;
  }
}

std::string SignalSummary(v1::SignalKind kind, double score, const std::string& detail) {
  std::string s;
  switch (kind) {
    case v1::SIGNAL_KIND_SURVEY_SCORE:
      s = absl::StrCat("Low survey score (", score, ")");
      break;
    case v1::SIGNAL_KIND_MISSED_DEADLINE:
      s = "Missed deadline";
      break;
    case v1::SIGNAL_KIND_NEGATIVE_SENTIMENT:
      s = "Negative sentiment";
      break;
    case v1::SIGNAL_KIND_LOW_SATISFACTION:
      s = absl::StrCat("Low satisfaction score (", score, ")");
      break;
    default:
      s = "Weak signal";
  }
  if (!detail.empty()) absl::StrAppend(&s, ": ", detail);
  return s;
}

// At most `max` code points, cut at a character boundary, "..." marking the cut.
std::string Shorten(std::string s, size_t max) {
  size_t chars = 0, cut = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (chars == max - 3) cut = i;
    if (++chars > max) {
      s.resize(cut);
      return s + "...";
    }
  }
  return s;
}

}  // namespace

absl::StatusOr<CaseDecision> DecideOpen(const ReportState& state, v1::Case draft, const Cause& cause,
                                        const IntakeConfig& config) {
  if (state.active &&
      IsRepeatReport(state.active->status(), FromProto(state.active->opened_at()), cause.now, config.dedup_window)) {
    v1::ContactRecord contact;
    contact.set_channel(draft.channel());
    contact.set_summary(absl::StrCat("Repeat report: ", draft.summary()));
    contact.set_emotional_state(draft.emotional_state());
    contact.set_repeat_report(true);
    return AddContact(*state.active, std::move(contact), "repeat report", cause);
  }

  CaseDecision d;
  d.opened = true;
  CaseRows& rows = d.outcome.rows;
  v1::Case c = std::move(draft);
  c.clear_transitions();
  c.clear_emotional_history();
  c.clear_contacts();
  c.clear_notes();
  c.set_id(NewId(cause.now));
  c.set_status(v1::CASE_STATUS_UNSPECIFIED);
  c.set_opened_by(cause.Actor());
  const v1::EmotionalState emotion = c.emotional_state();
  c.set_emotional_state(v1::EMOTIONAL_STATE_UNSPECIFIED);
  RETURN_IF_ERROR(
      Transit(rows, c, Transition::kOpen, c.opened_from_signal_id().empty() ? "opened" : "opened from signal", cause)
          .status());
  RecordEmotion(rows, c, emotion, "open", cause);
  rows.report_key = ReportKeyMove{c.client().id(), c.category(), state.report_key, c.id()};
  d.outcome.events.push_back(CaseOpenedEvent(c, cause));
  rows.insert_case = c;
  // The new case's whole history is what this decision wrote.
  for (const auto& t : rows.transitions) *c.add_transitions() = t;
  for (const auto& e : rows.emotions) *c.add_emotional_history() = e;
  d.case_record = std::move(c);
  return d;
}

absl::StatusOr<CaseDecision> DecideUpdate(v1::Case c, const v1::UpdateCaseRequest& req, const Cause& cause) {
  RETURN_IF_ERROR(CheckEditable(c.status(), "UpdateCase"));
  const v1::Severity previous_severity = c.severity();
  std::vector<std::string> changed;
  auto set_text = [&](const std::string& path, const std::string& value, std::string* field) {
    if (*field != value) {
      *field = value;
      changed.push_back(path);
    }
  };
  for (const std::string& path : req.update_mask().paths()) {
    if (path == "summary") set_text(path, req.summary(), c.mutable_summary());
    if (path == "description") set_text(path, req.description(), c.mutable_description());
    if (path == "client_view") set_text(path, req.client_view(), c.mutable_client_view());
    if (path == "firm_view") set_text(path, req.firm_view(), c.mutable_firm_view());
    if (path == "category") set_text(path, req.category(), c.mutable_category());
    if (path == "severity" && c.severity() != req.severity()) {
      c.set_severity(req.severity());
      changed.push_back(path);
    }
    if (path == "contact" && c.contact().SerializeAsString() != req.contact().SerializeAsString()) {
      *c.mutable_contact() = req.contact();
      changed.push_back(path);
    }
  }
  if (changed.empty()) return Unchanged(std::move(c));
  *c.mutable_updated_at() = ToProto(cause.now);
  v1::Event e = CaseUpdatedEvent(c, changed, previous_severity, cause);
  return Saved(std::move(c), std::move(e));
}

absl::StatusOr<CaseDecision> DecideRecordContact(v1::Case c, v1::Channel channel, const std::string& summary,
                                                 v1::EmotionalState emotion, const Cause& cause) {
  v1::ContactRecord contact;
  contact.set_channel(channel);
  contact.set_summary(summary);
  contact.set_emotional_state(emotion);
  return AddContact(std::move(c), std::move(contact), "contact", cause);
}

absl::StatusOr<CaseDecision> DecideAddNote(v1::Case c, const std::string& text, bool shareable, const Cause& cause) {
  v1::Note note;
  note.set_note_id(NewId(cause.now));
  note.set_text(text);
  note.set_shareable(shareable);
  note.set_author(cause.Actor());
  *note.mutable_created_at() = ToProto(cause.now);
  *c.mutable_updated_at() = ToProto(cause.now);
  v1::Event e = NoteAddedEvent(c.id(), note, cause);
  CaseDecision d = Saved(std::move(c), std::move(e));
  d.new_id = note.note_id();
  d.outcome.rows.notes.push_back(std::move(note));
  return d;
}

absl::StatusOr<CaseDecision> DecideAcknowledge(v1::Case c, const std::string& acknowledged_by,
                                               const std::string& message, v1::EmotionalState emotion,
                                               const Cause& cause) {
  CaseDecision d;
  CaseRows& rows = d.outcome.rows;
  ASSIGN_OR_RETURN(const v1::CaseStatus previous, Transit(rows, c, Transition::kAcknowledge, message, cause));
  RecordEmotion(rows, c, emotion, "acknowledge", cause);
  // A reopened case is acknowledged again: its clock starts at the reopening.
  const absl::Time since = previous == v1::CASE_STATUS_REOPENED ? FromProto(c.reopened_at()) : FromProto(c.opened_at());
  d.outcome.events.push_back(CaseAcknowledgedEvent(c, acknowledged_by, message, emotion, cause.now - since, cause));
  rows.save_case = c;
  d.case_record = std::move(c);
  return d;
}

absl::StatusOr<CaseDecision> DecideAssignOwner(v1::Case c, const std::string& owner, const std::string& reason,
                                               bool require_editable, const Cause& cause) {
  if (require_editable) RETURN_IF_ERROR(CheckEditable(c.status(), "AssignOwner"));
  if (c.owner() == owner) return Unchanged(std::move(c));
  const std::string previous = c.owner();
  c.set_owner(owner);
  *c.mutable_updated_at() = ToProto(cause.now);
  v1::Event e = OwnerAssignedEvent(c.id(), owner, previous, reason.empty() ? "manual" : reason, cause);
  return Saved(std::move(c), std::move(e));
}

absl::StatusOr<CaseDecision> DecideResolve(v1::Case c, const std::string& resolution, const Cause& cause) {
  CaseDecision d;
  RETURN_IF_ERROR(Transit(d.outcome.rows, c, Transition::kResolve, resolution, cause).status());
  c.set_resolution(resolution);
  d.outcome.events.push_back(CaseResolvedEvent(c, cause.now - FromProto(c.opened_at()), cause));
  d.outcome.rows.save_case = c;
  d.case_record = std::move(c);
  return d;
}

absl::StatusOr<CaseDecision> DecideClose(v1::Case c, const std::string& reason, const Cause& cause) {
  CaseDecision d;
  RETURN_IF_ERROR(Transit(d.outcome.rows, c, Transition::kClose, reason, cause).status());
  d.outcome.events.push_back(CaseClosedEvent(c, reason, cause));
  d.outcome.rows.save_case = c;
  d.case_record = std::move(c);
  return d;
}

absl::StatusOr<CaseDecision> DecideReopen(v1::Case c, const std::string& reason, const Cause& cause) {
  CaseDecision d;
  ASSIGN_OR_RETURN(const v1::CaseStatus previous, Transit(d.outcome.rows, c, Transition::kReopen, reason, cause));
  d.outcome.events.push_back(CaseReopenedEvent(c, reason, previous, cause));
  d.outcome.rows.save_case = c;
  d.case_record = std::move(c);
  return d;
}

CaseDecision DecidePlanned(v1::Case c, const std::string& plan_version, const Cause& cause) {
  CaseDecision d;
  if (!Transit(d.outcome.rows, c, Transition::kPlan, absl::StrCat("plan shared (version ", plan_version, ")"), cause)
           .ok())
    return Unchanged(std::move(c));
  d.outcome.events.push_back(CasePlannedEvent(c.id(), plan_version, cause));
  d.outcome.rows.save_case = c;
  d.case_record = std::move(c);
  return d;
}

absl::StatusOr<SignalDecision> DecideSignal(const SignalInput& input, const SignalRule* rule, const ReportState& state,
                                            const Cause& cause, const IntakeConfig& config) {
  SignalDecision d;
  v1::Signal& signal = d.signal;
  signal.set_signal_id(NewId(cause.now));
  signal.set_kind(input.kind);
  signal.set_client_id(input.client.id());
  signal.set_score(input.score);
  signal.set_detail(input.detail);
  *signal.mutable_recorded_at() = ToProto(cause.now);
  if (rule != nullptr) {
    v1::Case draft;
    *draft.mutable_client() = input.client;
    if (draft.client().name().empty()) draft.mutable_client()->set_name(input.client.id());
    draft.set_channel(ChannelForSignal(input.kind));
    draft.set_category(rule->category);
    draft.set_severity(rule->severity);
    draft.set_summary(Shorten(SignalSummary(input.kind, input.score, input.detail), 200));
    draft.set_description(input.detail);
    draft.set_opened_from_signal_id(signal.signal_id());
    ASSIGN_OR_RETURN(CaseDecision opened, DecideOpen(state, std::move(draft), cause, config));
    signal.set_case_id(opened.case_record.id());
    signal.set_opened_case(opened.opened);
    d.outcome = std::move(opened.outcome);
    opened.outcome = {};
    d.case_decision = std::move(opened);
  }
  d.outcome.events.push_back(SignalRecordedEvent(signal, cause));
  d.outcome.rows.signal = SignalRow{signal, input.source};
  return d;
}

}  // namespace recovery::intake
