// Durable timers on PostgreSQL, including two replicas sharing one database.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "services/common/timers.h"
#include "tests/postgres/pg_fixture.h"

namespace recovery::common {
namespace {

class PostgresTimersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RECOVERY_REQUIRE_POSTGRES(recovery::testing::SharedPostgres());
    url_ = recovery::testing::FreshDatabaseUrl();
    ASSERT_FALSE(url_.empty());
    Open();
  }
  void Open() {
    // A "restart": the old service stays allocated (not running) because the manual clock
    // keeps its jump listener, which has no way to unregister.
    if (timers_) retired_timers_.push_back(std::move(timers_));
    if (store_) retired_stores_.push_back(std::move(store_));
    auto store = OpenStore(url_);
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
  void Schedule(const std::string& key, absl::Duration in, const std::string& payload = "p") {
    ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) {
                  return timers_->Schedule(tx, "reminder", key, clock_.Now() + in, payload);
                }).ok());
  }
  std::vector<std::string> Fired() {
    std::vector<std::string> out;
    auto tx = store_->Begin();
    auto rows = (*tx)->Query("SELECT key FROM fired ORDER BY seq");
    if (!rows.ok()) return out;
    for (const Row& r : *rows) out.push_back(r.Str(0));
    return out;
  }

  std::string url_;
  ManualClock clock_{absl::FromCivil(absl::CivilSecond(2026, 3, 29, 0, 30, 0), absl::UTCTimeZone())};
  std::vector<std::unique_ptr<Store>> retired_stores_;
  std::vector<std::unique_ptr<TimerService>> retired_timers_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<TimerService> timers_;
};

TEST_F(PostgresTimersTest, FiresInDueOrderOnlyWhenDue) {
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

TEST_F(PostgresTimersTest, CancelledTimerNeverFires) {
  Schedule("a", absl::Minutes(1));
  Schedule("b", absl::Minutes(1));
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) { return timers_->Cancel(tx, "reminder", "a").status(); }).ok());
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 1);
  EXPECT_EQ(Fired(), (std::vector<std::string>{"b:p"}));
}

TEST_F(PostgresTimersTest, RescheduleReplacesDueAndPayload) {
  Schedule("a", absl::Minutes(1), "first");
  Schedule("a", absl::Minutes(10), "second");
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 0);
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 1);
  EXPECT_EQ(Fired(), (std::vector<std::string>{"a:second"}));
}

TEST_F(PostgresTimersTest, CancelPrefixRemovesOneCasesTimers) {
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

TEST_F(PostgresTimersTest, PendingTimersSurviveRestartAndFireOnce) {
  Schedule("a", absl::Minutes(1));
  Schedule("b", absl::Hours(2));
  Open();
  ASSERT_TRUE(timers_->NextDue().has_value());
  EXPECT_EQ(*timers_->NextDue(), clock_.Now() + absl::Minutes(1));
  clock_.Advance(absl::Hours(3));
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 2);
  Open();
  EXPECT_EQ(*timers_->FireDue(clock_.Now()), 0);
  EXPECT_EQ(Fired().size(), 2u);
}

TEST_F(PostgresTimersTest, FailingHandlerKeepsTimerArmed) {
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

TEST_F(PostgresTimersTest, BackgroundLoopFiresWhenManualClockAdvances) {
  Schedule("a", absl::Minutes(15));
  timers_->Start();
  clock_.Advance(absl::Minutes(15));
  for (int i = 0; i < 500 && Fired().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  timers_->Stop();
  EXPECT_EQ(Fired(), (std::vector<std::string>{"a:p"}));
}

TEST_F(PostgresTimersTest, TwoReplicasFire500DueTimersEachExactlyOnce) {
  constexpr int kTimers = 500;
  ASSERT_TRUE(store_->Migrate("replicas", {"CREATE TABLE fired_by (key TEXT NOT NULL, replica TEXT NOT NULL)"}).ok());
  // Two replicas: each its own store (connection pool) and timer service on one database.
  struct Replica {
    std::string name;
    std::unique_ptr<Store> store;
    std::unique_ptr<TimerService> timers;
  };
  std::vector<Replica> replicas;
  for (const char* name : {"r1", "r2"}) {
    auto store = OpenStore(url_);
    ASSERT_TRUE(store.ok()) << store.status();
    Replica r{name, std::move(*store), nullptr};
    r.timers = std::make_unique<TimerService>(*r.store, clock_);
    r.timers->Handle("reminder", [name = r.name](Tx& tx, const Timer& t) {
      return tx.Exec("INSERT INTO fired_by (key, replica) VALUES (?, ?)", {t.key, name});
    });
    replicas.push_back(std::move(r));
  }
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) -> absl::Status {
                for (int i = 0; i < kTimers; ++i) {
                  auto s = timers_->Schedule(tx, "reminder", "case-" + std::to_string(i) + "/ack",
                                             clock_.Now() + absl::Seconds(1 + i % 50));
                  if (!s.ok()) return s;
                }
                return absl::OkStatus();
              }).ok());
  clock_.Advance(absl::Minutes(1));

  std::vector<std::thread> threads;
  std::vector<int> fired(replicas.size(), 0);
  std::atomic<int> errors{0};
  for (size_t i = 0; i < replicas.size(); ++i) {
    threads.emplace_back([&, i] {
      const absl::Time deadline = absl::Now() + absl::Seconds(60);
      while (absl::Now() < deadline && replicas[i].timers->Pending() > 0) {
        auto n = replicas[i].timers->FireDue(clock_.Now());
        if (n.ok()) fired[i] += *n;
        else ++errors;  // a serialisation failure that outlasted InTransaction's retries
      }
    });
  }
  for (auto& t : threads) t.join();
  std::cout << "replica r1 fired " << fired[0] << ", r2 fired " << fired[1] << ", FireDue errors " << errors << "\n";
  EXPECT_EQ(fired[0] + fired[1], kTimers);
  auto tx = store_->Begin();
  auto rows = (*tx)->Query("SELECT COUNT(*), COUNT(DISTINCT key) FROM fired_by");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), kTimers) << "no timer fired twice";
  EXPECT_EQ((*rows)[0].Int(1), kTimers) << "every timer fired";
  EXPECT_EQ(timers_->Pending(), 0);
}

TEST_F(PostgresTimersTest, TwoReplicaBackgroundLoopsFireEachTimerOnce) {
  constexpr int kTimers = 200;
  auto other_store = OpenStore(url_);
  ASSERT_TRUE(other_store.ok());
  TimerService other(**other_store, clock_);
  other.Handle("reminder", [](Tx& tx, const Timer& t) {
    return tx.Exec("INSERT INTO fired (key) VALUES (?)", {t.key + ":" + t.payload});
  });
  for (int i = 0; i < kTimers; ++i) Schedule("k" + std::to_string(i), absl::Minutes(5));
  timers_->Start();
  other.Start();
  clock_.Advance(absl::Minutes(5));
  for (int i = 0; i < 1000 && Fired().size() < kTimers; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  timers_->Stop();
  other.Stop();
  EXPECT_EQ(Fired().size(), static_cast<size_t>(kTimers));
  EXPECT_EQ(timers_->Pending(), 0);
}

}  // namespace
}  // namespace recovery::common
