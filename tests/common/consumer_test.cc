// The consumer's failure sorting, on SQLite, through HandleBytes/HandleBatch (the poll loop's
// per-event and batch paths): a handler bug parks the event after its attempts and later
// events still flow; a transient fault is waited out, handled once, nothing parked; a
// malformed message is parked once, also when a failed batch falls back to one per event; with
// a verifier, a rejected event is parked and never handled.
#include "services/common/consumer.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "services/common/dead_letters.h"
#include "services/common/event_signing.h"
#include "services/common/events.h"
#include "services/common/metrics.h"
#include "services/common/status_macros.h"

namespace recovery::common {
namespace {

// Fast retries so the tests wait milliseconds, not seconds.
ConsumerOptions FastOptions() {
  ConsumerOptions o;
  o.retry = {absl::Milliseconds(1), absl::Milliseconds(5), 2.0, 0.0};
  o.max_handler_attempts = 3;
  o.not_serving_after = absl::ZeroDuration();
  return o;
}

std::string Closed(const std::string& reason) {
  auto e = NewEvent(absl::Now(), "c1", "intake", "t", "");
  e.mutable_case_closed()->set_reason(reason);
  return e.SerializeAsString();
}

class ConsumerFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*OpenStore(":memory:"));
    ASSERT_TRUE(Consumer::Migrate(*store_).ok());
    ASSERT_TRUE(store_->Migrate("effects", {"CREATE TABLE effects (reason TEXT)"}).ok());
  }
  // The effect every handler below writes.
  static absl::Status Record(Tx& tx, const recovery::v1::Event& e) {
    return tx.Exec("INSERT INTO effects VALUES (?)", {e.case_closed().reason()});
  }
  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(InTransaction(*store_, [&](Tx& tx) -> absl::Status {
                  ASSIGN_OR_RETURN(auto rows, tx.Query(sql));
                  n = rows.at(0).Int(0);
                  return absl::OkStatus();
                }).ok());
    return n;
  }
  std::vector<DeadLetter> Parked() {
    std::vector<DeadLetter> out;
    EXPECT_TRUE(InTransaction(*store_, [&](Tx& tx) -> absl::Status {
                  ASSIGN_OR_RETURN(out, ListDeadLetters(tx, kDeadLetterConsumer, 100));
                  return absl::OkStatus();
                }).ok());
    return out;
  }

  std::unique_ptr<Store> store_;
  Metrics metrics_{"probe"};
};

TEST_F(ConsumerFailureTest, HandlerBugParksTheEventAfterItsAttemptsAndLaterEventsFlow) {
  int poison_calls = 0;
  Consumer consumer(
      *store_,
      [&](Tx& tx, const recovery::v1::Event& e) -> absl::Status {
        if (e.case_closed().reason() == "poison") {
          ++poison_calls;
          return absl::InternalError("handler bug");
        }
        return Record(tx, e);
      },
      &metrics_, FastOptions());
  EXPECT_TRUE(*consumer.HandleBytes(Closed("before")));
  const std::string poison = Closed("poison");
  auto r = consumer.HandleBytes(poison);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal) << "the handler's error, after parking";
  EXPECT_EQ(poison_calls, 3) << "max_handler_attempts";
  EXPECT_TRUE(*consumer.HandleBytes(Closed("after")));
  EXPECT_FALSE(*consumer.HandleBytes(poison)) << "a redelivery of the parked event is a duplicate";
  EXPECT_EQ(poison_calls, 3);

  const auto parked = Parked();
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].type, "CaseClosed");
  EXPECT_EQ(parked[0].payload, poison);
  EXPECT_EQ(parked[0].attempts, 3);
  EXPECT_TRUE(absl::StrContains(parked[0].reason, "handler failed 3 times")) << parked[0].reason;
  EXPECT_TRUE(absl::StrContains(parked[0].reason, "handler bug")) << parked[0].reason;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects"), 2);
  EXPECT_EQ(consumer.dead_lettered(), 1);
  EXPECT_EQ(consumer.handled(), 2);
  const std::string text = metrics_.Render();
  EXPECT_TRUE(
      absl::StrContains(text, R"(recovery_consumer_dead_letters_total{service="probe",reason="handler_failed"} 1)"))
      << text;
}

