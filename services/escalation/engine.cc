// Applies the escalation state machine's effects inside one transaction.
#include "services/escalation/engine.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/events.h"
#include "services/common/ids.h"
#include "services/common/logging.h"
#include "services/escalation/state_codec.h"

namespace recovery::escalation {
namespace {

using common::JsonEscape;
using common::Tx;

std::string Quote(const std::string& s) { return absl::StrCat("\"", JsonEscape(s), "\""); }

std::string SeverityText(v1::Severity s) {
  return s == v1::SEVERITY_UNSPECIFIED ? "" : absl::StrCat("P", static_cast<int>(s));
}

std::string AckTimerKey(const std::string& escalation_id, int tier, int round) {
  return absl::StrCat(escalation_id, "/", tier, "/", round);
}

// One escalation's events share the start-of-escalation fields.
void FillStarted(const v1::EscalationInfo& info, v1::EscalationStarted* out) {
  out->set_escalation_id(info.escalation_id());
  out->set_team_id(info.team_id());
  out->set_policy_id(info.plan().policy_id());
  out->set_business_hours(info.business_hours());
  out->set_rule_id(info.rule_id());
  out->set_severity(info.severity());
  out->set_reason(info.reason());
}

}  // namespace

bool ParseAckTimerKey(const std::string& key, std::string* escalation_id, int* tier, int* round) {
  std::vector<std::string> parts = absl::StrSplit(key, '/');
  if (parts.size() != 3 || parts[0].empty()) return false;
  if (!absl::SimpleAtoi(parts[1], tier) || !absl::SimpleAtoi(parts[2], round)) return false;
  *escalation_id = parts[0];
  return true;
}

recovery::v1::Event EscalationEngine::NewEvent(const std::string& case_id, const Context& ctx) const {
  return common::NewEvent(clock_.Now(), case_id, kServiceName, ctx.actor, ctx.causation_id);
}

absl::Status EscalationEngine::Publish(Tx& tx, const recovery::v1::Event& e) { return outbox_.Append(tx, e); }

void EscalationEngine::WakeAfterCommit(Tx& tx) {
  if (wake_delivery_) tx.AfterCommit(wake_delivery_);
}

absl::StatusOr<std::optional<v1::EscalationInfo>> EscalationEngine::Start(Tx& tx, const CaseRecord& c,
                                                                          const std::string& reason,
                                                                          const Context& ctx) {
  const auto dir = config_.directory();
  const absl::Time now = clock_.Now();
  CaseFacts facts{c.case_id, c.category, SeverityFromProto(c.severity), c.client_tier, c.client_id};
  const calendar::Calendar* client_calendar =
      c.client_calendar_id.empty() ? nullptr : dir->FindCalendar(c.client_calendar_id);
  auto decision = Route(dir->routing_rules, dir->teams, dir->calendars, facts, client_calendar, now);
  if (!decision.ok()) {
    common::LogWarn("case not routed", {{"case_id", c.case_id}, {"error", std::string(decision.status().message())}});
    return std::optional<v1::EscalationInfo>();
  }
  auto plan = BuildPlan(*dir, *decision);
  if (!plan.ok()) {
    common::LogWarn("case not routed", {{"case_id", c.case_id}, {"error", std::string(plan.status().message())}});
    return std::optional<v1::EscalationInfo>();
  }
  v1::EscalationInfo info;
  info.set_team_id(decision->team_id);
  info.set_rule_id(decision->rule_id);
  info.set_business_hours(decision->business_hours);
  info.set_severity(c.severity);
  info.set_reason(reason);
  *info.mutable_started_at() = common::ToProto(now);
  StateToInfo(NewEscalation(common::NewId(now), c.case_id, std::move(*plan)), &info);
  auto applied = Apply(tx, std::move(info), escalation::Start{decision->hold_until}, ctx);
  if (!applied.ok()) return applied.status();
  return std::optional<v1::EscalationInfo>(std::move(applied->info));
}

absl::Status EscalationEngine::QueuePage(Tx& tx, const v1::EscalationInfo& info, const std::optional<CaseRecord>& c,
                                         const PageTarget& page, const Context& ctx) {
  const absl::Time now = clock_.Now();
  delivery::Delivery d;
  d.page_id = common::NewId(now);
  d.kind = delivery::kKindPage;
  d.escalation_id = info.escalation_id();
  d.case_id = info.case_id();
  d.person_id = page.person_id;
  d.channel = page.channel;
  d.target = page.target;
  d.tier = page.tier;
  d.round = page.round;
  d.next_attempt_at = page.not_before;
  d.idempotency_key = page.idempotency_key;
  d.created_at = now;
  const std::string summary = c ? c->summary : "";
  const v1::Severity severity = c ? c->severity : info.severity();
  d.subject = absl::StrCat("[", SeverityText(severity), "] case ", info.case_id(), ": ", summary);
  d.payload = absl::StrCat(
      "{\"page_id\":", Quote(d.page_id), ",\"escalation_id\":", Quote(d.escalation_id), ",\"case_id\":",
      Quote(d.case_id), ",\"person_id\":", Quote(d.person_id), ",\"tier\":", d.tier, ",\"round\":", d.round,
      ",\"summary\":", Quote(summary), ",\"severity\":", Quote(SeverityText(severity)), ",\"ack_hint\":",
      Quote(absl::StrCat("AcknowledgePage page_id=", d.page_id)), "}");
  auto inserted = delivery::Enqueue(tx, d);
  if (!inserted.ok()) return inserted.status();
  if (!*inserted) return absl::OkStatus();  // the same page is already queued
  v1::Event e = NewEvent(info.case_id(), ctx);
  auto* q = e.mutable_page_queued();
  q->set_escalation_id(d.escalation_id);
  q->set_page_id(d.page_id);
  q->set_person_id(d.person_id);
  q->set_channel(ToProto(d.channel));
  q->set_target(d.target);
  q->set_tier(d.tier);
  q->set_round(d.round);
  *q->mutable_not_before() = common::ToProto(d.next_attempt_at);
  return Publish(tx, e);
}

absl::StatusOr<EscalationEngine::Applied> EscalationEngine::Apply(Tx& tx, v1::EscalationInfo info,
                                                                  const Input& input, const Context& ctx) {
  const auto dir = config_.directory();
  const absl::Time now = clock_.Now();
  StepResult result = Step(*dir, InfoToState(info), input, now);
  if (result.ignored) return Applied{std::move(info), true, result.ignored_reason};

  const std::string& id = info.escalation_id();
  // The tier moves on: retries of the previous tier's pages stop.
  if (std::holds_alternative<AckTimeout>(input) || std::holds_alternative<HoldElapsed>(input)) {
    if (auto n = delivery::CancelUndelivered(tx, id); !n.ok()) return n.status();
  }
  StateToInfo(result.state, &info);
  *info.mutable_updated_at() = common::ToProto(now);
  if (auto s = SaveEscalation(tx, info); !s.ok()) return s;

  std::optional<CaseRecord> c;
  {
    auto loaded = LoadCase(tx, info.case_id());
    if (!loaded.ok()) return loaded.status();
    c = std::move(*loaded);
  }
  const std::string& case_id = info.case_id();
  for (const Effect& effect : result.effects) {
    absl::Status s;
    if (const auto* page = std::get_if<PageTarget>(&effect)) {
      s = QueuePage(tx, info, c, *page, ctx);
    } else if (const auto* arm = std::get_if<ArmAckTimer>(&effect)) {
      s = timers_.Schedule(tx, kAckTimer, AckTimerKey(id, arm->tier, arm->round), arm->due, id);
    } else if (std::holds_alternative<CancelAckTimer>(effect)) {
      s = timers_.CancelPrefix(tx, kAckTimer, id + "/").status();
    } else if (const auto* hold = std::get_if<ArmHoldTimer>(&effect)) {
      s = timers_.Schedule(tx, kHoldTimer, id, hold->due, id);
    } else if (std::holds_alternative<CancelHoldTimer>(effect)) {
      s = timers_.Cancel(tx, kHoldTimer, id).status();
    } else if (std::holds_alternative<CancelPendingPages>(effect)) {
      s = delivery::CancelUndelivered(tx, id).status();
    } else if (std::holds_alternative<EscalationStarted>(effect)) {
      v1::Event e = NewEvent(case_id, ctx);
      FillStarted(info, e.mutable_escalation_started());
      s = Publish(tx, e);
    } else if (const auto* held = std::get_if<EscalationHeld>(&effect)) {
      v1::Event e = NewEvent(case_id, ctx);
      e.mutable_escalation_held()->set_escalation_id(id);
      *e.mutable_escalation_held()->mutable_until() = common::ToProto(held->until);
      s = Publish(tx, e);
    } else if (const auto* adv = std::get_if<TierAdvanced>(&effect)) {
      v1::Event e = NewEvent(case_id, ctx);
      auto* t = e.mutable_tier_advanced();
      t->set_escalation_id(id);
      t->set_from_tier(adv->from_tier);
      t->set_to_tier(adv->to_tier);
      t->set_round(adv->to_round);
      t->set_reason(ctx.reason.empty() || adv->reason == "no one to page" ? adv->reason : ctx.reason);
      s = Publish(tx, e);
    } else if (const auto* ack = std::get_if<EscalationAcknowledged>(&effect)) {
      v1::Event e = NewEvent(case_id, ctx);
      auto* a = e.mutable_escalation_acknowledged();
      a->set_escalation_id(id);
      a->set_acknowledged_by(ack->person_id);
      a->set_page_id(ctx.page_id);
      *a->mutable_time_to_acknowledge() = google::protobuf::util::TimeUtil::MicrosecondsToDuration(
          absl::ToInt64Microseconds(now - common::FromProto(info.started_at())));
      s = Publish(tx, e);
    } else if (const auto* ex = std::get_if<EscalationExhausted>(&effect)) {
      v1::Event e = NewEvent(case_id, ctx);
      auto* x = e.mutable_escalation_exhausted();
      x->set_escalation_id(id);
      x->set_rounds(info.round() + 1);
      x->set_fallback_person_id(ex->fallback_person_id);
      s = Publish(tx, e);
    } else if (const auto* res = std::get_if<EscalationResolved>(&effect)) {
      info.set_resolved_by(res->by);
      s = SaveEscalation(tx, info);
      if (s.ok()) {
        v1::Event e = NewEvent(case_id, ctx);
        auto* r = e.mutable_escalation_resolved();
        r->set_escalation_id(id);
        r->set_resolved_by(res->by);
        r->set_reason(ctx.reason);
        s = Publish(tx, e);
      }
    }
    // PageQueued (per person) is published per queued delivery instead, with its page id.
    if (!s.ok()) return s;
  }
  WakeAfterCommit(tx);
  return Applied{std::move(info), false, ""};
}

absl::StatusOr<EscalationEngine::Applied> EscalationEngine::AdvanceNow(Tx& tx, v1::EscalationInfo info,
                                                                       const Context& ctx) {
  const std::string id = info.escalation_id();
  if (info.status() == v1::ESCALATION_STATUS_PAGING) {
    const int tier = info.tier(), round = info.round();
    if (auto s = timers_.CancelPrefix(tx, kAckTimer, id + "/"); !s.ok()) return s.status();
    return Apply(tx, std::move(info), AckTimeout{tier, round}, ctx);
  }
  if (info.status() == v1::ESCALATION_STATUS_HELD) {
    if (auto s = timers_.Cancel(tx, kHoldTimer, id); !s.ok()) return s.status();
    return Apply(tx, std::move(info), HoldElapsed{}, ctx);
  }
  return Applied{std::move(info), true, "not paging or held"};
}

absl::Status EscalationEngine::OnAckTimer(Tx& tx, const common::Timer& timer) {
  std::string id;
  int tier = 0, round = 0;
  if (!ParseAckTimerKey(timer.key, &id, &tier, &round)) {
    common::LogWarn("malformed ack timer key", {{"key", timer.key}});
    return absl::OkStatus();
  }
  auto info = LoadEscalation(tx, id);
  if (!info.ok()) return info.status();
  if (!info->has_value()) return absl::OkStatus();
  auto applied = Apply(tx, std::move(**info), AckTimeout{tier, round},
                       Context{absl::StrCat("timer:", kAckTimer, ":", timer.key), kServiceName, "", ""});
  return applied.status();
}

absl::Status EscalationEngine::OnHoldTimer(Tx& tx, const common::Timer& timer) {
  auto info = LoadEscalation(tx, timer.key);
  if (!info.ok()) return info.status();
  if (!info->has_value()) return absl::OkStatus();
  auto applied = Apply(tx, std::move(**info), HoldElapsed{},
                       Context{absl::StrCat("timer:", kHoldTimer, ":", timer.key), kServiceName, "", ""});
  return applied.status();
}

absl::Status EscalationEngine::QueueReminder(Tx& tx, const recovery::v1::Event& event) {
  const v1::ReminderDue& r = event.reminder_due();
  const auto dir = config_.directory();
  const Person* person = dir->FindPerson(r.recipient());
  if (person == nullptr) {
    common::LogWarn("reminder for unknown person not delivered",
                    {{"reminder_id", r.reminder_id()}, {"recipient", r.recipient()}});
    return absl::OkStatus();
  }
  const absl::Time now = clock_.Now();
  const std::string payload = absl::StrCat(
      "{\"reminder_id\":", Quote(r.reminder_id()), ",\"case_id\":", Quote(event.case_id()), ",\"person_id\":",
      Quote(person->id), ",\"kind\":", Quote(r.kind()), ",\"reason\":", Quote(r.reason()), ",\"subject_id\":",
      Quote(r.subject_id()), ",\"due\":", Quote(absl::FormatTime(absl::RFC3339_sec, common::FromProto(r.due()),
                                                                 absl::UTCTimeZone())),
      ",\"repeat\":", r.repeat(), "}");
  int n = 0;
  for (const ContactMethod& m : person->contact_methods) {
    delivery::Delivery d;
    d.page_id = common::NewId(now);
    d.kind = delivery::kKindReminder;
    d.case_id = event.case_id();
    d.person_id = person->id;
    d.channel = m.channel;
    d.target = m.target;
    d.next_attempt_at = now;
    d.idempotency_key = absl::StrCat("reminder/", r.reminder_id(), "/", r.repeat(), "/",
                                     std::string(ChannelName(m.channel)), "/", n++);
    d.payload = payload;
    d.subject = absl::StrCat("Reminder: ", r.reason());
    d.reminder_id = r.reminder_id();
    d.created_at = now;
    if (auto s = delivery::Enqueue(tx, d); !s.ok()) return s.status();
  }
  WakeAfterCommit(tx);
  return absl::OkStatus();
}

absl::StatusOr<bool> EscalationEngine::StillWanted(Tx& tx, const delivery::Delivery& d) {
  if (d.kind != delivery::kKindPage) return true;
  auto info = LoadEscalation(tx, d.escalation_id);
  if (!info.ok()) return info.status();
  if (!info->has_value()) return false;
  const v1::EscalationStatus s = (**info).status();
  return s != v1::ESCALATION_STATUS_ACKNOWLEDGED && s != v1::ESCALATION_STATUS_RESOLVED;
}

absl::Status EscalationEngine::RecordOutcome(Tx& tx, const delivery::Delivery& d,
                                             const delivery::SendResult& result) {
  Context ctx{d.page_id, kServiceName, "", ""};
  v1::Event e = NewEvent(d.case_id, ctx);
  if (d.kind == delivery::kKindReminder) {
    if (!result.ok) return absl::OkStatus();  // retried; the attempt was logged
    auto* r = e.mutable_reminder_delivered();
    r->set_reminder_id(d.reminder_id);
    r->set_recipient(d.person_id);
    r->set_channel(ToProto(d.channel));
    return Publish(tx, e);
  }
  if (result.ok) {
    auto* p = e.mutable_page_delivered();
    p->set_escalation_id(d.escalation_id);
    p->set_page_id(d.page_id);
    p->set_person_id(d.person_id);
    p->set_channel(ToProto(d.channel));
    p->set_attempts(d.attempts);
    p->set_idempotency_key(d.idempotency_key);
  } else {
    auto* p = e.mutable_page_failed();
    p->set_escalation_id(d.escalation_id);
    p->set_page_id(d.page_id);
    p->set_person_id(d.person_id);
    p->set_channel(ToProto(d.channel));
    p->set_attempts(d.attempts);
    p->set_error(result.error);
    p->set_final(d.status != delivery::kPending);
  }
  return Publish(tx, e);
}

}  // namespace recovery::escalation
