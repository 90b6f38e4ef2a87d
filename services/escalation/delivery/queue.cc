// SQL for the delivery queue table.
#include "services/escalation/delivery/queue.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace recovery::escalation::delivery {
namespace {

using common::Params;
using common::Row;
using common::Tx;

constexpr char kColumns[] =
    "page_id, kind, escalation_id, case_id, person_id, channel, target, tier, round, attempts, next_attempt_at, "
    "status, idempotency_key, payload, subject, reminder_id, last_error, created_at, owner, lease_until, target_host, "
    "superseded, resends";

// Claimable: pending and due, or 'sending' with an expired lease. Parameters: now, now.
constexpr char kClaimable[] =
    "((status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until <= ?))";

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
  d.owner = r.Str(18);
  d.lease_until = absl::FromUnixMicros(r.Int(19));
  d.target_host = r.Str(20);
  d.superseded = r.Int(21) != 0;
  d.resends = static_cast<int>(r.Int(22));
  if (d.target_host.empty()) d.target_host = HostKey(d.channel, d.target);  // rows queued before the column
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
      // Leases (a 'sending' row's holder and expiry), the per-host bound, single-attempt rows
      // of a tier that moved on, and same-key resends.
      "ALTER TABLE delivery_queue ADD COLUMN owner TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE delivery_queue ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE delivery_queue ADD COLUMN target_host TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE delivery_queue ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE delivery_queue ADD COLUMN resends INTEGER NOT NULL DEFAULT 0",
      "CREATE INDEX delivery_queue_lease ON delivery_queue (status, lease_until)",
  };
}

std::string HostKey(Channel channel, const std::string& target) {
  if (channel == Channel::kEmail) return "smtp";
  if (channel != Channel::kWebhook) return std::string(ChannelName(channel));
  std::string_view rest = target;
  if (const size_t scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  std::string host(rest);
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  return host;
}

absl::StatusOr<bool> Enqueue(Tx& tx, const Delivery& d) {
  auto s = tx.Exec(std::string("INSERT INTO delivery_queue (") + kColumns +
                       ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                   {d.page_id,
                    d.kind,
                    d.escalation_id,
                    d.case_id,
                    d.person_id,
                    std::string(ChannelName(d.channel)),
                    d.target,
                    int64_t{d.tier},
                    int64_t{d.round},
                    int64_t{d.attempts},
                    Micros(d.next_attempt_at),
                    d.status,
                    d.idempotency_key,
                    d.payload,
                    d.subject,
                    d.reminder_id,
                    d.last_error,
                    Micros(d.created_at),
                    d.owner,
                    Micros(d.lease_until),
                    d.target_host.empty() ? HostKey(d.channel, d.target) : d.target_host,
                    int64_t{d.superseded},
                    int64_t{d.resends}});
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

absl::StatusOr<std::vector<Delivery>> ClaimableDeliveries(Tx& tx, absl::Time now, int limit,
                                                          const std::vector<std::string>& skip_hosts,
                                                          const std::vector<std::string>& skip_channels) {
  std::string where = absl::StrCat("WHERE ", kClaimable);
  Params params = {Micros(now), Micros(now)};
  const auto not_in = [&](const char* column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    absl::StrAppend(&where, " AND ", column, " NOT IN (",
                    absl::StrJoin(std::vector<std::string>(values.size(), "?"), ","), ")");
    for (const std::string& v : values) params.push_back(v);
  };
  not_in("target_host", skip_hosts);
  not_in("channel", skip_channels);
  absl::StrAppend(&where, " ORDER BY next_attempt_at, page_id LIMIT ?");
  params.push_back(int64_t{limit});
  return Select(tx, where, params);
}

absl::StatusOr<bool> ClaimDelivery(Tx& tx, Delivery& d, const std::string& owner, absl::Time now,
                                   absl::Time lease_until) {
  auto s = tx.Exec(absl::StrCat("UPDATE delivery_queue SET resends = resends + (CASE WHEN status = 'sending' THEN 1 "
                                "ELSE 0 END), status = 'sending', attempts = attempts + 1, owner = ?, lease_until = ? "
                                "WHERE page_id = ? AND ",
                                kClaimable),
                   {owner, Micros(lease_until), d.page_id, Micros(now), Micros(now)});
  if (!s.ok()) return s;
  if (tx.ChangedRows() != 1) return false;
  auto claimed = LoadDelivery(tx, d.page_id);
  if (!claimed.ok()) return claimed.status();
  if (!claimed->has_value()) return false;
  d = **claimed;
  return true;
}

absl::Status UpdateDelivery(Tx& tx, const Delivery& d) {
  return tx.Exec(
      "UPDATE delivery_queue SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, owner = ?,"
      " lease_until = ? WHERE page_id = ?",
      {d.status, int64_t{d.attempts}, Micros(d.next_attempt_at), d.last_error, d.owner, Micros(d.lease_until),
       d.page_id});
}

absl::StatusOr<int64_t> CancelUndelivered(Tx& tx, const std::string& escalation_id) {
  auto s = tx.Exec("UPDATE delivery_queue SET status = ? WHERE escalation_id = ? AND status IN (?, ?)",
                   {std::string(kCancelled), escalation_id, std::string(kPending), std::string(kSending)});
  if (!s.ok()) return s;
  return tx.ChangedRows();
}

absl::StatusOr<int64_t> SupersedeUndelivered(Tx& tx, const std::string& escalation_id) {
  // Rows on the wire or never tried get (or finish) their one attempt; the outcome then ends them.
  if (auto s = tx.Exec("UPDATE delivery_queue SET superseded = 1 WHERE escalation_id = ? AND"
                       " (status = 'sending' OR (status = 'pending' AND attempts = 0))",
                       {escalation_id});
      !s.ok())
    return s;
  auto s = tx.Exec(
      "UPDATE delivery_queue SET status = ?, superseded = 1, last_error = 'superseded: the escalation moved on after ' "
      "|| CAST(attempts AS TEXT) || ' attempt(s); last error: ' || last_error"
      " WHERE escalation_id = ? AND status = 'pending' AND attempts > 0",
      {std::string(kCancelled), escalation_id});
  if (!s.ok()) return s;
  return tx.ChangedRows();
}

absl::StatusOr<std::vector<std::string>> SendingOwners(Tx& tx) {
  auto rows = tx.Query("SELECT DISTINCT owner FROM delivery_queue WHERE status = 'sending'");
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  for (const Row& r : *rows) out.push_back(r.Str(0));
  return out;
}

absl::StatusOr<int64_t> RequeueOwner(Tx& tx, const std::string& owner, absl::Time now) {
  auto s = tx.Exec(
      "UPDATE delivery_queue SET status = 'pending', next_attempt_at = ?, lease_until = 0, resends = resends + 1"
      " WHERE status = 'sending' AND owner = ?",
      {Micros(now), owner});
  if (!s.ok()) return s;
  return tx.ChangedRows();
}

absl::StatusOr<std::optional<absl::Time>> NextDue(Tx& tx) {
  auto rows = tx.Query(
      "SELECT MIN(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END) FROM delivery_queue"
      " WHERE status IN ('pending', 'sending')");
  if (!rows.ok()) return rows.status();
  if (rows->empty() || (*rows)[0].IsNull(0)) return std::nullopt;
  return std::optional<absl::Time>(absl::FromUnixMicros((*rows)[0].Int(0)));
}

}  // namespace recovery::escalation::delivery