TEST_F(ConsumerFailureTest, TransientFaultIsRetriedUntilItPassesAndHandledOnce) {
  int calls = 0;
  std::vector<bool> serving;
  ConsumerOptions options = FastOptions();
  options.on_serving = [&](bool s) { serving.push_back(s); };
  Consumer consumer(
      *store_,
      [&](Tx& tx, const recovery::v1::Event& e) -> absl::Status {
        // Far more failures than the handler-bug limit: transient faults have none.
        if (++calls <= 25) return calls % 2 ? absl::UnavailableError("db away") : absl::DeadlineExceededError("slow");
        return Record(tx, e);
      },
      &metrics_, options);
  EXPECT_TRUE(*consumer.HandleBytes(Closed("x")));
  EXPECT_EQ(calls, 26);
  EXPECT_EQ(consumer.retries(), 25);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects"), 1) << "handled exactly once";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM processed_events"), 1);
  EXPECT_TRUE(Parked().empty());
  EXPECT_EQ(serving, (std::vector<bool>{false, true})) << "NOT_SERVING while it lasted, SERVING after";
}

TEST_F(ConsumerFailureTest, StopInterruptsTransientRetriesWithoutMarkingTheEvent) {
  std::atomic<int> calls{0};
  Consumer consumer(
      *store_,
      [&](Tx&, const recovery::v1::Event&) -> absl::Status {
        ++calls;
        return absl::UnavailableError("db away");
      },
      nullptr, FastOptions());
  std::thread stopper([&] {
    while (calls < 5) std::this_thread::yield();
    consumer.Stop();
  });
  auto r = consumer.HandleBytes(Closed("x"));
  stopper.join();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM processed_events"), 0) << "it comes again to the next member";
  EXPECT_TRUE(Parked().empty());
}

