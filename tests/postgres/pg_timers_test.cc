// Durable timers on PostgreSQL: the timers contract (timers_contract.cc) and two replicas
// sharing one database.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "services/common/timers.h"
#include "tests/common/timers_contract.h"
#include "tests/postgres/pg_fixture.h"

namespace recovery::common {
namespace {

using recovery::testing::TimersContractTest;

INSTANTIATE_TEST_SUITE_P(PostgreSQL, TimersContractTest, ::testing::Values(recovery::testing::PostgresBackend()));

// Replicas sharing one database: the contract fixture, on PostgreSQL only.
class PostgresTimersTest : public TimersContractTest {};

INSTANTIATE_TEST_SUITE_P(PostgreSQL, PostgresTimersTest, ::testing::Values(recovery::testing::PostgresBackend()));

TEST_P(PostgresTimersTest, TwoReplicasFire500DueTimersEachExactlyOnce) {
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
    auto store = OpenStore(url());
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
        if (n.ok())
          fired[i] += *n;
        else
          ++errors;  // a serialisation failure that outlasted InTransaction's retries
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

TEST_P(PostgresTimersTest, TwoReplicaBackgroundLoopsFireEachTimerOnce) {
  constexpr int kTimers = 200;
  auto other_store = OpenStore(url());
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
