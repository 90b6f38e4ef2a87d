// The common store on PostgreSQL: the store contract every backend passes (migrations,
// rollback, blobs, constraints: store_contract.cc) plus what PostgreSQL adds (SQL rewriting,
// serialisation failures, a connection pool, concurrent migrators).
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "services/common/store.h"
#include "tests/common/store_contract.h"
#include "tests/postgres/pg_fixture.h"

namespace recovery::common {

std::string TranslateSqlForPostgres(std::string_view sql);  // postgres_store.cc

namespace {

using recovery::testing::StoreContractTest;

INSTANTIATE_TEST_SUITE_P(PostgreSQL, StoreContractTest, ::testing::Values(recovery::testing::PostgresBackend()));

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

TEST(PostgresStoreTest, ConcurrentUpdateOfOneRowIsAborted) {
  RECOVERY_FRESH_POSTGRES_DB(url);
  auto store = OpenStore(url);
  ASSERT_TRUE((*store)
                  ->Migrate("t", {"CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
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
  ASSERT_TRUE((*store)
                  ->Migrate("t", {"CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
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
                return tx
                    .Query(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
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