TEST_F(ConsumerFailureTest, HandlerInvalidArgumentParksTheEventAtOnce) {
  int calls = 0;
  Consumer consumer(
      *store_,
      [&](Tx&, const recovery::v1::Event&) -> absl::Status {
        ++calls;
        return absl::InvalidArgumentError("case_opened.severity: required");
      },
      &metrics_, FastOptions());
  auto r = consumer.HandleBytes(Closed("x"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 1) << "a malformed event is not retried";
  const auto parked = Parked();
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_TRUE(absl::StrContains(parked[0].reason, "case_opened.severity")) << parked[0].reason;
  EXPECT_EQ(consumer.malformed(), 1);
  EXPECT_TRUE(absl::StrContains(metrics_.Render(), R"(reason="invalid"} 1)"));
}

TEST_F(ConsumerFailureTest, MalformedMessagesAreParkedOnceEvenWhenTheBatchFallsBack) {
  bool fail_b = true;
  Consumer consumer(
      *store_,
      [&](Tx& tx, const recovery::v1::Event& e) -> absl::Status {
        if (fail_b && e.case_closed().reason() == "b") return absl::AbortedError("serialization");
        return Record(tx, e);
      },
      &metrics_, FastOptions());
  recovery::v1::Event no_body;
  no_body.set_event_id("no-body-1");
  const std::string garbage = "\xff\xff garbage", empty = no_body.SerializeAsString();
  const std::string a = Closed("a"), b = Closed("b");
  // The batch fails on b: nothing of it is committed or counted...
  ASSERT_FALSE(consumer.HandleBatch({a, garbage, empty, b}).ok());
  EXPECT_EQ(consumer.malformed(), 0);
  EXPECT_TRUE(Parked().empty());
  // ...and the poll loop's fallback parks each malformed message once.
  fail_b = false;
  for (const std::string* m : {&a, &garbage, &empty, &b}) ASSERT_TRUE(consumer.HandleBytes(*m).ok());
  EXPECT_EQ(consumer.malformed(), 2);
  EXPECT_EQ(Parked().size(), 2u);
  EXPECT_FALSE(*consumer.HandleBytes(empty)) << "an envelope with an id is parked once";
  EXPECT_EQ(Parked().size(), 2u);
  // A batch that commits parks its malformed messages in its own transaction.
  ASSERT_TRUE(consumer.HandleBatch({Closed("c"), "\xfe more garbage"}).ok());
  EXPECT_EQ(consumer.malformed(), 3);
  const auto parked = Parked();
  ASSERT_EQ(parked.size(), 3u);
  EXPECT_EQ(parked[0].payload, "\xfe more garbage");
  EXPECT_TRUE(absl::StrContains(parked[0].reason, "do not parse")) << parked[0].reason;
  EXPECT_EQ(parked[1].event_id, "no-body-1");
  EXPECT_TRUE(absl::StrContains(parked[1].reason, "no body")) << parked[1].reason;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects"), 3);
  EXPECT_TRUE(absl::StrContains(metrics_.Render(),
                                R"(recovery_consumer_dead_letters_total{service="probe",reason="malformed"} 3)"))
      << metrics_.Render();
}

// With a verifier (event_signing.h): a rejected event is parked, never handled, handed to
// on_rejected, parked once on redelivery, and does not spend the event id it claims.
class VerifyingConsumerTest : public ConsumerFailureTest {
 protected:
  VerifyingConsumerTest() : intake_(*Ed25519SigningKey::Generate()), other_(*Ed25519SigningKey::Generate()) {}
  void SetUp() override {
    ConsumerFailureTest::SetUp();
    std::map<std::string, EventVerifier::Key> keys;
    keys.emplace("intake", EventVerifier::Key{intake_.public_key(), {"intake"}});
    ConsumerOptions options;
    options.verifier = std::make_shared<const EventVerifier>(std::move(keys), true);
    options.on_rejected = [this](Tx&, const RejectedEvent& r) {
      rejected_.push_back(r.rejection.metric + ":" + r.event.case_closed().reason());
      return absl::OkStatus();
    };
    consumer_ = std::make_unique<Consumer>(*store_, &ConsumerFailureTest::Record, nullptr, options);
  }
  std::string Sign(const Ed25519SigningKey& key, const std::string& value) const {
    return EventSigner("intake", key).Sign(value);
  }
  static std::string ClosedWithId(const std::string& reason, const std::string& id) {
    auto e = NewEvent(absl::Now(), "c1", "intake", "t", "");
    e.set_event_id(id);
    e.mutable_case_closed()->set_reason(reason);
    return e.SerializeAsString();
  }

  Ed25519SigningKey intake_, other_;
  std::unique_ptr<Consumer> consumer_;
  std::vector<std::string> rejected_;
};

TEST_F(VerifyingConsumerTest, ARejectedEventIsParkedOnceNeverHandledAndLeavesItsIdToTheGenuineOne) {
  const std::string forged = ClosedWithId("forged", "evt-1");
  auto r = consumer_->HandleMessage(forged, "", "");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(*r);
  // The same bytes again (a redelivery) are parked once.
  EXPECT_FALSE(*consumer_->HandleMessage(forged, "", ""));
  EXPECT_EQ(consumer_->rejected(), 1);
  EXPECT_EQ(consumer_->duplicates(), 1);
  ASSERT_EQ(Parked().size(), 1u);
  EXPECT_EQ(Parked()[0].event_id, "evt-1");
  EXPECT_TRUE(absl::StartsWith(Parked()[0].reason, "rejected: the event is not signed")) << Parked()[0].reason;
  EXPECT_EQ(rejected_, std::vector<std::string>{"unsigned:forged"});

  // The genuine event with the same id is handled: the forgery did not spend the id.
  const std::string genuine = ClosedWithId("genuine", "evt-1");
  EXPECT_TRUE(*consumer_->HandleMessage(genuine, "intake", Sign(intake_, genuine)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects WHERE reason = 'genuine'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects"), 1);
}

TEST_F(VerifyingConsumerTest, TheBatchPathRejectsTheSameWayAndHandlesTheRest) {
  // Enough messages for the signature checks to be spread over threads.
  std::vector<std::string> values, sigs;
  for (int i = 0; i < 100; ++i) {
    values.push_back(Closed(i == 37 ? "bad" : "good"));
    sigs.push_back(Sign(i == 37 ? other_ : intake_, values.back()));
  }
  std::vector<Consumer::Inbound> batch;
  for (int i = 0; i < 100; ++i) batch.push_back({values[i], "intake", sigs[i]});
  ASSERT_TRUE(consumer_->HandleBatch(batch).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects WHERE reason = 'good'"), 99);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects WHERE reason = 'bad'"), 0);
  EXPECT_EQ(consumer_->rejected(), 1);
  EXPECT_EQ(rejected_, std::vector<std::string>{"bad_signature:bad"});
  ASSERT_EQ(Parked().size(), 1u);
  EXPECT_TRUE(absl::StrContains(Parked()[0].reason, "does not verify")) << Parked()[0].reason;
}

}  // namespace
}  // namespace recovery::common
