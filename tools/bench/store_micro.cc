// recovery-bench-store-micro (Google Benchmark): the per-transaction cost of a handler's
// write on the common SQLite store, one commit per iteration (WAL, synchronous=NORMAL):
//   BM_RawInsert            raw sqlite3 prepared INSERT + COMMIT (baseline)
//   BM_StoreInsert          the same row through Store::Begin / Tx::Exec / Commit
//   BM_StoreInsertOutbox    ... plus Outbox::Append of a CaseOpened event (the outbox's handler-side cost)
//   BM_StoreInsertPlainRow  ... plus the same outbox row into a table without AUTOINCREMENT
//                           (what the outbox row would cost without the sqlite_sequence update)
// tools/bench/report.py turns the pairs into ratio rows.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <filesystem>

#include "absl/time/clock.h"
#include "services/common/events.h"
#include "services/common/ids.h"
#include "services/common/outbox.h"
#include "services/common/store.h"

namespace {

namespace rc = recovery::common;

std::string FreshPath(const std::string& name) {
  const std::string dir = std::filesystem::temp_directory_path() / "recovery-bench-store-micro";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/" + name + ".db";
  for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
  return path;
}

constexpr char kCreateCases[] = "CREATE TABLE bench_cases (id TEXT PRIMARY KEY, body BLOB NOT NULL)";
const std::string kBody(200, 'x');

void BM_RawInsert(benchmark::State& state) {
  sqlite3* db = nullptr;
  sqlite3_open(FreshPath("raw").c_str(), &db);
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", kCreateCases})
    sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO bench_cases (id, body) VALUES (?, ?)", -1, &st, nullptr);
  for (auto _ : state) {
    const std::string id = rc::NewId(absl::Now());
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, kBody.data(), static_cast<int>(kBody.size()), SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}
BENCHMARK(BM_RawInsert)->MinTime(1.0);

enum class Extra { kNone, kOutbox, kPlainRow };

void StoreInsert(benchmark::State& state, Extra extra, const std::string& name) {
  auto store = rc::OpenSqliteStore(FreshPath(name));
  (void)rc::Outbox::Migrate(**store);
  (void)(*store)->Migrate("bench", {kCreateCases,
                                    "CREATE TABLE outbox_plain (id INTEGER PRIMARY KEY, event_id TEXT NOT NULL, "
                                    "case_id TEXT NOT NULL, type TEXT NOT NULL, payload BLOB NOT NULL, "
                                    "created_us INTEGER NOT NULL)"});
  rc::Outbox outbox(**store);  // relay not started: rows only accumulate
  for (auto _ : state) {
    const absl::Time now = absl::Now();
    auto e = rc::NewEvent(now, rc::NewId(now), "bench", "bench", "req");
    e.mutable_case_opened()->set_summary("Quarterly report delivered late");
    auto s = rc::InTransaction(**store, [&](rc::Tx& tx) -> absl::Status {
      if (auto s = tx.Exec("INSERT INTO bench_cases (id, body) VALUES (?, ?)", {e.case_id(), rc::Blob{kBody}}); !s.ok())
        return s;
      if (extra == Extra::kOutbox) return outbox.Append(tx, e);
      if (extra == Extra::kPlainRow)
        return tx.Exec("INSERT INTO outbox_plain (event_id, case_id, type, payload, created_us) VALUES (?, ?, ?, ?, ?)",
                       {e.event_id(), e.case_id(), std::string("CaseOpened"), rc::Blob{e.SerializeAsString()},
                        absl::ToUnixMicros(now)});
      return absl::OkStatus();
    });
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
  }
}
void BM_StoreInsert(benchmark::State& state) { StoreInsert(state, Extra::kNone, "store"); }
void BM_StoreInsertOutbox(benchmark::State& state) { StoreInsert(state, Extra::kOutbox, "outbox"); }
void BM_StoreInsertPlainRow(benchmark::State& state) { StoreInsert(state, Extra::kPlainRow, "plain"); }
BENCHMARK(BM_StoreInsert)->MinTime(1.0);
BENCHMARK(BM_StoreInsertOutbox)->MinTime(1.0);
BENCHMARK(BM_StoreInsertPlainRow)->MinTime(1.0);

}  // namespace

BENCHMARK_MAIN();
