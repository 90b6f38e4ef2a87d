// PostgreSQL implementation of the store (libpq). Services write SQL once, for SQLite, with
// '?' placeholders; this file rewrites it for PostgreSQL:
//   - '?' -> $1..$n (not inside '...' literals, "..." identifiers or comments);
//   - in DDL (CREATE/ALTER): INTEGER PRIMARY KEY [AUTOINCREMENT] -> BIGSERIAL PRIMARY KEY,
//     INTEGER -> BIGINT (microsecond timestamps need 64 bits), BLOB -> BYTEA,
//     REAL -> DOUBLE PRECISION.
// Transactions run at REPEATABLE READ: a concurrent update of the same row fails with a
// serialisation error (SQLSTATE 40001) that maps to ABORTED, so InTransaction retries it
// with fresh data instead of losing an update (what SQLite's single writer gives for free).
// A statement may lower its own transaction to READ COMMITTED with
// "SET TRANSACTION ISOLATION LEVEL READ COMMITTED" as the first statement (the outbox relay
// does). The migration transaction (Store::Migrate) runs at READ COMMITTED under
// pg_advisory_xact_lock, so replicas starting at once apply each step exactly once.
// Unlike SQLite, a failed statement aborts the whole transaction: later statements and
// Commit() fail too.
#include <libpq-fe.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/store.h"

namespace recovery::common {

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url);
std::string TranslateSqlForPostgres(std::string_view sql);

namespace {

// pg_advisory_xact_lock key taken by every migration transaction ("recovery" in ASCII).
constexpr int64_t kMigrationLockKey = 0x7265636f76657279;

// PostgreSQL type OIDs (pg_type.dat).
constexpr Oid kBoolOid = 16, kByteaOid = 17, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kOidOid = 26,
              kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700;

bool IsWordChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Reads the identifier-like word at sql[i...]; empty when none.
std::string_view WordAt(std::string_view sql, size_t i) {
  size_t j = i;
  while (j < sql.size() && IsWordChar(sql[j])) ++j;
  return sql.substr(i, j - i);
}

size_t SkipSpace(std::string_view sql, size_t i) {
  while (i < sql.size() && absl::ascii_isspace(static_cast<unsigned char>(sql[i]))) ++i;
  return i;
}

bool IsDdl(std::string_view sql) {
  const size_t i = SkipSpace(sql, 0);
  const std::string_view w = WordAt(sql, i);
  return absl::EqualsIgnoreCase(std::string(w), "CREATE") || absl::EqualsIgnoreCase(std::string(w), "ALTER");
}

absl::Status PgError(const PGresult* res, PGconn* conn, std::string_view sql) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = res ? PQresultErrorMessage(res) : "";
  if (msg.empty()) msg = PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  const std::string code = state ? state : "";
  const std::string text =
      absl::StrCat(std::string(sql.substr(0, 80)), ": ", msg, code.empty() ? "" : " [", code, code.empty() ? "" : "]");
  if (code == "40001" || code == "40P01" || code == "55P03") return absl::AbortedError(text);
  if (code == "23505") return absl::AlreadyExistsError(text);
  if (absl::StartsWith(code, "23")) return absl::FailedPreconditionError(text);
  if (code == "25P02") return absl::FailedPreconditionError(text);
  if (code.empty() || absl::StartsWith(code, "08") || absl::StartsWith(code, "57P"))
    return absl::UnavailableError(text);
  return absl::InternalError(text);
}

Value DecodeText(Oid type, const char* data, int len) {
  const absl::string_view s(data, static_cast<size_t>(len));
  switch (type) {
    case kBoolOid:
      return int64_t{s == "t" ? 1 : 0};
    case kInt8Oid:
    case kInt2Oid:
    case kInt4Oid:
    case kOidOid: {
      int64_t v = 0;
      if (absl::SimpleAtoi(s, &v)) return v;
      return std::string(s);
    }
    case kNumericOid: {
      int64_t v = 0;
      if (absl::SimpleAtoi(s, &v)) return v;
      double d = 0;
      if (absl::SimpleAtod(s, &d)) return d;
      return std::string(s);
    }
    case kFloat4Oid:
    case kFloat8Oid: {
      double d = 0;
      if (absl::SimpleAtod(s, &d)) return d;  // accepts inf / nan spellings
      return std::string(s);
    }
    case kByteaOid: {
      size_t n = 0;
      unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(data), &n);
      if (!bytes) return Blob{};
      Blob b{std::string(reinterpret_cast<const char*>(bytes), n)};
      PQfreemem(bytes);
      return b;
    }
    default:
      return std::string(s);
  }
}

