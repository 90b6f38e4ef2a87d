// SQL for the escalation service's own tables, and the storage codec of an escalation.
#include "services/escalation/store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "recovery/escalation/storage.pb.h"
#include "recovery/v1/escalation.pb.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using common::Blob;
using common::Row;
using common::Tx;

// escalations.format: what escalations.state holds.
constexpr int64_t kFormatApiInfo = 0;  // recovery.v1.EscalationInfo (rows written before the storage message)
constexpr int64_t kFormatStored = 1;   // recovery.escalation.storage.StoredEscalation

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

constexpr char kOverrideColumns[] =
    "SELECT override_id, schedule_id, person_id, start_at, end_at, reason, created_by, approved_by, cover_request_id"
    " FROM schedule_overrides";

StoredOverride OverrideFromRow(const Row& r) {
  return StoredOverride{
      r.Str(0), r.Str(1), r.Str(2), absl::FromUnixMicros(r.Int(3)), absl::FromUnixMicros(r.Int(4)), r.Str(5),
      r.Str(6), r.Str(7), r.Str(8)};
}

// Unset instants (answered_at, revoked_at) are stored as 0.
int64_t OptionalMicros(absl::Time t) { return t == absl::InfinitePast() ? 0 : absl::ToUnixMicros(t); }
absl::Time TimeFromOptionalMicros(int64_t us) { return us == 0 ? absl::InfinitePast() : absl::FromUnixMicros(us); }

constexpr char kCoverColumns[] =
    "SELECT cover_request_id, schedule_id, requester_id, person_id, start_at, end_at, reason, status, requested_by,"
    " requested_at, answered_by, answered_at, answer_reason, override_id FROM cover_requests";

absl::StatusOr<CoverRequest> CoverFromRow(const Row& r) {
  CoverRequest c;
  c.cover_request_id = r.Str(0);
  c.schedule_id = r.Str(1);
  c.requester_id = r.Str(2);
  c.person_id = r.Str(3);
  c.start = absl::FromUnixMicros(r.Int(4));
  c.end = absl::FromUnixMicros(r.Int(5));
  c.reason = r.Str(6);
  const std::optional<CoverStatus> status = ParseCoverStatus(r.Str(7));
  if (!status) return absl::DataLossError(absl::StrCat("cover_requests.status: unknown '", r.Str(7), "'"));
  c.status = *status;
  c.requested_by = r.Str(8);
  c.requested_at = absl::FromUnixMicros(r.Int(9));
  c.answered_by = r.Str(10);
  c.answered_at = TimeFromOptionalMicros(r.Int(11));
  c.answer_reason = r.Str(12);
  c.override_id = r.Str(13);
  return c;
}

constexpr char kFeedColumns[] =
    "SELECT feed_id, token_sha256, person_id, schedule_id, created_by, created_at, revoked_at, revoked_by"
    " FROM calendar_feeds";

StoredCalendarFeed FeedFromRow(const Row& r) {
  StoredCalendarFeed f;
  f.feed_id = r.Str(0);
  f.token_sha256 = r.Str(1);
  f.person_id = r.Str(2);
  f.schedule_id = r.Str(3);
  f.created_by = r.Str(4);
  f.created_at = absl::FromUnixMicros(r.Int(5));
  if (r.Int(6) != 0) f.revoked_at = absl::FromUnixMicros(r.Int(6));
  f.revoked_by = r.Str(7);
  return f;
}

bool IsActive(EscalationStatus s) { return s == EscalationStatus::kHeld || s == EscalationStatus::kPaging; }

