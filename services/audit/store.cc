// Audit log tables and queries.
#include "services/audit/store.h"

#include <limits>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"

namespace recovery::audit {
namespace {

using common::Params;
using common::Row;
using common::Tx;

constexpr char kRecordColumns[] =
    "seq, case_seq, event_id, case_id, event_type, source, occurred_us, event_bytes, event_sha256, prev_hash, "
    "record_hash, recorded_us";

// " AND case_id NOT LIKE 'config:%' AND ..." for every pseudo-case prefix (constants, no
// LIKE wildcards in them).
std::string PseudoCaseExclusion() {
  std::string out;
  for (const char* prefix : kPseudoCasePrefixes) absl::StrAppend(&out, " AND case_id NOT LIKE '", prefix, "%'");
  return out;
}

StoredRecord FromRow(const Row& row) {
  StoredRecord s;
  ChainRecord& r = s.record;
  r.seq = row.Int(0);
  r.case_seq = row.Int(1);
  r.event_id = row.Str(2);
  r.case_id = row.Str(3);
  r.type = row.Str(4);
  r.source = row.Str(5);
  r.occurred_us = row.Int(6);
  r.event_bytes = row.Str(7);
  r.event_sha256 = row.Str(8);
  r.prev_hash = row.Str(9);
  r.record_hash = row.Str(10);
  s.recorded_us = row.Int(11);
  return s;
}

// The stored head as it is (hash "" before the first record).
absl::StatusOr<ChainHead> ReadHead(Tx& tx) {
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT seq, record_hash FROM audit_head WHERE id = 1"));
  if (rows.empty()) return absl::DataLossError("audit_head: row missing");
  return ChainHead{rows[0].Int(0), rows[0].Str(1)};
}

}  // namespace

std::vector<std::string> AuditStore::Migrations() {
  return {
      "CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, case_seq INTEGER NOT NULL, "
      "event_id TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL, event_type TEXT NOT NULL, "
      "source TEXT NOT NULL, occurred_us INTEGER NOT NULL, event_bytes BLOB NOT NULL, "
      "event_sha256 TEXT NOT NULL, prev_hash TEXT NOT NULL, record_hash TEXT NOT NULL, "
      "recorded_us INTEGER NOT NULL, UNIQUE (case_id, case_seq))",
      "CREATE INDEX audit_log_occurred ON audit_log (occurred_us)",
      "CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, "
      "record_hash TEXT NOT NULL)",
      "INSERT INTO audit_head (id, seq, record_hash) VALUES (1, 0, '')",
      // The Merkle log (issue 20). Existing records get their leaves at the next start
      // (AuditApp::CatchUp), since SQL cannot compute SHA-256 on both engines.
      "CREATE TABLE audit_merkle_node (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, "
      "PRIMARY KEY (level, idx))",
      "ALTER TABLE audit_head ADD COLUMN tree_size INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE audit_head ADD COLUMN checkpoint_size INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE audit_head ADD COLUMN checkpoint_us INTEGER NOT NULL DEFAULT 0",
      "CREATE TABLE audit_checkpoint (tree_size INTEGER PRIMARY KEY, root_hash TEXT NOT NULL, "
      "signed_us INTEGER NOT NULL, note TEXT NOT NULL, event_id TEXT NOT NULL UNIQUE)",
      // Events the consumer refused by their signature: never chained, kept as the record
      // of the attempt (the consumer's dead_letters row is parked in the same transaction).
      "CREATE TABLE audit_rejected (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, "
      "event_type TEXT NOT NULL, source TEXT NOT NULL, case_id TEXT NOT NULL, key_id TEXT NOT NULL, "
      "reason TEXT NOT NULL, rejected_us INTEGER NOT NULL, payload_sha256 TEXT NOT NULL, payload BLOB NOT NULL)",
  };
}

absl::StatusOr<ChainHead> AuditStore::Head(Tx& tx) {
  ASSIGN_OR_RETURN(ChainHead head, ReadHead(tx));
  if (head.seq == 0) head.hash = GenesisHash();
  return head;
}

absl::StatusOr<int64_t> AuditStore::LastCaseSeq(Tx& tx, const std::string& case_id) {
  ASSIGN_OR_RETURN(auto rows,
                   tx.Query("SELECT COALESCE(MAX(case_seq), 0) FROM audit_log WHERE case_id = ?", {case_id}));
  return rows[0].Int(0);
}

absl::StatusOr<bool> AuditStore::AppendRecord(Tx& tx, const ChainRecord& r, absl::Time recorded_at) {
  // event_id is UNIQUE: a second copy of an event inserts nothing (no lookup first; DO
  // NOTHING rather than an error, which would end the whole transaction on PostgreSQL), and
  // the head is left as it was.
  static const std::string kInsert =
      absl::StrCat("INSERT INTO audit_log (", kRecordColumns,
                   ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  RETURN_IF_ERROR(tx.Exec(
      kInsert, {r.seq, r.case_seq, r.event_id, r.case_id, r.type, r.source, r.occurred_us, common::Blob{r.event_bytes},
                r.event_sha256, r.prev_hash, r.record_hash, absl::ToUnixMicros(recorded_at)}));
  if (tx.ChangedRows() == 0) return false;
  // Leaf seq - 1 goes with record seq: the guard catches a tree that is not at the chain's head.
  RETURN_IF_ERROR(
      tx.Exec("UPDATE audit_head SET seq = ?, record_hash = ?, tree_size = ? WHERE id = 1 AND tree_size = ?",
              {r.seq, r.record_hash, r.seq, r.seq - 1}));
  if (tx.ChangedRows() != 1)
    return absl::DataLossError(absl::StrCat("audit tree: not at the chain's head before record ", r.seq));
  RETURN_IF_ERROR(InsertLeafNodes(tx, r.seq - 1, merkle::LeafHash(r.event_bytes)));
  return true;
}

absl::Status AuditStore::InsertLeafNodes(Tx& tx, int64_t index, const std::string& leaf_hash) {
  static const std::string kInsert = "INSERT INTO audit_merkle_node (level, idx, hash) VALUES (?, ?, ?)";
  RETURN_IF_ERROR(tx.Exec(kInsert, {int64_t{0}, index, common::Blob{leaf_hash}}));
  std::string hash = leaf_hash;
  const merkle::NodeSource nodes = AuditStore::Nodes(tx);
  for (const auto& [level, i] : merkle::NodesCompletedBy(static_cast<uint64_t>(index))) {
    ASSIGN_OR_RETURN(const std::string left, nodes(level - 1, 2 * i));
    hash = merkle::NodeHash(left, hash);
    RETURN_IF_ERROR(tx.Exec(kInsert, {int64_t{level}, static_cast<int64_t>(i), common::Blob{hash}}));
  }
  return absl::OkStatus();
}

absl::StatusOr<TreeHead> AuditStore::ReadTreeHead(Tx& tx) {
  ASSIGN_OR_RETURN(auto rows,
                   tx.Query("SELECT tree_size, checkpoint_size, checkpoint_us FROM audit_head WHERE id = 1"));
  if (rows.empty()) return absl::DataLossError("audit_head: row missing");
  return TreeHead{rows[0].Int(0), rows[0].Int(1), rows[0].Int(2)};
}

merkle::NodeSource AuditStore::Nodes(Tx& tx) {
  return [&tx](int level, uint64_t index) -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT hash FROM audit_merkle_node WHERE level = ? AND idx = ?",
                                         {int64_t{level}, static_cast<int64_t>(index)}));
    if (rows.empty() || rows[0].Str(0).size() != 32)
      return absl::DataLossError(absl::StrCat("audit_merkle_node (", level, ", ", index, "): missing"));
    return rows[0].Str(0);
  };
}