// A small pool of connections; Begin() takes one for the lifetime of its Tx.
class Pool {
 public:
  Pool(std::string conninfo, int max_size) : conninfo_(std::move(conninfo)), max_size_(max_size) {}
  ~Pool() {
    for (PGconn* c : idle_) PQfinish(c);
  }

  absl::StatusOr<PGconn*> Acquire() {
    std::unique_lock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (idle_.empty() && open_ >= max_size_) {
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= max_size_)
        return absl::UnavailableError(absl::StrCat("--db: all ", max_size_, " PostgreSQL connections busy for 30s"));
    }
    if (!idle_.empty()) {
      PGconn* c = idle_.back();
      idle_.pop_back();
      if (PQstatus(c) == CONNECTION_OK) return c;
      PQfinish(c);
      --open_;
    }
    ++open_;
    lock.unlock();
    auto c = Connect();
    if (!c.ok()) {
      lock.lock();
      --open_;
      cv_.notify_one();
    }
    return c;
  }

  void Release(PGconn* c, bool reusable) {
    {
      std::lock_guard lock(mu_);
      if (reusable && PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE) {
        idle_.push_back(c);
      } else {
        PQfinish(c);
        --open_;
      }
    }
    cv_.notify_one();
  }

  absl::StatusOr<PGconn*> Connect() {
    PGconn* c = PQconnectdb(conninfo_.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(c);
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      PQfinish(c);
      return absl::UnavailableError(absl::StrCat("--db: cannot connect to PostgreSQL: ", msg));
    }
    // Notices ("relation already exists, skipping") are not errors; keep them off stderr.
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    return c;
  }

 private:
  const std::string conninfo_;
  const int max_size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PGconn*> idle_;
  int open_ = 0;
};

class PostgresTx final : public Tx {
 public:
  PostgresTx(Pool& pool, PGconn* conn) : pool_(pool), conn_(conn) {}
  ~PostgresTx() override {
    if (!done_) {
      PQclear(PQexec(conn_, "ROLLBACK"));
      Finish();
    }
  }

  absl::Status Exec(std::string_view sql, const Params& params) override { return Run(sql, params, false).status(); }

  absl::StatusOr<std::vector<Row>> Query(std::string_view sql, const Params& params) override {
    return Run(sql, params, true);
  }

  int64_t ChangedRows() const override { return changes_; }

  absl::Status Commit() override {
    if (done_) return absl::FailedPreconditionError("transaction already finished");
    if (!failed_.ok()) {
      absl::Status s = absl::Status(failed_.code(), absl::StrCat("commit after a failed statement (rolled back): ",
                                                                 std::string(failed_.message())));
      PQclear(PQexec(conn_, "ROLLBACK"));
      Finish();
      return s;
    }
    PGresult* res = PQexec(conn_, "COMMIT");
    absl::Status s;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      s = PgError(res, conn_, "commit");
    } else if (std::strcmp(PQcmdStatus(res), "COMMIT") != 0) {
      s = absl::AbortedError(absl::StrCat("commit: transaction was rolled back (", PQcmdStatus(res), ")"));
    }
    PQclear(res);
    if (!s.ok() && PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
    Finish();
    if (!s.ok()) return s;
    RunAfterCommit();
    return absl::OkStatus();
  }

 private:
  void Finish() {
    done_ = true;
    pool_.Release(conn_, true);
    conn_ = nullptr;
  }

