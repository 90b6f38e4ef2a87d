// SQLite implementation of the store: one connection, WAL mode, one writer at a time, with
// group commit (see SqliteStore).
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "services/common/store.h"

namespace recovery::common {
namespace {

absl::Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  const char* msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int primary = rc & 0xFF;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    return absl::AbortedError(absl::StrCat(std::string(what), ": ", msg));
  if (primary == SQLITE_CONSTRAINT) return absl::AlreadyExistsError(absl::StrCat(std::string(what), ": ", msg));
  return absl::InternalError(absl::StrCat(std::string(what), ": ", msg));
}

// Prepared statements by SQL text, kept for the connection's lifetime: preparing (parsing and
// planning) cost more than running most of the short statements services issue, once per
// statement per transaction. Used only under the store's lock (by the one live Tx).
// SQL built from data (e.g. "... IN (1,2,3)") would grow it without bound, so past
// kMaxCached statements new texts are prepared per use as before.
class StatementCache {
 public:
  static constexpr size_t kMaxCached = 256;
  ~StatementCache() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  }
  // Returns a reset statement; *owned is true when the caller must finalize it.
  int Get(sqlite3* db, std::string_view sql, sqlite3_stmt** stmt, bool* owned) {
    *owned = false;
    if (auto it = cache_.find(std::string(sql)); it != cache_.end()) {
      *stmt = it->second;
      return SQLITE_OK;
    }
    const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), stmt, nullptr);
    if (rc != SQLITE_OK) return rc;
    if (cache_.size() < kMaxCached && *stmt != nullptr) {
      cache_.emplace(std::string(sql), *stmt);
    } else {
      *owned = true;
    }
    return rc;
  }

 private:
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// Returns a statement to its cache (reset, bindings cleared) or finalizes an uncached one.
struct StatementGuard {
  sqlite3_stmt* stmt;
  bool owned;
  ~StatementGuard() {
    if (!stmt) return;
    if (owned) {
      sqlite3_finalize(stmt);
    } else {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
    }
  }
};

class SqliteStore;

// One logical transaction: a savepoint inside the store's open group transaction.
class SqliteTx final : public Tx {
 public:
  SqliteTx(SqliteStore* store, std::unique_lock<std::mutex> lock, bool saw_uncommitted)
      : store_(store), lock_(std::move(lock)), saw_uncommitted_(saw_uncommitted) {}
  ~SqliteTx() override;

  absl::Status Exec(std::string_view sql, const Params& params) override {
    auto rows = Run(sql, params, /*collect=*/false);
    return rows.status();
  }

  absl::StatusOr<std::vector<Row>> Query(std::string_view sql, const Params& params) override {
    return Run(sql, params, /*collect=*/true);
  }

  int64_t ChangedRows() const override { return changes_; }

  absl::Status Commit() override;

 private:
  absl::StatusOr<std::vector<Row>> Run(std::string_view sql, const Params& params, bool collect);

  SqliteStore* store_;
  std::unique_lock<std::mutex> lock_;
  const bool saw_uncommitted_;  // earlier members of the group were open when this began
  bool done_ = false;
  int64_t changes_ = 0;
};

// Moves WAL pages into the database file from a second connection on its own thread.
// SQLite's default checkpoints inside the COMMIT that crosses 1000 WAL pages, so one
// transaction in every few hundred paid for copying pages and fsyncing the file (a latency
// spike for whatever request or timer it was). A PASSIVE checkpoint never blocks the writer.
class Checkpointer {
 public:
  static constexpr int kPages = 1000;  // SQLite's default threshold