absl::StatusOr<int64_t> AuditStore::CatchUpTree(Tx& tx, int limit) {
  ASSIGN_OR_RETURN(const TreeHead tree, ReadTreeHead(tx));
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT seq, event_bytes FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                                       {tree.tree_size, int64_t{limit}}));
  int64_t size = tree.tree_size;
  for (const Row& row : rows) {
    if (row.Int(0) != size + 1)
      return absl::DataLossError(absl::StrCat("audit tree: record ", size + 1, " missing from the chain"));
    RETURN_IF_ERROR(InsertLeafNodes(tx, size, merkle::LeafHash(row.Str(1))));
    ++size;
  }
  RETURN_IF_ERROR(tx.Exec("UPDATE audit_head SET tree_size = ? WHERE id = 1", {size}));
  return size - tree.tree_size;
}

absl::Status AuditStore::InsertCheckpoint(Tx& tx, const StoredCheckpoint& c) {
  RETURN_IF_ERROR(
      tx.Exec("INSERT INTO audit_checkpoint (tree_size, root_hash, signed_us, note, event_id) VALUES (?, ?, ?, ?, ?)",
              {c.tree_size, c.root_hash, c.signed_us, c.note, c.event_id}));
  return tx.Exec("UPDATE audit_head SET checkpoint_size = ?, checkpoint_us = ? WHERE id = 1",
                 {c.tree_size, c.signed_us});
}

