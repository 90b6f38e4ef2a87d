// Intake use cases: state changes, history rows and outbox events in one transaction.
#include "services/intake/case_actions.h"

#include "absl/strings/str_cat.h"
#include "services/common/events.h"
#include "services/common/ids.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
using recovery::common::FromProto;
using recovery::common::NewId;
using recovery::common::ToProto;

constexpr char kSource[] = "intake";

std::string ActorOf(const Cause& cause) { return cause.actor.empty() ? "system" : cause.actor; }

v1::Event NewCaseEvent(const std::string& case_id, const Cause& cause) {
  return recovery::common::NewEvent(cause.now, case_id, kSource, ActorOf(cause), cause.causation_id);
}

google::protobuf::Duration ToProtoDuration(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return out;
}

absl::Status RecordEmotion(Tx& tx, v1::Case* c, v1::EmotionalState state, const std::string& source,
                           const Cause& cause) {
  if (state == v1::EMOTIONAL_STATE_UNSPECIFIED) return absl::OkStatus();
  c->set_emotional_state(state);
  v1::EmotionalStateRecord& e = *c->add_emotional_history();  // stored as its own row, not in cases.data
  e.set_state(state);
  *e.mutable_recorded_at() = ToProto(cause.now);
  e.set_recorded_by(ActorOf(cause));
  e.set_source(source);
  return AddEmotionalState(tx, c->id(), e);
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
  if (s.size() > 200) s.resize(197), s += "...";
  return s;
}

}  // namespace

absl::StatusOr<v1::Case> LoadFullCase(Tx& tx, const std::string& case_id) {
  auto c = LoadCase(tx, case_id);
  if (!c.ok()) return c.status();
  if (auto s = LoadHistories(tx, &*c); !s.ok()) return s;
  return c;
}

CaseActions::CaseActions(recovery::common::Outbox& outbox, IntakeConfig config)
    : CaseActions([&outbox](Tx& tx, const v1::Event& event) { return outbox.Append(tx, event); }, std::move(config)) {}

CaseActions::CaseActions(EventSink sink, IntakeConfig config)
    : sink_(std::move(sink)), config_(std::move(config)) {}

std::shared_ptr<const IntakeConfig> CaseActions::config() const { return config_.Get(); }

void CaseActions::SetConfig(IntakeConfig config) { config_.Set(std::move(config)); }

absl::Status CaseActions::Publish(Tx& tx, const v1::Event& event) { return sink_(tx, event); }

absl::StatusOr<v1::Case> CaseActions::PublishAndLoad(Tx& tx, const v1::Event& event) {
  if (auto s = Publish(tx, event); !s.ok()) return s;
  return LoadFullCase(tx, event.case_id());
}

absl::StatusOr<v1::Case> CaseActions::AddContactRecord(Tx& tx, v1::Case c, v1::ContactRecord contact,
                                                       const std::string& emotion_source, const Cause& cause,
                                                       std::string* contact_id) {
  contact.set_contact_id(NewId(cause.now));
  if (contact_id != nullptr) *contact_id = contact.contact_id();
  contact.set_recorded_by(ActorOf(cause));
  *contact.mutable_recorded_at() = ToProto(cause.now);
  if (auto s = AddContact(tx, c.id(), contact); !s.ok()) return s;
  if (auto s = RecordEmotion(tx, &c, contact.emotional_state(), emotion_source, cause); !s.ok()) return s;
  if (contact.repeat_report()) c.set_repeat_reports(c.repeat_reports() + 1);
  *c.mutable_updated_at() = ToProto(cause.now);
  if (auto s = SaveCase(tx, c); !s.ok()) return s;
  v1::Event e = NewCaseEvent(c.id(), cause);
  auto* body = e.mutable_contact_recorded();
  body->set_channel(contact.channel());
  body->set_summary(contact.summary());
  body->set_emotional_state(contact.emotional_state());
  body->set_recorded_by(contact.recorded_by());
  return PublishAndLoad(tx, e);
}