  // Returns null when the file cannot be opened a second time (the store then keeps
  // SQLite's in-commit checkpoints).
  static std::unique_ptr<Checkpointer> Start(sqlite3* writer, const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlite3_close_v2(db);
      return nullptr;
    }
    sqlite3_busy_timeout(db, 1000);
    auto c = std::unique_ptr<Checkpointer>(new Checkpointer(writer, db));
    // Replaces the automatic checkpoint: called after each commit with the WAL's size.
    sqlite3_wal_hook(writer, &Checkpointer::OnCommit, c.get());
    c->thread_ = std::thread([p = c.get()] { p->Loop(); });
    return c;
  }

  ~Checkpointer() {
    sqlite3_wal_hook(writer_, nullptr, nullptr);
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    sqlite3_close_v2(db_);
  }

 private:
  Checkpointer(sqlite3* writer, sqlite3* db) : writer_(writer), db_(db) {}

  static int OnCommit(void* self, sqlite3* writer, const char* db_name, int pages) {
    if (pages >= 8 * kPages) {
      // The background checkpoints never caught up with a busy writer, so the WAL was never
      // restarted and keeps growing: finish it here, as SQLite would (cheap: most pages are
      // already copied), so the next transaction starts the WAL from the beginning.
      sqlite3_wal_checkpoint_v2(writer, db_name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= kPages) {
      auto* c = static_cast<Checkpointer*>(self);
      {
        std::lock_guard lock(c->mu_);
        c->due_ = true;
      }
      c->cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return due_ || stop_; });
      if (stop_) return;
      due_ = false;
      lock.unlock();
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
    }
  }

  sqlite3* writer_;  // the store's connection, whose commits call OnCommit
  sqlite3* db_;      // this thread's own connection
  std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false, stop_ = false;
  std::thread thread_;
};

// Group commit. SQLite has one writer, and a commit's cost (writing the changed pages to
// the WAL, the file locks) is most of a short transaction's. So logical transactions run
// one at a time as savepoints inside one physical transaction, and the physical COMMIT
// happens when the logical transaction that ends finds no other thread waiting to begin
// (or the group is full, or its first member has waited 2 ms): under load, one commit
// covers many requests; with no load, every transaction commits on its own as before.
//
// Durability is unchanged: Tx::Commit() returns only after the physical COMMIT that holds
// its changes, so nothing is acknowledged, published or timed before it is committed. A Tx
// ended without Commit() (a read) that began after earlier group members may have read
// their uncommitted rows, so it too waits for the group's COMMIT before it returns:
// nothing read leaves the process before it is committed (unless the COMMIT itself fails
// with an I/O error, the one case where a read may have shown rows that are then lost; the
// writers of those rows are told the commit failed).
class SqliteStore final : public Store {
 public:
  static constexpr int kMaxMembers = 64;
  // Bounds what grouping adds to the first member's latency.
  static constexpr auto kMaxGroupWait = std::chrono::milliseconds(2);

  SqliteStore(sqlite3* db, const std::string& path) : db_(db) {
    if (path != ":memory:" && !path.empty()) checkpointer_ = Checkpointer::Start(db_, path);
  }
  ~SqliteStore() override {
    checkpointer_.reset();
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    cache_.reset();  // finalize the statements before closing
    sqlite3_close_v2(db_);
  }

  // Runs a transaction control statement (BEGIN, SAVEPOINT, RELEASE, COMMIT...) prepared
  // once: they run several times per transaction, and parsing them each time showed up.
  int Control(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    bool owned = false;
    int rc = cache_->Get(db_, sql, &stmt, &owned);
    if (rc != SQLITE_OK) return rc;
    StatementGuard guard{stmt, owned};
    rc = sqlite3_step(stmt);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  }

  absl::StatusOr<std::unique_ptr<Tx>> Begin() override {
    waiting_.fetch_add(1, std::memory_order_relaxed);
    std::unique_lock lock(mu_);
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    if (!open_) {
      const int rc = Control("BEGIN IMMEDIATE");
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "begin");
      open_ = true;
      ++group_;
      members_ = 0;
    }
    const int rc = Control("SAVEPOINT tx");
    if (rc != SQLITE_OK) {
      absl::Status s = SqliteError(db_, rc, "savepoint");
      (void)FinishGroupLocked(lock, /*member=*/false);
      return s;
    }
    return std::unique_ptr<Tx>(new SqliteTx(this, std::move(lock), members_ > 0));
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  StoreCounters counters() const override {
    return {transactions_.load(std::memory_order_relaxed), commits_.load(std::memory_order_relaxed),
            waiting_.load(std::memory_order_relaxed)};
  }

