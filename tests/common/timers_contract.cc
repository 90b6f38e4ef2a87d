// Durable timers on every store backend: due order, cancel, reschedule, restarts, failing
// handlers, the background loop. Instantiated per backend (timers_test.cc: SQLite;
// tests/postgres/pg_timers_test.cc: PostgreSQL).
#include "tests/common/timers_contract.h"

#include <chrono>
#include <thread>

namespace recovery::testing {

using common::InTransaction;
using common::Row;
using common::Timer;
using common::TimerService;
using common::Tx;

void TimersContractTest::SetUp() {
  StoreBackendTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  Open();
}

void TimersContractTest::Open() {
  if (timers_) retired_timers_.push_back(std::move(timers_));
  if (store_) retired_stores_.push_back(std::move(store_));
  auto store = common::OpenStore(url());
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
  ASSERT_TRUE(TimerService::Migrate(*store_).ok());
  ASSERT_TRUE(store_->Migrate("test", {"CREATE TABLE fired (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT)"}).ok());
  timers_ = std::make_unique<TimerService>(*store_, clock_);
  timers_->Handle("reminder", [](Tx& tx, const Timer& t) {
    return tx.Exec("INSERT INTO fired (key) VALUES (?)", {t.key + ":" + t.payload});
  });
  ASSERT_TRUE(timers_->Reload().ok());
}

void TimersContractTest::Schedule(const std::string& key, absl::Duration in, const std::string& payload) {
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) {
                return timers_->Schedule(tx, "reminder", key, clock_.Now() + in, payload);
              }).ok());
}

std::vector<std::string> TimersContractTest::Fired() {
  std::vector<std::string> out;
  auto tx = store_->Begin();
  auto rows = (*tx)->Query("SELECT key FROM fired ORDER BY seq");
  if (!rows.ok()) return out;
  for (const Row& r : *rows) out.push_back(r.Str(0));
  return out;
}

TEST_P(TimersContractTest, FiresInDueOrderOnlyWhenDue) {
  Schedule("c", absl::Minutes(30));
  Schedule("a", absl::Minutes(10));
  Schedule("b", absl::Minutes(20));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 0);
  clock_.Advance(absl::Minutes(20));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 2);
  EXPECT_EQ(Fired(), (std::vector<std::string>{"a:p", "b:p"}));
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 1);
  EXPECT_EQ(Fired(), (std::vector<std::string>{"a:p", "b:p", "c:p"}));
  EXPECT_EQ(timers_->Pending(), 0);
}

TEST_P(TimersContractTest, CancelledTimerNeverFires) {
  Schedule("a", absl::Minutes(1));
  Schedule("b", absl::Minutes(1));
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) { return timers_->Cancel(tx, "reminder", "a").status(); }).ok());
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 1);
  EXPECT_EQ(Fired(), (std::vector<std::string>{"b:p"}));
}

TEST_P(TimersContractTest, RescheduleReplacesDueAndPayload) {
  Schedule("a", absl::Minutes(1), "first");
  Schedule("a", absl::Minutes(10), "second");
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 0);
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 1);
  EXPECT_EQ(Fired(), (std::vector<std::string>{"a:second"}));
}

TEST_P(TimersContractTest, CancelPrefixRemovesOneCasesTimers) {
  Schedule("case1/ack", absl::Minutes(1));
  Schedule("case1/item-1", absl::Minutes(1));
  Schedule("case10/ack", absl::Minutes(1));
  Schedule("case1%/x", absl::Minutes(1));  // LIKE metacharacters are plain characters
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) {
                auto n = timers_->CancelPrefix(tx, "reminder", "case1/");
                EXPECT_EQ(*n, 2);
                return n.status();
              }).ok());
  clock_.Advance(absl::Minutes(2));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 2);
  EXPECT_EQ(Fired(), (std::vector<std::string>{"case1%/x:p", "case10/ack:p"}));
}

TEST_P(TimersContractTest, PendingTimersSurviveRestartAndFireOnce) {
  Schedule("a", absl::Minutes(1));
  Schedule("b", absl::Hours(2));
  Open();  // a new process: new store handle, new service, reload from the database
  ASSERT_TRUE(timers_->NextDue().has_value());
  EXPECT_EQ(*timers_->NextDue(), clock_.Now() + absl::Minutes(1));
  clock_.Advance(absl::Hours(3));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 2);
  Open();
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 0);
  EXPECT_EQ(Fired().size(), 2u);
}

TEST_P(TimersContractTest, FailingHandlerKeepsTimerArmed) {
  int calls = 0;
  timers_->Handle("flaky", [&](Tx&, const Timer&) {
    ++calls;
    return calls == 1 ? absl::UnavailableError("downstream") : absl::OkStatus();
  });
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) {
                return timers_->Schedule(tx, "flaky", "k", clock_.Now() + absl::Seconds(1));
              }).ok());
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 0);
  EXPECT_EQ(timers_->Pending(), 1);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 1);
  EXPECT_EQ(timers_->Pending(), 0);
}