// Status and target kind numbers are the same in the storage and the old API enum.
EscalationStatus StatusFromNumber(int n) {
  switch (n) {
    case 2:
      return EscalationStatus::kHeld;
    case 3:
      return EscalationStatus::kPaging;
    case 4:
      return EscalationStatus::kAcknowledged;
    case 5:
      return EscalationStatus::kResolved;
    case 6:
      return EscalationStatus::kExhausted;
    default:
      return EscalationStatus::kNew;
  }
}
storage::StoredStatus StatusToStored(EscalationStatus s) {
  switch (s) {
    case EscalationStatus::kNew:
      return storage::STORED_STATUS_NEW;
    case EscalationStatus::kHeld:
      return storage::STORED_STATUS_HELD;
    case EscalationStatus::kPaging:
      return storage::STORED_STATUS_PAGING;
    case EscalationStatus::kAcknowledged:
      return storage::STORED_STATUS_ACKNOWLEDGED;
    case EscalationStatus::kResolved:
      return storage::STORED_STATUS_RESOLVED;
    case EscalationStatus::kExhausted:
      return storage::STORED_STATUS_EXHAUSTED;
  }
  return storage::STORED_STATUS_UNSPECIFIED;
}
TargetKind KindFromNumber(int n) {
  switch (n) {
    case 2:
      return TargetKind::kSchedule;
    case 3:
      return TargetKind::kTeam;
    default:
      return TargetKind::kPerson;
  }
}
storage::StoredTargetKind KindToStored(TargetKind k) {
  switch (k) {
    case TargetKind::kPerson:
      return storage::STORED_TARGET_KIND_PERSON;
    case TargetKind::kSchedule:
      return storage::STORED_TARGET_KIND_SCHEDULE;
    case TargetKind::kTeam:
      return storage::STORED_TARGET_KIND_TEAM;
  }
  return storage::STORED_TARGET_KIND_UNSPECIFIED;
}

std::optional<absl::Time> OptionalTime(bool has, const google::protobuf::Timestamp& ts) {
  if (!has) return std::nullopt;
  return common::FromProto(ts);
}
absl::Time TimeOrPast(bool has, const google::protobuf::Timestamp& ts) {
  return has ? common::FromProto(ts) : absl::InfinitePast();
}

// StoredEscalation and the old EscalationInfo have the same shape (field for field), so one
// reader serves both: new rows and rows written before the storage message.
template <typename Message>
EscalationState ReadState(const Message& m) {
  EscalationPlan plan;
  plan.policy_id = m.plan().policy_id();
  plan.repeats = m.plan().repeats();
  plan.fallback_person_id = m.plan().fallback_person_id();
  for (const auto& ti : m.plan().tiers()) {
    Tier t;
    for (const auto& ref : ti.targets()) t.targets.push_back(Target{KindFromNumber(ref.kind()), ref.id()});
    t.ack_timeout = common::FromProtoDuration(ti.ack_timeout());
    plan.tiers.push_back(std::move(t));
  }
  EscalationState s = NewEscalation(m.escalation_id(), m.case_id(), std::move(plan));
  s.status = StatusFromNumber(m.status());
  s.tier = m.tier();
  s.round = m.round();
  s.ack_due = OptionalTime(m.has_ack_due(), m.ack_due());
  s.hold_until = OptionalTime(m.has_hold_until(), m.hold_until());
  s.acknowledged_by = m.acknowledged_by();
  s.resolved_by = m.resolved_by();
  s.team_id = m.team_id();
  s.rule_id = m.rule_id();
  s.business_hours = m.business_hours();
  s.severity = m.severity();
  s.reason = m.reason();
  s.started_at = TimeOrPast(m.has_started_at(), m.started_at());
  s.updated_at = TimeOrPast(m.has_updated_at(), m.updated_at());
  return s;
}

storage::StoredEscalation WriteState(const EscalationState& s) {
  storage::StoredEscalation m;
  m.set_escalation_id(s.escalation_id);
  m.set_case_id(s.case_id);
  m.set_status(StatusToStored(s.status));
  m.set_tier(s.tier);
  m.set_round(s.round);
  if (s.ack_due) *m.mutable_ack_due() = common::ToProto(*s.ack_due);
  if (s.hold_until) *m.mutable_hold_until() = common::ToProto(*s.hold_until);
  m.set_acknowledged_by(s.acknowledged_by);
  m.set_resolved_by(s.resolved_by);
  auto* plan = m.mutable_plan();
  plan->set_policy_id(s.plan.policy_id);
  plan->set_repeats(s.plan.repeats);
  plan->set_fallback_person_id(s.plan.fallback_person_id);
  for (const Tier& t : s.plan.tiers) {
    auto* st = plan->add_tiers();
    for (const Target& target : t.targets) {
      auto* ref = st->add_targets();
      ref->set_kind(KindToStored(target.kind));
      ref->set_id(target.id);
    }
    *st->mutable_ack_timeout() = common::ToProtoDuration(t.ack_timeout);
  }
  m.set_team_id(s.team_id);
  m.set_rule_id(s.rule_id);
  m.set_business_hours(s.business_hours);
  m.set_severity(s.severity);
  m.set_reason(s.reason);
  if (s.started_at != absl::InfinitePast()) *m.mutable_started_at() = common::ToProto(s.started_at);
  if (s.updated_at != absl::InfinitePast()) *m.mutable_updated_at() = common::ToProto(s.updated_at);
  return m;
}

