// The escalation app through EscalationModule on the real runtime, in process (ServiceFixture:
// SQLite, manual clock, durable timers, the outbox drained by Quiesce()): one transaction
// carries the escalation state, its events, durable timers and delivery-queue rows; malformed
// consumed events are parked; rows stored in the old EscalationInfo form stay readable.
#include <gtest/gtest.h>

#include "recovery/v1/escalation.pb.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "services/common/ids.h"
#include "services/common/metrics.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/common/timers.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/module.h"
#include "tests/support/service_fixture.h"
#include "yaml-cpp/yaml.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;

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
delivery: {allow_http: true, allowed_networks: [127.0.0.0/8]}
)";

recovery::testing::FixtureOptions WithConfig(const std::string& yaml, const std::string& db = "") {
  recovery::testing::FixtureOptions options;
  options.config_yaml = yaml;
  options.db = db;
  return options;
}

class AppTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fx_.ok()); }

  EscalationApp& app() { return module_.app(); }
  common::ManualClock& clock() { return fx_.clock(); }

  void Deliver(const v1::Event& e) {
    ASSERT_TRUE(fx_.Deliver(e).ok());
    fx_.Quiesce();
  }
  v1::Event Opened(const std::string& case_id, v1::Severity sev = v1::SEVERITY_P2, const std::string& cat = "outage") {
    v1::Event e = common::NewEvent(clock().Now(), case_id, "intake", "tester", "req");
    e.mutable_case_opened()->set_severity(sev);
    e.mutable_case_opened()->set_category(cat);
    e.mutable_case_opened()->set_summary("it broke");
    return e;
  }
  std::vector<std::string> Events() {
    std::vector<std::string> out;
    for (const auto& e : fx_.published()) out.push_back(common::EventTypeName(e));
    return out;
  }
  size_t CountEvents(const std::string& type) { return fx_.PublishedOfType(type).size(); }
  std::vector<EscalationState> Escalations(const std::string& case_id, bool active_only = false) {
    v1::ListEscalationsRequest r;
    r.set_case_id(case_id);
    r.set_active_only(active_only);
    auto l = app().ListEscalations(r);
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? l->escalations : std::vector<EscalationState>{};
  }
  std::vector<delivery::Delivery> Pages(const std::string& escalation_id) {
    auto l = app().ListPages(escalation_id);
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? *l : std::vector<delivery::Delivery>{};
  }
  // Acknowledges as `person` (a responder; `any`: holding pages.acknowledge_any).
  absl::Status Acknowledge(const EscalationState& esc, const std::string& person, const std::string& request_id,
                           bool any = false) {
    return common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
      v1::AcknowledgePageRequest r;
      r.set_request_id(request_id);
      r.set_escalation_id(esc.escalation_id);
      return app()
          .AcknowledgePage(tx, r, CallerScope{.actor = "person:" + person, .person_id = person, .acknowledge_any = any})
          .status();
    });
  }

  EscalationModule module_{EscalationModule::Options{.start_delivery_worker = false}};
  recovery::testing::ServiceFixture fx_{module_, WithConfig(kYaml)};
};

