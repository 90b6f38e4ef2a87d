// Storage interface shared by every service, with the SQLite implementation behind it.
// SQL is written once with '?' placeholders and portable syntax (INSERT ... ON CONFLICT DO
// NOTHING, INTEGER/TEXT/BLOB columns); a PostgreSQL implementation rewrites placeholders.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace recovery::common {

struct Blob {
  std::string bytes;
};
using Value = std::variant<std::monostate, int64_t, double, std::string, Blob>;
using Params = std::vector<Value>;

// One result row. Accessors convert NULL to 0 / "".
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }
  int64_t Int(size_t i) const;
  double Double(size_t i) const;
  std::string Str(size_t i) const;  // TEXT or BLOB bytes
  size_t size() const { return values_.size(); }

 private:
  std::vector<Value> values_;
};

// A database transaction. Not thread-safe: one thread uses a Tx. Destroying a Tx that
// was not committed rolls it back. While a Tx is alive it holds the store's writer lock.
class Tx {
 public:
  virtual ~Tx() = default;
  virtual absl::Status Exec(std::string_view sql, const Params& params = {}) = 0;
  virtual absl::StatusOr<std::vector<Row>> Query(std::string_view sql, const Params& params = {}) = 0;
  // Rows changed by the last Exec.
  virtual int64_t ChangedRows() const = 0;
  virtual absl::Status Commit() = 0;
  // Runs after a successful commit (wake the outbox relay, update a timer index).
  void AfterCommit(std::function<void()> fn) { after_commit_.push_back(std::move(fn)); }

 protected:
  void RunAfterCommit() {
    auto fns = std::move(after_commit_);
    after_commit_.clear();
    for (auto& fn : fns) fn();
  }

 private:
  std::vector<std::function<void()>> after_commit_;
};

enum class Dialect { kSqlite, kPostgres };

// How many logical transactions ended in a commit and how many physical commits they took
// (SQLite groups concurrent transactions into one commit); waiting = threads in Begin().
struct StoreCounters {
  int64_t transactions = 0;
  int64_t commits = 0;
  int waiting = 0;
};

// Thread-safe. Transactions are serialised for SQLite (one writer).
class Store {
 public:
  virtual ~Store() = default;
  virtual absl::StatusOr<std::unique_ptr<Tx>> Begin() = 0;
  virtual Dialect dialect() const = 0;
  virtual StoreCounters counters() const { return {}; }

  // Applies, in order and once each, the migration steps of one component (a service or
  // a runtime part such as "outbox"). Step i is version i+1; applied steps are recorded.
  absl::Status Migrate(std::string_view component, const std::vector<std::string>& steps);
};

// Opens a store from a URL: "postgres://..." or "postgresql://..." for PostgreSQL,
// anything else is a SQLite file path (":memory:" works for unit tests).
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& url);

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

// Runs fn in a transaction and commits; retries on kAborted (serialisation failure).
absl::Status InTransaction(Store& store, const std::function<absl::Status(Tx&)>& fn);

}  // namespace recovery::common