  absl::StatusOr<std::vector<Row>> Run(std::string_view sql, const Params& params, bool collect) {
    if (done_) return absl::FailedPreconditionError("transaction already finished");
    if (!failed_.ok())
      return absl::FailedPreconditionError(
          absl::StrCat("transaction aborted by an earlier failed statement: ", std::string(failed_.message())));
    if (first_statement_) {
      first_statement_ = false;
      // Store::Migrate opens with this statement: serialise concurrent migrators (replicas
      // starting together) and let each statement see what the previous holder committed.
      if (sql.find("CREATE TABLE IF NOT EXISTS schema_migrations") != std::string_view::npos) {
        for (const std::string& pre : {std::string("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"),
                                       absl::StrCat("SELECT pg_advisory_xact_lock(", kMigrationLockKey, ")")}) {
          PGresult* res = PQexec(conn_, pre.c_str());
          const auto st = PQresultStatus(res);
          if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            failed_ = PgError(res, conn_, pre);
            PQclear(res);
            return failed_;
          }
          PQclear(res);
        }
      }
    }
    const std::string pg_sql = TranslateSqlForPostgres(sql);
    const int n = static_cast<int>(params.size());
    std::vector<Oid> types(n, 0);
    std::vector<std::string> text(n);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0), formats(n, 0);
    for (int i = 0; i < n; ++i) {
      const Value& v = params[i];
      if (auto p = std::get_if<int64_t>(&v)) {
        types[i] = kInt8Oid;
        text[i] = std::to_string(*p);
        values[i] = text[i].c_str();
      } else if (auto p = std::get_if<double>(&v)) {
        types[i] = kFloat8Oid;
        if (std::isnan(*p))
          text[i] = "NaN";
        else if (std::isinf(*p))
          text[i] = *p > 0 ? "Infinity" : "-Infinity";
        else {
          char buf[40];
          std::snprintf(buf, sizeof buf, "%.17g", *p);
          text[i] = buf;
        }
        values[i] = text[i].c_str();
      } else if (auto p = std::get_if<std::string>(&v)) {
        // Binary format with the type left to the server: raw bytes into TEXT (or BYTEA)
        // columns, no escaping and no NUL truncation.
        values[i] = p->data();
        lengths[i] = static_cast<int>(p->size());
        formats[i] = 1;
      } else if (auto p = std::get_if<Blob>(&v)) {
        types[i] = kByteaOid;
        values[i] = p->bytes.data();
        lengths[i] = static_cast<int>(p->bytes.size());
        formats[i] = 1;
      }
    }
    PGresult* res = PQexecParams(conn_, pg_sql.c_str(), n, types.data(), values.data(), lengths.data(), formats.data(),
                                 /*resultFormat=*/0);
    std::unique_ptr<PGresult, decltype(&PQclear)> guard(res, PQclear);
    const auto st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      failed_ = PgError(res, conn_, sql);
      return failed_;
    }
    const char* tuples = PQcmdTuples(res);
    changes_ = (tuples && *tuples) ? std::atoll(tuples) : 0;
    std::vector<Row> rows;
    if (!collect || st != PGRES_TUPLES_OK) return rows;
    const int nrows = PQntuples(res), ncols = PQnfields(res);
    rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
      std::vector<Value> vals;
      vals.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c))
          vals.emplace_back(std::monostate{});
        else
          vals.push_back(DecodeText(PQftype(res, c), PQgetvalue(res, r, c), PQgetlength(res, r, c)));
      }
      rows.emplace_back(std::move(vals));
    }
    return rows;
  }

  Pool& pool_;
  PGconn* conn_;
  bool done_ = false;
  bool first_statement_ = true;
  absl::Status failed_;
  int64_t changes_ = 0;
};

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, int pool_size) : pool_(std::move(conninfo), pool_size) {}

  absl::Status Ping() {
    auto tx = Begin();
    if (!tx.ok()) return tx.status();
    return (*tx)->Query("SELECT 1").status();
  }

  absl::StatusOr<std::unique_ptr<Tx>> Begin() override {
    // A pooled connection the server closed (restart, idle timeout) fails on first use:
    // drop it and take the next (or a fresh) one.
    for (int attempt = 0;; ++attempt) {
      auto conn = pool_.Acquire();
      if (!conn.ok()) return conn.status();
      PGresult* res = PQexec(*conn, "BEGIN ISOLATION LEVEL REPEATABLE READ");
      if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        return std::unique_ptr<Tx>(new PostgresTx(pool_, *conn));
      }
      absl::Status s = PgError(res, *conn, "begin");
      PQclear(res);
      const bool broken = PQstatus(*conn) == CONNECTION_BAD;
      pool_.Release(*conn, false);
      if (!broken || attempt >= 64) return s;
    }
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

 private:
  Pool pool_;
};