TEST_F(AppTest, CaseOpenedPagesTheOnCallPersonOnEveryChannelAndArmsTheAckTimer) {
  Deliver(Opened("c1"));
  auto escs = Escalations("c1");
  ASSERT_EQ(escs.size(), 1u);
  EXPECT_EQ(escs[0].status, EscalationStatus::kPaging);
  EXPECT_EQ(escs[0].rule_id, "all");
  EXPECT_FALSE(escs[0].business_hours);
  const auto pages = Pages(escs[0].escalation_id);
  ASSERT_EQ(pages.size(), 2u);
  for (const auto& p : pages) {
    EXPECT_EQ(p.person_id, "alice");
    EXPECT_EQ(p.status, delivery::kPending);
    EXPECT_NE(p.payload.find("\"summary\":\"it broke\""), std::string::npos) << p.payload;
    EXPECT_NE(p.payload.find("\"tier\":0"), std::string::npos) << p.payload;
    EXPECT_NE(p.payload.find("\"severity\":\"P2\""), std::string::npos) << p.payload;
  }
  EXPECT_EQ(Events(), (std::vector<std::string>{"EscalationStarted", "PageQueued", "PageQueued"}));
  // One PageQueued per queued row, with its page id: none is dropped.
  std::set<std::string> queued;
  for (const auto& e : fx_.PublishedOfType("PageQueued")) queued.insert(e.page_queued().page_id());
  EXPECT_EQ(queued, (std::set<std::string>{pages[0].page_id, pages[1].page_id}));
  EXPECT_EQ(fx_.runtime().timers().NextDue(), clock().Now() + absl::Minutes(5));
}

// The module wires the delivery worker's counters into the service's /metrics, at 0 from the start.
TEST_F(AppTest, DeliveryCountersAreExportedThroughTheServiceMetrics) {
  const std::string metrics = fx_.runtime().metrics().Render();
  for (const char* series : {"recovery_delivery_resends_total{service=\"escalation\",kind=\"lease_expired\"} 0",
                             "recovery_delivery_resends_total{service=\"escalation\",kind=\"requeued\"} 0",
                             "recovery_delivery_record_retries_total{service=\"escalation\"} 0",
                             "recovery_delivery_lease_lost_total{service=\"escalation\"} 0"}) {
    EXPECT_NE(metrics.find(series), std::string::npos) << series << " in\n" << metrics;
  }
}

// No page is cancelled before it was tried: the worker is off here, so tier 1's pages were
// never attempted and keep their one attempt (SupersedeUndelivered) while tier 2 is paged.
TEST_F(AppTest, AckTimeoutPagesTier2AndLeavesUntriedTier1PagesTheirOneAttempt) {
  Deliver(Opened("c1"));
  fx_.Advance(absl::Minutes(5));
  const auto esc = Escalations("c1")[0];
  EXPECT_EQ(esc.tier, 1);
  int bob = 0;
  for (const auto& p : Pages(esc.escalation_id)) {
    if (p.person_id == "alice") {
      EXPECT_EQ(p.status, delivery::kPending) << "an untried page is not cancelled by the tier change";
    }
    if (p.person_id == "bob") ++bob;
  }
  EXPECT_EQ(bob, 1);
  ASSERT_EQ(CountEvents("TierAdvanced"), 1u);
  EXPECT_EQ(fx_.PublishedOfType("TierAdvanced")[0].tier_advanced().reason(), "ack timeout");
  // The timer was consumed: firing again does nothing.
  ASSERT_EQ(*fx_.runtime().timers().FireDue(clock().Now()), 0);
}

