// Inputs -> Outcome: the state machine's effects become events, timer operations and rows.
#include "services/escalation/domain/decisions.h"

#include <utility>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "recovery/escalation/storage.pb.h"
#include "services/common/events.h"
#include "services/common/ids.h"
#include "services/common/proto_time.h"
#include "services/escalation/domain/routing.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using common::TimerOp;

// "P1".."P4"; "" for an unknown severity (as pages have always said).
std::string SeverityText(Severity s) { return s == v1::SEVERITY_UNSPECIFIED ? "" : common::SeverityName(s); }

std::string ToJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  // Only fails on invalid UTF-8, which validation keeps out of every text a payload carries.
  if (!google::protobuf::util::MessageToJsonString(m, &out, options).ok()) out = "{}";
  return out;
}

}  // namespace

std::string PagePayloadWithAckUrl(const std::string& payload, const std::string& ack_url) {
  storage::PagePayload page;
  if (!google::protobuf::util::JsonStringToMessage(payload, &page).ok()) return payload;  // ToJson made it
  page.set_ack_url(ack_url);
  return ToJson(page);
}

namespace {

// Builds the Outcome of one step on one escalation.
class Translator {
 public:
  Translator(const EscalationState& state, const CaseFacts* facts, const Cause& cause, absl::Time now)
      : state_(state), facts_(facts), cause_(cause), now_(now) {}

  v1::Event NewEvent() const {
    return common::NewEvent(now_, state_.case_id, kServiceName, cause_.actor, cause_.causation_id);
  }

  void Page(const PageTarget& page) {
    QueuedMessage m;
    m.kind = QueuedMessage::Kind::kPage;
    m.page_id = common::NewId(now_);
    m.escalation_id = state_.escalation_id;
    m.case_id = state_.case_id;
    m.person_id = page.person_id;
    m.channel = page.channel;
    m.target = page.target;
    m.tier = page.tier;
    m.round = page.round;
    m.not_before = page.not_before;
    m.idempotency_key = page.idempotency_key;
    m.created_at = now_;
    const std::string summary = facts_ != nullptr ? facts_->summary : "";
    const Severity severity = facts_ != nullptr ? facts_->severity : state_.severity;
    m.subject = absl::StrCat("[", SeverityText(severity), "] case ", state_.case_id, ": ", summary);
    storage::PagePayload payload;
    payload.set_page_id(m.page_id);
    payload.set_escalation_id(m.escalation_id);
    payload.set_case_id(m.case_id);
    payload.set_person_id(m.person_id);
    payload.set_tier(m.tier);
    payload.set_round(m.round);
    payload.set_summary(summary);
    payload.set_severity(SeverityText(severity));
    payload.set_ack_hint(absl::StrCat("AcknowledgePage page_id=", m.page_id));
    m.payload = ToJson(payload);

    v1::Event e = NewEvent();
    auto* q = e.mutable_page_queued();
    q->set_escalation_id(m.escalation_id);
    q->set_page_id(m.page_id);
    q->set_person_id(m.person_id);
    q->set_channel(ChannelToProto(m.channel));
    q->set_target(m.target);
    q->set_tier(m.tier);
    q->set_round(m.round);
    *q->mutable_not_before() = common::ToProto(m.not_before);
    out_.events.push_back(std::move(e));
    out_.rows.queue.push_back(std::move(m));
  }

