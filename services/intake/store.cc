// Intake tables and queries.
#include "services/intake/store.h"

#include "absl/strings/str_cat.h"
#include "recovery/intake/storage.pb.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/intake/domain/errors.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
namespace storage = recovery::intake::storage;
using recovery::common::Blob;
using recovery::common::FromProto;
using recovery::common::Params;
using recovery::common::Row;
using recovery::common::ToProto;

int64_t Micros(const google::protobuf::Timestamp& ts) { return absl::ToUnixMicros(FromProto(ts)); }
google::protobuf::Timestamp FromMicros(int64_t us) { return ToProto(absl::FromUnixMicros(us)); }

// The API case <-> the stored record, field by field (histories live in their own tables).
storage::CaseRecord ToRecord(const v1::Case& c) {
  storage::CaseRecord r;
  r.set_id(c.id());
  auto* client = r.mutable_client();
  client->set_id(c.client().id());
  client->set_name(c.client().name());
  client->set_tier(c.client().tier());
  client->set_time_zone(c.client().time_zone());
  client->set_calendar_id(c.client().calendar_id());
  if (c.has_contact()) {
    auto* contact = r.mutable_contact();
    contact->set_name(c.contact().name());
    contact->set_email(c.contact().email());
    contact->set_phone(c.contact().phone());
    contact->set_time_zone(c.contact().time_zone());
  }
  r.set_channel(c.channel());
  r.set_category(c.category());
  r.set_severity(c.severity());
  r.set_summary(c.summary());
  r.set_description(c.description());
  r.set_client_view(c.client_view());
  r.set_firm_view(c.firm_view());
  r.set_emotional_state(c.emotional_state());
  r.set_owner(c.owner());
  r.set_status(c.status());
  if (c.has_opened_at()) *r.mutable_opened_at() = c.opened_at();
  if (c.has_updated_at()) *r.mutable_updated_at() = c.updated_at();
  if (c.has_acknowledged_at()) *r.mutable_acknowledged_at() = c.acknowledged_at();
  if (c.has_planned_at()) *r.mutable_planned_at() = c.planned_at();
  if (c.has_resolved_at()) *r.mutable_resolved_at() = c.resolved_at();
  if (c.has_closed_at()) *r.mutable_closed_at() = c.closed_at();
  if (c.has_reopened_at()) *r.mutable_reopened_at() = c.reopened_at();
  r.set_resolution(c.resolution());
  r.set_opened_by(c.opened_by());
  r.set_opened_from_signal_id(c.opened_from_signal_id());
  r.set_repeat_reports(c.repeat_reports());
  return r;
}

v1::Case FromRecord(const storage::CaseRecord& r) {
  v1::Case c;
  c.set_id(r.id());
  auto* client = c.mutable_client();
  client->set_id(r.client().id());
  client->set_name(r.client().name());
  client->set_tier(r.client().tier());
  client->set_time_zone(r.client().time_zone());
  client->set_calendar_id(r.client().calendar_id());
  if (r.has_contact()) {
    auto* contact = c.mutable_contact();
    contact->set_name(r.contact().name());
    contact->set_email(r.contact().email());
    contact->set_phone(r.contact().phone());
    contact->set_time_zone(r.contact().time_zone());
  }
  c.set_channel(static_cast<v1::Channel>(r.channel()));
  c.set_category(r.category());
  c.set_severity(static_cast<v1::Severity>(r.severity()));
  c.set_summary(r.summary());
  c.set_description(r.description());
  c.set_client_view(r.client_view());
  c.set_firm_view(r.firm_view());
  c.set_emotional_state(static_cast<v1::EmotionalState>(r.emotional_state()));
  c.set_owner(r.owner());
  c.set_status(static_cast<v1::CaseStatus>(r.status()));
  if (r.has_opened_at()) *c.mutable_opened_at() = r.opened_at();
  if (r.has_updated_at()) *c.mutable_updated_at() = r.updated_at();
  if (r.has_acknowledged_at()) *c.mutable_acknowledged_at() = r.acknowledged_at();
  if (r.has_planned_at()) *c.mutable_planned_at() = r.planned_at();
  if (r.has_resolved_at()) *c.mutable_resolved_at() = r.resolved_at();
  if (r.has_closed_at()) *c.mutable_closed_at() = r.closed_at();
  if (r.has_reopened_at()) *c.mutable_reopened_at() = r.reopened_at();
  c.set_resolution(r.resolution());
  c.set_opened_by(r.opened_by());
  c.set_opened_from_signal_id(r.opened_from_signal_id());
  c.set_repeat_reports(r.repeat_reports());
  return c;
}

