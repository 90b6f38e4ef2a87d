// SQL for the action-plan table.
#include "services/action_plan/store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/action_plan/domain/codec.h"

namespace recovery::action_plan {
namespace {

using recovery::common::Blob;
using recovery::common::Params;
using recovery::common::Row;
using recovery::common::Tx;

constexpr char kSelect[] = "SELECT body FROM action_plans ";

absl::StatusOr<PlanRecord> Decode(const Row& row) {
  recovery::v1::Plan proto;
  if (!proto.ParseFromString(row.Str(0))) return absl::DataLossError("action_plans.body: cannot parse stored plan");
  return PlanFromProto(proto);
}

absl::StatusOr<std::optional<PlanRecord>> FindOne(Tx& tx, const std::string& where, const std::string& key) {
  auto rows = tx.Query(absl::StrCat(kSelect, where), {key});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<PlanRecord>();
  auto record = Decode(rows->front());
  if (!record.ok()) return record.status();
  return std::optional<PlanRecord>(std::move(*record));
}

Params Columns(const PlanRecord& r) {
  return {r.plan.plan_id, r.plan.case_id, static_cast<int64_t>(r.completed ? 1 : 0), absl::ToUnixMicros(r.updated_at),
          Blob{PlanToProto(r).SerializeAsString()}};
}

}  // namespace

std::vector<std::string> ActionPlanMigrations() {
  // IF NOT EXISTS: databases created before the module carry this table under the
  // migration component "action_plan"; the module's component is "action-plan".
  return {
      "CREATE TABLE IF NOT EXISTS action_plans (plan_id TEXT PRIMARY KEY, case_id TEXT NOT NULL UNIQUE, "
      "completed INTEGER NOT NULL, updated_at_us INTEGER NOT NULL, body BLOB NOT NULL)",
  };
}

absl::Status WritePlan(Tx& tx, const PlanWrite& write) {
  switch (write.kind) {
    case PlanWrite::Kind::kNone:
      return absl::OkStatus();
    case PlanWrite::Kind::kInsert:
      return InsertPlan(tx, write.record);
    case PlanWrite::Kind::kUpdate:
      return UpdatePlan(tx, write.record);
  }
  return absl::OkStatus();
}

absl::Status InsertPlan(Tx& tx, const PlanRecord& record) {
  auto s = tx.Exec(
      "INSERT INTO action_plans (plan_id, case_id, completed, updated_at_us, body) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT DO NOTHING",
      Columns(record));
  if (!s.ok()) return s;
  if (tx.ChangedRows() == 0) {
    return absl::AlreadyExistsError(absl::StrCat("case_id: case '", record.plan.case_id, "' already has a plan"));
  }
  return absl::OkStatus();
}

absl::Status UpdatePlan(Tx& tx, const PlanRecord& record) {
  Params p = Columns(record);
  // plan_id goes last, as the WHERE key.
  std::rotate(p.begin(), p.begin() + 1, p.end());
  auto s =
      tx.Exec("UPDATE action_plans SET case_id = ?, completed = ?, updated_at_us = ?, body = ? WHERE plan_id = ?", p);
  if (!s.ok()) return s;
  if (tx.ChangedRows() != 1) return absl::NotFoundError(absl::StrCat("plan_id: no plan '", record.plan.plan_id, "'"));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<PlanRecord>> FindPlanById(Tx& tx, const std::string& plan_id) {
  return FindOne(tx, "WHERE plan_id = ?", plan_id);
}

absl::StatusOr<std::optional<PlanRecord>> FindPlanByCase(Tx& tx, const std::string& case_id) {
  return FindOne(tx, "WHERE case_id = ?", case_id);
}

absl::StatusOr<std::vector<PlanRecord>> ListPlans(Tx& tx, const std::string& after_plan_id, bool open_only, int limit) {
  auto rows = tx.Query(
      absl::StrCat(kSelect, "WHERE plan_id > ?", open_only ? " AND completed = 0" : "", " ORDER BY plan_id LIMIT ?"),
      {after_plan_id, static_cast<int64_t>(limit)});
  if (!rows.ok()) return rows.status();
  std::vector<PlanRecord> out;
  for (const auto& row : *rows) {
    auto record = Decode(row);
    if (!record.ok()) return record.status();
    out.push_back(std::move(*record));
  }
  return out;
}

}  // namespace recovery::action_plan