 private:
  friend class SqliteTx;

  // Called by the ending Tx with the writer lock held and its savepoint released (member:
  // its changes are in the group) or rolled back. Commits the group now, or leaves it open
  // for a thread already waiting in Begin(). Releases the lock. Returns the group's
  // outcome, waiting for it when wait (or member) is true.
  absl::Status FinishGroupLocked(std::unique_lock<std::mutex>& lock, bool member, bool wait = false) {
    const uint64_t group = group_;
    if (!open_) {  // SQLite rolled the whole transaction back after an error in it
      lock.unlock();
      return GroupOutcome(group);
    }
    if (member) {
      if (members_++ == 0) first_member_ = std::chrono::steady_clock::now();
      transactions_.fetch_add(1, std::memory_order_relaxed);
    }
    const bool commit_now = members_ == 0 || waiting_.load(std::memory_order_relaxed) == 0 || members_ >= kMaxMembers ||
                            std::chrono::steady_clock::now() - first_member_ >= kMaxGroupWait;
    if (!commit_now) {
      lock.unlock();
      return (member || wait) ? GroupOutcome(group) : absl::OkStatus();
    }
    absl::Status s;
    if (members_ > 0) commits_.fetch_add(1, std::memory_order_relaxed);
    const int rc = Control("COMMIT");
    if (rc != SQLITE_OK) {
      s = SqliteError(db_, rc, "commit");
      if (!sqlite3_get_autocommit(db_)) Control("ROLLBACK");
    }
    open_ = false;
    EndGroup(group, s);  // before unlocking: groups end in order
    lock.unlock();
    return s;
  }

  // Undoes the live Tx's savepoint (writer lock held), unless SQLite already ended the group.
  void UndoMember() {
    if (!open_) return;
    Control("ROLLBACK TO tx");
    Control("RELEASE tx");
  }

  // After an error (writer lock held): if SQLite rolled the transaction back, every member
  // of the group lost its changes; they are told (kAborted: InTransaction runs them again).
  void CheckGroupAlive(const absl::Status& cause) {
    if (!open_ || !sqlite3_get_autocommit(db_)) return;
    open_ = false;
    EndGroup(group_, absl::AbortedError(absl::StrCat("transaction group rolled back: ", cause.message())));
  }

  void EndGroup(uint64_t group, absl::Status s) {
    {
      std::lock_guard g(group_mu_);
      ended_ = group;
      if (!s.ok()) {
        failed_[group] = std::move(s);
        while (failed_.size() > 64) failed_.erase(failed_.begin());
      }
    }
    group_cv_.notify_all();
  }

  absl::Status GroupOutcome(uint64_t group) {
    std::unique_lock g(group_mu_);
    group_cv_.wait(g, [&] { return ended_ >= group; });
    auto it = failed_.find(group);
    return it == failed_.end() ? absl::OkStatus() : it->second;
  }

  std::mutex mu_;  // the writer lock: held by the one live Tx
  sqlite3* db_;
  std::unique_ptr<StatementCache> cache_ = std::make_unique<StatementCache>();
  std::unique_ptr<Checkpointer> checkpointer_;
  std::atomic<int> waiting_{0};  // threads blocked in Begin()
  std::atomic<int64_t> transactions_{0}, commits_{0};
  // Under mu_:
  bool open_ = false;  // the physical transaction of group_ is open
  uint64_t group_ = 0;
  int members_ = 0;                                     // logical transactions committed into the open group
  std::chrono::steady_clock::time_point first_member_;  // when the first member joined
  // Under group_mu_: outcome of the ended groups.
  std::mutex group_mu_;
  std::condition_variable group_cv_;
  uint64_t ended_ = 0;
  std::map<uint64_t, absl::Status> failed_;
};

SqliteTx::~SqliteTx() {
  if (done_) return;
  store_->UndoMember();
  (void)store_->FinishGroupLocked(lock_, /*member=*/false, /*wait=*/saw_uncommitted_);
}