Blob RecordBytes(const v1::Case& c) { return Blob{ToRecord(c).SerializeAsString()}; }

absl::StatusOr<v1::Case> ParseCase(const Row& row, size_t col) {
  storage::CaseRecord r;
  if (!r.ParseFromString(row.Str(col)))
    return IntakeErrorStatus(IntakeError::kStoredCaseCorrupt, "cases.data: stored case is corrupt");
  return FromRecord(r);
}

absl::Status NoCase(const std::string& case_id) {
  return IntakeErrorStatus(IntakeError::kCaseNotFound, absl::StrCat("case_id: no case '", case_id, "'"));
}

// Appends a row to a per-case history table with the case's next sequence number, in one
// statement. The case row was written first in the same transaction, so concurrent writers
// of one case are serialised before they read MAX(seq). A VALUES list, so that PostgreSQL
// types the text parameters from the target columns.
absl::Status Insert(Tx& tx, const std::string& table, const std::string& columns, const std::string& case_id,
                    Params values) {
  Params params{case_id, case_id};
  std::string marks;
  for (auto& v : values) {
    params.emplace_back(std::move(v));
    marks += ", ?";
  }
  return tx.Exec(
      absl::StrCat("INSERT INTO ", table, " (case_id, seq, ", columns,
                   ") VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ", table, " WHERE case_id = ?)", marks, ")"),
      params);
}

// The report key moves only from the value this transaction read: someone else moving it
// first (a concurrent OpenCase of the same client and category) is a conflict to retry.
absl::Status MoveReportKey(Tx& tx, const ReportKeyMove& move) {
  if (move.previous_case_id.empty()) {
    RETURN_IF_ERROR(
        tx.Exec("INSERT INTO report_keys (client_id, category, case_id) VALUES (?, ?, ?) "
                "ON CONFLICT (client_id, category) DO NOTHING",
                {move.client_id, move.category, move.case_id}));
  } else {
    RETURN_IF_ERROR(tx.Exec("UPDATE report_keys SET case_id = ? WHERE client_id = ? AND category = ? AND case_id = ?",
                            {move.case_id, move.client_id, move.category, move.previous_case_id}));
  }
  if (tx.ChangedRows() != 1)
    return IntakeErrorStatus(IntakeError::kConcurrentReport,
                             "client.id: another report of this client and category was opened at the same time");
  return absl::OkStatus();
}

absl::Status InsertCase(Tx& tx, const v1::Case& c) {
  return tx.Exec(
      "INSERT INTO cases (id, client_id, category, severity, status, owner, opened_at_us, updated_at_us, data) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {c.id(), c.client().id(), c.category(), int64_t{c.severity()}, int64_t{c.status()}, c.owner(),
       Micros(c.opened_at()), Micros(c.updated_at()), RecordBytes(c)});
}

absl::Status SaveCase(Tx& tx, const v1::Case& c) {
  RETURN_IF_ERROR(
      tx.Exec("UPDATE cases SET client_id = ?, category = ?, severity = ?, status = ?, owner = ?, updated_at_us = ?, "
              "data = ? WHERE id = ?",
              {c.client().id(), c.category(), int64_t{c.severity()}, int64_t{c.status()}, c.owner(),
               Micros(c.updated_at()), RecordBytes(c), c.id()}));
  if (tx.ChangedRows() != 1) return NoCase(c.id());
  return absl::OkStatus();
}

