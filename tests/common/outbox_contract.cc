// The outbox relay on every store backend against the dev broker. Instantiated per backend
// (outbox_test.cc: SQLite; tests/postgres/pg_outbox_test.cc: PostgreSQL).
#include "tests/common/outbox_contract.h"

#include <map>

#include "services/common/clock.h"
#include "services/common/events.h"
#include "tests/support/dev_broker.h"

namespace recovery::testing {

using common::Outbox;

absl::Status AppendOpened(common::Store& store, Outbox& outbox, const std::string& case_id,
                          const std::string& summary) {
  return common::InTransaction(store, [&](common::Tx& tx) {
    auto e = common::NewEvent(common::SystemClock::Instance().Now(), case_id, "test", "tester", "req-1");
    e.mutable_case_opened()->set_summary(summary);
    return outbox.Append(tx, e);
  });
}

void ExpectCaseOrder(const std::vector<TopicMessage>& msgs) {
  std::map<std::string, std::vector<int>> per_case;
  for (const auto& m : msgs) per_case[m.key].push_back(std::stoi(m.event.case_opened().summary()));
  for (const auto& [key, seq] : per_case) {
    for (size_t i = 1; i < seq.size(); ++i) EXPECT_LT(seq[i - 1], seq[i]) << "case " << key;
  }
}

TEST_P(OutboxContractTest, RelayPublishesKeyedEventsWithHeadersAndDeletesRows) {
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  auto opened = common::OpenStore(url());
  ASSERT_TRUE(opened.ok()) << opened.status();
  auto store = std::move(*opened);
  ASSERT_TRUE(Outbox::Migrate(*store).ok());
  Outbox outbox(*store);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(AppendOpened(*store, outbox, "case-" + std::to_string(i % 3), std::to_string(i)).ok());
  }
  EXPECT_EQ(outbox.Backlog(), 20);
  ASSERT_TRUE(outbox.Start({broker.bootstrap(), "recovery.case-events", "", 10}).ok());
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(20)));
  TopicReader reader(broker.bootstrap());
  const auto& msgs = reader.ReadAtLeast(20);
  ASSERT_EQ(msgs.size(), 20u);
  for (const auto& m : msgs) {
    EXPECT_EQ(m.key, m.event.case_id());
    EXPECT_EQ(m.type_header, "CaseOpened");
    EXPECT_EQ(m.event_id_header, m.event.event_id());
  }
  ExpectCaseOrder(msgs);  // one case's events keep their order (same key, same partition)
  EXPECT_EQ(outbox.Backlog(), 0);
}

}  // namespace recovery::testing
