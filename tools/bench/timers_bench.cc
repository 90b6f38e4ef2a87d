// recovery-bench-timers: durable timers (services/common/timers.h) on SQLite with a million
// pending: schedule and cancel rates (transactions of 1000), memory per pending timer, fire
// lateness under load (system clock) and reload time after a restart. Baselines, measured in
// the same run: raw SQLite (prepared statements, same schema and rows, same pragmas) and a
// bare thread sleeping until each due instant.
//
//   recovery-bench-timers --dir D [--count 1000000] [--batch 1000] [--fire 3000] [--fire-seconds 3]
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/time/clock.h"
#include "services/common/clock.h"
#include "services/common/store.h"
#include "services/common/timers.h"
#include "tools/bench/bench_util.h"

namespace {

using recovery::bench::NowNanos;
using recovery::bench::Record;
using recovery::bench::Result;
namespace rc = recovery::common;

constexpr char kPayload[] = "{\"case\":\"0190d7f0-0000-7000-8000-000000000000\",\"tier\":1}";

std::string Key(int64_t i) { return "esc-" + std::to_string(1000000000 + i) + "/1/0"; }

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::cerr << "timers bench: " << what << "\n";
    std::exit(1);
  }
}

void CheckRc(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    Check(false, std::string(what) + ": " + sqlite3_errmsg(db));
}

// Raw SQLite: the same table, index, pragmas and rows as TimerService, through one
// prepared statement per operation.
struct RawDb {
  sqlite3* db = nullptr;
  explicit RawDb(const std::string& path) {
    CheckRc(db, sqlite3_open(path.c_str(), &db), "open");
    for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                            "CREATE TABLE IF NOT EXISTS timers (kind TEXT NOT NULL, key TEXT NOT NULL, due_us INTEGER "
                            "NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (kind, key))",
                            "CREATE INDEX IF NOT EXISTS timers_due ON timers (due_us)"})
      CheckRc(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr), sql);
  }
  ~RawDb() { sqlite3_close(db); }
  // Runs `op(i)` for i in [from, to) in transactions of `batch` with the prepared `sql`.
  template <typename Bind>
  double Batched(const char* sql, int64_t from, int64_t to, int batch, Bind bind) {
    sqlite3_stmt* st = nullptr;
    CheckRc(db, sqlite3_prepare_v2(db, sql, -1, &st, nullptr), sql);
    const int64_t t0 = NowNanos();
    for (int64_t i = from; i < to;) {
      CheckRc(db, sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), "begin");
      for (int j = 0; j < batch && i < to; ++j, ++i) {
        bind(st, i);
        CheckRc(db, sqlite3_step(st), sql);
        sqlite3_reset(st);
      }
      CheckRc(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
    }
    const double secs = static_cast<double>(NowNanos() - t0) / 1e9;
    sqlite3_finalize(st);
    return static_cast<double>(to - from) / secs;
  }
};

int64_t DueUs(absl::Time base, int64_t i) { return absl::ToUnixMicros(base) + i * 1000; }

