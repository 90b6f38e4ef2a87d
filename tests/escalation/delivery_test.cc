// Delivery unit tests: retry backoff, webhook signatures, and the worker's claim/send/record
// cycle on an in-memory store with a fake sender and a manual clock.
#include <gtest/gtest.h>

#include "services/common/clock.h"
#include "services/common/store.h"
#include "services/escalation/delivery/backoff.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/delivery/signature.h"
#include "services/escalation/delivery/worker.h"

namespace recovery::escalation::delivery {
namespace {

TEST(BackoffTest, DoublesFromTheInitialDelayUpToTheCap) {
  BackoffPolicy p;
  p.initial = absl::Seconds(5);
  p.max = absl::Minutes(1);
  EXPECT_EQ(BackoffDelay(1, p), absl::Seconds(5));
  EXPECT_EQ(BackoffDelay(2, p), absl::Seconds(10));
  EXPECT_EQ(BackoffDelay(3, p), absl::Seconds(20));
  EXPECT_EQ(BackoffDelay(4, p), absl::Seconds(40));
  EXPECT_EQ(BackoffDelay(5, p), absl::Minutes(1));
  EXPECT_EQ(BackoffDelay(500, p), absl::Minutes(1));
}

TEST(BackoffTest, NonPositiveAttemptsUseTheInitialDelay) {
  EXPECT_EQ(BackoffDelay(0), BackoffPolicy{}.initial);
  EXPECT_EQ(BackoffDelay(-3), BackoffPolicy{}.initial);
}

TEST(BackoffTest, AttemptsAreExhaustedOnlyAtTheLimit) {
  BackoffPolicy p;
  p.max_attempts = 3;
  EXPECT_FALSE(AttemptsExhausted(2, p));
  EXPECT_TRUE(AttemptsExhausted(3, p));
  p.max_attempts = 0;  // unlimited
  EXPECT_FALSE(AttemptsExhausted(1000, p));
}

TEST(SignatureTest, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(SignatureValue("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SignatureTest, VerifyRejectsAnotherBodyOrSecret) {
  const std::string body = R"({"page_id":"p1"})";
  const std::string sig = SignatureValue("s3cret", body);
  EXPECT_TRUE(VerifySignature("s3cret", body, sig));
  EXPECT_FALSE(VerifySignature("s3cret", body + " ", sig));
  EXPECT_FALSE(VerifySignature("other", body, sig));
  EXPECT_FALSE(VerifySignature("s3cret", body, "sha256=00"));
}

// Fails the first `failures` sends, then succeeds; records what it was asked to send.
class FakeSender final : public Sender {
 public:
  explicit FakeSender(int failures) : failures_(failures) {}
  SendResult Send(const Delivery& d) override {
    sent.push_back(d);
    if (failures_-- > 0) return {false, "HTTP 503"};
    return {true, ""};
  }
  std::vector<Delivery> sent;

 private:
  int failures_;
};

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*common::OpenStore(":memory:"));
    ASSERT_TRUE(store_->Migrate("escalation", QueueMigrationSteps()).ok());
  }
  void Queue(const std::string& id, const std::string& escalation_id = "esc-1") {
    Delivery d;
    d.page_id = id;
    d.escalation_id = escalation_id;
    d.case_id = "case-1";
    d.person_id = "alice";
    d.channel = Channel::kWebhook;
    d.target = "http://example.invalid/alice";
    d.next_attempt_at = clock_.Now();
    d.idempotency_key = "key-" + id;
    d.payload = "{}";
    d.created_at = clock_.Now();
    ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) { return Enqueue(tx, d).status(); }).ok());
  }
  Delivery Load(const std::string& id) {
    Delivery out;
    EXPECT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
      auto d = LoadDelivery(tx, id);
      if (!d.ok()) return d.status();
      out = **d;
      return absl::OkStatus();
    }).ok());
    return out;
  }

  common::ManualClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  std::unique_ptr<common::Store> store_;
};