absl::StatusOr<std::optional<StoredCheckpoint>> AuditStore::CheckpointAt(Tx& tx, int64_t tree_size) {
  constexpr char kColumns[] = "SELECT tree_size, root_hash, signed_us, note, event_id FROM audit_checkpoint ";
  ASSIGN_OR_RETURN(auto rows, tree_size == 0 ? tx.Query(absl::StrCat(kColumns, "ORDER BY tree_size DESC LIMIT 1"))
                                             : tx.Query(absl::StrCat(kColumns, "WHERE tree_size = ?"), {tree_size}));
  if (rows.empty()) return std::nullopt;
  return StoredCheckpoint{rows[0].Int(0), rows[0].Str(1), rows[0].Int(2), rows[0].Str(3), rows[0].Str(4)};
}

absl::StatusOr<bool> AuditStore::IsOwnCheckpointEvent(Tx& tx, const std::string& event_id) {
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT 1 FROM audit_checkpoint WHERE event_id = ?", {event_id}));
  return !rows.empty();
}

absl::StatusOr<std::vector<int64_t>> AuditStore::CaseSeqs(Tx& tx, const std::string& case_id) {
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT seq FROM audit_log WHERE case_id = ? ORDER BY seq", {case_id}));
  std::vector<int64_t> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(row.Int(0));
  return out;
}

absl::Status AuditStore::InTransaction(const std::function<absl::Status(Tx&)>& fn) {
  return common::InTransaction(store_, fn);
}

absl::Status AuditStore::InsertRejected(common::Tx& tx, const RejectedRecord& r) {
  return tx.Exec(
      "INSERT INTO audit_rejected (event_id, event_type, source, case_id, key_id, reason, rejected_us, "
      "payload_sha256, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {r.event_id, r.type, r.source, r.case_id, r.key_id, r.reason, r.rejected_us, r.payload_sha256,
       common::Blob{r.payload}});
}

absl::StatusOr<std::vector<RejectedRecord>> AuditStore::ListRejected(int limit) {
  ASSIGN_OR_RETURN(auto tx, store_.Begin());
  ASSIGN_OR_RETURN(auto rows,
                   tx->Query("SELECT id, event_id, event_type, source, case_id, key_id, reason, rejected_us, "
                             "payload_sha256, payload FROM audit_rejected ORDER BY id DESC LIMIT ?",
                             {int64_t{limit}}));
  std::vector<RejectedRecord> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    out.push_back({.id = row.Int(0),
                   .event_id = row.Str(1),
                   .type = row.Str(2),
                   .source = row.Str(3),
                   .case_id = row.Str(4),
                   .key_id = row.Str(5),
                   .reason = row.Str(6),
                   .rejected_us = row.Int(7),
                   .payload_sha256 = row.Str(8),
                   .payload = row.Str(9)});
  }
  return out;
}