absl::StatusOr<v1::Case> CaseActions::OpenOrLink(Tx& tx, v1::Case draft, const Cause& cause, bool* linked) {
  *linked = false;
  const auto cfg = config();
  auto existing = FindActiveCase(tx, draft.client().id(), draft.category());
  if (!existing.ok()) return existing.status();
  if (existing->has_value() &&
      IsRepeatReport((*existing)->status(), FromProto((*existing)->opened_at()), cause.now, cfg->dedup_window)) {
    *linked = true;
    v1::ContactRecord contact;
    contact.set_channel(draft.channel());
    contact.set_summary(absl::StrCat("Repeat report: ", draft.summary()));
    contact.set_emotional_state(draft.emotional_state());
    contact.set_repeat_report(true);
    return AddContactRecord(tx, std::move(**existing), std::move(contact), "repeat report", cause);
  }

  // Stored times have microsecond precision; with the time truncated here, the case built
  // in memory and returned is exactly the case a later read returns (no read-back needed).
  Cause at = cause;
  at.now = absl::FromUnixMicros(absl::ToUnixMicros(cause.now));
  v1::Case c = std::move(draft);
  c.clear_transitions();
  c.clear_emotional_history();
  c.clear_contacts();
  c.clear_notes();
  c.set_id(NewId(at.now));
  c.set_status(v1::CASE_STATUS_OPEN);
  *c.mutable_opened_at() = ToProto(at.now);
  *c.mutable_updated_at() = ToProto(at.now);
  c.set_opened_by(ActorOf(at));
  const v1::EmotionalState emotion = c.emotional_state();
  c.set_emotional_state(v1::EMOTIONAL_STATE_UNSPECIFIED);
  v1::StatusTransition& t = *c.add_transitions();
  t.set_from(v1::CASE_STATUS_UNSPECIFIED);
  t.set_to(v1::CASE_STATUS_OPEN);
  *t.mutable_at() = ToProto(at.now);
  t.set_actor(ActorOf(at));
  t.set_reason(c.opened_from_signal_id().empty() ? "opened" : "opened from signal");
  if (auto s = AddTransition(tx, c.id(), t); !s.ok()) return s;
  if (auto s = RecordEmotion(tx, &c, emotion, "open", at); !s.ok()) return s;
  // The case row is written once, in its final form, after its history rows.
  if (auto s = InsertCase(tx, c); !s.ok()) return s;

  v1::Event e = NewCaseEvent(c.id(), at);
  auto* body = e.mutable_case_opened();
  *body->mutable_client() = c.client();
  *body->mutable_contact() = c.contact();
  body->set_channel(c.channel());
  body->set_category(c.category());
  body->set_severity(c.severity());
  body->set_summary(c.summary());
  body->set_description(c.description());
  body->set_client_view(c.client_view());
  body->set_firm_view(c.firm_view());
  body->set_emotional_state(c.emotional_state());
  body->set_opened_from_signal_id(c.opened_from_signal_id());
  if (auto s = Publish(tx, e); !s.ok()) return s;
  return c;
}

absl::StatusOr<v1::Case> CaseActions::Update(Tx& tx, const v1::UpdateCaseRequest& req, const Cause& cause) {
  const auto cfg = config();
  auto loaded = LoadCase(tx, req.case_id());
  if (!loaded.ok()) return loaded.status();
  v1::Case c = std::move(*loaded);
  if (auto s = CheckEditable(c.status(), "UpdateCase"); !s.ok()) return s;
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
  if (changed.empty()) return LoadFullCase(tx, c.id());  // nothing changed: nothing to publish
  *c.mutable_updated_at() = ToProto(cause.now);
  if (auto s = SaveCase(tx, c); !s.ok()) return s;
  v1::Event e = NewCaseEvent(c.id(), cause);
  auto* body = e.mutable_case_updated();
  for (const auto& path : changed) body->add_changed_fields(path);
  body->set_previous_severity(previous_severity);
  body->set_severity(c.severity());
  body->set_category(c.category());
  body->set_summary(c.summary());
  body->set_description(c.description());
  body->set_client_view(c.client_view());
  body->set_firm_view(c.firm_view());
  return PublishAndLoad(tx, e);
}

absl::StatusOr<v1::Case> CaseActions::RecordContact(Tx& tx, const v1::RecordContactRequest& req, const Cause& cause,
                                                    std::string* contact_id) {
  auto loaded = LoadCase(tx, req.case_id());
  if (!loaded.ok()) return loaded.status();
  v1::ContactRecord contact;
  contact.set_channel(req.channel());
  contact.set_summary(req.summary());
  contact.set_emotional_state(req.emotional_state());
  return AddContactRecord(tx, std::move(*loaded), std::move(contact), "contact", cause, contact_id);
}