double ServiceBatched(rc::Store& store, int64_t from, int64_t to, int batch,
                      const std::function<absl::Status(rc::Tx&, int64_t)>& op) {
  const int64_t t0 = NowNanos();
  for (int64_t i = from; i < to;) {
    auto s = rc::InTransaction(store, [&](rc::Tx& tx) -> absl::Status {
      for (int64_t j = i; j < std::min<int64_t>(to, i + batch); ++j)
        if (auto st = op(tx, j); !st.ok()) return st;
      return absl::OkStatus();
    });
    Check(s.ok(), std::string(s.message()));
    i = std::min<int64_t>(to, i + batch);
  }
  return static_cast<double>(to - from) / (static_cast<double>(NowNanos() - t0) / 1e9);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"durable timer benchmark"};
  std::string dir;
  int64_t count = 1000000;
  int batch = 1000;
  int fire = 3000;
  double fire_seconds = 3;
  int64_t cancel_count = 100000;
  app.add_option("--dir", dir)->required();
  app.add_option("--count", count);
  app.add_option("--batch", batch);
  app.add_option("--fire", fire, "timers due during the lateness run");
  app.add_option("--fire-seconds", fire_seconds);
  app.add_option("--cancel", cancel_count);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(dir);
  const std::string raw_path = dir + "/raw.db", svc_path = dir + "/timers.db";
  for (const auto& p : {raw_path, svc_path})
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p + suffix);
  const absl::Time far = absl::Now() + absl::Hours(24);
  const std::string note = std::to_string(count) + " pending, tx of " + std::to_string(batch);

  // Baseline: raw inserts and deletes.
  double raw_insert, raw_delete, raw_bytes_per_row, raw_min_ms;
  {
    RawDb raw(raw_path);
    raw_insert = raw.Batched("INSERT INTO timers (kind, key, due_us, payload) VALUES (?, ?, ?, ?)", 0, count, batch,
                             [&](sqlite3_stmt* st, int64_t i) {
                               const std::string k = Key(i);
                               sqlite3_bind_text(st, 1, "ack", 3, SQLITE_STATIC);
                               sqlite3_bind_text(st, 2, k.data(), static_cast<int>(k.size()), SQLITE_TRANSIENT);
                               sqlite3_bind_int64(st, 3, DueUs(far, i));
                               sqlite3_bind_blob(st, 4, kPayload, sizeof(kPayload) - 1, SQLITE_STATIC);
                             });
    raw_delete = raw.Batched("DELETE FROM timers WHERE kind = ? AND key = ?", 0, cancel_count, batch,
                             [&](sqlite3_stmt* st, int64_t i) {
                               const std::string k = Key(i * 7 % count);
                               sqlite3_bind_text(st, 1, "ack", 3, SQLITE_STATIC);
                               sqlite3_bind_text(st, 2, k.data(), static_cast<int>(k.size()), SQLITE_TRANSIENT);
                             });
    sqlite3_exec(raw.db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    raw_bytes_per_row = static_cast<double>(std::filesystem::file_size(raw_path)) / static_cast<double>(count);
    const int64_t t0 = NowNanos();
    sqlite3_exec(raw.db, "SELECT MIN(due_us) FROM timers", nullptr, nullptr, nullptr);
    raw_min_ms = static_cast<double>(NowNanos() - t0) / 1e6;
  }

  rc::SystemClock clock;
  int64_t rss_before, rss_after;
  double svc_insert, svc_cancel;
  {
    auto store = rc::OpenSqliteStore(svc_path);
    Check(store.ok(), "open store");
    Check(rc::TimerService::Migrate(**store).ok(), "migrate");
    rss_before = recovery::bench::RssBytes();
    rc::TimerService timers(**store, clock);
    svc_insert = ServiceBatched(**store, 0, count, batch, [&](rc::Tx& tx, int64_t i) {
      return timers.Schedule(tx, "ack", Key(i), absl::FromUnixMicros(DueUs(far, i)), kPayload);
    });
    rss_after = recovery::bench::RssBytes();
    svc_cancel = ServiceBatched(**store, 0, cancel_count, batch, [&](rc::Tx& tx, int64_t i) {
      return timers.Cancel(tx, "ack", Key(i * 7 % count)).status();
    });
  }
  Record({"timers", "schedule rate", "timers/s", svc_insert, "raw SQLite INSERT", raw_insert, true, "", -1, note});
  Record({"timers", "cancel rate", "timers/s", svc_cancel, "raw SQLite DELETE", raw_delete, true, "", -1, note});
  const double per_timer = static_cast<double>(rss_after - rss_before) / static_cast<double>(count);
  Record({"timers", "memory per pending timer (RSS delta / count)", "bytes", per_timer,
          "on-disk bytes per row (raw file)", raw_bytes_per_row, false, "<= 200 bytes", per_timer <= 200 ? 1 : 0,
          "RSS includes SQLite's page cache"});

  // Reload after a restart: a new store and TimerService on the same file.
  double reload_ms;
  {
    const int64_t t0 = NowNanos();
    auto store = rc::OpenSqliteStore(svc_path);
    Check(store.ok(), "reopen store");
    rc::TimerService timers(**store, clock);
    Check(timers.Reload().ok(), "reload");
    reload_ms = static_cast<double>(NowNanos() - t0) / 1e6;
  }
  Record({"timers", "reload after restart", "ms", reload_ms, "raw SELECT MIN(due_us)", raw_min_ms, false, "<= 5000 ms",
          reload_ms <= 5000 ? 1 : 0, note});

  // Fire lateness under load: `fire` timers due over `fire_seconds`, with the million pending
  // and another thread scheduling far-future timers (batches of 100 every 20 ms) meanwhile.
  std::vector<double> late_ms, base_late_ms;
  {
    auto store = rc::OpenSqliteStore(svc_path);
    Check(store.ok(), "reopen store");
    rc::TimerService timers(**store, clock);
    std::mutex mu;
    timers.Handle("fire", [&](rc::Tx&, const rc::Timer& t) {
      const double late = absl::ToDoubleMilliseconds(absl::Now() - t.due);
      std::lock_guard lock(mu);
      late_ms.push_back(late);
      return absl::OkStatus();
    });
    const absl::Time start = absl::Now() + absl::Milliseconds(1500);
    std::vector<absl::Time> dues;
    for (int i = 0; i < fire; ++i) dues.push_back(start + absl::Seconds(fire_seconds) * i / fire);
    ServiceBatched(**store, 0, fire, batch, [&](rc::Tx& tx, int64_t i) {
      return timers.Schedule(tx, "fire", "f" + std::to_string(i), dues[static_cast<size_t>(i)]);
    });
    timers.Start();
    std::atomic<bool> loading{true};
    std::thread load([&] {
      int64_t next = count;
      while (loading) {
        ServiceBatched(**store, next, next + 100, 100, [&](rc::Tx& tx, int64_t i) {
          return timers.Schedule(tx, "ack", Key(i), absl::FromUnixMicros(DueUs(far, i)), kPayload);
        });
        next += 100;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    // Baseline: one thread sleeping until each due instant.
    std::thread sleeper([&] {
      for (const absl::Time& d : dues) {
        std::this_thread::sleep_until(absl::ToChronoTime(d));
        base_late_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - d));
      }
    });
    sleeper.join();
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      {
        std::lock_guard lock(mu);
        if (late_ms.size() >= static_cast<size_t>(fire)) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    loading = false;
    load.join();
    timers.Stop();
  }
  std::vector<double> lm;
  { lm = late_ms; }
  const double p50 = recovery::bench::Percentile(lm, 50), p99 = recovery::bench::Percentile(lm, 99);
  const double mx = lm.empty() ? 0 : lm.back();
  const double b50 = recovery::bench::Percentile(base_late_ms, 50), b99 = recovery::bench::Percentile(base_late_ms, 99);
  const std::string fnote = std::to_string(lm.size()) + "/" + std::to_string(fire) + " fired over " +
                            std::to_string(fire_seconds) + " s, " + std::to_string(count) +
                            " pending, concurrent scheduling; max " + std::to_string(mx) + " ms";
  Record({"timers", "fire lateness p50", "ms", p50, "sleep_until lateness p50", b50, false, "", -1, fnote});
  Record({"timers", "fire lateness p99", "ms", p99, "sleep_until lateness p99", b99, false, "< 10 ms",
          (p99 < 10 && lm.size() >= static_cast<size_t>(fire)) ? 1 : 0, fnote});
  return 0;
}