absl::Status LoadHistories(Tx& tx, v1::Case* c) {
  c->clear_transitions();
  c->clear_emotional_history();
  c->clear_contacts();
  c->clear_notes();
  const Params id{c->id()};
  ASSIGN_OR_RETURN(
      auto transitions,
      tx.Query(
          "SELECT from_status, to_status, at_us, actor, reason FROM case_transitions WHERE case_id = ? ORDER BY seq",
          id));
  for (const Row& r : transitions) {
    auto* t = c->add_transitions();
    t->set_from(static_cast<v1::CaseStatus>(r.Int(0)));
    t->set_to(static_cast<v1::CaseStatus>(r.Int(1)));
    *t->mutable_at() = FromMicros(r.Int(2));
    t->set_actor(r.Str(3));
    t->set_reason(r.Str(4));
  }
  ASSIGN_OR_RETURN(
      auto emotions,
      tx.Query("SELECT state, recorded_at_us, recorded_by, source FROM emotional_states WHERE case_id = ? ORDER BY seq",
               id));
  for (const Row& r : emotions) {
    auto* e = c->add_emotional_history();
    e->set_state(static_cast<v1::EmotionalState>(r.Int(0)));
    *e->mutable_recorded_at() = FromMicros(r.Int(1));
    e->set_recorded_by(r.Str(2));
    e->set_source(r.Str(3));
  }
  ASSIGN_OR_RETURN(auto contacts, tx.Query("SELECT contact_id, channel, summary, emotional_state, recorded_by, "
                                           "recorded_at_us, repeat_report FROM contacts WHERE case_id = ? ORDER BY seq",
                                           id));
  for (const Row& r : contacts) {
    auto* k = c->add_contacts();
    k->set_contact_id(r.Str(0));
    k->set_channel(static_cast<v1::Channel>(r.Int(1)));
    k->set_summary(r.Str(2));
    k->set_emotional_state(static_cast<v1::EmotionalState>(r.Int(3)));
    k->set_recorded_by(r.Str(4));
    *k->mutable_recorded_at() = FromMicros(r.Int(5));
    k->set_repeat_report(r.Int(6) != 0);
  }
  ASSIGN_OR_RETURN(
      auto notes,
      tx.Query("SELECT note_id, text, shareable, author, created_at_us FROM notes WHERE case_id = ? ORDER BY seq", id));
  for (const Row& r : notes) {
    auto* n = c->add_notes();
    n->set_note_id(r.Str(0));
    n->set_text(r.Str(1));
    n->set_shareable(r.Int(2) != 0);
    n->set_author(r.Str(3));
    *n->mutable_created_at() = FromMicros(r.Int(4));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> IntakeMigrations() {
  return {
      "CREATE TABLE cases (id TEXT PRIMARY KEY, client_id TEXT NOT NULL, category TEXT NOT NULL, "
      "severity INTEGER NOT NULL, status INTEGER NOT NULL, owner TEXT NOT NULL, opened_at_us INTEGER NOT NULL, "
      "updated_at_us INTEGER NOT NULL, data BLOB NOT NULL)",
      "CREATE INDEX cases_client_category ON cases (client_id, category, status)",
      "CREATE INDEX cases_opened ON cases (opened_at_us)",
      "CREATE TABLE case_transitions (case_id TEXT NOT NULL, seq INTEGER NOT NULL, from_status INTEGER NOT NULL, "
      "to_status INTEGER NOT NULL, at_us INTEGER NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL, "
      "PRIMARY KEY (case_id, seq))",
      "CREATE TABLE emotional_states (case_id TEXT NOT NULL, seq INTEGER NOT NULL, state INTEGER NOT NULL, "
      "recorded_at_us INTEGER NOT NULL, recorded_by TEXT NOT NULL, source TEXT NOT NULL, "
      "PRIMARY KEY (case_id, seq))",
      "CREATE TABLE contacts (case_id TEXT NOT NULL, seq INTEGER NOT NULL, contact_id TEXT NOT NULL UNIQUE, "
      "channel INTEGER NOT NULL, summary TEXT NOT NULL, emotional_state INTEGER NOT NULL, "
      "recorded_by TEXT NOT NULL, recorded_at_us INTEGER NOT NULL, repeat_report INTEGER NOT NULL, "
      "PRIMARY KEY (case_id, seq))",
      "CREATE TABLE notes (case_id TEXT NOT NULL, seq INTEGER NOT NULL, note_id TEXT NOT NULL UNIQUE, "
      "text TEXT NOT NULL, shareable INTEGER NOT NULL, author TEXT NOT NULL, created_at_us INTEGER NOT NULL, "
      "PRIMARY KEY (case_id, seq))",
      "CREATE TABLE signals (id TEXT PRIMARY KEY, kind INTEGER NOT NULL, client_id TEXT NOT NULL, "
      "score DOUBLE PRECISION NOT NULL, detail TEXT NOT NULL, case_id TEXT NOT NULL, opened_case INTEGER NOT NULL, "
      "recorded_at_us INTEGER NOT NULL, source TEXT NOT NULL)",
      "CREATE INDEX signals_client ON signals (client_id, recorded_at_us)",
      // One row per client and category: the case last opened for them (ids are UUIDv7, so
      // MAX(id) is the latest). Opening a case moves it; two concurrent openings conflict here.
      "CREATE TABLE report_keys (client_id TEXT NOT NULL, category TEXT NOT NULL, case_id TEXT NOT NULL, "
      "PRIMARY KEY (client_id, category))",
      "INSERT INTO report_keys (client_id, category, case_id) "
      "SELECT client_id, category, MAX(id) FROM cases GROUP BY client_id, category",
  };
}

absl::Status MigrateIntakeTables(recovery::common::Store& store) { return store.Migrate("intake", IntakeMigrations()); }

absl::Status WriteCaseRows(Tx& tx, const CaseRows& rows) {
  if (rows.report_key) RETURN_IF_ERROR(MoveReportKey(tx, *rows.report_key));
  std::string case_id;
  if (rows.insert_case) {
    RETURN_IF_ERROR(InsertCase(tx, *rows.insert_case));
    case_id = rows.insert_case->id();
  }
  if (rows.save_case) {
    RETURN_IF_ERROR(SaveCase(tx, *rows.save_case));
    case_id = rows.save_case->id();
  }
  for (const v1::StatusTransition& t : rows.transitions) {
    RETURN_IF_ERROR(Insert(tx, "case_transitions", "from_status, to_status, at_us, actor, reason", case_id,
                           {int64_t{t.from()}, int64_t{t.to()}, Micros(t.at()), t.actor(), t.reason()}));
  }
  for (const v1::EmotionalStateRecord& e : rows.emotions) {
    RETURN_IF_ERROR(Insert(tx, "emotional_states", "state, recorded_at_us, recorded_by, source", case_id,
                           {int64_t{e.state()}, Micros(e.recorded_at()), e.recorded_by(), e.source()}));
  }
  for (const v1::ContactRecord& c : rows.contacts) {
    RETURN_IF_ERROR(Insert(tx, "contacts",
                           "contact_id, channel, summary, emotional_state, recorded_by, recorded_at_us, repeat_report",
                           case_id,
                           {c.contact_id(), int64_t{c.channel()}, c.summary(), int64_t{c.emotional_state()},
                            c.recorded_by(), Micros(c.recorded_at()), int64_t{c.repeat_report() ? 1 : 0}}));
  }
  for (const v1::Note& n : rows.notes) {
    RETURN_IF_ERROR(
        Insert(tx, "notes", "note_id, text, shareable, author, created_at_us", case_id,
               {n.note_id(), n.text(), int64_t{n.shareable() ? 1 : 0}, n.author(), Micros(n.created_at())}));
  }
  if (rows.signal) {
    const v1::Signal& s = rows.signal->signal;
    RETURN_IF_ERROR(tx.Exec(
        "INSERT INTO signals (id, kind, client_id, score, detail, case_id, opened_case, recorded_at_us, source) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {s.signal_id(), int64_t{s.kind()}, s.client_id(), s.score(), s.detail(), s.case_id(),
         int64_t{s.opened_case() ? 1 : 0}, Micros(s.recorded_at()), rows.signal->source}));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Case> LoadCase(Tx& tx, const std::string& case_id) {
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT data FROM cases WHERE id = ?", {case_id}));
  if (rows.empty()) return NoCase(case_id);
  return ParseCase(rows[0], 0);
}

absl::StatusOr<v1::Case> LoadFullCase(Tx& tx, const std::string& case_id) {
  ASSIGN_OR_RETURN(v1::Case c, LoadCase(tx, case_id));
  RETURN_IF_ERROR(LoadHistories(tx, &c));
  return c;
}

absl::StatusOr<ReportState> LoadReportState(Tx& tx, const std::string& client_id, const std::string& category) {
  ReportState state;
  ASSIGN_OR_RETURN(auto key, tx.Query("SELECT case_id FROM report_keys WHERE client_id = ? AND category = ?",
                                      {client_id, category}));
  if (!key.empty()) state.report_key = key[0].Str(0);
  ASSIGN_OR_RETURN(auto rows,
                   tx.Query("SELECT data FROM cases WHERE client_id = ? AND category = ? AND status NOT IN "
                            "(?, ?) ORDER BY opened_at_us DESC, id DESC LIMIT 1",
                            {client_id, category, int64_t{v1::CASE_STATUS_RESOLVED}, int64_t{v1::CASE_STATUS_CLOSED}}));
  if (!rows.empty()) {
    ASSIGN_OR_RETURN(state.active, ParseCase(rows[0], 0));
  }
  return state;
}

absl::StatusOr<std::vector<v1::Case>> ListCases(Tx& tx, const v1::ListCasesRequest& req, int limit) {
  std::string where = "1 = 1";
  Params params;
  auto any_of = [&](const std::string& column, const auto& values) {
    if (values.empty()) return;
    std::string marks;
    for (int v : values) {
      marks += marks.empty() ? "?" : ", ?";
      params.emplace_back(std::in_place_type<int64_t>, v);
    }
    absl::StrAppend(&where, " AND ", column, " IN (", marks, ")");
  };
  any_of("status", req.statuses());
  any_of("severity", req.severities());
  if (!req.client_id().empty()) {
    where += " AND client_id = ?";
    params.emplace_back(std::in_place_type<std::string>, req.client_id());
  }
  if (!req.owner().empty()) {
    where += " AND owner = ?";
    params.emplace_back(std::in_place_type<std::string>, req.owner());
  }
  if (req.has_opened_from()) {
    where += " AND opened_at_us >= ?";
    params.emplace_back(std::in_place_type<int64_t>, Micros(req.opened_from()));
  }
  if (req.has_opened_to()) {
    where += " AND opened_at_us < ?";
    params.emplace_back(std::in_place_type<int64_t>, Micros(req.opened_to()));
  }
  if (!req.page_token().empty()) {
    where += " AND id > ?";
    params.emplace_back(std::in_place_type<std::string>, req.page_token());
  }
  params.emplace_back(std::in_place_type<int64_t>, limit);
  ASSIGN_OR_RETURN(auto rows,
                   tx.Query(absl::StrCat("SELECT data FROM cases WHERE ", where, " ORDER BY id LIMIT ?"), params));
  std::vector<v1::Case> out;
  for (const Row& r : rows) {
    ASSIGN_OR_RETURN(v1::Case c, ParseCase(r, 0));
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Signal>> SignalsForClient(Tx& tx, const std::string& client_id) {
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, kind, score, detail, case_id, opened_case, recorded_at_us FROM "
                                       "signals WHERE client_id = ? ORDER BY recorded_at_us, id",
                                       {client_id}));
  std::vector<v1::Signal> out;
  for (const Row& r : rows) {
    v1::Signal s;
    s.set_signal_id(r.Str(0));
    s.set_kind(static_cast<v1::SignalKind>(r.Int(1)));
    s.set_client_id(client_id);
    s.set_score(r.Double(2));
    s.set_detail(r.Str(3));
    s.set_case_id(r.Str(4));
    s.set_opened_case(r.Int(5) != 0);
    *s.mutable_recorded_at() = FromMicros(r.Int(6));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace recovery::intake