TEST_F(WorkerTest, FailedSendIsRetriedAfterBackoffWithTheSameIdempotencyKey) {
  FakeSender sender(1);
  std::vector<std::string> outcomes;
  DeliveryWorker::Hooks hooks;
  hooks.on_outcome = [&](common::Tx&, const Delivery& d, const SendResult& r) {
    outcomes.push_back(d.status + (r.ok ? "" : ":" + r.error));
    return absl::OkStatus();
  };
  BackoffPolicy backoff;
  backoff.initial = absl::Seconds(5);
  DeliveryWorker worker(*store_, clock_, hooks, {{Channel::kWebhook, &sender}}, backoff);
  Queue("p1");

  ASSERT_EQ(*worker.RunOnce(), 1);
  EXPECT_EQ(Load("p1").status, kPending);
  EXPECT_EQ(Load("p1").attempts, 1);
  EXPECT_EQ(Load("p1").next_attempt_at, clock_.Now() + absl::Seconds(5));
  ASSERT_EQ(*worker.RunOnce(), 0);  // not due yet
  clock_.Advance(absl::Seconds(5));
  ASSERT_EQ(*worker.RunOnce(), 1);
  EXPECT_EQ(Load("p1").status, kDelivered);
  ASSERT_EQ(sender.sent.size(), 2u);
  EXPECT_EQ(sender.sent[0].idempotency_key, sender.sent[1].idempotency_key);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"pending:HTTP 503", "delivered"}));
}

TEST_F(WorkerTest, PermanentFailureIsFinalWithoutRetry) {
  class Unconfigured final : public Sender {
   public:
    SendResult Send(const Delivery&) override { return {false, "smtp: not configured", true}; }
  } sender;
  DeliveryWorker worker(*store_, clock_, {}, {{Channel::kWebhook, &sender}});
  Queue("p1");
  ASSERT_EQ(*worker.RunOnce(), 1);
  EXPECT_EQ(Load("p1").status, kFailed);
  EXPECT_EQ(Load("p1").last_error, "smtp: not configured");
}

TEST_F(WorkerTest, RowNoLongerWantedAtClaimIsCancelledAndNeverSent) {
  FakeSender sender(0);
  DeliveryWorker::Hooks hooks;
  hooks.still_wanted = [](common::Tx&, const Delivery& d) -> absl::StatusOr<bool> { return d.escalation_id != "acked"; };
  DeliveryWorker worker(*store_, clock_, hooks, {{Channel::kWebhook, &sender}});
  Queue("p1", "acked");
  Queue("p2", "live");
  ASSERT_TRUE(worker.RunOnce().ok());
  EXPECT_EQ(Load("p1").status, kCancelled);
  EXPECT_EQ(Load("p2").status, kDelivered);
  ASSERT_EQ(sender.sent.size(), 1u);
  EXPECT_EQ(sender.sent[0].page_id, "p2");
}

TEST_F(WorkerTest, CancelledRowsAreNotSent) {
  FakeSender sender(0);
  DeliveryWorker worker(*store_, clock_, {}, {{Channel::kWebhook, &sender}});
  Queue("p1");
  ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) {
    return CancelUndelivered(tx, "esc-1").status();
  }).ok());
  ASSERT_EQ(*worker.RunOnce(), 0);
  EXPECT_TRUE(sender.sent.empty());
}

TEST_F(WorkerTest, RowLeftSendingByACrashIsRequeuedOnRecover) {
  FakeSender sender(0);
  DeliveryWorker worker(*store_, clock_, {}, {{Channel::kWebhook, &sender}});
  Queue("p1");
  ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
    auto d = LoadDelivery(tx, "p1");
    Delivery row = **d;
    row.status = kSending;
    row.attempts = 1;
    return UpdateDelivery(tx, row);
  }).ok());
  ASSERT_EQ(*worker.RunOnce(), 0);  // 'sending' belongs to someone else until recovered
  ASSERT_TRUE(worker.Recover().ok());
  ASSERT_EQ(*worker.RunOnce(), 1);
  EXPECT_EQ(Load("p1").status, kDelivered);
  EXPECT_EQ(Load("p1").attempts, 2);
  EXPECT_EQ(sender.sent[0].idempotency_key, "key-p1");
}

TEST_F(WorkerTest, DuplicateIdempotencyKeyIsQueuedOnce) {
  Queue("p1");
  Delivery dup;
  dup.page_id = "p2";
  dup.idempotency_key = "key-p1";
  dup.payload = "{}";
  bool inserted = true;
  ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
    auto r = Enqueue(tx, dup);
    if (!r.ok()) return r.status();
    inserted = *r;
    return absl::OkStatus();
  }).ok());
  EXPECT_FALSE(inserted);
}

}  // namespace
}  // namespace recovery::escalation::delivery
