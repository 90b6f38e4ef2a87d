// The outbox relay on PostgreSQL against the dev broker: the outbox contract
// (outbox_contract.cc) and two replicas' relays on one database.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "services/common/outbox.h"
#include "tests/common/outbox_contract.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/dev_broker.h"
#include "tests/support/topic_reader.h"

namespace recovery::common {
namespace {

using recovery::testing::AppendOpened;
using recovery::testing::DevBroker;
using recovery::testing::ExpectCaseOrder;
using recovery::testing::kCaseEventsTopic;
using recovery::testing::OutboxContractTest;
using recovery::testing::TopicReader;

INSTANTIATE_TEST_SUITE_P(PostgreSQL, OutboxContractTest, ::testing::Values(recovery::testing::PostgresBackend()));

TEST(PostgresOutboxTest, TwoReplicasRelaysPublish1000EventsEachExactlyOnceInCaseOrder) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  constexpr int kWriters = 4, kPerWriter = 250;
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  auto store_a = std::move(*OpenStore(url));
  auto store_b = std::move(*OpenStore(url));
  ASSERT_TRUE(Outbox::Migrate(*store_a).ok());
  ASSERT_TRUE(Outbox::Migrate(*store_b).ok());
  Outbox relay_a(*store_a);
  Outbox relay_b(*store_b);
  ASSERT_TRUE(relay_a.Start({broker.bootstrap(), kCaseEventsTopic, "", 10}).ok());
  ASSERT_TRUE(relay_b.Start({broker.bootstrap(), kCaseEventsTopic, "", 10}).ok());
  // Writers on both replicas; each writer owns its cases, so a case's order is its commit order.
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Store& store = w % 2 == 0 ? *store_a : *store_b;
      Outbox& outbox = w % 2 == 0 ? relay_a : relay_b;
      for (int i = 0; i < kPerWriter; ++i) {
        auto s =
            AppendOpened(store, outbox, "case-" + std::to_string(w) + "-" + std::to_string(i % 7), std::to_string(i));
        ASSERT_TRUE(s.ok()) << s;
      }
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_TRUE(relay_a.WaitDrained(absl::Seconds(60)));
  TopicReader reader(broker.bootstrap());
  // The outbox is empty, so the broker acknowledged every row: the topic's end is all there is.
  ASSERT_TRUE(reader.ReadToEnd(absl::Seconds(30)));
  const auto& msgs = reader.all();
  std::set<std::string> ids;
  for (const auto& m : msgs) ids.insert(m.event.event_id());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kWriters * kPerWriter)) << "every event published";
  EXPECT_EQ(msgs.size(), static_cast<size_t>(kWriters * kPerWriter)) << "no event published twice";
  ExpectCaseOrder(msgs);
  relay_a.Stop();
  relay_b.Stop();
}

}  // namespace
}  // namespace recovery::common
