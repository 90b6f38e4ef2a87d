// Helpers for audit tests: events with fixed times, and tampering with a store file
// through a separate SQLite connection (as an attacker with file access would).
#pragma once

#include <sqlite3.h>

#include <string>

#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "services/common/events.h"

namespace recovery::audit::testing {

inline const absl::Time kBase = absl::FromUnixSeconds(1795600000);  // 2026-11-24

// A CaseOpened event for case_id whose summary is "event <n>", occurring at kBase + n minutes.
inline recovery::v1::Event OpenedEvent(const std::string& case_id, int n, const std::string& source = "intake") {
  auto e = common::NewEvent(kBase + absl::Minutes(n), case_id, source, "tester", "req-" + std::to_string(n));
  e.mutable_case_opened()->set_summary("event " + std::to_string(n));
  e.mutable_case_opened()->set_severity(recovery::v1::SEVERITY_P2);
  return e;
}

// Runs one statement on the database file; an optional blob is bound to the first '?'.
// Returns "" on success, else SQLite's error message.
inline std::string TamperSql(const std::string& db_path, const std::string& sql, const std::string* blob = nullptr) {
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) return "open failed";
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  std::string error;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
  } else {
    if (blob) sqlite3_bind_blob(stmt, 1, blob->data(), static_cast<int>(blob->size()), SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) != SQLITE_DONE) error = sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return error;
}

// Reads one text/blob column value ("" when no row).
inline std::string QueryOne(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) return out;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    const void* data = sqlite3_column_blob(stmt, 0);
    out.assign(static_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

}  // namespace recovery::audit::testing
