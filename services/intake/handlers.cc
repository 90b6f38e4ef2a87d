// Intake event handlers.
#include "services/intake/handlers.h"

#include "absl/strings/str_cat.h"
#include "services/common/events.h"
#include "services/common/logging.h"

namespace recovery::intake {
namespace {
namespace v1 = recovery::v1;
using recovery::common::LogWarn;

// An event about a case this service does not know is not an error worth retrying.
absl::Status SkipUnknownCase(const absl::Status& s, const v1::Event& event) {
  if (s.code() != absl::StatusCode::kNotFound) return s;
  LogWarn(
      "event for an unknown case skipped",
      {{"event_id", event.event_id()}, {"type", recovery::common::EventTypeName(event)}, {"case_id", event.case_id()}});
  return absl::OkStatus();
}
}  // namespace

Cause IntakeEventHandlers::CauseOf(const v1::Event& event, const std::string& actor) const {
  return Cause{actor, event.event_id(), clock_.Now()};
}

absl::Status IntakeEventHandlers::Handle(Tx& tx, const v1::Event& event) {
  switch (event.body_case()) {
    case v1::Event::kEscalationAcknowledged:
      return OnEscalationAcknowledged(tx, event);
    case v1::Event::kPlanShared:
      return OnPlanShared(tx, event);
    case v1::Event::kSatisfactionRecorded:
      return OnSatisfactionRecorded(tx, event);
    default:
      return absl::OkStatus();
  }
}

absl::Status IntakeEventHandlers::OnEscalationAcknowledged(Tx& tx, const v1::Event& event) {
  const auto& body = event.escalation_acknowledged();
  if (body.acknowledged_by().empty()) {
    LogWarn("EscalationAcknowledged without acknowledged_by skipped", {{"event_id", event.event_id()}});
    return absl::OkStatus();
  }
  auto c = actions_.AssignOwner(tx, event.case_id(), body.acknowledged_by(), "page acknowledged",
                                /*require_editable=*/false, CauseOf(event, body.acknowledged_by()));
  return c.ok() ? absl::OkStatus() : SkipUnknownCase(c.status(), event);
}

absl::Status IntakeEventHandlers::OnPlanShared(Tx& tx, const v1::Event& event) {
  const auto& body = event.plan_shared();
  auto moved = actions_.MarkPlanned(tx, event.case_id(), absl::StrCat(body.version()), CauseOf(event, event.actor()));
  return moved.ok() ? absl::OkStatus() : SkipUnknownCase(moved.status(), event);
}

absl::Status IntakeEventHandlers::OnSatisfactionRecorded(Tx& tx, const v1::Event& event) {
  const auto& body = event.satisfaction_recorded();
  if (!body.low()) return absl::OkStatus();
  // The case the survey was about names the client best; fall back to the bare id.
  v1::Client client;
  auto about = LoadCase(tx, event.case_id());
  if (about.ok()) {
    client = about->client();
  } else if (about.status().code() != absl::StatusCode::kNotFound) {
    return about.status();
  }
  if (client.id().empty() || (!body.client_id().empty() && body.client_id() != client.id())) {
    client.Clear();
    client.set_id(body.client_id());
    client.set_name(body.client_id());
  }
  if (client.id().empty()) {
    LogWarn("SatisfactionRecorded without a client skipped", {{"event_id", event.event_id()}});
    return absl::OkStatus();
  }
  auto r = actions_.RecordSignal(tx, v1::SIGNAL_KIND_LOW_SATISFACTION, client, body.score(), body.comment(),
                                 event.event_id(), CauseOf(event, "system"));
  return r.status();
}

}  // namespace recovery::intake
