// The outbox relay on PostgreSQL against the dev broker, including two replicas' relays
// on one database.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "services/common/clock.h"
#include "services/common/events.h"
#include "services/common/outbox.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/dev_broker.h"
#include "tests/support/topic_reader.h"

namespace recovery::common {
namespace {

using recovery::testing::DevBroker;
using recovery::testing::TopicReader;

const char* kTopic = "recovery.case-events";

absl::Status AppendOpened(Store& store, Outbox& outbox, const std::string& case_id, const std::string& summary) {
  return InTransaction(store, [&](Tx& tx) {
    auto e = NewEvent(SystemClock::Instance().Now(), case_id, "test", "tester", "req-1");
    e.mutable_case_opened()->set_summary(summary);
    return outbox.Append(tx, e);
  });
}

// Asserts per-case order: summaries are increasing numbers within one case.
void ExpectCaseOrder(const std::vector<recovery::testing::TopicMessage>& msgs) {
  std::map<std::string, std::vector<int>> per_case;
  for (const auto& m : msgs) per_case[m.key].push_back(std::stoi(m.event.case_opened().summary()));
  for (const auto& [key, seq] : per_case) {
    for (size_t i = 1; i < seq.size(); ++i) EXPECT_LT(seq[i - 1], seq[i]) << "case " << key;
  }
}

TEST(PostgresOutboxTest, RelayPublishesKeyedEventsWithHeadersAndDeletesRows) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  auto store = std::move(*OpenStore(url));
  ASSERT_TRUE(Outbox::Migrate(*store).ok());
  Outbox outbox(*store);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(AppendOpened(*store, outbox, "case-" + std::to_string(i % 3), std::to_string(i)).ok());
  EXPECT_EQ(outbox.Backlog(), 20);
  ASSERT_TRUE(outbox.Start({broker.bootstrap(), kTopic, "", 10}).ok());
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(20)));
  TopicReader reader(broker.bootstrap());
  const auto& msgs = reader.ReadAtLeast(20);
  ASSERT_EQ(msgs.size(), 20u);
  for (const auto& m : msgs) {
    EXPECT_EQ(m.key, m.event.case_id());
    EXPECT_EQ(m.type_header, "CaseOpened");
    EXPECT_EQ(m.event_id_header, m.event.event_id());
  }
  ExpectCaseOrder(msgs);
  EXPECT_EQ(outbox.Backlog(), 0);
}

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
  ASSERT_TRUE(relay_a.Start({broker.bootstrap(), kTopic, "", 10}).ok());
  ASSERT_TRUE(relay_b.Start({broker.bootstrap(), kTopic, "", 10}).ok());
  // Writers on both replicas; each writer owns its cases, so a case's order is its commit order.
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Store& store = w % 2 == 0 ? *store_a : *store_b;
      Outbox& outbox = w % 2 == 0 ? relay_a : relay_b;
      for (int i = 0; i < kPerWriter; ++i) {
        auto s = AppendOpened(store, outbox, "case-" + std::to_string(w) + "-" + std::to_string(i % 7),
                              std::to_string(i));
        ASSERT_TRUE(s.ok()) << s;
      }
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_TRUE(relay_a.WaitDrained(absl::Seconds(60)));
  TopicReader reader(broker.bootstrap());
  reader.ReadAtLeast(kWriters * kPerWriter, absl::Seconds(30));
  reader.Drain(absl::Seconds(2));  // anything published twice would arrive now
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
