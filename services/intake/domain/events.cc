// Intake's event builders.
#include "services/intake/domain/events.h"

#include "services/common/events.h"
#include "services/common/proto_time.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
using recovery::common::ToProtoDuration;

constexpr char kSource[] = "intake";

v1::Event NewCaseEvent(const std::string& case_id, const Cause& cause) {
  return recovery::common::NewEvent(cause.now, case_id, kSource, cause.Actor(), cause.causation_id);
}

}  // namespace

Cause Cause::At(std::string actor, std::string causation_id, absl::Time now, std::string person) {
  if (actor.empty()) actor = "system";
  return Cause{std::move(actor), std::move(causation_id), absl::FromUnixMicros(absl::ToUnixMicros(now)),
               std::move(person)};
}

const std::string& Cause::Actor() const {
  static const std::string kSystem = "system";
  return actor.empty() ? kSystem : actor;
}

v1::Event CaseOpenedEvent(const v1::Case& c, const Cause& cause) {
  v1::Event e = NewCaseEvent(c.id(), cause);
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
  return e;
}

v1::Event ContactRecordedEvent(const std::string& case_id, const v1::ContactRecord& contact, const Cause& cause) {
  v1::Event e = NewCaseEvent(case_id, cause);
  auto* body = e.mutable_contact_recorded();
  body->set_channel(contact.channel());
  body->set_summary(contact.summary());
  body->set_emotional_state(contact.emotional_state());
  body->set_recorded_by(contact.recorded_by());
  return e;
}

v1::Event CaseUpdatedEvent(const v1::Case& c, const std::vector<std::string>& changed_fields,
                           v1::Severity previous_severity, const Cause& cause) {
  v1::Event e = NewCaseEvent(c.id(), cause);
  auto* body = e.mutable_case_updated();
  for (const auto& path : changed_fields) body->add_changed_fields(path);
  body->set_previous_severity(previous_severity);
  body->set_severity(c.severity());
  body->set_category(c.category());
  body->set_summary(c.summary());
  body->set_description(c.description());
  body->set_client_view(c.client_view());
  body->set_firm_view(c.firm_view());
  return e;
}

v1::Event NoteAddedEvent(const std::string& case_id, const v1::Note& note, const Cause& cause) {
  v1::Event e = NewCaseEvent(case_id, cause);
  auto* body = e.mutable_note_added();
  body->set_note_id(note.note_id());
  body->set_text(note.text());
  body->set_shareable(note.shareable());
  body->set_author(note.author());
  return e;
}

v1::Event CaseAcknowledgedEvent(const v1::Case& c, const std::string& acknowledged_by, const std::string& message,
                                v1::EmotionalState emotion, absl::Duration time_to_acknowledge, const Cause& cause) {
  v1::Event e = NewCaseEvent(c.id(), cause);
  auto* body = e.mutable_case_acknowledged();
  body->set_acknowledged_by(acknowledged_by);
  body->set_message(message);
  body->set_emotional_state(emotion);
  body->set_owner(c.owner());
  *body->mutable_time_to_acknowledge() = ToProtoDuration(time_to_acknowledge);
  body->set_severity(c.severity());
  body->set_category(c.category());
  body->set_client_id(c.client().id());
  return e;
}

v1::Event OwnerAssignedEvent(const std::string& case_id, const std::string& owner, const std::string& previous_owner,
                             const std::string& reason, const Cause& cause) {
  v1::Event e = NewCaseEvent(case_id, cause);
  auto* body = e.mutable_owner_assigned();
  body->set_owner(owner);
  body->set_previous_owner(previous_owner);
  body->set_reason(reason);
  return e;
}

v1::Event CaseResolvedEvent(const v1::Case& c, absl::Duration time_to_resolve, const Cause& cause) {
  v1::Event e = NewCaseEvent(c.id(), cause);
  auto* body = e.mutable_case_resolved();
  body->set_resolution(c.resolution());
  *body->mutable_time_to_resolve() = ToProtoDuration(time_to_resolve);
  body->set_owner(c.owner());
  body->set_category(c.category());
  body->set_client_id(c.client().id());
  return e;
}

v1::Event CaseClosedEvent(const v1::Case& c, const std::string& reason, const Cause& cause) {
  v1::Event e = NewCaseEvent(c.id(), cause);
  auto* body = e.mutable_case_closed();
  body->set_reason(reason);
  body->set_owner(c.owner());
  return e;
}

v1::Event CaseReopenedEvent(const v1::Case& c, const std::string& reason, v1::CaseStatus previous_status,
                            const Cause& cause) {
  v1::Event e = NewCaseEvent(c.id(), cause);
  auto* body = e.mutable_case_reopened();
  body->set_reason(reason);
  body->set_previous_status(previous_status);
  *body->mutable_client() = c.client();
  body->set_category(c.category());
  body->set_severity(c.severity());
  body->set_summary(c.summary());
  return e;
}

v1::Event CasePlannedEvent(const std::string& case_id, const std::string& plan_version, const Cause& cause) {
  v1::Event e = NewCaseEvent(case_id, cause);
  e.mutable_case_planned()->set_plan_version(plan_version);
  return e;
}

v1::Event SignalRecordedEvent(const v1::Signal& signal, const Cause& cause) {
  v1::Event e = NewCaseEvent(signal.case_id(), cause);
  auto* body = e.mutable_signal_recorded();
  body->set_signal_id(signal.signal_id());
  body->set_kind(signal.kind());
  body->set_client_id(signal.client_id());
  body->set_score(signal.score());
  body->set_detail(signal.detail());
  body->set_opened_case(signal.opened_case());
  body->set_linked_case_id(signal.case_id());
  return e;
}

}  // namespace recovery::intake
