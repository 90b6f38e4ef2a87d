// SQLite group commit: transactions that meet at the writer lock share one physical
// commit, each Commit() returns only once its rows are durable, and a member that fails or
// rolls back does not take the others with it (unless SQLite ends the whole transaction).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "services/common/store.h"
#include "tests/support/process.h"

namespace recovery::common {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("g.db");
    auto store = OpenStore(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate("t", {"CREATE TABLE t (x INTEGER PRIMARY KEY)"}).ok());
    base_ = store_->counters();
  }

  // Blocks until n threads are waiting in Begin() (deterministic: the store counts them).
  void AwaitWaiting(int n) {
    while (store_->counters().waiting < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  // Rows as another connection sees them (only what was committed to the file).
  std::vector<int64_t> DurableRows() {
    auto other = OpenStore(path_);
    EXPECT_TRUE(other.ok());
    auto tx = (*other)->Begin();
    EXPECT_TRUE(tx.ok());
    auto rows = (*tx)->Query("SELECT x FROM t ORDER BY x");
    EXPECT_TRUE(rows.ok());
    std::vector<int64_t> out;
    for (const Row& r : *rows) out.push_back(r.Int(0));
    return out;
  }

  // A transaction left open after inserting x (the first member of the next group).
  absl::StatusOr<std::unique_ptr<Tx>> BeginWithRow(int64_t x) {
    auto tx = store_->Begin();
    if (!tx.ok()) return tx.status();
    if (auto s = (*tx)->Exec("INSERT INTO t (x) VALUES (?)", {x}); !s.ok()) return s;
    return tx;
  }

  int64_t Transactions() const { return store_->counters().transactions - base_.transactions; }
  int64_t Commits() const { return store_->counters().commits - base_.commits; }

  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  StoreCounters base_;
};

absl::Status Insert(Tx& tx, int64_t x) { return tx.Exec("INSERT INTO t (x) VALUES (?)", {x}); }

TEST_F(GroupCommitTest, AloneEveryTransactionCommitsOnItsOwn) {
  for (int64_t i = 1; i <= 3; ++i) ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) { return Insert(tx, i); }).ok());
  EXPECT_EQ(Transactions(), 3);
  EXPECT_EQ(Commits(), 3);
  EXPECT_EQ(DurableRows(), (std::vector<int64_t>{1, 2, 3}));
}

TEST_F(GroupCommitTest, AWaitingWriterJoinsTheGroupAndBothReturnOnlyAfterTheCommit) {
  auto first = BeginWithRow(1);
  ASSERT_TRUE(first.ok());
  std::atomic<bool> second_done{false};
  std::thread second([&] {
    EXPECT_TRUE(InTransaction(*store_, [&](Tx& tx) { return Insert(tx, 2); }).ok());
    second_done = true;
  });
  AwaitWaiting(1);
  bool first_after_commit = false;
  (*first)->AfterCommit([&] { first_after_commit = true; });
  // The second writer is queued: the first leaves the group open for it and returns when
  // the second's end commits them both.
  ASSERT_TRUE((*first)->Commit().ok());
  EXPECT_TRUE(first_after_commit);
  EXPECT_EQ(DurableRows(), (std::vector<int64_t>{1, 2}));
  second.join();
  EXPECT_TRUE(second_done);
  EXPECT_EQ(Transactions(), 2);
  EXPECT_EQ(Commits(), 1);
}

TEST_F(GroupCommitTest, AMemberThatRollsBackLeavesTheOthersCommitted) {
  auto first = BeginWithRow(1);
  ASSERT_TRUE(first.ok());
  std::thread second([&] {
    auto tx = store_->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(Insert(**tx, 2).ok());
    // A constraint failure inside the group ends only this statement...
    EXPECT_EQ(Insert(**tx, 1).code(), absl::StatusCode::kAlreadyExists);
    // ...and dropping the Tx rolls back only this member (it commits the group: nobody waits).
  });
  AwaitWaiting(1);
  ASSERT_TRUE((*first)->Commit().ok());
  second.join();
  EXPECT_EQ(DurableRows(), (std::vector<int64_t>{1}));
}

TEST_F(GroupCommitTest, AReaderSeesTheGroupOnlyOnceItIsCommitted) {
  auto first = BeginWithRow(7);
  ASSERT_TRUE(first.ok());
  std::vector<int64_t> seen, durable_when_reader_returned;
  std::thread reader([&] {
    {
      auto tx = store_->Begin();
      ASSERT_TRUE(tx.ok());
      auto rows = (*tx)->Query("SELECT x FROM t");
      ASSERT_TRUE(rows.ok());
      for (const Row& r : *rows) seen.push_back(r.Int(0));
    }  // ends without Commit(): waits for the group it read from
    durable_when_reader_returned = DurableRows();
  });
  AwaitWaiting(1);
  ASSERT_TRUE((*first)->Commit().ok());
  reader.join();
  EXPECT_EQ(seen, (std::vector<int64_t>{7}));
  EXPECT_EQ(durable_when_reader_returned, (std::vector<int64_t>{7}));
}

TEST_F(GroupCommitTest, AMemberThatEndsThePhysicalTransactionFailsTheWholeGroup) {
  auto first = BeginWithRow(1);
  ASSERT_TRUE(first.ok());
  std::thread second([&] {
    auto tx = store_->Begin();
    ASSERT_TRUE(tx.ok());
    // What SQLite does by itself after some I/O errors: the whole transaction is gone.
    ASSERT_TRUE((*tx)->Exec("ROLLBACK").ok());
    EXPECT_EQ((*tx)->Commit().code(), absl::StatusCode::kInternal);  // its savepoint is gone
  });
  AwaitWaiting(1);
  const absl::Status s = (*first)->Commit();
  second.join();
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;  // InTransaction would run it again
  EXPECT_TRUE(DurableRows().empty());
  // The store goes on: the next transaction starts a new group.
  ASSERT_TRUE(InTransaction(*store_, [&](Tx& tx) { return Insert(tx, 2); }).ok());
  EXPECT_EQ(DurableRows(), (std::vector<int64_t>{2}));
}

TEST_F(GroupCommitTest, ManyConcurrentWritersLoseNothingAndShareCommits) {
  constexpr int kThreads = 8, kEach = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const int64_t x = int64_t{t} * kEach + i + 1;
        EXPECT_TRUE(InTransaction(*store_, [&](Tx& tx) { return Insert(tx, x); }).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(DurableRows().size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(Transactions(), kThreads * kEach);
  EXPECT_LE(Commits(), Transactions());
  EXPECT_EQ(store_->counters().waiting, 0);
}

}  // namespace
}  // namespace recovery::common
