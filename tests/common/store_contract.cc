// The store's contract on every backend: migrations, rollback, value round trips, constraints.
// Instantiated per backend (store_test.cc: SQLite; tests/postgres/pg_store_test.cc: PostgreSQL).
#include "tests/common/store_contract.h"

#include <vector>

namespace recovery::testing {

using common::Blob;
using common::Dialect;
using common::InTransaction;
using common::OpenStore;
using common::Tx;
using common::Value;

TEST_P(StoreContractTest, MigrationsApplyOnceInOrder) {
  const std::vector<std::string> v1{"CREATE TABLE a (x INTEGER)"};
  const std::vector<std::string> v2{"CREATE TABLE a (x INTEGER)", "ALTER TABLE a ADD COLUMN y TEXT"};
  {
    auto store = OpenStore(url());
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->dialect(), GetParam().dialect);
    ASSERT_TRUE((*store)->Migrate("svc", v1).ok());
    ASSERT_TRUE((*store)->Migrate("svc", v1).ok());  // second run is a no-op
  }
  auto store = OpenStore(url());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate("svc", v2).ok());  // only step 2 runs
  auto tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE((*tx)->Exec("INSERT INTO a (x, y) VALUES (?, ?)", {int64_t{1}, std::string("one")}).ok());
  auto rows = (*tx)->Query("SELECT version FROM schema_migrations WHERE component = 'svc' ORDER BY version");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].Int(0), 2);
}

TEST_P(StoreContractTest, FailedMigrationNamesComponentAndVersionAndAppliesNothing) {
  auto store = OpenStore(url());
  ASSERT_TRUE(store.ok());
  auto s = (*store)->Migrate("intake", {"CREATE TABLE ok (x INTEGER)", "THIS IS NOT SQL"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("migration intake v2"), std::string::npos) << s;
  ASSERT_TRUE((*store)->Migrate("intake", {"CREATE TABLE ok (x INTEGER)"}).ok()) << "v1 was rolled back";
}

TEST_P(StoreContractTest, UncommittedTransactionRollsBack) {
  auto store = OpenStore(url());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate("t", {"CREATE TABLE t (x INTEGER)"}).ok());
  {
    auto tx = (*store)->Begin();
    ASSERT_TRUE((*tx)->Exec("INSERT INTO t VALUES (1)").ok());
  }
  bool after_commit_ran = false;
  auto s = InTransaction(**store, [&](Tx& tx) -> absl::Status {
    auto rows = tx.Query("SELECT COUNT(*) FROM t");
    if (!rows.ok()) return rows.status();
    EXPECT_EQ((*rows)[0].Int(0), 0);
    tx.AfterCommit([&] { after_commit_ran = true; });
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_TRUE(after_commit_ran);
}

TEST_P(StoreContractTest, BlobsTextDoublesNullsAndMicrosecondsRoundTrip) {
  auto store = OpenStore(url());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate("t", {"CREATE TABLE t (b BLOB, s TEXT, d REAL, n INTEGER, us INTEGER)"}).ok());
  const std::string bytes("\0\x01\xff\\x'?", 7);
  const int64_t us = 1795000000123456;  // 2026 in microseconds: needs 64 bits
  auto tx = (*store)->Begin();
  ASSERT_TRUE((*tx)
                  ->Exec("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                         {Blob{bytes}, std::string("héllo 'quoted' ?"), 2.5, Value{}, us})
                  .ok());
  EXPECT_EQ((*tx)->ChangedRows(), 1);
  auto rows = (*tx)->Query("SELECT b, s, d, n, us, '?' FROM t WHERE us = ?", {us});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Str(0), bytes);
  EXPECT_EQ((*rows)[0].Str(1), "héllo 'quoted' ?");
  EXPECT_DOUBLE_EQ((*rows)[0].Double(2), 2.5);
  EXPECT_TRUE((*rows)[0].IsNull(3));
  EXPECT_EQ((*rows)[0].Int(4), us);
  EXPECT_EQ((*rows)[0].Str(5), "?");
  ASSERT_TRUE((*tx)->Commit().ok());
}

TEST_P(StoreContractTest, ConstraintViolationIsAlreadyExists) {
  auto store = OpenStore(url());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate("t", {"CREATE TABLE t (x INTEGER PRIMARY KEY)"}).ok());
  auto tx = (*store)->Begin();
  ASSERT_TRUE((*tx)->Exec("INSERT INTO t VALUES (1)").ok());
  EXPECT_EQ((*tx)->Exec("INSERT INTO t VALUES (1)").code(), absl::StatusCode::kAlreadyExists);
  const absl::Status commit = (*tx)->Commit();
  // PostgreSQL aborts the transaction: committing it must not report success. SQLite fails only
  // the statement. Either way what is stored is what the commit reported.
  if (GetParam().dialect == Dialect::kPostgres) {
    EXPECT_FALSE(commit.ok());
  }
  auto tx2 = (*store)->Begin();
  auto rows = (*tx2)->Query("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), commit.ok() ? 1 : 0);
}

}  // namespace recovery::testing