  // `advance` names why the current tier ended (ack timeout, SLA breach); a tier skipped
  // because it resolved to nobody says so instead.
  EscalationOutcome Translate(StepResult result, AdvanceReason advance) {
    EscalationState& next = result.state;
    next.updated_at = now_;
    const std::string& id = next.escalation_id;
    for (const Effect& effect : result.effects) {
      if (const auto* page = std::get_if<PageTarget>(&effect)) {
        Page(*page);
      } else if (const auto* arm = std::get_if<ArmAckTimer>(&effect)) {
        out_.timers.push_back(TimerOp::Arm(kAckTimer, AckTimerKey(id, arm->tier, arm->round), arm->due, id));
      } else if (std::holds_alternative<CancelAckTimer>(effect)) {
        out_.timers.push_back(TimerOp::CancelPrefix(kAckTimer, id + "/"));
      } else if (const auto* hold = std::get_if<ArmHoldTimer>(&effect)) {
        out_.timers.push_back(TimerOp::Arm(kHoldTimer, id, hold->due, id));
      } else if (std::holds_alternative<CancelHoldTimer>(effect)) {
        out_.timers.push_back(TimerOp::Cancel(kHoldTimer, id));
      } else if (std::holds_alternative<CancelPendingPages>(effect)) {
        out_.rows.cancel_undelivered = true;
      } else if (std::holds_alternative<EscalationStarted>(effect)) {
        v1::Event e = NewEvent();
        auto* s = e.mutable_escalation_started();
        s->set_escalation_id(id);
        s->set_team_id(next.team_id);
        s->set_policy_id(next.plan.policy_id);
        s->set_business_hours(next.business_hours);
        s->set_rule_id(next.rule_id);
        s->set_severity(next.severity);
        s->set_reason(next.reason);
        out_.events.push_back(std::move(e));
      } else if (const auto* held = std::get_if<EscalationHeld>(&effect)) {
        v1::Event e = NewEvent();
        e.mutable_escalation_held()->set_escalation_id(id);
        *e.mutable_escalation_held()->mutable_until() = common::ToProto(held->until);
        out_.events.push_back(std::move(e));
      } else if (const auto* adv = std::get_if<TierAdvanced>(&effect)) {
        v1::Event e = NewEvent();
        auto* t = e.mutable_tier_advanced();
        t->set_escalation_id(id);
        t->set_from_tier(adv->from_tier);
        t->set_to_tier(adv->to_tier);
        t->set_round(adv->to_round);
        t->set_reason(
            std::string(AdvanceReasonName(adv->reason == AdvanceReason::kNoOneToPage ? adv->reason : advance)));
        out_.events.push_back(std::move(e));
      } else if (const auto* ack = std::get_if<EscalationAcknowledged>(&effect)) {
        v1::Event e = NewEvent();
        auto* a = e.mutable_escalation_acknowledged();
        a->set_escalation_id(id);
        a->set_acknowledged_by(ack->person_id);
        a->set_page_id(cause_.page_id);
        *a->mutable_time_to_acknowledge() = common::ToProtoDuration(now_ - next.started_at);
        out_.events.push_back(std::move(e));
      } else if (const auto* ex = std::get_if<EscalationExhausted>(&effect)) {
        v1::Event e = NewEvent();
        auto* x = e.mutable_escalation_exhausted();
        x->set_escalation_id(id);
        x->set_rounds(next.round + 1);
        x->set_fallback_person_id(ex->fallback_person_id);
        out_.events.push_back(std::move(e));
      } else if (const auto* res = std::get_if<EscalationResolved>(&effect)) {
        v1::Event e = NewEvent();
        auto* r = e.mutable_escalation_resolved();
        r->set_escalation_id(id);
        r->set_resolved_by(res->by);
        r->set_reason(cause_.reason);
        out_.events.push_back(std::move(e));
      }
    }
    out_.rows.escalation = std::move(next);
    return std::move(out_);
  }

  EscalationOutcome& outcome() { return out_; }

 private:
  const EscalationState& state_;
  const CaseFacts* facts_;
  const Cause& cause_;
  absl::Time now_;
  EscalationOutcome out_;
};

Decided<EscalationOutcome> Run(const EscalationConfig& directory, const EscalationState& state, const Input& input,
                               const CaseFacts* facts, const Cause& cause, absl::Time now, AdvanceReason advance,
                               std::vector<TimerOp> before) {
  StepResult result = Step(directory, state, input, now);
  if (result.ignored) return result.refusal;
  Translator t(state, facts, cause, now);
  // The tier moves on: retries of the previous tier's pages stop (before the new ones queue),
  // but a page not yet tried still gets its one attempt.
  if (std::holds_alternative<AckTimeout>(input) || std::holds_alternative<HoldElapsed>(input)) {
    t.outcome().rows.supersede_undelivered = true;
  }
  t.outcome().timers = std::move(before);
  return t.Translate(std::move(result), advance);
}

}  // namespace