absl::StatusOr<int64_t> AuditStore::CountRejected() {
  ASSIGN_OR_RETURN(auto tx, store_.Begin());
  ASSIGN_OR_RETURN(auto count, tx->Query("SELECT COUNT(*) FROM audit_rejected"));
  return count[0].Int(0);
}

absl::StatusOr<std::vector<StoredRecord>> AuditStore::CaseRecords(const std::string& case_id) {
  auto tx = store_.Begin();
  if (!tx.ok()) return tx.status();
  auto rows = (*tx)->Query(
      absl::StrCat("SELECT ", kRecordColumns, " FROM audit_log WHERE case_id = ? ORDER BY case_seq"), {case_id});
  if (!rows.ok()) return rows.status();
  std::vector<StoredRecord> out;
  out.reserve(rows->size());
  for (const Row& row : *rows) out.push_back(FromRow(row));
  return out;
}

absl::Status AuditStore::Export(const ExportFilter& filter, const std::function<bool(const StoredRecord&)>& emit,
                                int page_size) {
  // One statement with every filter always bound (an empty case id or an open bound
  // matches all), so the parameters are a fixed list.
  const std::string sql = absl::StrCat("SELECT ", kRecordColumns,
                                       " FROM audit_log WHERE seq > ? AND (? = '' OR case_id = ?) "
                                       "AND occurred_us >= ? AND occurred_us < ? ORDER BY seq LIMIT ?");
  const int64_t from_us = filter.from_us.value_or(std::numeric_limits<int64_t>::min());
  const int64_t to_us = filter.to_us.value_or(std::numeric_limits<int64_t>::max());
  int64_t after = 0;
  for (;;) {
    const Params params{after, filter.case_id, filter.case_id, from_us, to_us, int64_t{page_size}};
    std::vector<StoredRecord> page;
    {
      // The page is read and the transaction released before emitting (a slow client
      // must not hold the writer lock).
      auto tx = store_.Begin();
      if (!tx.ok()) return tx.status();
      auto rows = (*tx)->Query(sql, params);
      if (!rows.ok()) return rows.status();
      for (const Row& row : *rows) page.push_back(FromRow(row));
    }
    for (const StoredRecord& r : page) {
      if (!emit(r)) return absl::OkStatus();
      after = r.record.seq;
    }
    if (static_cast<int>(page.size()) < page_size) return absl::OkStatus();
  }
}

absl::StatusOr<AuditStats> AuditStore::Stats() {
  std::lock_guard lock(stats_mu_);
  auto tx = store_.Begin();
  if (!tx.ok()) return tx.status();
  auto head = ReadHead(**tx);
  if (!head.ok()) return head.status();
  if (head->seq < counted_.last_seq) counted_ = AuditStats{};  // a different log (restored file): count again
  // Only the records added since the last call; a case is counted at its first record.
  auto rows = (*tx)->Query(absl::StrCat("SELECT event_type, source, SUM(CASE WHEN case_seq = 1 AND case_id <> ''",
                                        PseudoCaseExclusion(), " THEN 1 ELSE 0 END), COUNT(*) ",
                                        "FROM audit_log WHERE seq > ? AND seq <= ? GROUP BY event_type, source"),
                           {counted_.last_seq, head->seq});
  if (!rows.ok()) return rows.status();
  for (const Row& row : *rows) {
    counted_.by_type[row.Str(0)] += row.Int(3);
    counted_.by_source[row.Str(1)] += row.Int(3);
    counted_.cases += row.Int(2);
    counted_.events_total += row.Int(3);
  }
  counted_.last_seq = head->seq;
  counted_.head_hash = head->hash;
  return counted_;
}

