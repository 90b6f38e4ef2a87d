// Two replicas of the real recovery-escalation binary on one PostgreSQL database and the
// dev broker: the consumers share the topic's partitions, the ack timers fire on either
// replica, and each case still gets exactly one tier-1 and one tier-2 page.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/escalation/integration_config.h"
#include "tests/postgres/escalation_processes.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/dev_broker.h"

namespace recovery {
namespace {

namespace v1 = recovery::v1;
using recovery::escalation::testing::IntegrationConfigYaml;
using recovery::escalation::testing::PagingCaseOpened;
using recovery::testing::DevBroker;
using recovery::testing::Pages;
using recovery::testing::ServiceProcess;
using recovery::testing::TempDir;
using recovery::testing::WaitForPages;
using recovery::testing::WebhookReceiver;

TEST(PostgresEscalationReplicasTest, TwoReplicasPageEachCaseOncePerTier) {
  if (!recovery::testing::EscalationBinaryBuilt()) GTEST_SKIP() << "recovery-escalation not built";
  RECOVERY_FRESH_POSTGRES_DB(url);
  constexpr int kCases = 12;
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  TempDir dir;
  WebhookReceiver rx;
  std::ofstream(dir.File("escalation.yaml")) << IntegrationConfigYaml(rx, "replicas-secret");

  std::vector<ServiceProcess> replicas;
  for (const char* name : {"r1", "r2"}) {
    replicas.push_back(
        recovery::testing::StartEscalation(dir, name, url, broker.bootstrap(), dir.File("escalation.yaml")));
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
  // The barrier: once no delivery row is pending or sending, no page can go out any more (a
  // send needs a claim), so a duplicate would have arrived by now.
  auto store = common::OpenStore(url);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE(
      recovery::testing::PollUntil([&] { return recovery::testing::DeliveriesSettled(**store); }, absl::Seconds(30)))
      << "delivery rows still pending or sending";

  EXPECT_EQ(Pages(rx, "/alice"), std::make_pair(size_t{kCases}, size_t{kCases})) << "one tier-1 page per case";
  EXPECT_EQ(Pages(rx, "/bob"), std::make_pair(size_t{kCases}, size_t{kCases})) << "one tier-2 page per case";
  for (auto& r : replicas) EXPECT_EQ(r.process().Terminate(), 0);
}

}  // namespace
}  // namespace recovery
