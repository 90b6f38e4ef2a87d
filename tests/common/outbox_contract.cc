// The outbox relay on every store backend, against the dev broker and against the
// RecordingPublisher (refused events parked, retryable ones retried in case order, failed
// deletes retried or counted). Instantiated per backend (outbox_test.cc: SQLite;
// tests/postgres/pg_outbox_test.cc: PostgreSQL).
#include "tests/common/outbox_contract.h"

#include <gmock/gmock.h>

#include <map>
#include <set>

#include "services/common/clock.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "services/common/metrics.h"
#include "services/common/status_macros.h"
#include "tests/common/flaky_store.h"
#include "tests/support/dev_broker.h"
#include "tests/support/recording_publisher.h"

namespace recovery::testing {

using common::Outbox;
using ::testing::HasSubstr;

namespace {

// Retries in milliseconds, so a test that makes the relay retry stays quick.
common::OutboxOptions FastRetries() {
  common::OutboxOptions o;
  o.publish_backoff = {absl::Milliseconds(5), absl::Milliseconds(50)};
  o.ack_backoff = {absl::Milliseconds(5), absl::Milliseconds(20)};
  o.ack_attempts = 3;
  return o;
}

std::unique_ptr<common::Store> OpenRelayStore(const std::string& url) {
  auto opened = common::OpenStore(url);
  EXPECT_TRUE(opened.ok()) << opened.status();
  if (!opened.ok()) return nullptr;
  EXPECT_TRUE(Outbox::Migrate(**opened).ok());  // and dead_letters
  return std::move(*opened);
}

// Appends a CaseOpened whose summary is `summary`; returns its event id.
std::string AppendNumbered(common::Store& store, Outbox& outbox, const std::string& case_id,
                           const std::string& summary) {
  auto e = common::NewEvent(common::SystemClock::Instance().Now(), case_id, "test", "tester", "req-1");
  e.mutable_case_opened()->set_summary(summary);
  const absl::Status s = common::InTransaction(store, [&](common::Tx& tx) { return outbox.Append(tx, e); });
  EXPECT_TRUE(s.ok()) << s;
  return e.event_id();
}

std::vector<std::string> EventIds(const std::vector<common::OutboundEvent>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.event_id);
  return ids;
}

std::vector<common::DeadLetter> OutboxDeadLetters(common::Store& store) {
  std::vector<common::DeadLetter> out;
  const absl::Status s = common::InTransaction(store, [&](common::Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(out, common::ListDeadLetters(tx, common::kDeadLetterOutbox, 100));
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

}  // namespace

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

TEST_P(OutboxContractTest, RefusedEventIsParkedAndLaterEventsStillPublishInOrder) {
  auto store = OpenRelayStore(url());
  ASSERT_TRUE(store);
  common::Metrics metrics("outbox-test");
  RecordingPublisher publisher;
  Outbox outbox(*store, &metrics, FastRetries());
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i)
    ids.push_back(AppendNumbered(*store, outbox, "case-" + std::to_string(i % 3), std::to_string(i)));
  publisher.FailPermanently({.event_id = ids[4]}, "Broker: Message size too large");
  ASSERT_TRUE(outbox.Start(publisher).ok());
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(20)));

  std::vector<std::string> expected = ids;
  expected.erase(expected.begin() + 4);
  EXPECT_EQ(EventIds(publisher.delivered()), expected) << "every other event, in outbox order";
  auto parked = OutboxDeadLetters(*store);
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].event_id, ids[4]);
  EXPECT_EQ(parked[0].case_id, "case-1");
  EXPECT_EQ(parked[0].type, "CaseOpened");
  EXPECT_THAT(parked[0].reason, HasSubstr("Message size too large"));
  recovery::v1::Event event;
  ASSERT_TRUE(event.ParseFromString(parked[0].payload));
  EXPECT_EQ(event.case_opened().summary(), "4");
  EXPECT_EQ(outbox.parked(), 1);
  EXPECT_THAT(metrics.Render(), HasSubstr("recovery_outbox_dead_letters_total{service=\"outbox-test\"} 1"));

  // The relay did not stall: the refused event's case goes on publishing.
  const std::string later = AppendNumbered(*store, outbox, "case-1", "12");
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(20)));
  EXPECT_EQ(EventIds(publisher.delivered()).back(), later);
  EXPECT_EQ(OutboxDeadLetters(*store).size(), 1u);
}