std::string AckTimerKey(const std::string& escalation_id, int tier, int round) {
  return absl::StrCat(escalation_id, "/", tier, "/", round);
}

bool ParseAckTimerKey(const std::string& key, std::string* escalation_id, int* tier, int* round) {
  std::vector<std::string> parts = absl::StrSplit(key, '/');
  if (parts.size() != 3 || parts[0].empty()) return false;
  if (!absl::SimpleAtoi(parts[1], tier) || !absl::SimpleAtoi(parts[2], round)) return false;
  *escalation_id = parts[0];
  return true;
}

v1::PageChannel ChannelToProto(Channel c) {
  switch (c) {
    case Channel::kWebhook:
      return v1::PAGE_CHANNEL_WEBHOOK;
    case Channel::kEmail:
      return v1::PAGE_CHANNEL_EMAIL;
    case Channel::kLog:
      return v1::PAGE_CHANNEL_LOG;
  }
  return v1::PAGE_CHANNEL_UNSPECIFIED;
}

Decided<EscalationOutcome> StartEscalation(const EscalationConfig& directory, const CaseFacts& facts,
                                           const std::string& reason, const Cause& cause, absl::Time now) {
  CaseFacts routed = facts;
  if (routed.severity == v1::SEVERITY_UNSPECIFIED) routed.severity = v1::SEVERITY_P3;
  const calendar::Calendar* client_calendar =
      facts.client_calendar_id.empty() ? nullptr : directory.FindCalendar(facts.client_calendar_id);
  absl::StatusOr<RoutingDecision> decision =
      Route(directory.routing_rules, directory.teams, directory.calendars, routed, client_calendar, now);
  if (!decision.ok()) {
    const EscalationError error = decision.status().code() == absl::StatusCode::kNotFound
                                      ? EscalationError::kNoMatchingRule
                                      : EscalationError::kRoutingBroken;
    return Refusal{error, std::string(decision.status().message())};
  }
  absl::StatusOr<EscalationPlan> plan = BuildPlan(directory, *decision);
  if (!plan.ok()) return Refusal{EscalationError::kRoutingBroken, std::string(plan.status().message())};
  EscalationState state = NewEscalation(common::NewId(now), facts.case_id, std::move(*plan));
  state.team_id = decision->team_id;
  state.rule_id = decision->rule_id;
  state.business_hours = decision->business_hours;
  state.severity = facts.severity;
  state.reason = reason;
  state.started_at = now;
  return Run(directory, state, Start{decision->hold_until}, &facts, cause, now, AdvanceReason::kAckTimeout, {});
}

Decided<EscalationOutcome> Decide(const EscalationConfig& directory, const EscalationState& state, const Input& input,
                                  const CaseFacts* facts, const Cause& cause, absl::Time now) {
  return Run(directory, state, input, facts, cause, now, AdvanceReason::kAckTimeout, {});
}

Decided<EscalationOutcome> AdvanceNow(const EscalationConfig& directory, const EscalationState& state,
                                      const CaseFacts* facts, const Cause& cause, absl::Time now) {
  const std::string& id = state.escalation_id;
  if (state.status == EscalationStatus::kPaging) {
    return Run(directory, state, AckTimeout{state.tier, state.round}, facts, cause, now, AdvanceReason::kSlaBreached,
               {TimerOp::CancelPrefix(kAckTimer, id + "/")});
  }
  if (state.status == EscalationStatus::kHeld) {
    return Run(directory, state, HoldElapsed{}, facts, cause, now, AdvanceReason::kSlaBreached,
               {TimerOp::Cancel(kHoldTimer, id)});
  }
  return Refusal{EscalationError::kNotActive, ""};
}