constexpr char kEscalationColumns[] = "SELECT state, format, version FROM escalations";

absl::StatusOr<StoredEscalationRow> FromRow(const Row& r) {
  StoredEscalationRow out;
  out.version = r.Int(2);
  if (r.Int(1) == kFormatApiInfo) {
    v1::EscalationInfo legacy;
    if (!legacy.ParseFromString(r.Str(0))) return absl::DataLossError("escalations.state: corrupt row");
    out.state = ReadState(legacy);
  } else {
    storage::StoredEscalation stored;
    if (!stored.ParseFromString(r.Str(0))) return absl::DataLossError("escalations.state: corrupt row");
    out.state = ReadState(stored);
  }
  return out;
}

delivery::Delivery ToDelivery(const QueuedMessage& m) {
  delivery::Delivery d;
  d.page_id = m.page_id;
  d.kind = m.kind == QueuedMessage::Kind::kPage ? delivery::kKindPage : delivery::kKindReminder;
  d.escalation_id = m.escalation_id;
  d.case_id = m.case_id;
  d.person_id = m.person_id;
  d.channel = m.channel;
  d.target = m.target;
  d.tier = m.tier;
  d.round = m.round;
  d.next_attempt_at = m.not_before;
  d.idempotency_key = m.idempotency_key;
  d.payload = m.payload;
  d.subject = m.subject;
  d.reminder_id = m.reminder_id;
  d.created_at = m.created_at;
  return d;
}

}  // namespace

std::vector<std::string> EscalationMigrations() {
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
  return steps;
}

std::vector<std::string> EscalationStateMigrations() {
  return {
      // Rows written before this step hold an EscalationInfo (format 0) and stay readable.
      "ALTER TABLE escalations ADD COLUMN format INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE escalations ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
      // Who added an override (RemoveOverride lets its creator remove it); "" before this step.
      "ALTER TABLE schedule_overrides ADD COLUMN created_by TEXT NOT NULL DEFAULT ''",
      // ListEscalations across cases filters on these (the StoredStatus number; 0 = not yet
      // filled from the state, which BackfillListColumns does at start-up).
      "ALTER TABLE escalations ADD COLUMN status INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE escalations ADD COLUMN team_id TEXT NOT NULL DEFAULT ''",
      "CREATE INDEX escalations_status ON escalations (status, escalation_id)",
      "CREATE INDEX escalations_team ON escalations (team_id, escalation_id)",
      // An accepted cover request's override: who approved it (the teammate) and the request.
      "ALTER TABLE schedule_overrides ADD COLUMN approved_by TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE schedule_overrides ADD COLUMN cover_request_id TEXT NOT NULL DEFAULT ''",
      // Cover requests (domain/cover.h); answered_at 0 while pending.
      "CREATE TABLE cover_requests (cover_request_id TEXT PRIMARY KEY, schedule_id TEXT NOT NULL,"
      " requester_id TEXT NOT NULL, person_id TEXT NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL,"
      " reason TEXT NOT NULL, status TEXT NOT NULL, requested_by TEXT NOT NULL, requested_at INTEGER NOT NULL,"
      " answered_by TEXT NOT NULL, answered_at INTEGER NOT NULL, answer_reason TEXT NOT NULL,"
      " override_id TEXT NOT NULL)",
      "CREATE INDEX cover_requests_schedule ON cover_requests (schedule_id)",
      "CREATE INDEX cover_requests_requester ON cover_requests (requester_id)",
      "CREATE INDEX cover_requests_person ON cover_requests (person_id)",
      // Calendar feeds: the token only as its SHA-256; revoked_at 0 while active.
      "CREATE TABLE calendar_feeds (feed_id TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL UNIQUE,"
      " person_id TEXT NOT NULL, schedule_id TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,"
      " revoked_at INTEGER NOT NULL, revoked_by TEXT NOT NULL)",
      // Acknowledge links used (AcknowledgeByLink): one per page, so a link acknowledges once.
      "CREATE TABLE ack_links_used (page_id TEXT PRIMARY KEY, used_at INTEGER NOT NULL, used_by TEXT NOT NULL)",
  };
}