TEST_P(OutboxContractTest, RetryableFailureIsRetriedInCaseOrderAndNothingIsParked) {
  auto store = OpenRelayStore(url());
  ASSERT_TRUE(store);
  RecordingPublisher publisher;
  Outbox outbox(*store, nullptr, FastRetries());
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i)
    ids.push_back(AppendNumbered(*store, outbox, i % 2 ? "case-b" : "case-a", std::to_string(i)));
  publisher.FailRetryably({.event_id = ids[2]}, 3);  // case-a's second event times out three times
  ASSERT_TRUE(outbox.Start(publisher).ok());
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(20)));

  const auto delivered = publisher.delivered();
  const auto got = EventIds(delivered);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), ids.size()) << "every event";
  EXPECT_EQ(got.size(), ids.size()) << "each once";
  std::map<std::string, std::vector<std::string>> per_case;
  for (const auto& r : delivered) per_case[r.key].push_back(r.event_id);
  EXPECT_EQ(per_case["case-a"], (std::vector<std::string>{ids[0], ids[2], ids[4], ids[6], ids[8]}))
      << "case-a's later events waited for the one that failed";
  EXPECT_EQ(per_case["case-b"], (std::vector<std::string>{ids[1], ids[3], ids[5], ids[7], ids[9]}));
  EXPECT_GE(publisher.refused_retryably(), 3);
  EXPECT_TRUE(OutboxDeadLetters(*store).empty());
  EXPECT_EQ(outbox.parked(), 0);
}

namespace {

struct DeleteFaultRun {
  std::vector<std::string> appended, delivered;
  int injected = 0;
  int64_t republished = 0;
  std::string metrics;
};

// Five events of one case, published while the first `failures` deletes of outbox rows fail
// (the relay has 3 attempts to acknowledge a batch).
DeleteFaultRun PublishWithFailingDeletes(const std::string& url, int failures) {
  DeleteFaultRun run;
  auto store = OpenRelayStore(url);
  if (!store) return run;
  FlakyStore flaky(*store);
  common::Metrics metrics("outbox-test");
  RecordingPublisher publisher;
  Outbox outbox(flaky, &metrics, FastRetries());
  for (int i = 0; i < 5; ++i) run.appended.push_back(AppendNumbered(flaky, outbox, "case-d", std::to_string(i)));
  flaky.FailNext("DELETE FROM outbox", failures);
  EXPECT_TRUE(outbox.Start(publisher).ok());
  EXPECT_TRUE(outbox.WaitDrained(absl::Seconds(20)));
  outbox.Stop();
  run.delivered = EventIds(publisher.delivered());
  run.injected = flaky.injected();
  run.republished = outbox.republished();
  run.metrics = metrics.Render();
  return run;
}

}  // namespace

TEST_P(OutboxContractTest, FailedDeleteAfterPublishIsRetriedWithoutPublishingAgain) {
  const DeleteFaultRun run = PublishWithFailingDeletes(url(), 2);
  EXPECT_EQ(run.injected, 2);
  EXPECT_EQ(run.delivered, run.appended) << "published once: the delete was retried";
  EXPECT_EQ(run.republished, 0);
  EXPECT_THAT(run.metrics, HasSubstr("recovery_outbox_republished_total{service=\"outbox-test\"} 0"));
}

TEST_P(OutboxContractTest, DeleteFailingPastItsRetriesPublishesAgainAndIsCounted) {
  const DeleteFaultRun run = PublishWithFailingDeletes(url(), 3);  // every attempt of the first acknowledgement
  std::vector<std::string> twice = run.appended;
  twice.insert(twice.end(), run.appended.begin(), run.appended.end());
  EXPECT_EQ(run.delivered, twice) << "the batch again, in order";
  EXPECT_EQ(run.republished, 5);
  EXPECT_THAT(run.metrics, HasSubstr("recovery_outbox_republished_total{service=\"outbox-test\"} 5"));
}

TEST_P(OutboxContractTest, EventOverMessageMaxBytesIsParkedAndLaterEventsStillPublishInOrder) {
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  auto store = OpenRelayStore(url());
  ASSERT_TRUE(store);
  common::Metrics metrics("outbox-test");
  Outbox outbox(*store, &metrics);
  AppendNumbered(*store, outbox, "case-big", "0");
  // librdkafka's message.max.bytes is 1000000 by default: the producer refuses this one.
  const std::string big = AppendNumbered(*store, outbox, "case-big", std::string(1'500'000, 'x'));
  AppendNumbered(*store, outbox, "case-big", "2");
  AppendNumbered(*store, outbox, "case-other", "3");
  AppendNumbered(*store, outbox, "case-big", "4");
  ASSERT_TRUE(outbox.Start({broker.bootstrap(), kCaseEventsTopic, "", 10}).ok());
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(30))) << "the relay stalled behind the oversized event";

  TopicReader reader(broker.bootstrap());
  ASSERT_TRUE(reader.ReadToEnd());  // the outbox is empty: everything published is on the topic
  const auto& msgs = reader.all();
  ASSERT_EQ(msgs.size(), 4u);
  ExpectCaseOrder(msgs);
  std::vector<std::string> big_case;
  for (const auto& m : reader.OfCase("case-big")) big_case.push_back(m.event.case_opened().summary());
  EXPECT_EQ(big_case, (std::vector<std::string>{"0", "2", "4"}));
  auto parked = OutboxDeadLetters(*store);
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].event_id, big);
  EXPECT_THAT(parked[0].reason, HasSubstr("too large"));
  EXPECT_GT(parked[0].payload.size(), 1'500'000u);
  EXPECT_THAT(metrics.Render(), HasSubstr("recovery_outbox_dead_letters_total{service=\"outbox-test\"} 1"));
}

}  // namespace recovery::testing