// Splits our own query parameters (pool_size) off the URL; libpq rejects unknown ones.
absl::StatusOr<std::pair<std::string, int>> ParseUrl(const std::string& url) {
  int pool_size = 8;
  const size_t q = url.find('?');
  if (q == std::string::npos) return std::make_pair(url, pool_size);
  std::vector<std::string> kept;
  for (absl::string_view kv : absl::StrSplit(absl::string_view(url).substr(q + 1), '&', absl::SkipEmpty())) {
    if (absl::StartsWith(kv, "pool_size=")) {
      if (!absl::SimpleAtoi(kv.substr(10), &pool_size) || pool_size < 1 || pool_size > 256)
        return absl::InvalidArgumentError("--db: pool_size must be 1..256");
    } else {
      kept.emplace_back(kv);
    }
  }
  std::string base = url.substr(0, q);
  if (!kept.empty()) base += "?" + absl::StrJoin(kept, "&");
  return std::make_pair(base, pool_size);
}

}  // namespace

std::string TranslateSqlForPostgres(std::string_view sql) {
  const bool ddl = IsDdl(sql);
  std::string out;
  out.reserve(sql.size() + 16);
  int param = 0;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // literal or quoted identifier; a doubled quote escapes
      size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      j = std::min(j + 1, sql.size());
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t j = sql.find('\n', i);
      if (j == std::string_view::npos) j = sql.size();
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t j = sql.find("*/", i + 2);
      j = j == std::string_view::npos ? sql.size() : j + 2;
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '?') {
      absl::StrAppend(&out, "$", ++param);
      ++i;
    } else if (ddl && IsWordChar(c) && (i == 0 || !IsWordChar(sql[i - 1]))) {
      const std::string_view word = WordAt(sql, i);
      const std::string upper = absl::AsciiStrToUpper(std::string(word));
      size_t next = i + word.size();
      if (upper == "INTEGER") {
        // INTEGER PRIMARY KEY [AUTOINCREMENT]: SQLite's rowid alias, assigned when omitted.
        size_t k = SkipSpace(sql, next);
        const std::string w1 = absl::AsciiStrToUpper(std::string(WordAt(sql, k)));
        if (w1 == "PRIMARY") {
          size_t k2 = SkipSpace(sql, k + w1.size());
          const std::string w2 = absl::AsciiStrToUpper(std::string(WordAt(sql, k2)));
          if (w2 == "KEY") {
            out += "BIGSERIAL PRIMARY KEY";
            next = k2 + w2.size();
            const size_t k3 = SkipSpace(sql, next);
            if (absl::AsciiStrToUpper(std::string(WordAt(sql, k3))) == "AUTOINCREMENT") next = k3 + 13;
            i = next;
            continue;
          }
        }
        out += "BIGINT";
      } else if (upper == "BLOB") {
        out += "BYTEA";
      } else if (upper == "REAL") {
        out += "DOUBLE PRECISION";
      } else if (upper == "AUTOINCREMENT") {
        // dropped: BIGSERIAL already counts up
      } else {
        out.append(word);
      }
      i = next;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url) {
  auto parsed = ParseUrl(url);
  if (!parsed.ok()) return parsed.status();
  auto store = std::make_unique<PostgresStore>(parsed->first, parsed->second);
  if (auto s = store->Ping(); !s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace recovery::common
