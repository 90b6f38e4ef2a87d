// Outbox relay on SQLite against the dev broker: the outbox contract (outbox_contract.cc),
// kcat interop, broker outage, and crash safety with SIGKILL (every event at least once,
// effects exactly once).
#include "services/common/outbox.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <random>
#include <set>

#include "services/common/consumer.h"
#include "services/common/events.h"
#include "services/common/kafka_publisher.h"
#include "tests/common/outbox_contract.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"
#include "tests/support/topic_reader.h"

namespace recovery::common {
namespace {

using recovery::testing::AppendOpened;
using recovery::testing::DevBroker;
using recovery::testing::kCaseEventsTopic;
using recovery::testing::OutboxContractTest;
using recovery::testing::TempDir;
using recovery::testing::TopicReader;

INSTANTIATE_TEST_SUITE_P(SQLite, OutboxContractTest, ::testing::Values(recovery::testing::SqliteBackend()));

TEST(KafkaPublisherTest, ErrorsTheBrokerWillAlwaysRefuseArePermanentTheRestRetryable) {
  for (int code :
       {RdKafka::ERR_MSG_SIZE_TOO_LARGE, RdKafka::ERR_INVALID_MSG, RdKafka::ERR_INVALID_MSG_SIZE,
        RdKafka::ERR_RECORD_LIST_TOO_LARGE, RdKafka::ERR__INVALID_ARG, RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED}) {
    EXPECT_EQ(ClassifyKafkaError(code), Delivery::kPermanent)
        << RdKafka::err2str(static_cast<RdKafka::ErrorCode>(code));
  }
  for (int code : {RdKafka::ERR__MSG_TIMED_OUT, RdKafka::ERR__TIMED_OUT, RdKafka::ERR__TRANSPORT,
                   RdKafka::ERR__QUEUE_FULL, RdKafka::ERR_NOT_LEADER_FOR_PARTITION, RdKafka::ERR_LEADER_NOT_AVAILABLE,
                   RdKafka::ERR_REQUEST_TIMED_OUT, RdKafka::ERR_NOT_ENOUGH_REPLICAS, RdKafka::ERR__ALL_BROKERS_DOWN,
                   RdKafka::ERR_UNKNOWN_TOPIC_OR_PART, RdKafka::ERR__FATAL, RdKafka::ERR__PURGE_INFLIGHT}) {
    EXPECT_EQ(ClassifyKafkaError(code), Delivery::kRetryable)
        << RdKafka::err2str(static_cast<RdKafka::ErrorCode>(code));
  }
  EXPECT_EQ(ClassifyKafkaError(RdKafka::ERR_NO_ERROR), Delivery::kDelivered);
}

TEST(OutboxTest, AppendRejectsEventWithoutBody) {
  auto store = std::move(*OpenStore(":memory:"));
  ASSERT_TRUE(Outbox::Migrate(*store).ok());
  Outbox outbox(*store);
  auto s =
      InTransaction(*store, [&](Tx& tx) { return outbox.Append(tx, NewEvent(absl::Now(), "c", "test", "t", "")); });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox.Backlog(), 0);
}

TEST(OutboxTest, KcatReadsWhatTheRelayWrote) {
  if (!recovery::testing::HaveCommand("kcat")) GTEST_SKIP() << "kcat not installed";
  DevBroker broker;
  auto store = std::move(*OpenStore(":memory:"));
  ASSERT_TRUE(Outbox::Migrate(*store).ok());
  Outbox outbox(*store);
  ASSERT_TRUE(outbox.Start({broker.bootstrap(), kCaseEventsTopic, "", 10}).ok());
  ASSERT_TRUE(AppendOpened(*store, outbox, "case-kcat-1", "printer on fire").ok());
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(20)));
  TempDir dir;
  const std::string out = dir.File("payload.bin");
  int st = 0;
  // -e: exit at end of partitions; %k key, %h headers; the payload goes to a file.
  const std::string keys = recovery::testing::RunCommand(
      "kcat -C -b " + broker.bootstrap() + " -t " + kCaseEventsTopic + " -e -q -f '%k|%h\\n'", &st);
  ASSERT_EQ(st, 0);
  EXPECT_NE(keys.find("case-kcat-1|"), std::string::npos) << keys;
  EXPECT_NE(keys.find("type=CaseOpened"), std::string::npos) << keys;
  recovery::testing::RunCommand(
      "kcat -C -b " + broker.bootstrap() + " -t " + kCaseEventsTopic + " -e -q -D '' -f '%s' > " + out, &st);
  ASSERT_EQ(st, 0);
  std::ifstream in(out, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  recovery::v1::Event event;
  ASSERT_TRUE(event.ParseFromString(bytes));
  EXPECT_EQ(event.case_id(), "case-kcat-1");
  EXPECT_EQ(event.case_opened().summary(), "printer on fire");
}

