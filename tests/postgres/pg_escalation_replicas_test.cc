// Two replicas of the real recovery-escalation binary on one PostgreSQL database and the
// dev broker: the consumers share the topic's partitions, the ack timers fire on either
// replica, and each case still gets exactly one tier-1 and one tier-2 page.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "recovery/v1/testing.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/outbox.h"
#include "tests/escalation/webhook_receiver.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"

namespace recovery {
namespace {

namespace v1 = recovery::v1;
using recovery::escalation::testing::WebhookReceiver;
using recovery::testing::DevBroker;
using recovery::testing::Process;
using recovery::testing::TempDir;

constexpr char kStart[] = "2026-11-24T22:00:00Z";  // after office hours

std::string ConfigYaml(const WebhookReceiver& rx) {
  return R"(webhook_secret: replicas-secret
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: webhook, target: ")" +
         rx.Url("/alice") + R"("}]}
  - {id: bob, name: Bob, time_zone: UTC, contact_methods: [{channel: webhook, target: ")" + rx.Url("/bob") + R"("}]}
calendars:
  - id: office
    time_zone: UTC
    weekly: {mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-17:00"]}
schedules:
  - id: oncall
    name: On call
    time_zone: UTC
    layers:
      - {name: primary, participants: [alice], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
policies:
  - id: oncall-then-bob
    name: On call, then Bob
    tiers:
      - {targets: [{schedule: oncall}], ack_timeout: 5m}
      - {targets: [{person: bob}], ack_timeout: 10m}
    repeats: 0
teams:
  - {id: ops, name: Ops, members: [alice, bob], calendar: office, schedule: oncall, policy: oncall-then-bob}
routing_rules:
  - {id: everything, team: ops}
)";
}

struct Replica {
  Process process;
  std::unique_ptr<v1::TestClock::Stub> clock;
};

// Distinct idempotency keys and total requests per path.
std::pair<size_t, size_t> Pages(const WebhookReceiver& rx, const std::string& path) {
  std::set<std::string> keys;
  size_t total = 0;
  for (const auto& r : rx.requests()) {
    if (r.path != path) continue;
    ++total;
    auto it = r.headers.find("idempotency-key");
    keys.insert(it == r.headers.end() ? "" : it->second);
  }
  return {keys.size(), total};
}

bool WaitForPages(const WebhookReceiver& rx, const std::string& path, size_t n, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (Pages(rx, path).first >= n) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

TEST(PostgresEscalationReplicasTest, TwoReplicasPageEachCaseOncePerTier) {
  const std::string binary = recovery::testing::BinaryPath("services/escalation/recovery-escalation");
  if (!std::filesystem::exists(binary)) GTEST_SKIP() << "recovery-escalation not built";
  RECOVERY_FRESH_POSTGRES_DB(url);
  constexpr int kCases = 12;
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  TempDir dir;
  WebhookReceiver rx;
  std::ofstream(dir.File("escalation.yaml")) << ConfigYaml(rx);

  std::vector<Replica> replicas;
  for (const char* name : {"r1", "r2"}) {
    const std::string port_file = dir.File(std::string(name) + ".port");
    Replica r;
    r.process = Process(binary,
                        {"--listen", "127.0.0.1:0", "--port-file", port_file, "--db", url, "--kafka-brokers",
                         broker.bootstrap(), "--config", dir.File("escalation.yaml"), "--manual-clock", kStart},
                        dir.File(std::string(name) + ".log"));
    const std::string port = recovery::testing::WaitForFile(port_file, absl::Seconds(30));
    ASSERT_FALSE(port.empty()) << "replica did not start; see " << dir.File(std::string(name) + ".log");
    r.clock = v1::TestClock::NewStub(common::MakeChannel("127.0.0.1:" + port));
    replicas.push_back(std::move(r));
  }

  // Intake's side: CaseOpened events through an outbox.
  auto store = std::move(*common::OpenStore(dir.File("publisher.db")));
  ASSERT_TRUE(common::Outbox::Migrate(*store).ok());
  common::Outbox outbox(*store);
  ASSERT_TRUE(outbox.Start({broker.bootstrap(), "recovery.case-events", "", 10}).ok());
  for (int i = 0; i < kCases; ++i) {
    const std::string case_id = "case-" + std::to_string(i);
    v1::Event e = common::NewEvent(absl::FromUnixSeconds(0), case_id, "intake", "tester", "req-" + case_id);
    auto* o = e.mutable_case_opened();
    o->set_severity(v1::SEVERITY_P2);
    o->set_category("outage");
    o->set_summary("client cannot log in");
    o->mutable_client()->set_id("acme");
    ASSERT_TRUE(common::InTransaction(*store, [&](common::Tx& tx) { return outbox.Append(tx, e); }).ok());
  }
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(20)));

  ASSERT_TRUE(WaitForPages(rx, "/alice", kCases, absl::Seconds(60)))
      << "tier-1 pages: " << Pages(rx, "/alice").first << "; see " << dir.path();
  for (auto& r : replicas) {  // each replica runs its own manual clock
    v1::AdvanceTimeRequest req;
    req.mutable_by()->set_seconds(6 * 60);
    v1::TimeResponse resp;
    auto ctx = common::ContextWithDeadline();
    ASSERT_TRUE(r.clock->AdvanceTime(ctx.get(), req, &resp).ok());
  }
  ASSERT_TRUE(WaitForPages(rx, "/bob", kCases, absl::Seconds(60))) << "tier-2 pages: " << Pages(rx, "/bob").first;
  absl::SleepFor(absl::Seconds(3));  // a duplicate page would arrive now

  EXPECT_EQ(Pages(rx, "/alice"), std::make_pair(size_t{kCases}, size_t{kCases})) << "one tier-1 page per case";
  EXPECT_EQ(Pages(rx, "/bob"), std::make_pair(size_t{kCases}, size_t{kCases})) << "one tier-2 page per case";
  for (auto& r : replicas) EXPECT_EQ(r.process.Terminate(), 0);
}

}  // namespace
}  // namespace recovery
