// Delivery unit tests: webhook signatures, and the worker's claim/send/record cycle on an
// in-memory store with fake senders (or real webhook receivers) and a manual clock: retries
// with backoff, concurrency bounds, slow and failing receivers, leases and restarts.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/clock.h"
#include "services/common/store.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/delivery/signature.h"
#include "services/escalation/delivery/worker.h"
#include "tests/escalation/webhook_receiver.h"
#include "tests/support/service_process.h"

namespace recovery::escalation::delivery {
namespace {

using recovery::escalation::testing::WebhookReceiver;
using recovery::testing::PollUntil;

constexpr absl::Duration kWait = absl::Seconds(20);  // generous bound for what must happen

TEST(SignatureTest, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(SignatureValue("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// Expected values computed outside this code, with Python's hmac module:
//   hmac.new(secret, b"1795514400." + body, hashlib.sha256).hexdigest()
constexpr char kV2Body[] = R"({"page_id":"p1"})";
const absl::Time kV2At = absl::FromUnixSeconds(1795514400);
constexpr char kV2Current[] = "472e9beea13c7cc7728836d4bce4003fbd12a81d5e6523156b8a4217c2929787";
constexpr char kV2Previous[] = "2851517619571d12c97d7e209cc767a3006f12ef0973ffbdca0172f48990b837";

TEST(SignatureV2Test, SignsTimestampDotBodyWithEverySecretCurrentFirst) {
  EXPECT_EQ(SignatureV2Value({"whsec-current"}, kV2At, kV2Body), absl::StrCat("t=1795514400,v2=", kV2Current));
  EXPECT_EQ(SignatureV2Value({"whsec-current", "", "whsec-previous"}, kV2At + absl::Milliseconds(999), kV2Body),
            absl::StrCat("t=1795514400,v2=", kV2Current, ",v2=", kV2Previous));
  EXPECT_EQ(SignatureV2Value({}, kV2At, kV2Body), "");
}

TEST(SignatureV2Test, AReceiverWithEitherSecretVerifiesDuringARotation) {
  const std::string header = SignatureV2Value({"whsec-current", "whsec-previous"}, kV2At, kV2Body);
  EXPECT_TRUE(VerifySignatureV2({"whsec-previous"}, kV2Body, header, kV2At).ok());  // not moved yet
  EXPECT_TRUE(VerifySignatureV2({"whsec-current"}, kV2Body, header, kV2At).ok());   // moved
  EXPECT_TRUE(VerifySignatureV2({"other", "whsec-current"}, kV2Body, header, kV2At).ok());
  const absl::Status other = VerifySignatureV2({"whsec-other"}, kV2Body, header, kV2At);
  EXPECT_EQ(other.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(other.message(), "no v2 signature matches a secret");
  // The body and the timestamp are both signed: changing either breaks every signature.
  EXPECT_FALSE(VerifySignatureV2({"whsec-current"}, std::string(kV2Body) + " ", header, kV2At).ok());
  std::string moved = header;
  moved.replace(0, std::string("t=1795514400").size(), "t=1795514401");
  EXPECT_EQ(VerifySignatureV2({"whsec-current"}, kV2Body, moved, kV2At).message(), "no v2 signature matches a secret");
}

TEST(SignatureV2Test, OutsideTheReplayWindowIsRefusedWhateverTheSignature) {
  const std::string header = SignatureV2Value({"whsec-current"}, kV2At, kV2Body);
  EXPECT_TRUE(VerifySignatureV2({"whsec-current"}, kV2Body, header, kV2At + absl::Minutes(5)).ok());
  EXPECT_TRUE(VerifySignatureV2({"whsec-current"}, kV2Body, header, kV2At - absl::Minutes(5)).ok());
  const absl::Status late =
      VerifySignatureV2({"whsec-current"}, kV2Body, header, kV2At + absl::Minutes(5) + absl::Seconds(1));
  EXPECT_EQ(late.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(late.message(), "outside the replay window")) << late.message();
  EXPECT_FALSE(
      VerifySignatureV2({"whsec-current"}, kV2Body, header, kV2At - absl::Minutes(6)).ok());  // from the future
  EXPECT_TRUE(VerifySignatureV2({"whsec-current"}, kV2Body, header, kV2At + absl::Minutes(20), absl::Minutes(30)).ok());
}

TEST(SignatureV2Test, MalformedHeadersAreRefusedWithTheReason) {
  const auto check = [](const std::string& header) {
    return std::string(VerifySignatureV2({"whsec-current"}, kV2Body, header, kV2At).message());
  };
  EXPECT_EQ(check(""), "malformed: no t= timestamp");
  EXPECT_EQ(check(absl::StrCat("v2=", kV2Current)), "malformed: no t= timestamp");
  EXPECT_EQ(check("t=1795514400"), "malformed: no v2= signature");
  EXPECT_EQ(check(absl::StrCat("t=soon,v2=", kV2Current)), "malformed: t= must be one whole number of seconds");
  EXPECT_EQ(check(absl::StrCat("t=1795514400,t=1795514400,v2=", kV2Current)),
            "malformed: t= must be one whole number of seconds");
  // Unknown schemes beside v2 are skipped, and spaces after commas are fine.
  EXPECT_EQ(check(absl::StrCat("t=1795514400, v3=abc, v2=", kV2Current)), "");
}

TEST(SignatureTest, VerifyRejectsAnotherBodyOrSecret) {
  const std::string body = R"({"page_id":"p1"})";
  const std::string sig = SignatureValue("s3cret", body);
  EXPECT_TRUE(VerifySignature("s3cret", body, sig));
  EXPECT_FALSE(VerifySignature("s3cret", body + " ", sig));
  EXPECT_FALSE(VerifySignature("other", body, sig));
  EXPECT_FALSE(VerifySignature("s3cret", body, "sha256=00"));
}

TEST(HostKeyTest, WebhooksByAuthorityOtherChannelsByName) {
  EXPECT_EQ(HostKey(Channel::kWebhook, "http://Hooks.Example.com:8080/a/b?c=d"), "hooks.example.com:8080");
  EXPECT_EQ(HostKey(Channel::kWebhook, "https://user:pw@example.com/x"), "example.com");
  EXPECT_EQ(HostKey(Channel::kWebhook, "http://127.0.0.1:9000"), "127.0.0.1:9000");
  EXPECT_EQ(HostKey(Channel::kEmail, "alice@example.com"), "smtp");
  EXPECT_EQ(HostKey(Channel::kLog, "ops"), "log");
}

// Fails the first `failures` sends, then succeeds; records what it was asked to send.
class FakeSender final : public Sender {
 public:
  explicit FakeSender(int failures) : failures_(failures) {}
  SendResult Send(const Delivery& d) override {
    std::function<void()> during;
    {
      std::lock_guard<std::mutex> lock(mu_);
      sent.push_back(d);
      during = std::move(during_send);
      during_send = nullptr;
    }
    if (during) during();
    std::lock_guard<std::mutex> lock(mu_);
    if (failures_-- > 0) return {false, "HTTP 503"};
    return {true, ""};
  }
  std::vector<Delivery> sent;
  std::function<void()> during_send;  // runs once, inside the next Send

 private:
  std::mutex mu_;
  int failures_;
};

// Holds every send until Release(); tracks how many sends run at once per target host.
class LatchSender final : public Sender {
 public:
  SendResult Send(const Delivery& d) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++arrived_;
    const int now = ++active_[d.target_host];
    max_active_[d.target_host] = std::max(max_active_[d.target_host], now);
    cv_.wait(lock, [this] { return released_; });
    --active_[d.target_host];
    return {true, ""};
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
  }
  int arrived() {
    std::lock_guard<std::mutex> lock(mu_);
    return arrived_;
  }
  int max_active(const std::string& host) {
    std::lock_guard<std::mutex> lock(mu_);
    return max_active_[host];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  int arrived_ = 0;
  std::map<std::string, int> active_, max_active_;
};

// The test receivers listen on http://127.0.0.1.
DeliverySettings LoopbackHttp() {
  DeliverySettings s;
  s.webhook_targets.allow_http = true;
  s.webhook_targets.allowed_networks = {*common::ParseIpNetwork("127.0.0.0/8")};
  return s;
}

DeliveryOptions NoJitter() {
  DeliveryOptions o;
  o.backoff = {absl::Seconds(5), absl::Minutes(5), 2.0, 0.0};
  return o;
}

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*common::OpenStore(":memory:"));
    ASSERT_TRUE(store_->Migrate("escalation", QueueMigrationSteps()).ok());
  }
  void Queue(const std::string& id, const std::string& escalation_id = "esc-1",
             const std::string& target = "http://example.invalid/alice", Channel channel = Channel::kWebhook) {
    Delivery d;
    d.page_id = id;
    d.escalation_id = escalation_id;
    d.case_id = "case-1";
    d.person_id = "alice";
    d.channel = channel;
    d.target = target;
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
  // What a worker process does when it claims `id` (and then dies, in these tests).
  void ClaimAs(const std::string& id, const std::string& owner) {
    ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
                  Delivery d = *std::move(*LoadDelivery(tx, id));
                  auto ok = ClaimDelivery(tx, d, owner, clock_.Now(), clock_.Now() + absl::Seconds(60));
                  if (!ok.ok()) return ok.status();
                  EXPECT_TRUE(*ok);
                  return absl::OkStatus();
                }).ok());
  }
  bool Status(const std::string& id, const std::string& status) { return Load(id).status == status; }

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
  DeliveryWorker worker(*store_, clock_, hooks, {{Channel::kWebhook, &sender}}, NoJitter());
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
  EXPECT_EQ(worker.stats().resent, 0);  // a retry after a failure is not a re-send
}

TEST_F(WorkerTest, RetryDelaysFollowTheCommonBackoffPolicyAndStopAtTheAttemptLimit) {
  FakeSender sender(100);
  DeliveryOptions options = NoJitter();
  options.max_attempts = 3;
  DeliveryWorker worker(*store_, clock_, {}, {{Channel::kWebhook, &sender}}, options);
  Queue("p1");
  ASSERT_EQ(*worker.RunOnce(), 1);
  EXPECT_EQ(Load("p1").next_attempt_at, clock_.Now() + absl::Seconds(5));
  clock_.Advance(absl::Seconds(5));
  ASSERT_EQ(*worker.RunOnce(), 1);
  EXPECT_EQ(Load("p1").next_attempt_at, clock_.Now() + absl::Seconds(10));
  clock_.Advance(absl::Seconds(10));
  ASSERT_EQ(*worker.RunOnce(), 1);
  EXPECT_EQ(Load("p1").status, kFailed);
  EXPECT_EQ(Load("p1").attempts, 3);
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
  hooks.still_wanted = [](common::Tx&, const Delivery& d) -> absl::StatusOr<bool> {
    return d.escalation_id != "acked";
  };
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
  ASSERT_TRUE(
      common::InTransaction(*store_, [&](common::Tx& tx) { return CancelUndelivered(tx, "esc-1").status(); }).ok());
  ASSERT_EQ(*worker.RunOnce(), 0);
  EXPECT_TRUE(sender.sent.empty());
}

// A tier change never withdraws a page nobody tried: it gets its one attempt (no retry);
// a page already tried and waiting for its retry is cancelled, saying why.
TEST_F(WorkerTest, TierChangeLetsAnUntriedPageMakeItsOneAttemptAndCancelsRetries) {
  FakeSender sender(1);
  DeliveryWorker worker(*store_, clock_, {}, {{Channel::kWebhook, &sender}}, NoJitter());
  Queue("tried");
  ASSERT_EQ(*worker.RunOnce(), 1);  // fails, waits for its retry
  ASSERT_EQ(Load("tried").status, kPending);
  Queue("untried-fails");
  Queue("untried-ok");
  int64_t cancelled = -1;
  ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) -> absl::Status {
                auto n = SupersedeUndelivered(tx, "esc-1");
                if (!n.ok()) return n.status();
                cancelled = *n;
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(cancelled, 1);
  EXPECT_EQ(Load("tried").status, kCancelled);
  EXPECT_EQ(Load("tried").last_error, "superseded: the escalation moved on after 1 attempt(s); last error: HTTP 503");
  EXPECT_EQ(Load("untried-fails").status, kPending);

  FakeSender second(1);  // the first untried page fails its one attempt
  DeliveryWorker next(*store_, clock_, {}, {{Channel::kWebhook, &second}}, NoJitter());
  ASSERT_EQ(*next.RunOnce(), 2);
  EXPECT_EQ(second.sent.size(), 2u);
  const Delivery failed = Load(second.sent[0].page_id);
  EXPECT_EQ(failed.status, kCancelled);
  EXPECT_EQ(failed.attempts, 1);
  EXPECT_EQ(failed.last_error, "superseded: the escalation moved on; last attempt: HTTP 503");
  EXPECT_EQ(Load(second.sent[1].page_id).status, kDelivered);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(*next.RunOnce(), 0);  // no retry of the superseded page
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

// One receiver that answers only when the test lets it: another person's webhook page and
// the log channel's page are delivered while the slow receiver still holds its requests.
TEST_F(WorkerTest, SlowReceiverDoesNotDelayAnotherPersonsPage) {
  WebhookReceiver slow, fast;
  slow.Hold();
  WebhookSender webhook([] {  // held longer than the default 5 s is fine
    DeliverySettings s = LoopbackHttp();
    s.webhook_timeout = absl::Seconds(60);
    return s;
  });
  LogSender log;
  DeliveryWorker worker(*store_, clock_, {}, {{Channel::kWebhook, &webhook}, {Channel::kLog, &log}});
  for (int i = 0; i < 6; ++i) Queue("slow-" + std::to_string(i), "esc-slow", slow.Url("/bob"));
  Queue("fast", "esc-fast", fast.Url("/alice"));
  Queue("log", "esc-fast", "ops", Channel::kLog);
  worker.Start();

  ASSERT_TRUE(PollUntil([&] { return fast.answered() == 1 && Status("fast", kDelivered); }, kWait));
  ASSERT_TRUE(PollUntil([&] { return Status("log", kDelivered); }, kWait));
  EXPECT_GE(slow.count(), 1u);
  EXPECT_EQ(slow.answered(), 0u) << "the fast page went out while the slow receiver was still held";
  EXPECT_EQ(Load("slow-0").status, kSending);

  slow.Release();
  ASSERT_TRUE(PollUntil(
      [&] {
        for (int i = 0; i < 6; ++i)
          if (!Status("slow-" + std::to_string(i), kDelivered)) return false;
        return true;
      },
      kWait));
  worker.Stop();
  EXPECT_EQ(slow.answered(), 6u);
  EXPECT_EQ(fast.count(), 1u);
}

// A receiver answering 500 gets its retries with backoff; the other page goes out at once.
TEST_F(WorkerTest, FailingReceiverIsRetriedWithBackoffAndDoesNotBlockOthers) {
  WebhookReceiver failing, ok;
  failing.set_status(500);
  WebhookSender webhook([] { return LoopbackHttp(); });
  DeliveryWorker worker(*store_, clock_, {}, {{Channel::kWebhook, &webhook}}, NoJitter());
  Queue("fails", "esc-1", failing.Url("/bob"));
  Queue("ok", "esc-2", ok.Url("/alice"));

  ASSERT_EQ(*worker.RunOnce(), 2);
  EXPECT_EQ(Load("ok").status, kDelivered);
  EXPECT_EQ(Load("fails").status, kPending);
  EXPECT_EQ(Load("fails").last_error, "HTTP 500");
  EXPECT_EQ(Load("fails").next_attempt_at, clock_.Now() + absl::Seconds(5));
  ASSERT_EQ(*worker.RunOnce(), 0);
  clock_.Advance(absl::Seconds(5));
  ASSERT_EQ(*worker.RunOnce(), 1);
  EXPECT_EQ(Load("fails").next_attempt_at, clock_.Now() + absl::Seconds(10));
  failing.set_status(200);
  clock_.Advance(absl::Seconds(10));
  ASSERT_EQ(*worker.RunOnce(), 1);
  EXPECT_EQ(Load("fails").status, kDelivered);
  EXPECT_EQ(Load("fails").attempts, 3);
  ASSERT_EQ(failing.count(), 3u);
  EXPECT_EQ(failing.repeated_keys(), 2u);  // every attempt under the page's one key
  EXPECT_EQ(ok.count(), 1u);
}

TEST_F(WorkerTest, SendsAtOnceStayWithinThePerHostBound) {
  LatchSender sender;
  DeliveryOptions options;
  options.per_host = 2;
  options.max_in_flight = 8;
  DeliveryWorker worker(*store_, clock_, {}, {{Channel::kWebhook, &sender}}, options);
  for (int i = 0; i < 6; ++i) Queue("a" + std::to_string(i), "esc-a", "http://a.example/x");
  for (int i = 0; i < 2; ++i) Queue("b" + std::to_string(i), "esc-b", "http://b.example/x");
  worker.Start();
  // With host a at its bound, host b's pages are on the wire beside a's first two.
  ASSERT_TRUE(PollUntil([&] { return sender.arrived() == 4; }, kWait));
  EXPECT_EQ(sender.max_active("b.example"), 2);
  sender.Release();
  ASSERT_TRUE(PollUntil([&] { return sender.arrived() == 8; }, kWait));
  worker.Stop();
  EXPECT_EQ(sender.max_active("a.example"), 2);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(Load("a" + std::to_string(i)).status, kDelivered);
}

TEST_F(WorkerTest, ClaimRecordsTheOwnerAndTheLease) {
  LatchSender sender;
  DeliveryOptions options;
  options.owner = "rep-a/1/abc";
  options.lease = absl::Seconds(30);
  DeliveryWorker worker(*store_, clock_, {}, {{Channel::kWebhook, &sender}}, options);
  Queue("p1");
  worker.Start();
  ASSERT_TRUE(PollUntil([&] { return sender.arrived() == 1; }, kWait));
  const Delivery d = Load("p1");
  EXPECT_EQ(d.status, kSending);
  EXPECT_EQ(d.owner, "rep-a/1/abc");
  EXPECT_EQ(d.lease_until, clock_.Now() + absl::Seconds(30));
  sender.Release();
  worker.Stop();
  EXPECT_EQ(Load("p1").status, kDelivered);
}

// A worker that claimed a row and died: once the lease has expired another worker on the same
// store claims it and sends it again under the same key, counted as a re-send.
TEST_F(WorkerTest, RowWhoseLeaseExpiredIsReclaimedByAnotherWorker) {
  FakeSender sender(0);
  DeliveryOptions options;
  options.owner = "rep-b/2/b";
  DeliveryWorker other(*store_, clock_, {}, {{Channel::kWebhook, &sender}}, options);
  Queue("p1");
  ClaimAs("p1", "rep-a/1/a");
  ASSERT_EQ(*other.RunOnce(), 0);  // the lease holds
  clock_.Advance(absl::Seconds(60));
  ASSERT_EQ(*other.RunOnce(), 1);
  const Delivery d = Load("p1");
  EXPECT_EQ(d.status, kDelivered);
  EXPECT_EQ(d.owner, "rep-b/2/b");
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(d.resends, 1);
  EXPECT_EQ(other.stats().resent, 1);
  ASSERT_EQ(sender.sent.size(), 1u);
  EXPECT_EQ(sender.sent[0].idempotency_key, "key-p1");
}

// A worker whose send outlived its lease: the row was claimed (and sent) again meanwhile, so
// the late outcome is dropped, counted, and the events are those of the second claim only.
TEST_F(WorkerTest, OutcomeAfterTheLeaseWasLostIsDropped) {
  int outcomes = 0;
  DeliveryWorker::Hooks hooks;
  hooks.on_outcome = [&](common::Tx&, const Delivery&, const SendResult&) {
    ++outcomes;
    return absl::OkStatus();
  };
  FakeSender slow(0), quick(0);
  DeliveryOptions a, b;
  a.owner = "rep-a/1/a";
  b.owner = "rep-b/2/b";
  DeliveryWorker first(*store_, clock_, hooks, {{Channel::kWebhook, &slow}}, a);
  DeliveryWorker second(*store_, clock_, hooks, {{Channel::kWebhook, &quick}}, b);
  Queue("p1");
  slow.during_send = [&] {
    clock_.Advance(a.lease + absl::Seconds(1));
    EXPECT_EQ(*second.RunOnce(), 1);
  };
  ASSERT_EQ(*first.RunOnce(), 1);
  EXPECT_EQ(Load("p1").owner, "rep-b/2/b");
  EXPECT_EQ(Load("p1").status, kDelivered);
  EXPECT_EQ(first.stats().lease_lost, 1);
  EXPECT_EQ(second.stats().resent, 1);
  EXPECT_EQ(outcomes, 1);
}

// Start-up requeues the rows of this replica's previous process (its pid is gone, or it had
// this very pid, as a restarted container does), never a live replica's in-flight rows.
TEST_F(WorkerTest, RestartingWorkerRequeuesOnlyItsOwnRows) {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);  // a pid that is gone
  const std::string me = std::to_string(getpid());
  Queue("mine-dead-pid");
  Queue("mine-same-pid");
  Queue("other-replica");
  Queue("same-name-live-pid");
  ClaimAs("mine-dead-pid", "rep-a/" + std::to_string(child) + "/old");
  ClaimAs("mine-same-pid", "rep-a/" + me + "/old");
  ClaimAs("other-replica", "rep-b/" + me + "/x");
  ClaimAs("same-name-live-pid", "rep-a/" + std::to_string(getppid()) + "/x");

  FakeSender sender(0);
  DeliveryOptions options;
  options.owner = "rep-a/" + me + "/new";
  DeliveryWorker worker(*store_, clock_, {}, {{Channel::kWebhook, &sender}}, options);
  ASSERT_TRUE(worker.Recover().ok());
  EXPECT_EQ(worker.stats().requeued, 2);
  ASSERT_EQ(*worker.RunOnce(), 2);
  EXPECT_EQ(Load("mine-dead-pid").status, kDelivered);
  EXPECT_EQ(Load("mine-same-pid").status, kDelivered);
  EXPECT_EQ(Load("mine-same-pid").resends, 1);
  EXPECT_EQ(Load("other-replica").status, kSending);
  EXPECT_EQ(Load("other-replica").owner, "rep-b/" + me + "/x");
  EXPECT_EQ(Load("same-name-live-pid").status, kSending);
}

TEST(OwnerIdTest, ReplicaFromTheEnvironmentThenPidAndRandom) {
  setenv("RECOVERY_REPLICA_ID", "escalation-1", 1);
  const std::string a = DefaultOwnerId(), b = DefaultOwnerId();
  unsetenv("RECOVERY_REPLICA_ID");
  EXPECT_EQ(a.rfind("escalation-1/" + std::to_string(getpid()) + "/", 0), 0u) << a;
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace recovery::escalation::delivery
