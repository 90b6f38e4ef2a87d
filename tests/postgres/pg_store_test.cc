// The common store on PostgreSQL: the SQLite store's contract (migrations, rollback,
// blobs, constraints) plus what PostgreSQL adds (SQL rewriting, serialisation failures,
// a connection pool, concurrent migrators).
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "services/common/store.h"
#include "tests/postgres/pg_fixture.h"

namespace recovery::common {

std::string TranslateSqlForPostgres(std::string_view sql);  // postgres_store.cc

namespace {

TEST(PostgresSqlTest, PlaceholdersBecomeNumberedOutsideLiteralsAndComments) {
  EXPECT_EQ(TranslateSqlForPostgres("SELECT a FROM t WHERE b = ? AND c = '?' AND d = ? -- ?\n AND e = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND d = $2 -- ?\n AND e = $3");
  EXPECT_EQ(TranslateSqlForPostgres("SELECT 'it''s ?', \"odd?col\" FROM t WHERE x = ?"),
            "SELECT 'it''s ?', \"odd?col\" FROM t WHERE x = $1");
}

TEST(PostgresSqlTest, DdlMapsSqliteTypes) {
  EXPECT_EQ(TranslateSqlForPostgres("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, at_us INTEGER NOT NULL, "
                                    "b BLOB, r REAL, name TEXT DEFAULT 'INTEGER')"),
            "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, at_us BIGINT NOT NULL, b BYTEA, r DOUBLE PRECISION, "
            "name TEXT DEFAULT 'INTEGER')");
  EXPECT_EQ(TranslateSqlForPostgres("create table t (seq integer primary key, n integer)"),
            "create table t (seq BIGSERIAL PRIMARY KEY, n BIGINT)");
  EXPECT_EQ(TranslateSqlForPostgres("ALTER TABLE a ADD COLUMN y INTEGER"), "ALTER TABLE a ADD COLUMN y BIGINT");
  // Not DDL: type names are left alone.
  EXPECT_EQ(TranslateSqlForPostgres("SELECT CAST(x AS INTEGER) FROM t"), "SELECT CAST(x AS INTEGER) FROM t");
}

TEST(PostgresStoreTest, MigrationsApplyOnceInOrder) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  const std::vector<std::string> v1{"CREATE TABLE a (x INTEGER)"};
  const std::vector<std::string> v2{"CREATE TABLE a (x INTEGER)", "ALTER TABLE a ADD COLUMN y TEXT"};
  {
    auto store = OpenStore(url);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->dialect(), Dialect::kPostgres);
    ASSERT_TRUE((*store)->Migrate("svc", v1).ok());
    ASSERT_TRUE((*store)->Migrate("svc", v1).ok());
  }
  auto store = OpenStore(url);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate("svc", v2).ok());
  auto tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE((*tx)->Exec("INSERT INTO a (x, y) VALUES (?, ?)", {int64_t{1}, std::string("one")}).ok());
  auto rows = (*tx)->Query("SELECT version FROM schema_migrations WHERE component = 'svc' ORDER BY version");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].Int(0), 2);
}

TEST(PostgresStoreTest, FailedMigrationNamesComponentAndVersionAndAppliesNothing) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  auto store = OpenStore(url);
  ASSERT_TRUE(store.ok());
  auto s = (*store)->Migrate("intake", {"CREATE TABLE ok (x INTEGER)", "THIS IS NOT SQL"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("migration intake v2"), std::string::npos) << s;
  ASSERT_TRUE((*store)->Migrate("intake", {"CREATE TABLE ok (x INTEGER)"}).ok()) << "v1 was rolled back";
}

TEST(PostgresStoreTest, UncommittedTransactionRollsBack) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  auto store = OpenStore(url);
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

TEST(PostgresStoreTest, BlobsTextDoublesNullsAndMicrosecondsRoundTrip) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  auto store = OpenStore(url);
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