// The page was queued while loopback was allowed; the reloaded configuration no longer allows
// it, so the sender refuses the queued page at delivery time: PageFailed, final, with why.
TEST_F(AppTest, AQueuedWebhookPageToATargetNoLongerAllowedFailsAtOnceWithTheReason) {
  Deliver(Opened("c1"));
  std::string yaml = kYaml;
  const std::string webhook = R"(, {channel: webhook, target: "http://127.0.0.1:9/a"})";
  yaml.erase(yaml.find(webhook), webhook.size());
  yaml.erase(yaml.find("delivery: "));
  ASSERT_TRUE(module_.Reload(YAML::Load(yaml)).ok());

  ASSERT_EQ(*module_.delivery_worker().RunOnce(), 2);  // the log page and the webhook page
  fx_.Quiesce();
  const auto failed = fx_.PublishedOfType("PageFailed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].page_failed().error(), "refused: http is not allowed (use https, or set delivery.allow_http)");
  EXPECT_TRUE(failed[0].page_failed().final());
  EXPECT_EQ(failed[0].page_failed().attempts(), 1);
  EXPECT_EQ(failed[0].page_failed().channel(), v1::PAGE_CHANNEL_WEBHOOK);
  EXPECT_EQ(CountEvents("PageDelivered"), 1u);
}

TEST_F(AppTest, AcknowledgeCancelsQueuedPagesAndTimers) {
  Deliver(Opened("c1"));
  auto esc = Escalations("c1")[0];
  ASSERT_TRUE(Acknowledge(esc, "alice", "req-ack").ok());
  fx_.Quiesce();
  for (const auto& p : Pages(esc.escalation_id)) EXPECT_EQ(p.status, delivery::kCancelled);
  EXPECT_EQ(fx_.runtime().timers().Pending(), 0);
  EXPECT_EQ(Escalations("c1")[0].status, EscalationStatus::kAcknowledged);
  EXPECT_EQ(CountEvents("EscalationAcknowledged"), 1u);
  fx_.Advance(absl::Hours(1));
  EXPECT_EQ(CountEvents("TierAdvanced"), 0u);
  // The worker's claim re-check refuses any page of an acknowledged escalation.
  const delivery::Delivery first = Pages(esc.escalation_id)[0];
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                auto wanted = app().StillWanted(tx, first);
                EXPECT_FALSE(*wanted);
                return absl::OkStatus();
              }).ok());
  // A second acknowledgement is refused by the domain.
  const absl::Status again = Acknowledge(esc, "bob", "req-ack-2", /*any=*/true);
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition) << again;
  EXPECT_EQ(again.message(), "escalation_id: already acknowledged");
}

TEST_F(AppTest, SlaBreachedAdvancesTheActiveEscalationAtOnce) {
  Deliver(Opened("c1"));
  v1::Event breach = common::NewEvent(clock().Now(), "c1", "follow-up", "follow-up", "x");
  breach.mutable_sla_breached()->set_kind(v1::SLA_KIND_ACKNOWLEDGE);
  Deliver(breach);
  const auto escs = Escalations("c1");
  ASSERT_EQ(escs.size(), 1u);
  EXPECT_EQ(escs[0].tier, 1);
  ASSERT_EQ(CountEvents("TierAdvanced"), 1u);
  EXPECT_EQ(fx_.PublishedOfType("TierAdvanced")[0].tier_advanced().reason(), "sla breached");
  // Only tier 2's timer remains.
  EXPECT_EQ(fx_.runtime().timers().Pending(), 1);
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                auto t = fx_.runtime().timers().Get(tx, kAckTimer, escs[0].escalation_id + "/1/0");
                EXPECT_TRUE(t.ok() && t->has_value());
                if (t.ok() && t->has_value()) {
                  EXPECT_EQ((*t)->due, clock().Now() + absl::Minutes(10));
                }
                return absl::OkStatus();
              }).ok());
}

TEST_F(AppTest, SeverityRaiseStartsAnEscalationOnlyWhenNoneIsActive) {
  Deliver(Opened("c1", v1::SEVERITY_P4, "billing"));  // held until business hours: active
  ASSERT_EQ(Escalations("c1").size(), 1u);
  EXPECT_EQ(Escalations("c1")[0].status, EscalationStatus::kHeld);
  v1::Event raise = common::NewEvent(clock().Now(), "c1", "intake", "tester", "r2");
  raise.mutable_case_updated()->set_previous_severity(v1::SEVERITY_P4);
  raise.mutable_case_updated()->set_severity(v1::SEVERITY_P1);
  Deliver(raise);
  EXPECT_EQ(Escalations("c1").size(), 1u);

  Deliver(Opened("c2", v1::SEVERITY_P3));
  ASSERT_TRUE(Acknowledge(Escalations("c2")[0], "alice", "req").ok());
  v1::Event lower = common::NewEvent(clock().Now(), "c2", "intake", "tester", "r3");
  lower.mutable_case_updated()->set_previous_severity(v1::SEVERITY_P3);
  lower.mutable_case_updated()->set_severity(v1::SEVERITY_P4);
  Deliver(lower);
  EXPECT_EQ(Escalations("c2").size(), 1u);
  raise.set_case_id("c2");
  raise.set_event_id(common::NewId(clock().Now()));
  Deliver(raise);
  ASSERT_EQ(Escalations("c2").size(), 2u);
  EXPECT_EQ(Escalations("c2")[1].reason, "severity raised");
}