QueuedMessage ToQueuedMessage(const delivery::Delivery& d) {
  QueuedMessage m;
  m.kind = d.kind == delivery::kKindReminder ? QueuedMessage::Kind::kReminder : QueuedMessage::Kind::kPage;
  m.page_id = d.page_id;
  m.escalation_id = d.escalation_id;
  m.case_id = d.case_id;
  m.person_id = d.person_id;
  m.channel = d.channel;
  m.target = d.target;
  m.tier = d.tier;
  m.round = d.round;
  m.not_before = d.next_attempt_at;
  m.idempotency_key = d.idempotency_key;
  m.payload = d.payload;
  m.subject = d.subject;
  m.reminder_id = d.reminder_id;
  m.created_at = d.created_at;
  return m;
}

absl::StatusOr<std::optional<CaseFacts>> LoadCase(Tx& tx, const std::string& case_id) {
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT case_id, category, severity, client_id, client_tier,"
                                       " client_calendar_id, summary FROM esc_cases WHERE case_id = ?",
                                       {case_id}));
  if (rows.empty()) return std::nullopt;
  const Row& r = rows[0];
  return CaseFacts{r.Str(0), r.Str(1), static_cast<Severity>(r.Int(2)), r.Str(4), r.Str(3), r.Str(5), r.Str(6)};
}

absl::Status SaveCase(Tx& tx, const CaseFacts& c) {
  RETURN_IF_ERROR(tx.Exec("DELETE FROM esc_cases WHERE case_id = ?", {c.case_id}));
  return tx.Exec(
      "INSERT INTO esc_cases (case_id, category, severity, client_id, client_tier, client_calendar_id, summary)"
      " VALUES (?,?,?,?,?,?,?)",
      {c.case_id, c.category, int64_t{c.severity}, c.client_id, c.client_tier, c.client_calendar_id, c.summary});
}

absl::StatusOr<std::optional<StoredEscalationRow>> LoadEscalation(Tx& tx, const std::string& escalation_id) {
  ASSIGN_OR_RETURN(auto rows, tx.Query(absl::StrCat(kEscalationColumns, " WHERE escalation_id = ?"), {escalation_id}));
  if (rows.empty()) return std::nullopt;
  ASSIGN_OR_RETURN(StoredEscalationRow row, FromRow(rows[0]));
  return row;
}