absl::StatusOr<VerifyResult> AuditStore::Verify(int page_size) {
  ChainVerifier verifier;
  VerifyResult result;
  // The Merkle log beside the chain: each stored leaf against its record's bytes, the root of
  // the leaves so far against every kept checkpoint at its size, and at the end against the
  // root the stored subtrees give (what proofs are computed from).
  merkle::CompactRange range;
  std::map<int64_t, std::string> signed_roots;  // tree size -> hex root
  {
    auto tx = store_.Begin();
    if (!tx.ok()) return tx.status();
    auto rows = (*tx)->Query("SELECT tree_size, root_hash FROM audit_checkpoint");
    if (!rows.ok()) return rows.status();
    for (const Row& row : *rows) signed_roots[row.Int(0)] = row.Str(1);
  }
  const auto broken = [&](int64_t seq, std::string event_id, std::string detail) {
    result.first_break = ChainBreak{seq, std::move(event_id), ChainCheck::kMerkle, std::move(detail)};
    result.checked = verifier.checked();
    result.head_hash = verifier.head_hash();
    return result;
  };
  const std::string sql = absl::StrCat("SELECT ", kRecordColumns, " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?");
  int64_t after = 0;
  for (;;) {
    auto tx = store_.Begin();
    if (!tx.ok()) return tx.status();
    auto rows = (*tx)->Query(sql, {after, int64_t{page_size}});
    if (!rows.ok()) return rows.status();
    auto leaf_rows = (*tx)->Query("SELECT idx, hash FROM audit_merkle_node WHERE level = 0 AND idx >= ? AND idx < ?",
                                  {after, after + page_size});
    if (!leaf_rows.ok()) return leaf_rows.status();
    std::map<int64_t, std::string> leaves;
    for (const Row& row : *leaf_rows) leaves[row.Int(0)] = row.Str(1);
    for (const Row& row : *rows) {
      const StoredRecord r = FromRow(row);
      if (auto chain_break = verifier.Add(r.record)) {
        result.first_break = std::move(chain_break);
        result.checked = verifier.checked();
        result.head_hash = verifier.head_hash();
        return result;
      }
      const std::string leaf = merkle::LeafHash(r.record.event_bytes);
      auto stored = leaves.find(r.record.seq - 1);
      if (stored == leaves.end() || stored->second != leaf)
        return broken(r.record.seq, r.record.event_id,
                      absl::StrCat("merkle leaf ", r.record.seq - 1,
                                   stored == leaves.end() ? " is missing" : " is not SHA-256(0x00 || event bytes)"));
      range.Append(leaf);
      auto cp = signed_roots.find(r.record.seq);
      if (cp != signed_roots.end() && cp->second != absl::BytesToHexString(range.Root()))
        return broken(r.record.seq, r.record.event_id,
                      absl::StrCat("the checkpoint at size ", r.record.seq,
                                   " signed another root: the first records changed since it was signed"));
      after = r.record.seq;
    }
    if (static_cast<int>(rows->size()) < page_size) {
      // The last page and the head are read in one transaction, so they agree unless the
      // log was tampered with.
      auto head = ReadHead(**tx);
      if (!head.ok()) return head.status();
      if (auto chain_break = verifier.Finish(head->seq, head->hash)) {
        result.first_break = std::move(chain_break);
        result.checked = verifier.checked();
        result.head_hash = verifier.head_hash();
        return result;
      }
      auto tree = ReadTreeHead(**tx);
      if (!tree.ok()) return tree.status();
      if (tree->tree_size != head->seq)
        return broken(head->seq, "",
                      absl::StrCat("the tree has ", tree->tree_size, " leaves, the chain ", head->seq, " records"));
      for (const auto& [size, root] : signed_roots)
        if (size > head->seq)
          return broken(head->seq, "", absl::StrCat("a checkpoint at size ", size, " covers records that are gone"));
      auto stored_root = merkle::Root(static_cast<uint64_t>(tree->tree_size), Nodes(**tx));
      if (!stored_root.ok() || *stored_root != range.Root())
        return broken(head->seq, "", "the stored subtree hashes give another root than the leaves");
      result.first_break = std::nullopt;
      result.checked = verifier.checked();
      result.head_hash = verifier.head_hash();
      return result;
    }
  }
}

}  // namespace recovery::audit
