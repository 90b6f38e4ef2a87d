// The real recovery-escalation binary on PostgreSQL under the faults of issue 15, with the dev
// broker and a webhook receiver, and no service restarted:
//   - its database refuses connections for 30 s while P1 cases arrive: readiness turns
//     NOT_SERVING and back, every event is handled once, nothing is parked, every page goes out
//     once per tier;
//   - PostgreSQL crashes (pg_ctl stop -m immediate) while pages are on the wire: the outcomes
//     are recorded once it is back (within the lease), or, when it stayed away past the lease,
//     the pages are claimed again and re-sent under their key; PageDelivered for each, no row
//     left 'sending';
//   - one of two replicas is SIGKILLed while both deliver: the survivor re-sends none of its
//     own pages; the dead replica's pages are re-sent once their lease expired (counted).
// Every replica runs on the manual clock (a Tuesday after hours): leases expire when a test
// moves a clock past them, never by waiting.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "services/common/events.h"
#include "tests/escalation/integration_config.h"
#include "tests/postgres/escalation_processes.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/dev_broker.h"

namespace recovery {
namespace {

namespace v1 = recovery::v1;
using recovery::escalation::testing::IntegrationConfigYaml;
using recovery::escalation::testing::PagingCaseOpened;
using recovery::testing::CountInLog;
using recovery::testing::DeliveryRow;
using recovery::testing::DevBroker;
using recovery::testing::EventPublisher;
using recovery::testing::OwnerPid;
using recovery::testing::Pages;
using recovery::testing::PollUntil;
using recovery::testing::QueryInt;
using recovery::testing::RequestsPerKey;
using recovery::testing::ServiceProcess;
using recovery::testing::TempDir;
using recovery::testing::TopicReader;
using recovery::testing::WaitForLog;
using recovery::testing::WaitForPages;
using recovery::testing::WebhookReceiver;

// The worker's default lease (DeliveryOptions::lease): a clock moved this far expires it.
constexpr absl::Duration kPastTheLease = absl::Seconds(61);
constexpr absl::Duration kWait = absl::Seconds(60);

v1::Event P1CaseOpened(const std::string& case_id) {
  v1::Event e = PagingCaseOpened(case_id);
  e.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
  return e;
}

class PostgresEscalationFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!recovery::testing::EscalationBinaryBuilt()) GTEST_SKIP() << "recovery-escalation not built";
    RECOVERY_REQUIRE_POSTGRES(pg());
    url_ = recovery::testing::FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    database_ = url_.substr(url_.rfind('/') + 1);
    // The test cluster commits asynchronously for speed, so a crash could lose commits the
    // service was told had happened; production commits synchronously, and so does this database.
    const absl::Status sync = pg().Exec("postgres", "ALTER DATABASE \"" + database_ + "\" SET synchronous_commit = on");
    ASSERT_TRUE(sync.ok()) << sync;
    ASSERT_FALSE(broker_.bootstrap().empty());
    // Held answers outlast the default 5 s webhook timeout; a timed-out send would be retried
    // and counted as a re-send.
    std::ofstream(config_) << IntegrationConfigYaml(rx_, "faults-secret") << "webhook_timeout: 30s\n";
  }

  static recovery::testing::PostgresServer& pg() { return recovery::testing::SharedPostgres(); }

  ServiceProcess Start(const std::string& tag) {
    return recovery::testing::StartEscalation(dir_, tag, url_, broker_.bootstrap(), config_);
  }

  std::unique_ptr<common::Store> OpenDatabase() {
    auto store = common::OpenStore(url_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // Two replicas on the database, the receiver holding every answer, and one after-hours P1
  // case per page: returns once all `cases` of alice's pages are on the wire.
  void TwoReplicasWithPagesOnTheWire(size_t cases, std::vector<ServiceProcess>* replicas,
                                     std::unique_ptr<common::Store>* store) {
    for (const char* tag : {"r1", "r2"}) {
      replicas->push_back(Start(tag));
      ASSERT_TRUE(replicas->back().started());
    }
    *store = OpenDatabase();
    ASSERT_TRUE(*store);
    rx_.Hold();
    EventPublisher publisher(dir_.File("publisher.db"), broker_.bootstrap());
    std::vector<v1::Event> events;
    for (size_t i = 0; i < cases; ++i) events.push_back(P1CaseOpened("case-" + std::to_string(i)));
    ASSERT_NO_FATAL_FAILURE(publisher.Publish(events));
    ASSERT_TRUE(AllOnTheWire(**store, cases));
  }

  // The rows of one person's webhook pages.
  static std::vector<DeliveryRow> WebhookRows(common::Store& store, const std::string& person) {
    std::vector<DeliveryRow> out;
    for (DeliveryRow& r : recovery::testing::DeliveryRows(store))
      if (r.channel == "webhook" && r.person_id == person) out.push_back(std::move(r));
    return out;
  }

  // Until all `n` of alice's webhook pages are 'sending' and the receiver holds each one's
  // request: every one of them is on the wire.
  ::testing::AssertionResult AllOnTheWire(common::Store& store, size_t n) {
    std::vector<DeliveryRow> rows;
    const bool ok = PollUntil(
        [&] {
          rows = WebhookRows(store, "alice");
          if (rows.size() != n) return false;
          const std::map<std::string, int> seen = RequestsPerKey(rx_, "/alice");
          for (const DeliveryRow& r : rows)
            if (r.status != "sending" || seen.count(r.idempotency_key) == 0) return false;
          return true;
        },
        kWait);
    if (ok) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << rows.size() << " of " << n << " alice pages queued, "
                                         << Pages(rx_, "/alice").first << " at the receiver; see " << dir_.path();
  }

  // Every delivery row is final, then the outbox is empty (everything committed is on the
  // topic), then the topic has been read to its end.
  void Settle(common::Store& store, TopicReader& topic) {
    ASSERT_TRUE(PollUntil([&] { return recovery::testing::DeliveriesSettled(store); }, kWait))
        << "delivery rows still pending or sending; see " << dir_.path();
    ASSERT_TRUE(PollUntil([&] { return QueryInt(store, "SELECT COUNT(*) FROM outbox") == 0; }, kWait))
        << "events left in the outbox";
    ASSERT_TRUE(topic.ReadToEnd());
  }

  // Distinct event ids of `type` on the topic per value of `key` (page_id or case_id).
  static std::map<std::string, std::set<std::string>> EventsBy(
      const TopicReader& topic, const std::string& type, const std::function<std::string(const v1::Event&)>& key) {
    std::map<std::string, std::set<std::string>> out;
    for (const auto& m : topic.OfType(type)) out[key(m.event)].insert(m.event.event_id());
    return out;
  }

  // Every row is delivered, none is left 'sending', and each has exactly one PageDelivered
  // (by event id: the relay may publish one twice after a crash, consumers de-duplicate).
  void ExpectEveryPageDeliveredOnce(common::Store& store, const TopicReader& topic) {
    const auto delivered =
        EventsBy(topic, "PageDelivered", [](const v1::Event& e) { return e.page_delivered().page_id(); });
    const std::vector<DeliveryRow> rows = recovery::testing::DeliveryRows(store);
    EXPECT_FALSE(rows.empty());
    for (const DeliveryRow& r : rows) {
      EXPECT_EQ(r.status, "delivered") << r.page_id << " (" << r.channel << ", " << r.person_id << ")";
      auto it = delivered.find(r.page_id);
      EXPECT_EQ(it == delivered.end() ? 0u : it->second.size(), 1u) << "PageDelivered events for " << r.page_id;
    }
  }

  TempDir dir_;
  DevBroker broker_;
  WebhookReceiver rx_;
  std::string config_ = dir_.File("escalation.yaml");
  std::string url_;
  std::string database_;
};

TEST_F(PostgresEscalationFaultsTest, DatabaseRefusingConnectionsFor30sLosesNoEventAndPagesEachCaseOncePerTier) {
  ServiceProcess svc = Start("esc");
  ASSERT_TRUE(svc.started());
  EXPECT_EQ(svc.Health(), ServiceProcess::kServing);
  EventPublisher publisher(dir_.File("publisher.db"), broker_.bootstrap());

  // One case before the outage: the consumer is in its group and the path works.
  std::vector<v1::Event> events = {P1CaseOpened("case-before")};
  ASSERT_NO_FATAL_FAILURE(publisher.Publish(events[0]));
  ASSERT_TRUE(WaitForPages(rx_, "/alice", 1, kWait)) << "see " << dir_.path();

  const absl::Time outage_start = absl::Now();
  const absl::Status refused = pg().RefuseConnections(database_);
  ASSERT_TRUE(refused.ok()) << refused;
  // Cases keep arriving through the outage: some at its start, more once the service has
  // said that it is not serving.
  for (int i = 0; i < 5; ++i) events.push_back(P1CaseOpened("case-" + std::to_string(i)));
  for (int i = 1; i <= 3; ++i) ASSERT_NO_FATAL_FAILURE(publisher.Publish(events[i]));
  EXPECT_TRUE(PollUntil([&] { return svc.Health() == ServiceProcess::kNotServing; }, absl::Seconds(20)))
      << "readiness NOT_SERVING while the database is away; see " << svc.log_path();
  for (int i = 4; i <= 5; ++i) ASSERT_NO_FATAL_FAILURE(publisher.Publish(events[i]));
  // The outage lasts 30 s (the scenario of issue 15, three times the old consumer's ~10 s of
  // retries); nothing is concluded from the wait itself.
  absl::SleepFor(outage_start + absl::Seconds(30) - absl::Now());
  EXPECT_EQ(svc.Health(), ServiceProcess::kNotServing) << "still waiting out the outage at its end";
  const absl::Status allowed = pg().AllowConnections(database_);
  ASSERT_TRUE(allowed.ok()) << allowed;

  EXPECT_TRUE(PollUntil([&] { return svc.Health() == ServiceProcess::kServing; }, kWait))
      << "readiness SERVING again once the database is back";
  ASSERT_TRUE(WaitForPages(rx_, "/alice", events.size(), kWait))
      << "tier-1 pages: " << Pages(rx_, "/alice").first << " of " << events.size() << "; see " << svc.log_path();
  ASSERT_TRUE(svc.AdvanceClock(absl::Minutes(6)));  // past tier 1's 5 min: tier 2 pages bob
  ASSERT_TRUE(WaitForPages(rx_, "/bob", events.size(), kWait)) << "tier-2 pages: " << Pages(rx_, "/bob").first;

  auto store = OpenDatabase();
  ASSERT_TRUE(store);
  TopicReader topic(broker_.bootstrap());
  ASSERT_NO_FATAL_FAILURE(Settle(*store, topic));

  for (const v1::Event& e : events) {
    EXPECT_EQ(QueryInt(*store, "SELECT COUNT(*) FROM processed_events WHERE event_id = ?", {e.event_id()}), 1)
        << e.case_id() << "'s CaseOpened is in processed_events";
  }
  EXPECT_EQ(QueryInt(*store, "SELECT COUNT(*) FROM dead_letters"), 0) << "nothing parked";
  const auto started = EventsBy(topic, "EscalationStarted", [](const v1::Event& e) { return e.case_id(); });
  for (const v1::Event& e : events) {
    auto it = started.find(e.case_id());
    EXPECT_EQ(it == started.end() ? 0u : it->second.size(), 1u) << "EscalationStarted for " << e.case_id();
  }
  EXPECT_EQ(Pages(rx_, "/alice"), std::make_pair(events.size(), events.size())) << "one tier-1 page per case";
  EXPECT_EQ(Pages(rx_, "/bob"), std::make_pair(events.size(), events.size())) << "one tier-2 page per case";
  ExpectEveryPageDeliveredOnce(*store, topic);
  EXPECT_EQ(svc.process().Terminate(), 0);
}

// Two replicas, six pages held by the receiver, PostgreSQL crashes, the receiver answers:
// the senders cannot record the outcome, retry, and record it once PostgreSQL is back within
// the lease, so no page is sent twice.
TEST_F(PostgresEscalationFaultsTest, CrashWithPagesOnTheWireRecordsEachOutcomeOncePostgresIsBack) {
  constexpr size_t kCases = 6;
  std::vector<ServiceProcess> replicas;
  std::unique_ptr<common::Store> store;
  ASSERT_NO_FATAL_FAILURE(TwoReplicasWithPagesOnTheWire(kCases, &replicas, &store));
  std::set<pid_t> holders;
  for (const DeliveryRow& r : WebhookRows(*store, "alice")) holders.insert(OwnerPid(r.owner));

  const absl::Status crashed = pg().Crash();
  ASSERT_TRUE(crashed.ok()) << crashed;
  rx_.Release();  // the answers arrive while PostgreSQL is down
  ASSERT_TRUE(PollUntil([&] { return rx_.answered() == kCases; }, kWait));
  for (auto& r : replicas) {
    if (holders.count(r.process().pid()) == 0) continue;
    EXPECT_TRUE(WaitForLog(r.log_path(), "recording a delivery outcome failed; retrying", kWait))
        << "the replica holding pages retries recording their outcome; see " << r.log_path();
  }
  const absl::Status restarted = pg().Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;

  TopicReader topic(broker_.bootstrap());
  ASSERT_NO_FATAL_FAILURE(Settle(*store, topic));
  ExpectEveryPageDeliveredOnce(*store, topic);
  EXPECT_EQ(Pages(rx_, "/alice"), std::make_pair(kCases, kCases)) << "each outcome recorded within its lease";
  for (const DeliveryRow& r : WebhookRows(*store, "alice")) EXPECT_EQ(r.resends, 0) << r.page_id;
  for (auto& r : replicas) EXPECT_EQ(r.process().Terminate(), 0);
}

// The same crash, but PostgreSQL stays away until the leases ran out (the replicas' clocks are
// moved past them): the outcomes are abandoned, and once PostgreSQL is back the rows, still
// 'sending', are claimed again by a replica that never restarted and re-sent under their key.
TEST_F(PostgresEscalationFaultsTest, CrashOutlastingTheLeaseReclaimsAndResendsEachPageOnceWithoutARestart) {
  constexpr size_t kCases = 6;
  std::vector<ServiceProcess> replicas;
  std::unique_ptr<common::Store> store;
  ASSERT_NO_FATAL_FAILURE(TwoReplicasWithPagesOnTheWire(kCases, &replicas, &store));

  const absl::Status crashed = pg().Crash();
  ASSERT_TRUE(crashed.ok()) << crashed;
  rx_.Release();
  ASSERT_TRUE(PollUntil([&] { return rx_.answered() == kCases; }, kWait));
  for (auto& r : replicas) ASSERT_TRUE(r.AdvanceClock(kPastTheLease));
  // Each sender gives up on its outcome at its next attempt (one log line per page).
  const auto abandoned = [&] {
    size_t n = 0;
    for (auto& r : replicas)
      n += CountInLog(r.log_path(), "delivery outcome not recorded; the row is sent again when its lease expires");
    return n;
  };
  ASSERT_TRUE(PollUntil([&] { return abandoned() == kCases; }, kWait))
      << abandoned() << " of " << kCases << " outcomes given up when the lease ran out; see " << dir_.path();
  const absl::Status restarted = pg().Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;

  TopicReader topic(broker_.bootstrap());
  ASSERT_NO_FATAL_FAILURE(Settle(*store, topic));
  ExpectEveryPageDeliveredOnce(*store, topic);
  size_t resent = 0;
  for (const auto& [key, n] : RequestsPerKey(rx_, "/alice")) {
    EXPECT_EQ(n, 2) << key << ": sent before the crash, and once more after its lease expired";
    resent += static_cast<size_t>(n - 1);
  }
  for (const DeliveryRow& r : WebhookRows(*store, "alice")) EXPECT_EQ(r.resends, 1) << r.page_id;
  EXPECT_EQ(Pages(rx_, "/alice").first, kCases);
  RecordProperty("same_key_resends", static_cast<int>(resent));
  std::cout << "[ resends ] PostgreSQL down past the lease: " << resent << " same-key re-sends of " << kCases
            << " pages on the wire" << std::endl;
  for (auto& r : replicas) EXPECT_EQ(r.process().Terminate(), 0);
}

// Both replicas have pages on the wire (four each: the per-host bound); one is SIGKILLed, the
// survivor's clock moves past every lease, then the receiver answers. The survivor sends none
// of its own pages again (they are still in flight there); the dead replica's pages are
// claimed by the survivor and re-sent under their key, and those re-sends are counted.
TEST_F(PostgresEscalationFaultsTest, KillingOneReplicaWhileTheOtherDeliversResendsNoneOfTheSurvivorsPages) {
  constexpr size_t kCases = 8;
  std::vector<ServiceProcess> replicas;
  std::unique_ptr<common::Store> store;
  ASSERT_NO_FATAL_FAILURE(TwoReplicasWithPagesOnTheWire(kCases, &replicas, &store));
  ServiceProcess& victim = replicas[0];
  ServiceProcess& survivor = replicas[1];

  std::set<std::string> victim_keys, survivor_keys;
  for (const DeliveryRow& r : WebhookRows(*store, "alice")) {
    const pid_t pid = OwnerPid(r.owner);
    if (pid == victim.process().pid()) victim_keys.insert(r.idempotency_key);
    if (pid == survivor.process().pid()) survivor_keys.insert(r.idempotency_key);
  }
  ASSERT_FALSE(victim_keys.empty()) << "the replica to kill has pages on the wire";
  ASSERT_FALSE(survivor_keys.empty()) << "the survivor has pages on the wire";
  ASSERT_EQ(victim_keys.size() + survivor_keys.size(), kCases);

  victim.process().Kill(SIGKILL);
  ASSERT_NE(victim.process().Wait(), -1);
  ASSERT_TRUE(survivor.AdvanceClock(kPastTheLease));  // every lease has run out, the survivor's own too
  rx_.Release();

  TopicReader topic(broker_.bootstrap());
  ASSERT_NO_FATAL_FAILURE(Settle(*store, topic));
  ExpectEveryPageDeliveredOnce(*store, topic);
  const std::map<std::string, int> sent = RequestsPerKey(rx_, "/alice");
  size_t survivor_resent = 0;
  for (const std::string& key : survivor_keys) {
    auto it = sent.find(key);
    ASSERT_NE(it, sent.end()) << key;
    EXPECT_EQ(it->second, 1) << key << ": the survivor's page in flight is not re-sent";
    survivor_resent += static_cast<size_t>(it->second - 1);
  }
  size_t resent = 0;
  for (const std::string& key : victim_keys) {
    auto it = sent.find(key);
    ASSERT_NE(it, sent.end()) << key;
    EXPECT_LE(it->second, 2) << key << ": re-sent at most once, after its lease expired";
    resent += static_cast<size_t>(it->second - 1);
  }
  EXPECT_EQ(Pages(rx_, "/alice").first, kCases);
  RecordProperty("same_key_resends", static_cast<int>(resent));
  std::cout << "[ resends ] SIGKILL of one replica: " << resent << " same-key re-sends of the " << victim_keys.size()
            << " pages it had on the wire; " << survivor_resent << " of the survivor's " << survivor_keys.size()
            << std::endl;
  EXPECT_EQ(survivor.process().Terminate(), 0);
}

}  // namespace
}  // namespace recovery