Decided<EscalationOutcome> QueueReminder(const EscalationConfig& directory, const v1::Event& event, absl::Time now) {
  const v1::ReminderDue& r = event.reminder_due();
  const Person* person = directory.FindPerson(r.recipient());
  if (person == nullptr) return Refusal{EscalationError::kUnknownRecipient, r.recipient()};
  storage::ReminderPayload payload;
  payload.set_reminder_id(r.reminder_id());
  payload.set_case_id(event.case_id());
  payload.set_person_id(person->id);
  payload.set_kind(r.kind());
  payload.set_reason(r.reason());
  payload.set_subject_id(r.subject_id());
  payload.set_due(absl::FormatTime(absl::RFC3339_sec, common::FromProto(r.due()), absl::UTCTimeZone()));
  payload.set_repeat(r.repeat());
  const std::string body = ToJson(payload);
  EscalationOutcome out;
  int n = 0;
  for (const ContactMethod& m : person->contact_methods) {
    QueuedMessage d;
    d.kind = QueuedMessage::Kind::kReminder;
    d.page_id = common::NewId(now);
    d.case_id = event.case_id();
    d.person_id = person->id;
    d.channel = m.channel;
    d.target = m.target;
    d.not_before = now;
    d.idempotency_key =
        absl::StrCat("reminder/", r.reminder_id(), "/", r.repeat(), "/", std::string(ChannelName(m.channel)), "/", n++);
    d.payload = body;
    d.subject = absl::StrCat("Reminder: ", r.reason());
    d.reminder_id = r.reminder_id();
    d.created_at = now;
    out.rows.queue.push_back(std::move(d));
  }
  return out;
}

common::Effects DeliveryAttempted(const QueuedMessage& d, int attempts, bool ok, const std::string& error, bool final,
                                  absl::Time now) {
  common::Effects out;
  v1::Event e = common::NewEvent(now, d.case_id, kServiceName, kServiceActor, d.page_id);
  if (d.kind == QueuedMessage::Kind::kReminder) {
    if (!ok) return out;  // retried; the attempt was logged
    auto* r = e.mutable_reminder_delivered();
    r->set_reminder_id(d.reminder_id);
    r->set_recipient(d.person_id);
    r->set_channel(ChannelToProto(d.channel));
  } else if (ok) {
    auto* p = e.mutable_page_delivered();
    p->set_escalation_id(d.escalation_id);
    p->set_page_id(d.page_id);
    p->set_person_id(d.person_id);
    p->set_channel(ChannelToProto(d.channel));
    p->set_attempts(attempts);
    p->set_idempotency_key(d.idempotency_key);
  } else {
    auto* p = e.mutable_page_failed();
    p->set_escalation_id(d.escalation_id);
    p->set_page_id(d.page_id);
    p->set_person_id(d.person_id);
    p->set_channel(ChannelToProto(d.channel));
    p->set_attempts(attempts);
    p->set_error(error);
    p->set_final(final);
  }
  out.events.push_back(std::move(e));
  return out;
}

CaseFacts FactsFromCaseOpened(const v1::Event& event) {
  const v1::CaseOpened& o = event.case_opened();
  return CaseFacts{event.case_id(),          o.category(), o.severity(), o.client().tier(), o.client().id(),
                   o.client().calendar_id(), o.summary()};
}

CaseFacts MergeCaseReopened(CaseFacts c, const v1::CaseReopened& r) {
  if (r.has_client()) {
    c.client_id = r.client().id();
    c.client_tier = r.client().tier();
    c.client_calendar_id = r.client().calendar_id();
  }
  if (!r.category().empty()) c.category = r.category();
  if (r.severity() != v1::SEVERITY_UNSPECIFIED) c.severity = r.severity();
  if (!r.summary().empty()) c.summary = r.summary();
  return c;
}

bool MergeCaseUpdated(CaseFacts& c, const v1::CaseUpdated& u) {
  if (!u.category().empty()) c.category = u.category();
  if (!u.summary().empty()) c.summary = u.summary();
  const bool raised = u.severity() != v1::SEVERITY_UNSPECIFIED && u.previous_severity() != v1::SEVERITY_UNSPECIFIED &&
                      common::MoreUrgent(u.severity(), u.previous_severity());
  if (u.severity() != v1::SEVERITY_UNSPECIFIED) c.severity = u.severity();
  return raised;
}

CaseFacts MergeSlaBreached(CaseFacts c, const v1::SlaBreached& b) {
  if (c.category.empty()) c.category = b.category();
  if (c.client_id.empty()) c.client_id = b.client_id();
  if (c.severity == v1::SEVERITY_UNSPECIFIED) c.severity = b.severity();
  return c;
}

}  // namespace recovery::escalation
