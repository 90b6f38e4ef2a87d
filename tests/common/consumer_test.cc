// The consumer's failure sorting, on SQLite, through HandleBytes/HandleBatch (the poll loop's
// per-event and batch paths): a handler bug parks the event after its attempts and later
// events still flow; a transient fault is waited out, handled once, nothing parked; a
// malformed message is parked once, also when a failed batch falls back to one per event.
#include "services/common/consumer.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "services/common/dead_letters.h"
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

}  // namespace
}  // namespace recovery::common