TEST_F(AppTest, CaseResolvedResolvesEveryOpenEscalation) {
  Deliver(Opened("c1"));
  v1::Event resolved = common::NewEvent(clock().Now(), "c1", "intake", "person:carol", "r");
  resolved.mutable_case_resolved()->set_resolution("fixed");
  Deliver(resolved);
  const auto esc = Escalations("c1")[0];
  EXPECT_EQ(esc.status, EscalationStatus::kResolved);
  EXPECT_EQ(esc.resolved_by, "carol") << "the person who resolved the case";
  ASSERT_EQ(CountEvents("EscalationResolved"), 1u);
  const v1::Event event = fx_.PublishedOfType("EscalationResolved")[0];
  EXPECT_EQ(event.escalation_resolved().reason(), "case resolved");
  EXPECT_EQ(event.escalation_resolved().resolved_by(), "carol");
  // The effect of a consumed event is the service's, caused by that event.
  EXPECT_EQ(event.actor(), "service:escalation");
  EXPECT_EQ(event.causation_id(), resolved.event_id());
  for (const auto& p : Pages(esc.escalation_id)) EXPECT_EQ(p.status, delivery::kCancelled);
  EXPECT_EQ(fx_.runtime().timers().Pending(), 0);
}

TEST_F(AppTest, ReminderDueQueuesOneDeliveryPerContactMethod) {
  v1::Event due = common::NewEvent(clock().Now(), "c1", "follow-up", "follow-up", "x");
  due.mutable_reminder_due()->set_reminder_id("rem-1");
  due.mutable_reminder_due()->set_recipient("alice");
  due.mutable_reminder_due()->set_reason("call the client back");
  Deliver(due);
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                ASSIGN_OR_RETURN(auto rows, delivery::DueDeliveries(tx, clock().Now(), 10));
                EXPECT_EQ(rows.size(), 2u);
                for (const auto& d : rows) {
                  EXPECT_EQ(d.kind, delivery::kKindReminder);
                  EXPECT_EQ(d.reminder_id, "rem-1");
                  EXPECT_NE(d.payload.find("\"reason\":\"call the client back\""), std::string::npos) << d.payload;
                }
                // Delivered: ReminderDelivered is published.
                return app().RecordDelivery(tx, rows[0], {true, ""});
              }).ok());
  fx_.Quiesce();
  EXPECT_EQ(CountEvents("ReminderDelivered"), 1u);
}

TEST_F(AppTest, OwnEventsAreIgnored) {
  v1::Event own = Opened("c1");
  own.set_source("escalation");
  Deliver(own);
  EXPECT_TRUE(Escalations("c1").empty());
}