TEST(OutboxTest, BrokerOutageKeepsEventsUntilTheBrokerReturns) {
  // A broker that is not there: the append commits and the rows wait.
  auto store = std::move(*OpenStore(":memory:"));
  ASSERT_TRUE(Outbox::Migrate(*store).ok());
  {
    Outbox outbox(*store);
    ASSERT_TRUE(outbox.Start({"127.0.0.1:1", kCaseEventsTopic, "", 10}).ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(AppendOpened(*store, outbox, "case-out", std::to_string(i)).ok());
    EXPECT_FALSE(outbox.WaitDrained(absl::Milliseconds(500)));
    EXPECT_EQ(outbox.Backlog(), 5);
  }
  DevBroker broker;
  Outbox outbox(*store);
  ASSERT_TRUE(outbox.Start({broker.bootstrap(), kCaseEventsTopic, "", 10}).ok());
  ASSERT_TRUE(outbox.WaitDrained(absl::Seconds(20)));
  TopicReader reader(broker.bootstrap());
  EXPECT_EQ(reader.ReadAtLeast(5).size(), 5u);
}

TEST(OutboxCrashTest, SigkillDuringPublishLosesNothingAndEffectsAreExactlyOnce) {
  constexpr int kEvents = 5000;  // >= 1 s of writing (10 per tx, 2 ms apart): every kill lands mid-run
  DevBroker broker;
  TempDir dir;
  const std::string db = dir.File("writer.db");
  std::mt19937 rng(12345);
  int kills = 0;
  int status = -1;
  for (int round = 0; round < 40; ++round) {
    recovery::testing::Process writer(recovery::testing::BinaryPath("tests/common/outbox_crash_writer"),
                                      {db, broker.bootstrap(), kCaseEventsTopic, std::to_string(kEvents)},
                                      dir.File("writer.log"));
    if (round < 6) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 150)(rng)));
      if (writer.running()) {
        writer.Kill(SIGKILL);
        writer.Wait();
        ++kills;
        continue;
      }
    }
    status = writer.Wait(absl::Seconds(120));
    if (status != -1) break;
  }
  ASSERT_GE(kills, 3);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer did not finish; status " << status;

  // An exactly-once consumer: effects keyed by the writer's sequence number.
  auto store = std::move(*OpenStore(dir.File("consumer.db")));
  ASSERT_TRUE(Consumer::Migrate(*store).ok());
  ASSERT_TRUE(store->Migrate("effects", {"CREATE TABLE effects (seq INTEGER, n INTEGER)"}).ok());
  Consumer consumer(*store, [](Tx& tx, const recovery::v1::Event& e) {
    return tx.Exec("INSERT INTO effects (seq, n) VALUES (?, 1)", {std::stoll(e.signal_recorded().signal_id())});
  });
  ASSERT_TRUE(consumer.Start({broker.bootstrap(), kCaseEventsTopic, "crash-test-group", 10}).ok());
  TopicReader reader(broker.bootstrap());
  // The writer is gone: what the topic holds now is all there will be (duplicates included).
  reader.ReadAtLeast(kEvents, absl::Seconds(60));
  ASSERT_TRUE(reader.ReadToEnd(absl::Seconds(30)));
  const auto& raw = reader.all();
  // The barrier: the consumer has seen every message on the topic, each handled or a duplicate.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (consumer.handled() + consumer.duplicates() < static_cast<int64_t>(raw.size()) && absl::Now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(consumer.handled() + consumer.duplicates(), static_cast<int64_t>(raw.size()));
  consumer.Stop();

  std::set<std::string> distinct;
  for (const auto& m : raw) distinct.insert(m.event.signal_recorded().signal_id());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kEvents)) << "every event published at least once";
  EXPECT_GE(raw.size(), static_cast<size_t>(kEvents));
  auto tx = store->Begin();
  auto rows = (*tx)->Query("SELECT COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq) FROM effects");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), kEvents) << "N effects, no more";
  EXPECT_EQ((*rows)[0].Int(1), kEvents) << "N effects, no less";
  EXPECT_EQ((*rows)[0].Int(2), 0);
  EXPECT_EQ((*rows)[0].Int(3), kEvents - 1);
  std::cout << "kills=" << kills << " raw messages=" << raw.size() << " duplicates skipped=" << consumer.duplicates()
            << "\n";
}