absl::Status SaveEscalation(Tx& tx, const EscalationState& s, std::optional<int64_t> version) {
  const std::string blob = WriteState(s).SerializeAsString();
  const int64_t active = IsActive(s.status) ? 1 : 0;
  const int64_t updated = absl::ToUnixSeconds(s.updated_at == absl::InfinitePast() ? absl::UnixEpoch() : s.updated_at);
  const int64_t status = StatusToStored(s.status);
  if (!version) {
    return tx.Exec(
        "INSERT INTO escalations (escalation_id, case_id, active, state, updated_at, format, version, status, team_id)"
        " VALUES (?,?,?,?,?,?,1,?,?)",
        {s.escalation_id, s.case_id, active, Blob{blob}, updated, kFormatStored, status, s.team_id});
  }
  RETURN_IF_ERROR(tx.Exec(
      "UPDATE escalations SET active = ?, state = ?, updated_at = ?, format = ?, version = ?, status = ?, team_id = ?"
      " WHERE escalation_id = ? AND version = ?",
      {active, Blob{blob}, updated, kFormatStored, *version + 1, status, s.team_id, s.escalation_id, *version}));
  if (tx.ChangedRows() != 1) {
    return absl::AbortedError(absl::StrCat("escalation ", s.escalation_id, " changed concurrently"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredEscalationRow>> ListEscalations(Tx& tx, const std::string& case_id, bool active_only) {
  ASSIGN_OR_RETURN(auto rows, tx.Query(absl::StrCat(kEscalationColumns, " WHERE case_id = ?",
                                                    active_only ? " AND active = 1" : "", " ORDER BY escalation_id"),
                                       {case_id}));
  std::vector<StoredEscalationRow> out;
  for (const Row& r : rows) {
    ASSIGN_OR_RETURN(StoredEscalationRow row, FromRow(r));
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<std::vector<StoredEscalationRow>> FindEscalations(Tx& tx, const EscalationFilter& filter,
                                                                 const std::string& after_id, int limit) {
  std::string where = "1 = 1";
  common::Params params;
  if (!filter.case_id.empty()) {
    where += " AND case_id = ?";
    params.emplace_back(filter.case_id);
  }
  if (!filter.team_id.empty()) {
    where += " AND team_id = ?";
    params.emplace_back(filter.team_id);
  }
  if (!filter.statuses.empty()) {
    std::string marks;
    for (EscalationStatus st : filter.statuses) {
      marks += marks.empty() ? "?" : ", ?";
      params.emplace_back(int64_t{StatusToStored(st)});
    }
    absl::StrAppend(&where, " AND status IN (", marks, ")");
  }
  // One case reads as its history (oldest first); across cases the newest come first.
  const bool ascending = !filter.case_id.empty();
  if (!after_id.empty()) {
    absl::StrAppend(&where, " AND escalation_id ", ascending ? ">" : "<", " ?");
    params.emplace_back(after_id);
  }
  params.emplace_back(int64_t{limit});
  ASSIGN_OR_RETURN(auto rows, tx.Query(absl::StrCat(kEscalationColumns, " WHERE ", where, " ORDER BY escalation_id",
                                                    ascending ? "" : " DESC", " LIMIT ?"),
                                       params));
  std::vector<StoredEscalationRow> out;
  for (const Row& r : rows) {
    ASSIGN_OR_RETURN(StoredEscalationRow row, FromRow(r));
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<int> BackfillListColumns(Tx& tx, int limit) {
  // FromRow reads the first three columns; the id follows.
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT state, format, version, escalation_id FROM escalations"
                                       " WHERE status = 0 ORDER BY escalation_id LIMIT ?",
                                       {int64_t{limit}}));
  for (const Row& r : rows) {
    const std::string id = r.Str(3);
    absl::StatusOr<StoredEscalationRow> row = FromRow(r);
    if (!row.ok()) {
      // An unreadable row matches no status filter (-1) and is not read again here.
      RETURN_IF_ERROR(tx.Exec("UPDATE escalations SET status = -1 WHERE escalation_id = ?", {id}));
      continue;
    }
    // Over the version read: a concurrent save writes the columns itself.
    RETURN_IF_ERROR(tx.Exec("UPDATE escalations SET status = ?, team_id = ? WHERE escalation_id = ? AND version = ?",
                            {int64_t{StatusToStored(row->state.status)}, row->state.team_id, id, row->version}));
  }
  return static_cast<int>(rows.size());
}

absl::Status WriteRows(Tx& tx, const EscalationRows& rows, std::optional<int64_t> version) {
  if (rows.escalation) RETURN_IF_ERROR(SaveEscalation(tx, *rows.escalation, version));
  if (rows.cancel_undelivered && rows.escalation) {
    RETURN_IF_ERROR(delivery::CancelUndelivered(tx, rows.escalation->escalation_id).status());
  } else if (rows.supersede_undelivered && rows.escalation) {
    RETURN_IF_ERROR(delivery::SupersedeUndelivered(tx, rows.escalation->escalation_id).status());
  }
  for (const QueuedMessage& m : rows.queue) {
    ASSIGN_OR_RETURN(const bool inserted, delivery::Enqueue(tx, ToDelivery(m)));
    if (!inserted && m.kind == QueuedMessage::Kind::kPage) {
      return absl::AbortedError(absl::StrCat("page ", m.idempotency_key, " is already queued"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<QueuedMessage>> LoadQueued(Tx& tx, const std::string& page_id) {
  ASSIGN_OR_RETURN(auto d, delivery::LoadDelivery(tx, page_id));
  if (!d) return std::nullopt;
  return ToQueuedMessage(*d);
}

absl::Status InsertOverride(Tx& tx, const StoredOverride& o) {
  return tx.Exec(
      "INSERT INTO schedule_overrides (override_id, schedule_id, person_id, start_at, end_at, reason, created_by,"
      " approved_by, cover_request_id) VALUES (?,?,?,?,?,?,?,?,?)",
      {o.override_id, o.schedule_id, o.person_id, Micros(o.start), Micros(o.end), o.reason, o.created_by, o.approved_by,
       o.cover_request_id});
}

absl::StatusOr<std::optional<StoredOverride>> LoadOverride(Tx& tx, const std::string& override_id) {
  ASSIGN_OR_RETURN(auto rows, tx.Query(absl::StrCat(kOverrideColumns, " WHERE override_id = ?"), {override_id}));
  if (rows.empty()) return std::nullopt;
  return OverrideFromRow(rows[0]);
}

absl::Status DeleteOverride(Tx& tx, const std::string& override_id) {
  return tx.Exec("DELETE FROM schedule_overrides WHERE override_id = ?", {override_id});
}

absl::StatusOr<std::vector<StoredOverride>> ListOverrides(Tx& tx) {
  ASSIGN_OR_RETURN(auto rows, tx.Query(absl::StrCat(kOverrideColumns, " ORDER BY override_id")));
  std::vector<StoredOverride> out;
  for (const Row& r : rows) out.push_back(OverrideFromRow(r));
  return out;
}

absl::Status WriteCoverRows(Tx& tx, const CoverRows& rows) {
  const CoverRequest& c = rows.request;
  if (rows.inserted) {
    RETURN_IF_ERROR(
        tx.Exec("INSERT INTO cover_requests (cover_request_id, schedule_id, requester_id, person_id, start_at, end_at,"
                " reason, status, requested_by, requested_at, answered_by, answered_at, answer_reason, override_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                {c.cover_request_id, c.schedule_id, c.requester_id, c.person_id, Micros(c.start), Micros(c.end),
                 c.reason, std::string(CoverStatusName(c.status)), c.requested_by, Micros(c.requested_at),
                 c.answered_by, OptionalMicros(c.answered_at), c.answer_reason, c.override_id}));
  } else {
    // Every change of a request is from pending; a second answer at once finds it changed.
    RETURN_IF_ERROR(tx.Exec(
        "UPDATE cover_requests SET status = ?, answered_by = ?, answered_at = ?, answer_reason = ?, override_id = ?"
        " WHERE cover_request_id = ? AND status = 'pending'",
        {std::string(CoverStatusName(c.status)), c.answered_by, OptionalMicros(c.answered_at), c.answer_reason,
         c.override_id, c.cover_request_id}));
    if (tx.ChangedRows() != 1) {
      return absl::AbortedError(absl::StrCat("cover request ", c.cover_request_id, " changed concurrently"));
    }
  }
  if (const auto& o = rows.add_override) {
    RETURN_IF_ERROR(InsertOverride(tx, StoredOverride{o->override_id, o->schedule_id, o->person_id, o->start, o->end,
                                                      o->reason, o->created_by, o->approved_by, o->cover_request_id}));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<CoverRequest>> LoadCoverRequest(Tx& tx, const std::string& cover_request_id) {
  ASSIGN_OR_RETURN(auto rows, tx.Query(absl::StrCat(kCoverColumns, " WHERE cover_request_id = ?"), {cover_request_id}));
  if (rows.empty()) return std::nullopt;
  ASSIGN_OR_RETURN(CoverRequest c, CoverFromRow(rows[0]));
  return c;
}

absl::StatusOr<std::vector<CoverRequest>> ListCoverRequests(Tx& tx, const CoverFilter& f, absl::Time now) {
  std::string sql = absl::StrCat(kCoverColumns, " WHERE 1 = 1");
  common::Params params;
  auto where = [&](const char* clause, common::Value value) {
    absl::StrAppend(&sql, " AND ", clause);
    params.push_back(std::move(value));
  };
  if (!f.requester_id.empty()) where("requester_id = ?", f.requester_id);
  if (!f.person_id.empty()) where("person_id = ?", f.person_id);
  if (!f.schedule_id.empty()) where("schedule_id = ?", f.schedule_id);
  if (!f.before_id.empty()) where("cover_request_id < ?", f.before_id);
  if (f.status) {
    // As EffectiveStatus: a pending request at or after its start reads as expired.
    switch (*f.status) {
      case CoverStatus::kPending:
        where("status = 'pending' AND start_at > ?", Micros(now));
        break;
      case CoverStatus::kExpired:
        where("(status = 'expired' OR (status = 'pending' AND start_at <= ?))", Micros(now));
        break;
      default:
        where("status = ?", std::string(CoverStatusName(*f.status)));
    }
  }
  absl::StrAppend(&sql, " ORDER BY cover_request_id DESC LIMIT ", std::max(1, f.limit));
  ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  std::vector<CoverRequest> out;
  for (const Row& r : rows) {
    ASSIGN_OR_RETURN(CoverRequest c, CoverFromRow(r));
    out.push_back(std::move(c));
  }
  return out;
}

absl::Status InsertCalendarFeed(Tx& tx, const StoredCalendarFeed& f) {
  return tx.Exec(
      "INSERT INTO calendar_feeds (feed_id, token_sha256, person_id, schedule_id, created_by, created_at, revoked_at,"
      " revoked_by) VALUES (?,?,?,?,?,?,?,?)",
      {f.feed_id, f.token_sha256, f.person_id, f.schedule_id, f.created_by, Micros(f.created_at),
       f.revoked_at ? Micros(*f.revoked_at) : int64_t{0}, f.revoked_by});
}

absl::StatusOr<std::optional<StoredCalendarFeed>> LoadCalendarFeed(Tx& tx, const std::string& feed_id) {
  ASSIGN_OR_RETURN(auto rows, tx.Query(absl::StrCat(kFeedColumns, " WHERE feed_id = ?"), {feed_id}));
  if (rows.empty()) return std::nullopt;
  return FeedFromRow(rows[0]);
}

absl::StatusOr<std::optional<StoredCalendarFeed>> FindCalendarFeedByTokenHash(Tx& tx, const std::string& token_sha256) {
  ASSIGN_OR_RETURN(auto rows, tx.Query(absl::StrCat(kFeedColumns, " WHERE token_sha256 = ?"), {token_sha256}));
  if (rows.empty()) return std::nullopt;
  return FeedFromRow(rows[0]);
}

absl::StatusOr<std::vector<StoredCalendarFeed>> ListCalendarFeeds(Tx& tx, bool include_revoked) {
  ASSIGN_OR_RETURN(auto rows, tx.Query(absl::StrCat(kFeedColumns, include_revoked ? "" : " WHERE revoked_at = 0",
                                                    " ORDER BY feed_id DESC")));
  std::vector<StoredCalendarFeed> out;
  for (const Row& r : rows) out.push_back(FeedFromRow(r));
  return out;
}

absl::Status RevokeCalendarFeed(Tx& tx, const std::string& feed_id, absl::Time at, const std::string& by) {
  RETURN_IF_ERROR(
      tx.Exec("UPDATE calendar_feeds SET revoked_at = ?, revoked_by = ? WHERE feed_id = ? AND revoked_at = 0",
              {Micros(at), by, feed_id}));
  if (tx.ChangedRows() != 1)
    return absl::AbortedError(absl::StrCat("calendar feed ", feed_id, " changed concurrently"));
  return absl::OkStatus();
}

absl::Status InsertUsedAckLink(Tx& tx, const UsedAckLink& used) {
  RETURN_IF_ERROR(
      tx.Exec("INSERT INTO ack_links_used (page_id, used_at, used_by) VALUES (?,?,?) ON CONFLICT (page_id) DO NOTHING",
              {used.page_id, Micros(used.used_at), used.used_by}));
  if (tx.ChangedRows() != 1) {
    return absl::AbortedError(absl::StrCat("the acknowledge link of page ", used.page_id, " was used concurrently"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<UsedAckLink>> LoadUsedAckLink(Tx& tx, const std::string& page_id) {
  ASSIGN_OR_RETURN(auto rows,
                   tx.Query("SELECT page_id, used_at, used_by FROM ack_links_used WHERE page_id = ?", {page_id}));
  if (rows.empty()) return std::nullopt;
  return UsedAckLink{rows[0].Str(0), absl::FromUnixMicros(rows[0].Int(1)), rows[0].Str(2)};
}

}  // namespace recovery::escalation
