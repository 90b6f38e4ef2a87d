// SQL for the delivery queue table.
#include "services/escalation/delivery/queue.h"

namespace recovery::escalation::delivery {
namespace {

using common::Params;
using common::Row;
using common::Tx;

constexpr char kColumns[] =
    "page_id, kind, escalation_id, case_id, person_id, channel, target, tier, round, attempts, next_attempt_at, "
    "status, idempotency_key, payload, subject, reminder_id, last_error, created_at";

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

Delivery FromRow(const Row& r) {
  Delivery d;
  d.page_id = r.Str(0);
  d.kind = r.Str(1);
  d.escalation_id = r.Str(2);
  d.case_id = r.Str(3);
  d.person_id = r.Str(4);
  d.channel = ParseChannel(r.Str(5)).value_or(Channel::kLog);
  d.target = r.Str(6);
  d.tier = static_cast<int>(r.Int(7));
  d.round = static_cast<int>(r.Int(8));
  d.attempts = static_cast<int>(r.Int(9));
  d.next_attempt_at = absl::FromUnixMicros(r.Int(10));
  d.status = r.Str(11);
  d.idempotency_key = r.Str(12);
  d.payload = r.Str(13);
  d.subject = r.Str(14);
  d.reminder_id = r.Str(15);
  d.last_error = r.Str(16);
  d.created_at = absl::FromUnixMicros(r.Int(17));
  return d;
}

absl::StatusOr<std::vector<Delivery>> Select(Tx& tx, const std::string& where, const Params& params) {
  auto rows = tx.Query(std::string("SELECT ") + kColumns + " FROM delivery_queue " + where, params);
  if (!rows.ok()) return rows.status();
  std::vector<Delivery> out;
  for (const Row& r : *rows) out.push_back(FromRow(r));
  return out;
}

}  // namespace

std::vector<std::string> QueueMigrationSteps() {
  return {
      "CREATE TABLE delivery_queue ("
      " page_id TEXT PRIMARY KEY, kind TEXT NOT NULL, escalation_id TEXT NOT NULL, case_id TEXT NOT NULL,"
      " person_id TEXT NOT NULL, channel TEXT NOT NULL, target TEXT NOT NULL, tier INTEGER NOT NULL,"
      " round INTEGER NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,"
      " status TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL,"
      " subject TEXT NOT NULL, reminder_id TEXT NOT NULL, last_error TEXT NOT NULL, created_at INTEGER NOT NULL)",
      "CREATE INDEX delivery_queue_due ON delivery_queue (status, next_attempt_at)",
      "CREATE INDEX delivery_queue_escalation ON delivery_queue (escalation_id)",
  };
}

absl::StatusOr<bool> Enqueue(Tx& tx, const Delivery& d) {
  auto s = tx.Exec(std::string("INSERT INTO delivery_queue (") + kColumns +
                       ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                   {d.page_id, d.kind, d.escalation_id, d.case_id, d.person_id, std::string(ChannelName(d.channel)),
                    d.target, int64_t{d.tier}, int64_t{d.round}, int64_t{d.attempts}, Micros(d.next_attempt_at),
                    d.status, d.idempotency_key, d.payload, d.subject, d.reminder_id, d.last_error,
                    Micros(d.created_at)});
  if (!s.ok()) return s;
  return tx.ChangedRows() == 1;
}

absl::StatusOr<std::optional<Delivery>> LoadDelivery(Tx& tx, const std::string& page_id) {
  auto rows = Select(tx, "WHERE page_id = ?", {page_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return std::optional<Delivery>((*rows)[0]);
}

absl::StatusOr<std::vector<Delivery>> ListByEscalation(Tx& tx, const std::string& escalation_id) {
  return Select(tx, "WHERE escalation_id = ? ORDER BY created_at, page_id", {escalation_id});
}

absl::StatusOr<std::vector<Delivery>> DueDeliveries(Tx& tx, absl::Time now, int limit) {
  return Select(tx, "WHERE status = ? AND next_attempt_at <= ? ORDER BY next_attempt_at, page_id LIMIT ?",
                {std::string(kPending), Micros(now), int64_t{limit}});
}

absl::Status UpdateDelivery(Tx& tx, const Delivery& d) {
  return tx.Exec(
      "UPDATE delivery_queue SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE page_id = ?",
      {d.status, int64_t{d.attempts}, Micros(d.next_attempt_at), d.last_error, d.page_id});
}

absl::StatusOr<int64_t> CancelUndelivered(Tx& tx, const std::string& escalation_id) {
  auto s = tx.Exec("UPDATE delivery_queue SET status = ? WHERE escalation_id = ? AND status IN (?, ?)",
                   {std::string(kCancelled), escalation_id, std::string(kPending), std::string(kSending)});
  if (!s.ok()) return s;
  return tx.ChangedRows();
}

absl::StatusOr<int64_t> RequeueInterrupted(Tx& tx, absl::Time now) {
  auto s = tx.Exec("UPDATE delivery_queue SET status = ?, next_attempt_at = ? WHERE status = ?",
                   {std::string(kPending), Micros(now), std::string(kSending)});
  if (!s.ok()) return s;
  return tx.ChangedRows();
}

absl::StatusOr<std::optional<absl::Time>> NextDue(Tx& tx) {
  auto rows = tx.Query("SELECT MIN(next_attempt_at) FROM delivery_queue WHERE status = ?", {std::string(kPending)});
  if (!rows.ok()) return rows.status();
  if (rows->empty() || (*rows)[0].IsNull(0)) return std::nullopt;
  return std::optional<absl::Time>(absl::FromUnixMicros((*rows)[0].Int(0)));
}

}  // namespace recovery::escalation::delivery
