// Intake tables and queries.
#include "services/intake/store.h"

#include "absl/strings/str_cat.h"
#include "services/common/events.h"

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
using recovery::common::Blob;
using recovery::common::FromProto;
using recovery::common::Params;
using recovery::common::Row;
using recovery::common::ToProto;

int64_t Micros(const google::protobuf::Timestamp& ts) { return absl::ToUnixMicros(FromProto(ts)); }
google::protobuf::Timestamp FromMicros(int64_t us) { return ToProto(absl::FromUnixMicros(us)); }

std::string Bytes(const google::protobuf::Message& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

absl::StatusOr<v1::Case> ParseCase(const Row& row, size_t col) {
  v1::Case c;
  if (!c.ParseFromString(row.Str(col))) return absl::InternalError("cases.data: stored case is corrupt");
  return c;
}

// Appends a row to a per-case history table with the case's next sequence number, in one
// statement (inside the writer transaction, so the MAX cannot race). A VALUES list, so that
// PostgreSQL types the text parameters from the target columns.
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

}  // namespace

absl::Status MigrateIntakeTables(recovery::common::Store& store) {
  return store.Migrate(
      "intake",
      {
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
      });
}

absl::Status InsertCase(Tx& tx, const v1::Case& c) {
  v1::Case core = c;
  core.clear_transitions();
  core.clear_emotional_history();
  core.clear_contacts();
  core.clear_notes();
  return tx.Exec(
      "INSERT INTO cases (id, client_id, category, severity, status, owner, opened_at_us, updated_at_us, data) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {c.id(), c.client().id(), c.category(), int64_t{c.severity()}, int64_t{c.status()}, c.owner(),
       Micros(c.opened_at()), Micros(c.updated_at()), Blob{Bytes(core)}});
}

absl::Status SaveCase(Tx& tx, const v1::Case& c) {
  v1::Case core = c;
  core.clear_transitions();
  core.clear_emotional_history();
  core.clear_contacts();
  core.clear_notes();
  if (auto s = tx.Exec(
          "UPDATE cases SET client_id = ?, category = ?, severity = ?, status = ?, owner = ?, updated_at_us = ?, "
          "data = ? WHERE id = ?",
          {c.client().id(), c.category(), int64_t{c.severity()}, int64_t{c.status()}, c.owner(), Micros(c.updated_at()),
           Blob{Bytes(core)}, c.id()});
      !s.ok())
    return s;
  if (tx.ChangedRows() != 1) return absl::NotFoundError(absl::StrCat("case_id: no case '", c.id(), "'"));
  return absl::OkStatus();
}

