// Engine + handlers on an in-memory store with a manual clock: one transaction carries the
// escalation state, its events (outbox rows), durable timers and delivery-queue rows.
#include <gtest/gtest.h>

#include "services/common/consumer.h"
#include "services/common/events.h"
#include "services/common/idempotency.h"
#include "services/common/outbox.h"
#include "services/common/timers.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/engine.h"
#include "services/escalation/handlers.h"
#include "yaml-cpp/yaml.h"

namespace recovery::escalation {
namespace {

constexpr char kYaml[] = R"(
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}, {channel: webhook, target: "http://127.0.0.1:9/a"}]}
  - {id: bob, name: Bob, time_zone: UTC, contact_methods: [{channel: log, target: bob}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"], tue: ["09:00-17:00"]}}
schedules:
  - id: oncall
    name: On call
    time_zone: UTC
    layers:
      - {name: primary, participants: [alice], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}, {targets: [{person: bob}], ack_timeout: 10m}]}
teams:
  - {id: ops, name: Ops, members: [alice, bob], calendar: office, schedule: oncall, policy: p}
routing_rules:
  - {id: low, max_severity: P4, categories: [billing], team: ops, hold_until_business_hours: true}
  - {id: all, team: ops}
)";

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*common::OpenStore(":memory:"));
    ASSERT_TRUE(common::Outbox::Migrate(*store_).ok());
    ASSERT_TRUE(common::TimerService::Migrate(*store_).ok());
    ASSERT_TRUE(common::MigrateIdempotency(*store_).ok());
    ASSERT_TRUE(MigrateEscalation(*store_).ok());
    auto settings = ParseServiceSettings(YAML::Load(kYaml));
    ASSERT_TRUE(settings.ok()) << settings.status();
    config_.SetSettings(std::move(*settings));
    outbox_ = std::make_unique<common::Outbox>(*store_);
    timers_ = std::make_unique<common::TimerService>(*store_, clock_);
    engine_ = std::make_unique<EscalationEngine>(config_, *timers_, *outbox_, clock_);
    handlers_ = std::make_unique<EscalationHandlers>(*engine_);
    timers_->Handle(kAckTimer, [this](common::Tx& tx, const common::Timer& t) { return engine_->OnAckTimer(tx, t); });
    timers_->Handle(kHoldTimer, [this](common::Tx& tx, const common::Timer& t) { return engine_->OnHoldTimer(tx, t); });
  }

  void Handle(const v1::Event& e) {
    ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) { return handlers_->OnEvent(tx, e); }).ok());
  }
  v1::Event Opened(const std::string& case_id, v1::Severity sev = v1::SEVERITY_P2, const std::string& cat = "outage") {
    v1::Event e = common::NewEvent(clock_.Now(), case_id, "intake", "tester", "req");
    e.mutable_case_opened()->set_severity(sev);
    e.mutable_case_opened()->set_category(cat);
    e.mutable_case_opened()->set_summary("it broke");
    return e;
  }
  // Event type names in the outbox, in order.
  std::vector<std::string> Events() {
    std::vector<std::string> out;
    EXPECT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
      auto rows = tx.Query("SELECT type FROM outbox ORDER BY id");
      if (!rows.ok()) return rows.status();
      for (const auto& r : *rows) out.push_back(r.Str(0));
      return absl::OkStatus();
    }).ok());
    return out;
  }
  int CountEvents(const std::string& type) {
    int n = 0;
    for (const auto& t : Events()) n += t == type;
    return n;
  }
  std::vector<v1::EscalationInfo> Escalations(const std::string& case_id, bool active_only = false) {
    std::vector<v1::EscalationInfo> out;
    EXPECT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
      auto l = ListEscalations(tx, case_id, active_only);
      if (!l.ok()) return l.status();
      out = *l;
      return absl::OkStatus();
    }).ok());
    return out;
  }
  std::vector<delivery::Delivery> Pages(const std::string& escalation_id) {
    std::vector<delivery::Delivery> out;
    EXPECT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
      auto l = delivery::ListByEscalation(tx, escalation_id);
      if (!l.ok()) return l.status();
      out = *l;
      return absl::OkStatus();
    }).ok());
    return out;
  }

  common::ManualClock clock_{absl::FromUnixSeconds(1795557600)};  // 2026-11-24T22:00:00Z, after hours
  std::unique_ptr<common::Store> store_;
  ConfigHolder config_;
  std::unique_ptr<common::Outbox> outbox_;
  std::unique_ptr<common::TimerService> timers_;
  std::unique_ptr<EscalationEngine> engine_;
  std::unique_ptr<EscalationHandlers> handlers_;
};