TEST(PostgresStoreTest, ConstraintViolationIsAlreadyExistsAndAbortsTheTransaction) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  auto store = OpenStore(url);
  ASSERT_TRUE((*store)->Migrate("t", {"CREATE TABLE t (x INTEGER PRIMARY KEY)"}).ok());
  auto tx = (*store)->Begin();
  ASSERT_TRUE((*tx)->Exec("INSERT INTO t VALUES (1)").ok());
  EXPECT_EQ((*tx)->Exec("INSERT INTO t VALUES (1)").code(), absl::StatusCode::kAlreadyExists);
  // PostgreSQL aborts the transaction: committing it must not report success.
  EXPECT_FALSE((*tx)->Commit().ok());
  auto tx2 = (*store)->Begin();
  auto rows = (*tx2)->Query("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), 0);
}

TEST(PostgresStoreTest, ConcurrentUpdateOfOneRowIsAborted) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  auto store = OpenStore(url);
  ASSERT_TRUE((*store)->Migrate("t", {"CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
                                      "INSERT INTO c (id, n) VALUES (1, 0)"})
                  .ok());
  auto first = (*store)->Begin();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*first)->Query("SELECT n FROM c WHERE id = 1").ok());  // snapshot taken
  ASSERT_TRUE(InTransaction(**store, [](Tx& tx) { return tx.Exec("UPDATE c SET n = n + 1 WHERE id = 1"); }).ok());
  EXPECT_EQ((*first)->Exec("UPDATE c SET n = n + 1 WHERE id = 1").code(), absl::StatusCode::kAborted);
}

TEST(PostgresStoreTest, ConcurrentIncrementsThroughThePoolLoseNoUpdate) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  auto store = OpenStore(url + "?pool_size=3");
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Migrate("t", {"CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
                                      "INSERT INTO c (id, n) VALUES (1, 0)"})
                  .ok());
  constexpr int kThreads = 6, kEach = 20;
  std::atomic<int> aborted_retries{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        for (;;) {  // InTransaction retries 5 times; under this contention go round again
          auto s = InTransaction(**store, [](Tx& tx) -> absl::Status {
            auto rows = tx.Query("SELECT n FROM c WHERE id = 1");
            if (!rows.ok()) return rows.status();
            return tx.Exec("UPDATE c SET n = ? WHERE id = 1", {(*rows)[0].Int(0) + 1});
          });
          if (s.ok()) break;
          ASSERT_EQ(s.code(), absl::StatusCode::kAborted) << s;
          ++aborted_retries;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto tx = (*store)->Begin();
  auto rows = (*tx)->Query("SELECT n FROM c WHERE id = 1");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), kThreads * kEach);
}

TEST(PostgresStoreTest, ReplicasMigratingAtOnceApplyEachStepOnce) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  const std::vector<std::string> steps{"CREATE TABLE a (x INTEGER)", "CREATE INDEX a_x ON a (x)",
                                       "ALTER TABLE a ADD COLUMN y TEXT", "INSERT INTO a (x, y) VALUES (1, 'seed')"};
  constexpr int kReplicas = 4;
  std::vector<absl::Status> results(kReplicas);
  std::vector<std::thread> threads;
  for (int r = 0; r < kReplicas; ++r) {
    threads.emplace_back([&, r] {
      auto store = OpenStore(url);
      if (!store.ok()) {
        results[r] = store.status();
        return;
      }
      results[r] = (*store)->Migrate("svc", steps);
      if (results[r].ok()) results[r] = (*store)->Migrate("outbox", {"CREATE TABLE o (id INTEGER PRIMARY KEY)"});
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : results) EXPECT_TRUE(s.ok()) << s;
  auto store = OpenStore(url);
  auto tx = (*store)->Begin();
  auto rows = (*tx)->Query("SELECT COUNT(*) FROM a");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), 1) << "the seed step ran once";
  rows = (*tx)->Query("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), 5);
}

TEST(PostgresStoreTest, PooledConnectionsClosedByTheServerAreReplaced) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  auto store = OpenStore(url);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate("t", {"CREATE TABLE t (x INTEGER)"}).ok());  // leaves an idle pooled connection
  auto admin = OpenStore(url);
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE(InTransaction(**admin, [](Tx& tx) {
                return tx.Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                    .status();
              }).ok());
  EXPECT_TRUE(InTransaction(**store, [](Tx& tx) { return tx.Exec("INSERT INTO t VALUES (1)"); }).ok());
}

TEST(PostgresStoreTest, UnreachableServerNamesTheFlag) {
  auto store = OpenStore("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(store.status().message().find("--db"), std::string::npos) << store.status();
}

}  // namespace
}  // namespace recovery::common