TEST_F(AppTest, AnEmptyForeignCaseOpenedIsLoggedCountedParkedAndChangesNothing) {
  // As published with kcat for a case intake never opened: no severity, no category.
  v1::Event empty = common::NewEvent(clock().Now(), "never-opened", "intake", "kcat", "");
  empty.mutable_case_opened();
  ASSERT_EQ(fx_.Deliver(empty).code(), absl::StatusCode::kInvalidArgument)
      << "refused as malformed; the consumer parked it";
  fx_.Quiesce();
  EXPECT_TRUE(Escalations("never-opened").empty());
  EXPECT_TRUE(fx_.published().empty());
  EXPECT_EQ(fx_.runtime().timers().Pending(), 0);
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                ASSIGN_OR_RETURN(auto cases, tx.Query("SELECT COUNT(*) FROM esc_cases"));
                EXPECT_EQ(cases[0].Int(0), 0);
                ASSIGN_OR_RETURN(auto queued, tx.Query("SELECT COUNT(*) FROM delivery_queue"));
                EXPECT_EQ(queued[0].Int(0), 0);
                ASSIGN_OR_RETURN(auto letters, common::ListDeadLetters(tx, common::kDeadLetterConsumer, 10));
                EXPECT_EQ(letters.size(), 1u);
                if (!letters.empty()) {
                  EXPECT_EQ(letters[0].event_id, empty.event_id());
                  EXPECT_EQ(letters[0].type, "CaseOpened");
                  EXPECT_NE(letters[0].reason.find("case_opened.severity"), std::string::npos) << letters[0].reason;
                }
                return absl::OkStatus();
              }).ok());
  EXPECT_NE(fx_.runtime().metrics().Render().find("outcome=\"malformed\"} 1"), std::string::npos);
}

TEST_F(AppTest, EscalationsStoredAsTheOldApiMessageStayReadableAndWritable) {
  // A row as the service wrote it before its own storage message: a serialized EscalationInfo.
  const std::string id = common::NewId(clock().Now());
  v1::EscalationInfo legacy;
  legacy.set_escalation_id(id);
  legacy.set_case_id("old-case");
  legacy.set_status(v1::ESCALATION_STATUS_PAGING);
  legacy.set_team_id("ops");
  legacy.set_severity(v1::SEVERITY_P1);
  legacy.set_reason("case opened");
  *legacy.mutable_started_at() = common::ToProto(clock().Now() - absl::Minutes(2));
  auto* tier = legacy.mutable_plan()->add_tiers();
  tier->add_targets()->set_kind(v1::TARGET_KIND_PERSON);
  tier->mutable_targets(0)->set_id("bob");
  tier->mutable_ack_timeout()->set_seconds(300);
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) {
                return tx.Exec(
                    "INSERT INTO escalations (escalation_id, case_id, active, state, updated_at)"
                    " VALUES (?,?,1,?,0)",
                    {id, "old-case", common::Blob{legacy.SerializeAsString()}});
              }).ok());
  auto read = app().GetEscalation(id);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->status, EscalationStatus::kPaging);
  EXPECT_EQ(read->severity, v1::SEVERITY_P1);
  ASSERT_EQ(read->plan.tiers.size(), 1u);
  EXPECT_EQ(read->plan.tiers[0].targets[0].id, "bob");
  EXPECT_EQ(read->plan.tiers[0].ack_timeout, absl::Minutes(5));
  ASSERT_TRUE(Acknowledge(*read, "bob", "ack-old", /*any=*/true).ok());
  fx_.Quiesce();
  EXPECT_EQ(app().GetEscalation(id)->status, EscalationStatus::kAcknowledged);
  ASSERT_EQ(CountEvents("EscalationAcknowledged"), 1u);
  EXPECT_EQ(fx_.PublishedOfType("EscalationAcknowledged")[0].escalation_acknowledged().time_to_acknowledge().seconds(),
            120);
}

TEST(AckTimerKeyTest, RoundTripsAndRejectsMalformedKeys) {
  std::string id;
  int tier = -5, round = -5;
  ASSERT_TRUE(ParseAckTimerKey(AckTimerKey("esc-1", 2, 3), &id, &tier, &round));
  EXPECT_EQ(id, "esc-1");
  EXPECT_EQ(tier, 2);
  EXPECT_EQ(round, 3);
  EXPECT_FALSE(ParseAckTimerKey("esc-1/2", &id, &tier, &round));
  EXPECT_FALSE(ParseAckTimerKey("esc-1/x/3", &id, &tier, &round));
}

}  // namespace
}  // namespace recovery::escalation