absl::Status SqliteTx::Commit() {
  if (done_) return absl::FailedPreconditionError("transaction already finished");
  done_ = true;
  if (!store_->open_) {  // SQLite rolled the group back after an error: report the group's failure
    absl::Status s = store_->FinishGroupLocked(lock_, /*member=*/false, /*wait=*/true);
    return s.ok() ? absl::AbortedError("transaction rolled back after an error") : s;
  }
  const int rc = store_->Control("RELEASE tx");
  if (rc != SQLITE_OK) {
    absl::Status s = SqliteError(store_->db_, rc, "release");
    store_->CheckGroupAlive(s);
    store_->UndoMember();
    (void)store_->FinishGroupLocked(lock_, /*member=*/false);
    return s;
  }
  if (auto s = store_->FinishGroupLocked(lock_, /*member=*/true); !s.ok()) return s;
  RunAfterCommit();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Row>> SqliteTx::Run(std::string_view sql, const Params& params, bool collect) {
  if (done_) return absl::FailedPreconditionError("transaction already finished");
  if (!store_->open_) return absl::AbortedError("transaction rolled back after an earlier error");
  sqlite3* db = store_->db_;
  sqlite3_stmt* stmt = nullptr;
  bool owned = false;
  int rc = store_->cache_->Get(db, sql, &stmt, &owned);
  if (rc != SQLITE_OK) return SqliteError(db, rc, absl::StrCat("prepare '", std::string(sql.substr(0, 80)), "'"));
  StatementGuard guard{stmt, owned};
  for (size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i + 1);
    const Value& v = params[i];
    if (std::holds_alternative<std::monostate>(v))
      rc = sqlite3_bind_null(stmt, idx);
    else if (auto p = std::get_if<int64_t>(&v))
      rc = sqlite3_bind_int64(stmt, idx, *p);
    else if (auto p = std::get_if<double>(&v))
      rc = sqlite3_bind_double(stmt, idx, *p);
    else if (auto p = std::get_if<std::string>(&v))
      rc = sqlite3_bind_text(stmt, idx, p->data(), static_cast<int>(p->size()), SQLITE_TRANSIENT);
    else if (auto p = std::get_if<Blob>(&v))
      rc = sqlite3_bind_blob(stmt, idx, p->bytes.data(), static_cast<int>(p->bytes.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) return SqliteError(db, rc, "bind");
  }
  std::vector<Row> rows;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (!collect) continue;
    const int n = sqlite3_column_count(stmt);
    std::vector<Value> values;
    values.reserve(n);
    for (int c = 0; c < n; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
          break;
        case SQLITE_FLOAT:
          values.emplace_back(sqlite3_column_double(stmt, c));
          break;
        case SQLITE_TEXT:
          values.emplace_back(
              std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)), sqlite3_column_bytes(stmt, c)));
          break;
        case SQLITE_BLOB: {
          const void* p = sqlite3_column_blob(stmt, c);
          values.emplace_back(Blob{std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt, c))});
          break;
        }
        default:
          values.emplace_back(std::monostate{});
      }
    }
    rows.emplace_back(std::move(values));
  }
  if (rc != SQLITE_DONE) {
    absl::Status s = SqliteError(db, rc, absl::StrCat("step '", std::string(sql.substr(0, 80)), "'"));
    store_->CheckGroupAlive(s);
    return s;
  }
  changes_ = sqlite3_changes(db);
  return rows;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status s = absl::InvalidArgumentError(
        absl::StrCat("--db: cannot open SQLite database '", path, "': ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close_v2(db);
    return s;
  }
  sqlite3_busy_timeout(db, 5000);
  // WAL with synchronous=NORMAL survives a killed process (kill -9) without losing a
  // committed transaction; only an OS crash can lose the last commits.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
    if (sqlite3_exec(db, pragma, nullptr, nullptr, nullptr) != SQLITE_OK) {
      absl::Status s = absl::InternalError(absl::StrCat(pragma, ": ", sqlite3_errmsg(db)));
      sqlite3_close_v2(db);
      return s;
    }
  }
  return std::unique_ptr<Store>(new SqliteStore(db, path));
}

}  // namespace recovery::common
