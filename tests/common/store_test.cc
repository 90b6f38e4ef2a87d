// SQLite store and migration tests.
#include "services/common/store.h"

#include <gtest/gtest.h>

#include "tests/support/process.h"

namespace recovery::common {
namespace {

TEST(StoreTest, MigrationsApplyOnceInOrder) {
  testing::TempDir dir;
  const std::string path = dir.File("s.db");
  const std::vector<std::string> v1{"CREATE TABLE a (x INTEGER)"};
  const std::vector<std::string> v2{"CREATE TABLE a (x INTEGER)", "ALTER TABLE a ADD COLUMN y TEXT"};
  {
    auto store = OpenStore(path);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Migrate("svc", v1).ok());
    ASSERT_TRUE((*store)->Migrate("svc", v1).ok());  // second run is a no-op
  }
  auto store = OpenStore(path);
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

TEST(StoreTest, FailedMigrationNamesComponentAndVersion) {
  auto store = OpenStore(":memory:");
  ASSERT_TRUE(store.ok());
  auto s = (*store)->Migrate("intake", {"CREATE TABLE ok (x)", "THIS IS NOT SQL"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("migration intake v2"), std::string::npos) << s;
}

TEST(StoreTest, UncommittedTransactionRollsBack) {
  auto store = OpenStore(":memory:");
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
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(after_commit_ran);
}

TEST(StoreTest, BlobsAndTextRoundTrip) {
  auto store = OpenStore(":memory:");
  ASSERT_TRUE((*store)->Migrate("t", {"CREATE TABLE t (b BLOB, s TEXT, d REAL, n INTEGER)"}).ok());
  const std::string bytes("\0\x01\xff", 3);
  auto tx = (*store)->Begin();
  ASSERT_TRUE((*tx)->Exec("INSERT INTO t VALUES (?, ?, ?, ?)", {Blob{bytes}, std::string("héllo"), 2.5, Value{}}).ok());
  auto rows = (*tx)->Query("SELECT b, s, d, n FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Str(0), bytes);
  EXPECT_EQ((*rows)[0].Str(1), "héllo");
  EXPECT_DOUBLE_EQ((*rows)[0].Double(2), 2.5);
  EXPECT_TRUE((*rows)[0].IsNull(3));
}

TEST(StoreTest, ConstraintViolationIsAlreadyExists) {
  auto store = OpenStore(":memory:");
  ASSERT_TRUE((*store)->Migrate("t", {"CREATE TABLE t (x INTEGER PRIMARY KEY)"}).ok());
  auto tx = (*store)->Begin();
  ASSERT_TRUE((*tx)->Exec("INSERT INTO t VALUES (1)").ok());
  EXPECT_EQ((*tx)->Exec("INSERT INTO t VALUES (1)").code(), absl::StatusCode::kAlreadyExists);
}

TEST(StoreTest, UnopenablePathNamesTheFlag) {
  auto store = OpenStore("/nonexistent-dir/x/y.db");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("--db"), std::string::npos);
}

}  // namespace
}  // namespace recovery::common
