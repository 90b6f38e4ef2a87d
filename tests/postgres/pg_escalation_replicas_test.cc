// Two replicas of the real recovery-escalation binary on one PostgreSQL database and the
// dev broker: the consumers share the topic's partitions, the ack timers fire on either
// replica, and each case still gets exactly one tier-1 and one tier-2 page.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/escalation/integration_config.h"
#include "tests/escalation/webhook_receiver.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"

namespace recovery {
namespace {

namespace v1 = recovery::v1;
using recovery::escalation::testing::IntegrationConfigYaml;
using recovery::escalation::testing::PagingCaseOpened;
using recovery::escalation::testing::WebhookReceiver;
using recovery::testing::DevBroker;
using recovery::testing::ServiceFlags;
using recovery::testing::ServiceProcess;
using recovery::testing::TempDir;

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
  return recovery::testing::PollUntil([&] { return Pages(rx, path).first >= n; }, timeout);
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
  std::ofstream(dir.File("escalation.yaml")) << IntegrationConfigYaml(rx, "replicas-secret");

  std::vector<ServiceProcess> replicas;
  for (const char* name : {"r1", "r2"}) {
    replicas.emplace_back("services/escalation/recovery-escalation", dir, name,
                          ServiceFlags{.db = url,
                                       .brokers = broker.bootstrap(),
                                       .config = dir.File("escalation.yaml"),
                                       .manual_clock = recovery::testing::kManualClockStart});
    ASSERT_TRUE(replicas.back().started());
  }

  // Intake's side: CaseOpened events through an outbox.
  std::vector<v1::Event> opened;
  for (int i = 0; i < kCases; ++i) opened.push_back(PagingCaseOpened("case-" + std::to_string(i)));
  recovery::testing::EventPublisher publisher(dir.File("publisher.db"), broker.bootstrap());
  ASSERT_NO_FATAL_FAILURE(publisher.Publish(opened));

  ASSERT_TRUE(WaitForPages(rx, "/alice", kCases, absl::Seconds(60)))
      << "tier-1 pages: " << Pages(rx, "/alice").first << "; see " << dir.path();
  for (auto& r : replicas) {  // each replica runs its own manual clock
    ASSERT_TRUE(r.AdvanceClock(absl::Minutes(6)));
  }
  ASSERT_TRUE(WaitForPages(rx, "/bob", kCases, absl::Seconds(60))) << "tier-2 pages: " << Pages(rx, "/bob").first;
  absl::SleepFor(absl::Seconds(3));  // a duplicate page would arrive now

  EXPECT_EQ(Pages(rx, "/alice"), std::make_pair(size_t{kCases}, size_t{kCases})) << "one tier-1 page per case";
  EXPECT_EQ(Pages(rx, "/bob"), std::make_pair(size_t{kCases}, size_t{kCases})) << "one tier-2 page per case";
  for (auto& r : replicas) EXPECT_EQ(r.process().Terminate(), 0);
}

}  // namespace
}  // namespace recovery
