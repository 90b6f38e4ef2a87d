// The audit service's tables on the common store: the append-only, hash-chained event log
// (audit_log) and its recorded head (audit_head): what app.cc loads before deciding the next
// record (Head, LastCaseSeq), the append of a decided record, and the queries the RPCs need.
// Beside the chain, the Merkle log (domain/merkle.h): audit_merkle_node holds every complete
// subtree hash (level 0: the leaf hashes by index), so a root or proof reads O(log n) rows;
// audit_head.tree_size counts the leaves; audit_checkpoint keeps the signed checkpoints.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "services/audit/domain/chain.h"
#include "services/audit/domain/merkle.h"
#include "services/common/store.h"

namespace recovery::audit {

struct StoredRecord {
  ChainRecord record;
  int64_t recorded_us = 0;
};

struct ExportFilter {
  std::string case_id;             // "" = every case
  std::optional<int64_t> from_us;  // inclusive
  std::optional<int64_t> to_us;    // exclusive
};

// The envelope case_id prefixes of events about no case: ConfigChanged ("config:<service>"),
// cover requests, overrides and schedule calendar feeds ("schedule:<id>"), person calendar feeds
// ("person:<id>"). Recorded and chained like any other key, but not counted as cases.
// Audit's own checkpoint events are keyed "audit:checkpoints".
inline constexpr const char* kPseudoCasePrefixes[] = {"config:", "schedule:", "person:", "audit:", "access:"};

struct AuditStats {
  int64_t events_total = 0;
  std::map<std::string, int64_t> by_type;
  std::map<std::string, int64_t> by_source;
  // Distinct case ids, not counting the pseudo-keys of events that concern no case
  // (kPseudoCasePrefixes: "config:<service>", "schedule:<id>", "person:<id>").
  int64_t cases = 0;
  int64_t last_seq = 0;
  std::string head_hash;
};

// The Merkle log's head: leaves, and the last checkpoint (size 0: none yet).
struct TreeHead {
  int64_t tree_size = 0;
  int64_t checkpoint_size = 0;
  int64_t checkpoint_us = 0;
};

struct StoredCheckpoint {
  int64_t tree_size = 0;
  std::string root_hash;  // hex
  int64_t signed_us = 0;
  std::string note;      // the signed note
  std::string event_id;  // of the AuditCheckpointPublished event that announced it
};

struct VerifyResult {
  int64_t checked = 0;
  std::string head_hash;
  std::optional<ChainBreak> first_break;
};

// Thread-safe (every call runs in its own store transaction, or in the caller's).
// An event the consumer refused by its signature (audit_rejected).
struct RejectedRecord {
  int64_t id = 0;
  std::string event_id, type, source, case_id, key_id, reason;
  int64_t rejected_us = 0;
  std::string payload_sha256;  // hex
  std::string payload;
};

class AuditStore {
 public:
  explicit AuditStore(common::Store& store) : store_(store) {}

  // The service's migration steps (AuditModule::Migrations, component "audit").
  static std::vector<std::string> Migrations();

  // The recorded head: seq 0 and GenesisHash() before the first record.
  static absl::StatusOr<ChainHead> Head(common::Tx& tx);
  // The case_seq of the case's last record (0 when none).
  static absl::StatusOr<int64_t> LastCaseSeq(common::Tx& tx, const std::string& case_id);
  // Inserts the decided record and moves the head to it, inside tx (the consumer's
  // transaction). Returns false when its event id is already recorded (nothing changes).
  // The record's Merkle leaf (leaf seq - 1 = LeafHash(event_bytes)) is appended with it.
  static absl::StatusOr<bool> AppendRecord(common::Tx& tx, const ChainRecord& record, absl::Time recorded_at);

  static absl::StatusOr<TreeHead> ReadTreeHead(common::Tx& tx);
  // Stores leaf `index` and every complete subtree it completes (merkle::NodesCompletedBy),
  // each the node hash of its left sibling, read back, and the node just below it. Does not
  // move audit_head.tree_size (AppendRecord and CatchUpTree do).
  static absl::Status InsertLeafNodes(common::Tx& tx, int64_t index, const std::string& leaf_hash);
  // Reads stored subtree hashes inside tx (valid while tx is).
  static merkle::NodeSource Nodes(common::Tx& tx);
  // Brings the tree up to the chain's head (a log recorded before the Merkle log existed),
  // at most `limit` leaves; returns how many were added.
  static absl::StatusOr<int64_t> CatchUpTree(common::Tx& tx, int limit);
  static absl::Status InsertCheckpoint(common::Tx& tx, const StoredCheckpoint& checkpoint);
  // The checkpoint at tree_size, or the latest when tree_size is 0; nullopt when none.
  static absl::StatusOr<std::optional<StoredCheckpoint>> CheckpointAt(common::Tx& tx, int64_t tree_size);
  // Whether event_id announced one of this log's own checkpoints.
  static absl::StatusOr<bool> IsOwnCheckpointEvent(common::Tx& tx, const std::string& event_id);
  // The seqs of a case's records, ascending.
  static absl::StatusOr<std::vector<int64_t>> CaseSeqs(common::Tx& tx, const std::string& case_id);

  static absl::Status InsertRejected(common::Tx& tx, const RejectedRecord& record);
  // The newest `limit` rejected events.
  absl::StatusOr<std::vector<RejectedRecord>> ListRejected(int limit);
  // How many rejected events are kept.
  absl::StatusOr<int64_t> CountRejected();

  // Runs fn in a transaction of its own (reads that must agree with each other).
  absl::Status InTransaction(const std::function<absl::Status(common::Tx&)>& fn);

  // Every record of a case in case order.
  absl::StatusOr<std::vector<StoredRecord>> CaseRecords(const std::string& case_id);
  // Calls emit for every matching record in seq order, reading in pages of page_size so
  // that the writer (consumer) is never blocked for long. Stops early when emit is false.
  absl::Status Export(const ExportFilter& filter, const std::function<bool(const StoredRecord&)>& emit,
                      int page_size = 500);
  // Counts are kept in memory and brought up to date from the records appended since the
  // last call (the log is append-only), so a call costs what was added since, not the log's
  // size: polling it does not hold the writer back. The first call after a start reads all.
  absl::StatusOr<AuditStats> Stats();
  // Recomputes the chain from the first record to the recorded head.
  absl::StatusOr<VerifyResult> Verify(int page_size = 1000);

 private:
  common::Store& store_;
  std::mutex stats_mu_;
  AuditStats counted_;  // counts over records with seq <= counted_.last_seq
};

}  // namespace recovery::audit