TEST_F(EngineTest, CaseOpenedPagesTheOnCallPersonOnEveryChannelAndArmsTheAckTimer) {
  Handle(Opened("c1"));
  auto escs = Escalations("c1");
  ASSERT_EQ(escs.size(), 1u);
  EXPECT_EQ(escs[0].status(), v1::ESCALATION_STATUS_PAGING);
  EXPECT_EQ(escs[0].rule_id(), "all");
  EXPECT_FALSE(escs[0].business_hours());
  const auto pages = Pages(escs[0].escalation_id());
  ASSERT_EQ(pages.size(), 2u);
  for (const auto& p : pages) {
    EXPECT_EQ(p.person_id, "alice");
    EXPECT_EQ(p.status, delivery::kPending);
    EXPECT_NE(p.payload.find("\"summary\":\"it broke\""), std::string::npos);
  }
  EXPECT_EQ(Events(), (std::vector<std::string>{"EscalationStarted", "PageQueued", "PageQueued"}));
  EXPECT_EQ(timers_->NextDue(), clock_.Now() + absl::Minutes(5));
}

TEST_F(EngineTest, AckTimeoutPagesTier2AndCancelsTier1Retries) {
  Handle(Opened("c1"));
  clock_.Advance(absl::Minutes(5));
  ASSERT_EQ(*timers_->FireDue(clock_.Now()), 1);
  const auto esc = Escalations("c1")[0];
  EXPECT_EQ(esc.tier(), 1);
  int bob = 0;
  for (const auto& p : Pages(esc.escalation_id())) {
    if (p.person_id == "alice") {
      EXPECT_EQ(p.status, delivery::kCancelled);
    }
    if (p.person_id == "bob") ++bob;
  }
  EXPECT_EQ(bob, 1);
  EXPECT_EQ(CountEvents("TierAdvanced"), 1);
  // The timer was consumed: firing again does nothing.
  ASSERT_EQ(*timers_->FireDue(clock_.Now()), 0);
}

TEST_F(EngineTest, AcknowledgeCancelsQueuedPagesAndTimers) {
  Handle(Opened("c1"));
  auto esc = Escalations("c1")[0];
  ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) {
    return engine_->Apply(tx, esc, Acknowledge{"alice"}, {"req-ack", "alice", "", ""}).status();
  }).ok());
  for (const auto& p : Pages(esc.escalation_id())) EXPECT_EQ(p.status, delivery::kCancelled);
  EXPECT_EQ(timers_->Pending(), 0);
  EXPECT_EQ(Escalations("c1")[0].status(), v1::ESCALATION_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(CountEvents("EscalationAcknowledged"), 1);
  clock_.Advance(absl::Hours(1));
  ASSERT_EQ(*timers_->FireDue(clock_.Now()), 0);
  EXPECT_EQ(CountEvents("TierAdvanced"), 0);
  // The worker's claim re-check refuses any page of an acknowledged escalation.
  const delivery::Delivery first = Pages(esc.escalation_id())[0];
  ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
    auto wanted = engine_->StillWanted(tx, first);
    EXPECT_FALSE(*wanted);
    return absl::OkStatus();
  }).ok());
}

TEST_F(EngineTest, SlaBreachedAdvancesTheActiveEscalationAtOnce) {
  Handle(Opened("c1"));
  v1::Event breach = common::NewEvent(clock_.Now(), "c1", "follow-up", "follow-up", "x");
  breach.mutable_sla_breached()->set_kind(v1::SLA_KIND_ACKNOWLEDGE);
  Handle(breach);
  const auto escs = Escalations("c1");
  ASSERT_EQ(escs.size(), 1u);
  EXPECT_EQ(escs[0].tier(), 1);
  EXPECT_EQ(CountEvents("TierAdvanced"), 1);
  // Only tier 2's timer remains.
  EXPECT_EQ(timers_->Pending(), 1);
  ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
    auto t = timers_->Get(tx, kAckTimer, escs[0].escalation_id() + "/1/0");
    EXPECT_TRUE(t.ok() && t->has_value());
    if (t.ok() && t->has_value()) {
      EXPECT_EQ((*t)->due, clock_.Now() + absl::Minutes(10));
    }
    return absl::OkStatus();
  }).ok());
}

