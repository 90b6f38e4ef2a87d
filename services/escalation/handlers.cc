// Consumed events -> escalation engine calls.
#include "services/escalation/handlers.h"

#include <algorithm>

#include "services/escalation/store.h"

namespace recovery::escalation {
namespace {

using common::Tx;
using recovery::v1::Event;

CaseRecord NewCaseRecord(const std::string& case_id) {
  CaseRecord c;
  c.case_id = case_id;
  return c;
}

EscalationEngine::Context CausedBy(const Event& e) { return {e.event_id(), kServiceName, "", ""}; }

}  // namespace

absl::Status EscalationHandlers::OnEvent(Tx& tx, const Event& event) {
  if (event.source() == kServiceName) return absl::OkStatus();
  switch (event.body_case()) {
    case Event::kCaseOpened: return OnCaseOpened(tx, event);
    case Event::kCaseReopened: return OnCaseReopened(tx, event);
    case Event::kCaseUpdated: return OnCaseUpdated(tx, event);
    case Event::kSlaBreached: return OnSlaBreached(tx, event);
    case Event::kCaseResolved: return OnCaseEnded(tx, event, "case resolved");
    case Event::kCaseClosed: return OnCaseEnded(tx, event, "case closed");
    case Event::kReminderDue: return OnReminderDue(tx, event);
    default: return absl::OkStatus();
  }
}

absl::Status EscalationHandlers::StartUnlessActive(Tx& tx, const CaseRecord& c, const std::string& reason,
                                                   const Event& cause) {
  auto active = ListEscalations(tx, c.case_id, /*active_only=*/true);
  if (!active.ok()) return active.status();
  if (!active->empty()) return absl::OkStatus();
  return engine_.Start(tx, c, reason, CausedBy(cause)).status();
}

absl::Status EscalationHandlers::OnCaseOpened(Tx& tx, const Event& event) {
  const auto& o = event.case_opened();
  CaseRecord c{event.case_id(),        o.category(),         o.severity(), o.client().id(),
               o.client().tier(),      o.client().calendar_id(), o.summary()};
  if (auto s = SaveCase(tx, c); !s.ok()) return s;
  return StartUnlessActive(tx, c, "case opened", event);
}

absl::Status EscalationHandlers::OnCaseReopened(Tx& tx, const Event& event) {
  const auto& r = event.case_reopened();
  auto loaded = LoadCase(tx, event.case_id());
  if (!loaded.ok()) return loaded.status();
  CaseRecord c = loaded->value_or(NewCaseRecord(event.case_id()));
  if (r.has_client()) {
    c.client_id = r.client().id();
    c.client_tier = r.client().tier();
    c.client_calendar_id = r.client().calendar_id();
  }
  if (!r.category().empty()) c.category = r.category();
  if (r.severity() != v1::SEVERITY_UNSPECIFIED) c.severity = r.severity();
  if (!r.summary().empty()) c.summary = r.summary();
  if (auto s = SaveCase(tx, c); !s.ok()) return s;
  return StartUnlessActive(tx, c, "case reopened", event);
}

absl::Status EscalationHandlers::OnCaseUpdated(Tx& tx, const Event& event) {
  const auto& u = event.case_updated();
  auto loaded = LoadCase(tx, event.case_id());
  if (!loaded.ok()) return loaded.status();
  CaseRecord c = loaded->value_or(NewCaseRecord(event.case_id()));
  if (!u.category().empty()) c.category = u.category();
  if (!u.summary().empty()) c.summary = u.summary();
  // P1 is the most severe: a smaller number is a raise.
  const bool raised = u.severity() != v1::SEVERITY_UNSPECIFIED && u.previous_severity() != v1::SEVERITY_UNSPECIFIED &&
                      u.severity() < u.previous_severity();
  if (u.severity() != v1::SEVERITY_UNSPECIFIED) c.severity = u.severity();
  if (auto s = SaveCase(tx, c); !s.ok()) return s;
  if (!raised) return absl::OkStatus();
  return StartUnlessActive(tx, c, "severity raised", event);
}

absl::Status EscalationHandlers::OnSlaBreached(Tx& tx, const Event& event) {
  const auto& b = event.sla_breached();
  auto active = ListEscalations(tx, event.case_id(), /*active_only=*/true);
  if (!active.ok()) return active.status();
  if (!active->empty()) {
    EscalationEngine::Context ctx = CausedBy(event);
    ctx.reason = "sla breached";
    return engine_.AdvanceNow(tx, std::move(active->back()), ctx).status();
  }
  auto loaded = LoadCase(tx, event.case_id());
  if (!loaded.ok()) return loaded.status();
  CaseRecord c = loaded->value_or(NewCaseRecord(event.case_id()));
  if (c.category.empty()) c.category = b.category();
  if (c.client_id.empty()) c.client_id = b.client_id();
  if (c.severity == v1::SEVERITY_UNSPECIFIED) c.severity = b.severity();
  if (!loaded->has_value()) {
    if (auto s = SaveCase(tx, c); !s.ok()) return s;
  }
  return engine_.Start(tx, c, "sla breached", CausedBy(event)).status();
}

absl::Status EscalationHandlers::OnCaseEnded(Tx& tx, const Event& event, const std::string& reason) {
  auto all = ListEscalations(tx, event.case_id(), /*active_only=*/false);
  if (!all.ok()) return all.status();
  for (v1::EscalationInfo& info : *all) {
    if (info.status() == v1::ESCALATION_STATUS_RESOLVED) continue;
    EscalationEngine::Context ctx = CausedBy(event);
    ctx.actor = event.actor().empty() ? kServiceName : event.actor();
    ctx.reason = reason;
    const std::string by = event.actor();
    if (auto s = engine_.Apply(tx, std::move(info), Resolve{by}, ctx); !s.ok()) return s.status();
  }
  return absl::OkStatus();
}

absl::Status EscalationHandlers::OnReminderDue(Tx& tx, const Event& event) {
  return engine_.QueueReminder(tx, event);
}

}  // namespace recovery::escalation