absl::StatusOr<v1::Case> CaseActions::AddNote(Tx& tx, const v1::AddNoteRequest& req, const Cause& cause,
                                              std::string* note_id) {
  auto loaded = LoadCase(tx, req.case_id());
  if (!loaded.ok()) return loaded.status();
  v1::Case c = std::move(*loaded);
  v1::Note note;
  note.set_note_id(NewId(cause.now));
  note.set_text(req.text());
  note.set_shareable(req.shareable());
  note.set_author(ActorOf(cause));
  *note.mutable_created_at() = ToProto(cause.now);
  if (auto s = intake::AddNote(tx, c.id(), note); !s.ok()) return s;
  *c.mutable_updated_at() = ToProto(cause.now);
  if (auto s = SaveCase(tx, c); !s.ok()) return s;
  v1::Event e = NewCaseEvent(c.id(), cause);
  auto* body = e.mutable_note_added();
  body->set_note_id(note.note_id());
  body->set_text(note.text());
  body->set_shareable(note.shareable());
  body->set_author(note.author());
  if (auto s = Publish(tx, e); !s.ok()) return s;
  *note_id = note.note_id();
  return LoadFullCase(tx, c.id());
}

absl::StatusOr<v1::Case> CaseActions::Transit(Tx& tx, const std::string& case_id, Transition transition,
                                              const std::string& reason, const Cause& cause, v1::CaseStatus* previous) {
  auto loaded = LoadCase(tx, case_id);
  if (!loaded.ok()) return loaded.status();
  v1::Case c = std::move(*loaded);
  auto next = ApplyTransition(c.status(), transition);
  if (!next.ok()) return next.status();
  *previous = c.status();
  c.set_status(*next);
  const auto now = ToProto(cause.now);
  *c.mutable_updated_at() = now;
  switch (*next) {
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
  v1::StatusTransition t;
  t.set_from(*previous);
  t.set_to(*next);
  *t.mutable_at() = now;
  t.set_actor(ActorOf(cause));
  t.set_reason(reason);
  if (auto s = AddTransition(tx, c.id(), t); !s.ok()) return s;
  return c;
}

absl::StatusOr<v1::Case> CaseActions::Acknowledge(Tx& tx, const v1::AcknowledgeCaseRequest& req, const Cause& cause) {
  v1::CaseStatus previous;
  auto moved = Transit(tx, req.case_id(), Transition::kAcknowledge, req.message(), cause, &previous);
  if (!moved.ok()) return moved.status();
  v1::Case c = std::move(*moved);
  if (auto s = RecordEmotion(tx, &c, req.emotional_state(), "acknowledge", cause); !s.ok()) return s;
  if (auto s = SaveCase(tx, c); !s.ok()) return s;
  // A reopened case is acknowledged again: its clock starts at the reopening.
  const absl::Time since = previous == v1::CASE_STATUS_REOPENED ? FromProto(c.reopened_at()) : FromProto(c.opened_at());
  v1::Event e = NewCaseEvent(c.id(), cause);
  auto* body = e.mutable_case_acknowledged();
  body->set_acknowledged_by(req.acknowledged_by());
  body->set_message(req.message());
  body->set_emotional_state(req.emotional_state());
  body->set_owner(c.owner());
  *body->mutable_time_to_acknowledge() = ToProtoDuration(cause.now - since);
  body->set_severity(c.severity());
  body->set_category(c.category());
  body->set_client_id(c.client().id());
  return PublishAndLoad(tx, e);
}

absl::StatusOr<v1::Case> CaseActions::AssignOwner(Tx& tx, const std::string& case_id, const std::string& owner,
                                                  const std::string& reason, bool require_editable,
                                                  const Cause& cause) {
  auto loaded = LoadCase(tx, case_id);
  if (!loaded.ok()) return loaded.status();
  v1::Case c = std::move(*loaded);
  if (require_editable) {
    if (auto s = CheckEditable(c.status(), "AssignOwner"); !s.ok()) return s;
  }
  if (c.owner() == owner) return LoadFullCase(tx, c.id());  // already the owner: nothing to publish
  const std::string previous = c.owner();
  c.set_owner(owner);
  *c.mutable_updated_at() = ToProto(cause.now);
  if (auto s = SaveCase(tx, c); !s.ok()) return s;
  v1::Event e = NewCaseEvent(c.id(), cause);
  auto* body = e.mutable_owner_assigned();
  body->set_owner(owner);
  body->set_previous_owner(previous);
  body->set_reason(reason.empty() ? "manual" : reason);
  return PublishAndLoad(tx, e);
}

absl::StatusOr<v1::Case> CaseActions::Resolve(Tx& tx, const std::string& case_id, const std::string& resolution,
                                              const Cause& cause) {
  v1::CaseStatus previous;
  auto moved = Transit(tx, case_id, Transition::kResolve, resolution, cause, &previous);
  if (!moved.ok()) return moved.status();
  v1::Case c = std::move(*moved);
  c.set_resolution(resolution);
  if (auto s = SaveCase(tx, c); !s.ok()) return s;
  v1::Event e = NewCaseEvent(c.id(), cause);
  auto* body = e.mutable_case_resolved();
  body->set_resolution(resolution);
  *body->mutable_time_to_resolve() = ToProtoDuration(cause.now - FromProto(c.opened_at()));
  body->set_owner(c.owner());
  body->set_category(c.category());
  body->set_client_id(c.client().id());
  return PublishAndLoad(tx, e);
}

absl::StatusOr<v1::Case> CaseActions::Close(Tx& tx, const std::string& case_id, const std::string& reason,
                                            const Cause& cause) {
  v1::CaseStatus previous;
  auto moved = Transit(tx, case_id, Transition::kClose, reason, cause, &previous);
  if (!moved.ok()) return moved.status();
  if (auto s = SaveCase(tx, *moved); !s.ok()) return s;
  v1::Event e = NewCaseEvent(moved->id(), cause);
  auto* body = e.mutable_case_closed();
  body->set_reason(reason);
  body->set_owner(moved->owner());
  return PublishAndLoad(tx, e);
}

absl::StatusOr<v1::Case> CaseActions::Reopen(Tx& tx, const std::string& case_id, const std::string& reason,
                                             const Cause& cause) {
  v1::CaseStatus previous;
  auto moved = Transit(tx, case_id, Transition::kReopen, reason, cause, &previous);
  if (!moved.ok()) return moved.status();
  if (auto s = SaveCase(tx, *moved); !s.ok()) return s;
  v1::Event e = NewCaseEvent(moved->id(), cause);
  auto* body = e.mutable_case_reopened();
  body->set_reason(reason);
  body->set_previous_status(previous);
  *body->mutable_client() = moved->client();
  body->set_category(moved->category());
  body->set_severity(moved->severity());
  body->set_summary(moved->summary());
  return PublishAndLoad(tx, e);
}

absl::StatusOr<bool> CaseActions::MarkPlanned(Tx& tx, const std::string& case_id, const std::string& plan_version,
                                              const Cause& cause) {
  auto loaded = LoadCase(tx, case_id);
  if (!loaded.ok()) return loaded.status();
  if (!ApplyTransition(loaded->status(), Transition::kPlan).ok()) return false;
  v1::CaseStatus previous;
  auto moved = Transit(tx, case_id, Transition::kPlan, absl::StrCat("plan shared (version ", plan_version, ")"), cause,
                       &previous);
  if (!moved.ok()) return moved.status();
  if (auto s = SaveCase(tx, *moved); !s.ok()) return s;
  v1::Event e = NewCaseEvent(case_id, cause);
  e.mutable_case_planned()->set_plan_version(plan_version);
  if (auto s = Publish(tx, e); !s.ok()) return s;
  return true;
}

absl::StatusOr<CaseActions::SignalResult> CaseActions::RecordSignal(Tx& tx, v1::SignalKind kind,
                                                                    const v1::Client& client, double score,
                                                                    const std::string& detail,
                                                                    const std::string& source, const Cause& cause) {
  const auto cfg = config();
  SignalResult result;
  v1::Signal& signal = result.signal;
  signal.set_signal_id(NewId(cause.now));
  signal.set_kind(kind);
  signal.set_client_id(client.id());
  signal.set_score(score);
  signal.set_detail(detail);
  *signal.mutable_recorded_at() = ToProto(cause.now);
  if (const SignalRule* rule = MatchSignalRule(*cfg, kind, score)) {
    v1::Case draft;
    *draft.mutable_client() = client;
    if (draft.client().name().empty()) draft.mutable_client()->set_name(client.id());
    draft.set_channel(ChannelForSignal(kind));
    draft.set_category(rule->category);
    draft.set_severity(rule->severity);
    draft.set_summary(SignalSummary(kind, score, detail));
    draft.set_description(detail);
    draft.set_opened_from_signal_id(signal.signal_id());
    bool linked = false;
    auto opened = OpenOrLink(tx, std::move(draft), cause, &linked);
    if (!opened.ok()) return opened.status();
    signal.set_case_id(opened->id());
    signal.set_opened_case(!linked);
    result.case_record = std::move(*opened);
  }
  if (auto s = AddSignal(tx, signal, source); !s.ok()) return s;
  v1::Event e = NewCaseEvent(signal.case_id(), cause);
  auto* body = e.mutable_signal_recorded();
  body->set_signal_id(signal.signal_id());
  body->set_kind(kind);
  body->set_client_id(client.id());
  body->set_score(score);
  body->set_detail(detail);
  body->set_opened_case(signal.opened_case());
  body->set_linked_case_id(signal.case_id());
  if (auto s = Publish(tx, e); !s.ok()) return s;
  return result;
}

}  // namespace recovery::intake