TEST_P(TimersContractTest, FailingTimerBacksOffThenIsSetAsideAndOthersStillFire) {
  int calls = 0;
  timers_->Handle("broken", [&](Tx&, const Timer&) {
    ++calls;
    return absl::InternalError("handler bug");
  });
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) {
                return timers_->Schedule(tx, "broken", "case1/ack", clock_.Now(), "payload");
              }).ok());
  Schedule("a", absl::ZeroDuration());
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 1) << "the failing timer does not hold up the reminder";
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 0) << "backed off, not retried at once";
  EXPECT_EQ(calls, 1);
  // Default limit: 5 attempts, 1 s, 2 s, 4 s, 8 s apart.
  for (absl::Duration wait : {absl::Seconds(1), absl::Seconds(2), absl::Seconds(4), absl::Seconds(8)}) {
    clock_.Advance(wait - absl::Milliseconds(1));
    EXPECT_EQ(*timers_->FireDue(clock_.Now()), 0);
    const int before = calls;
    clock_.Advance(absl::Milliseconds(1));
    EXPECT_EQ(*timers_->FireDue(clock_.Now()), 0);
    EXPECT_EQ(calls, before + 1) << "retried once its backoff passed";
  }
  EXPECT_EQ(calls, 5);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 0);
  EXPECT_EQ(calls, 5) << "set aside: no further attempts";
  EXPECT_EQ(timers_->Pending(), 0);
  EXPECT_FALSE(timers_->NextDue().has_value());

  std::vector<common::FailedTimer> failed;
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) -> absl::Status {
                auto f = timers_->ListFailed(tx, "", 10);
                if (f.ok()) failed = *f;
                return f.status();
              }).ok());
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].timer.kind, "broken");
  EXPECT_EQ(failed[0].timer.key, "case1/ack");
  EXPECT_EQ(failed[0].timer.payload, "payload");
  EXPECT_EQ(failed[0].timer.attempts, 5);
  EXPECT_NE(failed[0].last_error.find("handler bug"), std::string::npos) << failed[0].last_error;

  // An operator re-arms it once fixed: it fires, and the record is gone.
  timers_->Handle("broken", [&](Tx&, const Timer&) {
    ++calls;
    return absl::OkStatus();
  });
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) -> absl::Status {
                auto r = timers_->RetryFailed(tx, "broken", "case1/ack", clock_.Now());
                EXPECT_TRUE(r.ok() && *r);
                return r.status();
              }).ok());
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 1);
  EXPECT_EQ(calls, 6);
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) -> absl::Status {
                EXPECT_EQ(timers_->RetryFailed(tx, "broken", "case1/ack", clock_.Now()).status().code(),
                          absl::StatusCode::kNotFound);
                auto f = timers_->ListFailed(tx, "broken", 10);
                EXPECT_TRUE(f.ok() && f->empty());
                return absl::OkStatus();
              }).ok());
}

TEST_P(TimersContractTest, TransientFailuresBackOffWithoutALimit) {
  int calls = 0;
  timers_->Handle(
      "flaky", [&](Tx&, const Timer&) { return ++calls <= 8 ? absl::UnavailableError("db away") : absl::OkStatus(); });
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) { return timers_->Schedule(tx, "flaky", "k", clock_.Now()); }).ok());
  int fired = 0;
  for (int i = 0; i < 9; ++i) {
    fired += *timers_->FireDue(clock_.Now());
    clock_.Advance(absl::Minutes(5));  // the backoff's cap
  }
  EXPECT_EQ(calls, 9);
  EXPECT_EQ(fired, 1) << "fired once the fault passed, never set aside";
}

TEST_P(TimersContractTest, TimerOfAKindWithoutHandlerIsSetAsideNotDropped) {
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) { return timers_->Schedule(tx, "unknown", "k", clock_.Now()); }).ok());
  Schedule("a", absl::ZeroDuration());
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 1);
  EXPECT_EQ(timers_->Pending(), 0);
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) -> absl::Status {
                auto f = timers_->ListFailed(tx, "unknown", 10);
                EXPECT_TRUE(f.ok() && f->size() == 1u);
                return f.status();
              }).ok());
}

TEST_P(TimersContractTest, BackgroundLoopFiresWhenManualClockAdvances) {
  Schedule("a", absl::Minutes(15));
  timers_->Start();
  clock_.Advance(absl::Minutes(15));
  for (int i = 0; i < 500 && Fired().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  timers_->Stop();
  EXPECT_EQ(Fired(), (std::vector<std::string>{"a:p"}));
}

TEST_P(TimersContractTest, RolledBackScheduleLeavesNoTimer) {
  {
    auto tx = store_->Begin();
    ASSERT_TRUE(timers_->Schedule(**tx, "reminder", "gone", clock_.Now()).ok());
  }  // no commit
  EXPECT_EQ(timers_->Pending(), 0);
}

}  // namespace recovery::testing