TEST_F(EngineTest, SeverityRaiseStartsAnEscalationOnlyWhenNoneIsActive) {
  v1::Event held = Opened("c1", v1::SEVERITY_P4, "billing");
  Handle(held);  // held until business hours: active
  ASSERT_EQ(Escalations("c1").size(), 1u);
  EXPECT_EQ(Escalations("c1")[0].status(), v1::ESCALATION_STATUS_HELD);
  v1::Event raise = common::NewEvent(clock_.Now(), "c1", "intake", "tester", "r2");
  raise.mutable_case_updated()->set_previous_severity(v1::SEVERITY_P4);
  raise.mutable_case_updated()->set_severity(v1::SEVERITY_P1);
  Handle(raise);
  EXPECT_EQ(Escalations("c1").size(), 1u);

  Handle(Opened("c2", v1::SEVERITY_P3));
  auto esc = Escalations("c2")[0];
  ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) {
    return engine_->Apply(tx, esc, Acknowledge{"alice"}, {"req", "alice", "", ""}).status();
  }).ok());
  v1::Event lower = common::NewEvent(clock_.Now(), "c2", "intake", "tester", "r3");
  lower.mutable_case_updated()->set_previous_severity(v1::SEVERITY_P3);
  lower.mutable_case_updated()->set_severity(v1::SEVERITY_P4);
  Handle(lower);
  EXPECT_EQ(Escalations("c2").size(), 1u);
  raise.set_case_id("c2");
  raise.set_event_id("other");
  Handle(raise);
  ASSERT_EQ(Escalations("c2").size(), 2u);
  EXPECT_EQ(Escalations("c2")[1].reason(), "severity raised");
}

TEST_F(EngineTest, CaseResolvedResolvesEveryOpenEscalation) {
  Handle(Opened("c1"));
  v1::Event resolved = common::NewEvent(clock_.Now(), "c1", "intake", "carol", "r");
  resolved.mutable_case_resolved()->set_resolution("fixed");
  Handle(resolved);
  const auto esc = Escalations("c1")[0];
  EXPECT_EQ(esc.status(), v1::ESCALATION_STATUS_RESOLVED);
  EXPECT_EQ(esc.resolved_by(), "carol");
  EXPECT_EQ(CountEvents("EscalationResolved"), 1);
  for (const auto& p : Pages(esc.escalation_id())) EXPECT_EQ(p.status, delivery::kCancelled);
  EXPECT_EQ(timers_->Pending(), 0);
}

TEST_F(EngineTest, ReminderDueQueuesOneDeliveryPerContactMethod) {
  v1::Event due = common::NewEvent(clock_.Now(), "c1", "follow-up", "follow-up", "x");
  due.mutable_reminder_due()->set_reminder_id("rem-1");
  due.mutable_reminder_due()->set_recipient("alice");
  due.mutable_reminder_due()->set_reason("call the client back");
  Handle(due);
  ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
    auto rows = delivery::DueDeliveries(tx, clock_.Now(), 10);
    EXPECT_EQ(rows->size(), 2u);
    for (const auto& d : *rows) {
      EXPECT_EQ(d.kind, delivery::kKindReminder);
      EXPECT_EQ(d.reminder_id, "rem-1");
    }
    // Delivered: ReminderDelivered is published.
    return engine_->RecordOutcome(tx, (*rows)[0], {true, ""});
  }).ok());
  EXPECT_EQ(CountEvents("ReminderDelivered"), 1);
}

TEST_F(EngineTest, OwnEventsAreIgnored) {
  v1::Event own = Opened("c1");
  own.set_source("escalation");
  Handle(own);
  EXPECT_TRUE(Escalations("c1").empty());
}

TEST(AckTimerKeyTest, RoundTripsAndRejectsMalformedKeys) {
  std::string id;
  int tier = -5, round = -5;
  ASSERT_TRUE(ParseAckTimerKey("esc-1/2/3", &id, &tier, &round));
  EXPECT_EQ(id, "esc-1");
  EXPECT_EQ(tier, 2);
  EXPECT_EQ(round, 3);
  EXPECT_FALSE(ParseAckTimerKey("esc-1/2", &id, &tier, &round));
  EXPECT_FALSE(ParseAckTimerKey("esc-1/x/3", &id, &tier, &round));
}

}  // namespace
}  // namespace recovery::escalation
