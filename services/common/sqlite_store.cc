// SQLite implementation of the store: one connection, WAL mode, one writer at a time.
#include <sqlite3.h>

#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "services/common/store.h"

namespace recovery::common {
namespace {

absl::Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  const char* msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int primary = rc & 0xFF;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return absl::AbortedError(absl::StrCat(std::string(what), ": ", msg));
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

class SqliteTx final : public Tx {
 public:
  SqliteTx(sqlite3* db, StatementCache* cache, std::unique_lock<std::mutex> lock)
      : db_(db), cache_(cache), lock_(std::move(lock)) {}
  ~SqliteTx() override {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  absl::Status Exec(std::string_view sql, const Params& params) override {
    auto rows = Run(sql, params, /*collect=*/false);
    return rows.status();
  }

  absl::StatusOr<std::vector<Row>> Query(std::string_view sql, const Params& params) override {
    return Run(sql, params, /*collect=*/true);
  }

  int64_t ChangedRows() const override { return changes_; }

  absl::Status Commit() override {
    if (done_) return absl::FailedPreconditionError("transaction already finished");
    const int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "commit");
    done_ = true;
    lock_.unlock();
    RunAfterCommit();
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<std::vector<Row>> Run(std::string_view sql, const Params& params, bool collect) {
    if (done_) return absl::FailedPreconditionError("transaction already finished");
    sqlite3_stmt* stmt = nullptr;
    bool owned = false;
    int rc = cache_->Get(db_, sql, &stmt, &owned);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, absl::StrCat("prepare '", std::string(sql.substr(0, 80)), "'"));
    StatementGuard guard{stmt, owned};
    for (size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i + 1);
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) rc = sqlite3_bind_null(stmt, idx);
      else if (auto p = std::get_if<int64_t>(&v)) rc = sqlite3_bind_int64(stmt, idx, *p);
      else if (auto p = std::get_if<double>(&v)) rc = sqlite3_bind_double(stmt, idx, *p);
      else if (auto p = std::get_if<std::string>(&v))
        rc = sqlite3_bind_text(stmt, idx, p->data(), static_cast<int>(p->size()), SQLITE_TRANSIENT);
      else if (auto p = std::get_if<Blob>(&v))
        rc = sqlite3_bind_blob(stmt, idx, p->bytes.data(), static_cast<int>(p->bytes.size()), SQLITE_TRANSIENT);
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "bind");
    }
    std::vector<Row> rows;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (!collect) continue;
      const int n = sqlite3_column_count(stmt);
      std::vector<Value> values;
      values.reserve(n);
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER: values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c))); break;
          case SQLITE_FLOAT: values.emplace_back(sqlite3_column_double(stmt, c)); break;
          case SQLITE_TEXT:
            values.emplace_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
                                            sqlite3_column_bytes(stmt, c)));
            break;
          case SQLITE_BLOB: {
            const void* p = sqlite3_column_blob(stmt, c);
            values.emplace_back(Blob{std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt, c))});
            break;
          }
          default: values.emplace_back(std::monostate{});
        }
      }
      rows.emplace_back(std::move(values));
    }
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, absl::StrCat("step '", std::string(sql.substr(0, 80)), "'"));
    changes_ = sqlite3_changes(db_);
    return rows;
  }

  sqlite3* db_;
  StatementCache* cache_;
  std::unique_lock<std::mutex> lock_;
  bool done_ = false;
  int64_t changes_ = 0;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  ~SqliteStore() override {
    cache_.reset();  // finalize the statements before closing
    sqlite3_close_v2(db_);
  }

  absl::StatusOr<std::unique_ptr<Tx>> Begin() override {
    std::unique_lock lock(mu_);
    const int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "begin");
    return std::unique_ptr<Tx>(new SqliteTx(db_, cache_.get(), std::move(lock)));
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

 private:
  std::mutex mu_;
  sqlite3* db_;
  std::unique_ptr<StatementCache> cache_ = std::make_unique<StatementCache>();
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status s = absl::InvalidArgumentError(absl::StrCat("--db: cannot open SQLite database '", path, "': ",
                                                             db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
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
  return std::unique_ptr<Store>(new SqliteStore(db));
}

}  // namespace recovery::common