TEST(ConsumerTest, MalformedMessageIsCountedAndSkipped) {
  auto store = std::move(*OpenStore(":memory:"));
  ASSERT_TRUE(Consumer::Migrate(*store).ok());
  int calls = 0;
  Consumer consumer(*store, [&](Tx&, const recovery::v1::Event&) {
    ++calls;
    return absl::OkStatus();
  });
  EXPECT_FALSE(*consumer.HandleBytes("\xff\xff garbage"));
  recovery::v1::Event no_body;
  no_body.set_event_id("x");
  EXPECT_FALSE(*consumer.HandleBytes(no_body.SerializeAsString()));
  EXPECT_EQ(consumer.malformed(), 2);
  auto good = NewEvent(absl::Now(), "c1", "test", "t", "");
  good.mutable_case_closed()->set_reason("done");
  EXPECT_TRUE(*consumer.HandleBytes(good.SerializeAsString()));
  EXPECT_FALSE(*consumer.HandleBytes(good.SerializeAsString()));  // duplicate
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(consumer.duplicates(), 1);
}

TEST(ConsumerTest, BatchHandlesEachEventOnceInOneTransaction) {
  auto store = std::move(*OpenStore(":memory:"));
  ASSERT_TRUE(Consumer::Migrate(*store).ok());
  ASSERT_TRUE(store->Migrate("effects", {"CREATE TABLE effects (event_id TEXT)"}).ok());
  bool fail_on_b = false;
  Consumer consumer(*store, [&](Tx& tx, const recovery::v1::Event& e) -> absl::Status {
    if (fail_on_b && e.case_closed().reason() == "b") return absl::InternalError("handler bug");
    return tx.Exec("INSERT INTO effects VALUES (?)", {e.event_id()});
  });
  auto make = [](const std::string& reason) {
    auto e = NewEvent(absl::Now(), "c1", "test", "t", "");
    e.mutable_case_closed()->set_reason(reason);
    return e.SerializeAsString();
  };
  const std::string a = make("a"), b = make("b");
  // A duplicate inside the batch and a malformed message: a once, b once, garbage skipped.
  ASSERT_TRUE(consumer.HandleBatch({a, "\xff garbage", b, a}).ok());
  EXPECT_EQ(consumer.handled(), 2);
  EXPECT_EQ(consumer.duplicates(), 1);
  EXPECT_EQ(consumer.malformed(), 1);
  // A failing handler rolls the whole batch back: nothing of it is recorded.
  fail_on_b = true;
  const std::string c = make("c"), b2 = make("b");
  EXPECT_FALSE(consumer.HandleBatch({c, b2}).ok());
  // A failed batch counts nothing of its own: the poll loop then hands each message to
  // HandleBytes, which counts the malformed one, once.
  const int64_t malformed_before = consumer.malformed();
  const std::string garbage = "\xff more garbage";
  EXPECT_FALSE(consumer.HandleBatch({c, garbage, b2}).ok());
  EXPECT_EQ(consumer.malformed(), malformed_before);
  EXPECT_FALSE(*consumer.HandleBytes(garbage));
  EXPECT_EQ(consumer.malformed(), malformed_before + 1);
  auto tx = store->Begin();
  auto rows = (*tx)->Query("SELECT COUNT(*) FROM effects");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), 2);
  auto processed = (*tx)->Query("SELECT COUNT(*) FROM processed_events");
  ASSERT_TRUE(processed.ok());
  EXPECT_EQ((*processed)[0].Int(0), 2);
}

}  // namespace
}  // namespace recovery::common