absl::StatusOr<v1::Case> LoadCase(Tx& tx, const std::string& case_id) {
  auto rows = tx.Query("SELECT data FROM cases WHERE id = ?", {case_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::NotFoundError(absl::StrCat("case_id: no case '", case_id, "'"));
  return ParseCase((*rows)[0], 0);
}

absl::Status LoadHistories(Tx& tx, v1::Case* c) {
  c->clear_transitions();
  c->clear_emotional_history();
  c->clear_contacts();
  c->clear_notes();
  const Params id{c->id()};
  auto transitions = tx.Query(
      "SELECT from_status, to_status, at_us, actor, reason FROM case_transitions WHERE case_id = ? ORDER BY seq", id);
  if (!transitions.ok()) return transitions.status();
  for (const Row& r : *transitions) {
    auto* t = c->add_transitions();
    t->set_from(static_cast<v1::CaseStatus>(r.Int(0)));
    t->set_to(static_cast<v1::CaseStatus>(r.Int(1)));
    *t->mutable_at() = FromMicros(r.Int(2));
    t->set_actor(r.Str(3));
    t->set_reason(r.Str(4));
  }
  auto emotions = tx.Query(
      "SELECT state, recorded_at_us, recorded_by, source FROM emotional_states WHERE case_id = ? ORDER BY seq", id);
  if (!emotions.ok()) return emotions.status();
  for (const Row& r : *emotions) {
    auto* e = c->add_emotional_history();
    e->set_state(static_cast<v1::EmotionalState>(r.Int(0)));
    *e->mutable_recorded_at() = FromMicros(r.Int(1));
    e->set_recorded_by(r.Str(2));
    e->set_source(r.Str(3));
  }
  auto contacts = tx.Query(
      "SELECT contact_id, channel, summary, emotional_state, recorded_by, recorded_at_us, repeat_report FROM contacts "
      "WHERE case_id = ? ORDER BY seq",
      id);
  if (!contacts.ok()) return contacts.status();
  for (const Row& r : *contacts) {
    auto* k = c->add_contacts();
    k->set_contact_id(r.Str(0));
    k->set_channel(static_cast<v1::Channel>(r.Int(1)));
    k->set_summary(r.Str(2));
    k->set_emotional_state(static_cast<v1::EmotionalState>(r.Int(3)));
    k->set_recorded_by(r.Str(4));
    *k->mutable_recorded_at() = FromMicros(r.Int(5));
    k->set_repeat_report(r.Int(6) != 0);
  }
  auto notes =
      tx.Query("SELECT note_id, text, shareable, author, created_at_us FROM notes WHERE case_id = ? ORDER BY seq", id);
  if (!notes.ok()) return notes.status();
  for (const Row& r : *notes) {
    auto* n = c->add_notes();
    n->set_note_id(r.Str(0));
    n->set_text(r.Str(1));
    n->set_shareable(r.Int(2) != 0);
    n->set_author(r.Str(3));
    *n->mutable_created_at() = FromMicros(r.Int(4));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::Case>> FindActiveCase(Tx& tx, const std::string& client_id,
                                                       const std::string& category) {
  auto rows = tx.Query(
      "SELECT data FROM cases WHERE client_id = ? AND category = ? AND status NOT IN (?, ?) "
      "ORDER BY opened_at_us DESC, id DESC LIMIT 1",
      {client_id, category, int64_t{v1::CASE_STATUS_RESOLVED}, int64_t{v1::CASE_STATUS_CLOSED}});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<v1::Case>();
  auto c = ParseCase((*rows)[0], 0);
  if (!c.ok()) return c.status();
  return std::optional<v1::Case>(std::move(*c));
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
  auto rows = tx.Query(absl::StrCat("SELECT data FROM cases WHERE ", where, " ORDER BY id LIMIT ?"), params);
  if (!rows.ok()) return rows.status();
  std::vector<v1::Case> out;
  for (const Row& r : *rows) {
    auto c = ParseCase(r, 0);
    if (!c.ok()) return c.status();
    out.push_back(std::move(*c));
  }
  return out;
}

absl::Status AddTransition(Tx& tx, const std::string& case_id, const v1::StatusTransition& t) {
  return Insert(tx, "case_transitions", "from_status, to_status, at_us, actor, reason", case_id,
                {int64_t{t.from()}, int64_t{t.to()}, Micros(t.at()), t.actor(), t.reason()});
}

absl::Status AddEmotionalState(Tx& tx, const std::string& case_id, const v1::EmotionalStateRecord& e) {
  return Insert(tx, "emotional_states", "state, recorded_at_us, recorded_by, source", case_id,
                {int64_t{e.state()}, Micros(e.recorded_at()), e.recorded_by(), e.source()});
}

absl::Status AddContact(Tx& tx, const std::string& case_id, const v1::ContactRecord& c) {
  return Insert(tx, "contacts",
                "contact_id, channel, summary, emotional_state, recorded_by, recorded_at_us, repeat_report", case_id,
                {c.contact_id(), int64_t{c.channel()}, c.summary(), int64_t{c.emotional_state()}, c.recorded_by(),
                 Micros(c.recorded_at()), int64_t{c.repeat_report() ? 1 : 0}});
}

absl::Status AddNote(Tx& tx, const std::string& case_id, const v1::Note& n) {
  return Insert(tx, "notes", "note_id, text, shareable, author, created_at_us", case_id,
                {n.note_id(), n.text(), int64_t{n.shareable() ? 1 : 0}, n.author(), Micros(n.created_at())});
}

absl::Status AddSignal(Tx& tx, const v1::Signal& s, const std::string& source) {
  return tx.Exec(
      "INSERT INTO signals (id, kind, client_id, score, detail, case_id, opened_case, recorded_at_us, source) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {s.signal_id(), int64_t{s.kind()}, s.client_id(), s.score(), s.detail(), s.case_id(),
       int64_t{s.opened_case() ? 1 : 0}, Micros(s.recorded_at()), source});
}

absl::StatusOr<std::vector<v1::Signal>> SignalsForClient(Tx& tx, const std::string& client_id) {
  auto rows = tx.Query(
      "SELECT id, kind, score, detail, case_id, opened_case, recorded_at_us FROM signals WHERE client_id = ? "
      "ORDER BY recorded_at_us, id",
      {client_id});
  if (!rows.ok()) return rows.status();
  std::vector<v1::Signal> out;
  for (const Row& r : *rows) {
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
