// SQL for the escalation service's own tables.
#include "services/escalation/store.h"

#include "services/escalation/delivery/queue.h"

namespace recovery::escalation {
namespace {

using common::Blob;
using common::Row;
using common::Tx;

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

bool IsActive(v1::EscalationStatus s) {
  return s == v1::ESCALATION_STATUS_HELD || s == v1::ESCALATION_STATUS_PAGING;
}

StoredOverride OverrideFromRow(const Row& r) {
  return StoredOverride{r.Str(0), r.Str(1), r.Str(2), absl::FromUnixMicros(r.Int(3)), absl::FromUnixMicros(r.Int(4)),
                        r.Str(5)};
}

}  // namespace

absl::Status MigrateEscalation(common::Store& store) {
  std::vector<std::string> steps = {
      "CREATE TABLE esc_cases (case_id TEXT PRIMARY KEY, category TEXT NOT NULL, severity INTEGER NOT NULL,"
      " client_id TEXT NOT NULL, client_tier TEXT NOT NULL, client_calendar_id TEXT NOT NULL, summary TEXT NOT NULL)",
      "CREATE TABLE escalations (escalation_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, active INTEGER NOT NULL,"
      " state BLOB NOT NULL, updated_at INTEGER NOT NULL)",
      "CREATE INDEX escalations_case ON escalations (case_id)",
      "CREATE TABLE schedule_overrides (override_id TEXT PRIMARY KEY, schedule_id TEXT NOT NULL,"
      " person_id TEXT NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, reason TEXT NOT NULL)",
  };
  for (std::string& s : delivery::QueueMigrationSteps()) steps.push_back(std::move(s));
  return store.Migrate("escalation", steps);
}

absl::StatusOr<std::optional<CaseRecord>> LoadCase(Tx& tx, const std::string& case_id) {
  auto rows = tx.Query(
      "SELECT case_id, category, severity, client_id, client_tier, client_calendar_id, summary FROM esc_cases"
      " WHERE case_id = ?",
      {case_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  const Row& r = (*rows)[0];
  return std::optional<CaseRecord>(CaseRecord{r.Str(0), r.Str(1), static_cast<v1::Severity>(r.Int(2)), r.Str(3),
                                              r.Str(4), r.Str(5), r.Str(6)});
}

absl::Status SaveCase(Tx& tx, const CaseRecord& c) {
  if (auto s = tx.Exec("DELETE FROM esc_cases WHERE case_id = ?", {c.case_id}); !s.ok()) return s;
  return tx.Exec(
      "INSERT INTO esc_cases (case_id, category, severity, client_id, client_tier, client_calendar_id, summary)"
      " VALUES (?,?,?,?,?,?,?)",
      {c.case_id, c.category, int64_t{c.severity}, c.client_id, c.client_tier, c.client_calendar_id, c.summary});
}

absl::StatusOr<std::optional<v1::EscalationInfo>> LoadEscalation(Tx& tx, const std::string& escalation_id) {
  auto rows = tx.Query("SELECT state FROM escalations WHERE escalation_id = ?", {escalation_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  v1::EscalationInfo e;
  if (!e.ParseFromString((*rows)[0].Str(0))) return absl::DataLossError("escalations.state: corrupt row");
  return std::optional<v1::EscalationInfo>(std::move(e));
}

absl::Status SaveEscalation(Tx& tx, const v1::EscalationInfo& e) {
  if (auto s = tx.Exec("DELETE FROM escalations WHERE escalation_id = ?", {e.escalation_id()}); !s.ok()) return s;
  return tx.Exec("INSERT INTO escalations (escalation_id, case_id, active, state, updated_at) VALUES (?,?,?,?,?)",
                 {e.escalation_id(), e.case_id(), int64_t{IsActive(e.status()) ? 1 : 0}, Blob{e.SerializeAsString()},
                  int64_t{e.updated_at().seconds()}});
}

absl::StatusOr<std::vector<v1::EscalationInfo>> ListEscalations(Tx& tx, const std::string& case_id,
                                                                bool active_only) {
  auto rows = tx.Query(active_only ? "SELECT state FROM escalations WHERE case_id = ? AND active = 1"
                                     " ORDER BY escalation_id"
                                   : "SELECT state FROM escalations WHERE case_id = ? ORDER BY escalation_id",
                       {case_id});
  if (!rows.ok()) return rows.status();
  std::vector<v1::EscalationInfo> out;
  for (const Row& r : *rows) {
    v1::EscalationInfo e;
    if (!e.ParseFromString(r.Str(0))) return absl::DataLossError("escalations.state: corrupt row");
    out.push_back(std::move(e));
  }
  return out;
}

absl::Status InsertOverride(Tx& tx, const StoredOverride& o) {
  return tx.Exec(
      "INSERT INTO schedule_overrides (override_id, schedule_id, person_id, start_at, end_at, reason)"
      " VALUES (?,?,?,?,?,?)",
      {o.override_id, o.schedule_id, o.person_id, Micros(o.start), Micros(o.end), o.reason});
}

absl::StatusOr<std::optional<StoredOverride>> LoadOverride(Tx& tx, const std::string& override_id) {
  auto rows = tx.Query(
      "SELECT override_id, schedule_id, person_id, start_at, end_at, reason FROM schedule_overrides"
      " WHERE override_id = ?",
      {override_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return std::optional<StoredOverride>(OverrideFromRow((*rows)[0]));
}

absl::Status DeleteOverride(Tx& tx, const std::string& override_id) {
  return tx.Exec("DELETE FROM schedule_overrides WHERE override_id = ?", {override_id});
}

absl::StatusOr<std::vector<StoredOverride>> ListOverrides(Tx& tx) {
  auto rows = tx.Query(
      "SELECT override_id, schedule_id, person_id, start_at, end_at, reason FROM schedule_overrides"
      " ORDER BY override_id");
  if (!rows.ok()) return rows.status();
  std::vector<StoredOverride> out;
  for (const Row& r : *rows) out.push_back(OverrideFromRow(r));
  return out;
}

}  // namespace recovery::escalation
