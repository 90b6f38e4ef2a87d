// SQL for the follow-up tables and the writing of an Outcome's rows.
#include "services/follow_up/store.h"

#include <cstdint>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/status_macros.h"

namespace recovery::follow_up {
namespace v1 = recovery::v1;
namespace {

using common::Params;
using common::Row;
using common::Tx;
using common::Value;

Value OptTime(const std::optional<absl::Time>& t) {
  if (!t) return std::monostate{};
  return absl::ToUnixMicros(*t);
}
std::optional<absl::Time> ReadOptTime(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return absl::FromUnixMicros(r.Int(i));
}

constexpr char kCaseColumns[] =
    "case_id, severity, category, client_id, calendar_id, owner, status, opened_at_us, acked_at_us, "
    "resolved_at_us, closed_at_us, ack_state, ack_due_us, ack_remaining_us, res_state, res_due_us, "
    "res_remaining_us, breaches, satisfaction, satisfaction_comment, themes, root_cause, satisfaction_pending";

CaseState ReadCase(const Row& r) {
  CaseState c;
  c.known = true;
  c.case_id = r.Str(0);
  c.severity = static_cast<v1::Severity>(r.Int(1));
  c.category = r.Str(2);
  c.client_id = r.Str(3);
  c.calendar_id = r.Str(4);
  c.owner = r.Str(5);
  c.status = static_cast<v1::CaseStatus>(r.Int(6));
  c.opened_at = ReadOptTime(r, 7);
  c.acked_at = ReadOptTime(r, 8);
  c.resolved_at = ReadOptTime(r, 9);
  c.closed_at = ReadOptTime(r, 10);
  c.ack = {static_cast<SlaState>(r.Int(11)), absl::FromUnixMicros(r.Int(12)), absl::Microseconds(r.Int(13))};
  c.resolve = {static_cast<SlaState>(r.Int(14)), absl::FromUnixMicros(r.Int(15)), absl::Microseconds(r.Int(16))};
  c.breaches = static_cast<int>(r.Int(17));
  if (!r.IsNull(18)) c.satisfaction = static_cast<int>(r.Int(18));
  c.satisfaction_comment = r.Str(19);
  const std::string themes = r.Str(20);
  if (!themes.empty()) c.themes = absl::StrSplit(themes, '\n');
  c.root_cause = r.Str(21);
  c.satisfaction_pending = r.Int(22) != 0;
  return c;
}

int64_t Micros(absl::Time t) {
  if (t == absl::InfinitePast()) return 0;
  return absl::ToUnixMicros(t);
}

constexpr char kReminderColumns[] =
    "reminder_id, case_id, kind, subject_id, owner, text, subject_due_us, stage, repeat_no, next_due_us";

ReminderTrack ReadReminder(const Row& r) {
  ReminderTrack t;
  t.reminder_id = r.Str(0);
  t.case_id = r.Str(1);
  t.kind = static_cast<ReminderKind>(r.Int(2));
  t.subject_id = r.Str(3);
  t.owner = r.Str(4);
  t.text = r.Str(5);
  t.subject_due = absl::FromUnixMicros(r.Int(6));
  t.stage = static_cast<ReminderStage>(r.Int(7));
  t.repeat = static_cast<int>(r.Int(8));
  t.next_due = absl::FromUnixMicros(r.Int(9));
  return t;
}

absl::Status SaveReminder(Tx& tx, const ReminderTrack& t) {
  return tx.Exec(
      "INSERT INTO fu_reminders (reminder_id, case_id, kind, subject_id, owner, text, subject_due_us, stage, "
      "repeat_no, next_due_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reminder_id) DO UPDATE SET "
      "owner = excluded.owner, text = excluded.text, subject_due_us = excluded.subject_due_us, "
      "stage = excluded.stage, repeat_no = excluded.repeat_no, next_due_us = excluded.next_due_us",
      {t.reminder_id, t.case_id, static_cast<int64_t>(t.kind), t.subject_id, t.owner, t.text, Micros(t.subject_due),
       static_cast<int64_t>(t.stage), static_cast<int64_t>(t.repeat), Micros(t.next_due)});
}

}  // namespace

std::vector<std::string> Migrations() {
  // IF NOT EXISTS: these steps ran under the component name "follow_up" before the runtime
  // migrated every service under its module name; a database from then upgrades in place.
  return {
      "CREATE TABLE IF NOT EXISTS fu_cases (case_id TEXT PRIMARY KEY, severity INTEGER NOT NULL, "
      "category TEXT NOT NULL, client_id TEXT NOT NULL, calendar_id TEXT NOT NULL, owner TEXT NOT NULL, "
      "status INTEGER NOT NULL, opened_at_us INTEGER, acked_at_us INTEGER, resolved_at_us INTEGER, "
      "closed_at_us INTEGER, ack_state INTEGER NOT NULL, ack_due_us INTEGER NOT NULL, "
      "ack_remaining_us INTEGER NOT NULL, res_state INTEGER NOT NULL, res_due_us INTEGER NOT NULL, "
      "res_remaining_us INTEGER NOT NULL, breaches INTEGER NOT NULL, satisfaction INTEGER, "
      "satisfaction_comment TEXT NOT NULL, themes TEXT NOT NULL, root_cause TEXT NOT NULL, "
      "satisfaction_pending INTEGER NOT NULL)",
      "CREATE INDEX IF NOT EXISTS fu_cases_opened ON fu_cases (opened_at_us)",
      "CREATE TABLE IF NOT EXISTS fu_reminders (reminder_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
      "kind INTEGER NOT NULL, subject_id TEXT NOT NULL, owner TEXT NOT NULL, text TEXT NOT NULL, "
      "subject_due_us INTEGER NOT NULL, stage INTEGER NOT NULL, repeat_no INTEGER NOT NULL, "
      "next_due_us INTEGER NOT NULL)",
      "CREATE INDEX IF NOT EXISTS fu_reminders_case ON fu_reminders (case_id)",
      "CREATE INDEX IF NOT EXISTS fu_reminders_due ON fu_reminders (next_due_us)",
      "CREATE TABLE IF NOT EXISTS fu_reviews (case_id TEXT PRIMARY KEY, review_id TEXT NOT NULL, "
      "review BLOB NOT NULL)",
  };
}

absl::StatusOr<CaseState> LoadCase(Tx& tx, const std::string& case_id) {
  auto rows = tx.Query(std::string("SELECT ") + kCaseColumns + " FROM fu_cases WHERE case_id = ?", {case_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    CaseState c;
    c.case_id = case_id;
    return c;
  }
  return ReadCase((*rows)[0]);
}

absl::Status SaveCase(Tx& tx, const CaseState& c) {
  Params p = {c.case_id,
              static_cast<int64_t>(c.severity),
              c.category,
              c.client_id,
              c.calendar_id,
              c.owner,
              static_cast<int64_t>(c.status),
              OptTime(c.opened_at),
              OptTime(c.acked_at),
              OptTime(c.resolved_at),
              OptTime(c.closed_at),
              static_cast<int64_t>(c.ack.state),
              Micros(c.ack.due),
              absl::ToInt64Microseconds(c.ack.remaining),
              static_cast<int64_t>(c.resolve.state),
              Micros(c.resolve.due),
              absl::ToInt64Microseconds(c.resolve.remaining),
              static_cast<int64_t>(c.breaches),
              c.satisfaction ? Value(static_cast<int64_t>(*c.satisfaction)) : Value(std::monostate{}),
              c.satisfaction_comment,
              absl::StrJoin(c.themes, "\n"),
              c.root_cause,
              static_cast<int64_t>(c.satisfaction_pending ? 1 : 0)};
  if (auto s = tx.Exec("DELETE FROM fu_cases WHERE case_id = ?", {c.case_id}); !s.ok()) return s;
  return tx.Exec(std::string("INSERT INTO fu_cases (") + kCaseColumns +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 p);
}

absl::StatusOr<std::vector<CaseState>> LoadCasesOpened(Tx& tx, absl::Time from, absl::Time to) {
  auto rows = tx.Query(std::string("SELECT ") + kCaseColumns +
                           " FROM fu_cases WHERE opened_at_us >= ? AND opened_at_us < ? ORDER BY opened_at_us",
                       {absl::ToUnixMicros(from), absl::ToUnixMicros(to)});
  if (!rows.ok()) return rows.status();
  std::vector<CaseState> out;
  for (const Row& r : *rows) out.push_back(ReadCase(r));
  return out;
}

absl::StatusOr<std::vector<ReminderTrack>> LoadReminders(Tx& tx, const std::string& case_id) {
  auto rows = tx.Query(std::string("SELECT ") + kReminderColumns + " FROM fu_reminders WHERE case_id = ?", {case_id});
  if (!rows.ok()) return rows.status();
  std::vector<ReminderTrack> out;
  for (const Row& r : *rows) out.push_back(ReadReminder(r));
  return out;
}

absl::StatusOr<std::optional<ReminderTrack>> LoadReminder(Tx& tx, const std::string& reminder_id) {
  auto rows =
      tx.Query(std::string("SELECT ") + kReminderColumns + " FROM fu_reminders WHERE reminder_id = ?", {reminder_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<ReminderTrack>();
  return std::optional<ReminderTrack>(ReadReminder((*rows)[0]));
}

absl::StatusOr<std::vector<ReminderTrack>> ListReminders(Tx& tx, const FollowUpConfig& cfg, const ReminderFilter& f) {
  // Absent filters become no-op bounds, so the statement and its parameters have one shape.
  const std::string sql = std::string("SELECT ") + kReminderColumns +
                          " FROM fu_reminders WHERE (? = '' OR case_id = ?) AND next_due_us >= ? AND next_due_us < ?"
                          " ORDER BY next_due_us, reminder_id";
  const Params p = {f.case_id, f.case_id, f.due_from ? absl::ToUnixMicros(*f.due_from) : INT64_MIN,
                    f.due_to ? absl::ToUnixMicros(*f.due_to) : INT64_MAX};
  auto rows = tx.Query(sql, p);
  if (!rows.ok()) return rows.status();
  std::vector<ReminderTrack> out;
  for (const Row& r : *rows) {
    if (static_cast<int>(out.size()) >= f.limit) break;
    ReminderTrack t = ReadReminder(r);
    if (!f.recipient.empty()) {
      // The recipient depends on the case owner and the managers map, so it is computed, not stored.
      auto c = LoadCase(tx, t.case_id);
      if (!c.ok()) return c.status();
      if (RecipientOf(cfg, *c, t) != f.recipient) continue;
    }
    out.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<std::optional<v1::Review>> LoadReview(Tx& tx, const std::string& case_id) {
  auto rows = tx.Query("SELECT review FROM fu_reviews WHERE case_id = ?", {case_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<v1::Review>();
  v1::Review r;
  if (!r.ParseFromString((*rows)[0].Str(0))) return absl::InternalError("stored review is corrupt");
  return std::optional<v1::Review>(std::move(r));
}

absl::Status InsertReview(Tx& tx, const v1::Review& review) {
  return tx.Exec("INSERT INTO fu_reviews (case_id, review_id, review) VALUES (?, ?, ?)",
                 {review.case_id(), review.review_id(), common::Blob{review.SerializeAsString()}});
}

absl::Status WriteRows(Tx& tx, const Rows& rows) {
  if (rows.case_state) RETURN_IF_ERROR(SaveCase(tx, *rows.case_state));
  for (const auto& id : rows.delete_reminders)
    RETURN_IF_ERROR(tx.Exec("DELETE FROM fu_reminders WHERE reminder_id = ?", {id}));
  for (const auto& t : rows.upsert_reminders) RETURN_IF_ERROR(SaveReminder(tx, t));
  if (rows.insert_review) RETURN_IF_ERROR(InsertReview(tx, *rows.insert_review));
  return absl::OkStatus();
}

}  // namespace recovery::follow_up
