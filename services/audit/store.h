// The audit service's tables on the common store: the append-only, hash-chained event log
// (audit_log) and its recorded head (audit_head): what app.cc loads before deciding the next
// record (Head, LastCaseSeq), the append of a decided record, and the queries the RPCs need.
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
inline constexpr const char* kPseudoCasePrefixes[] = {"config:", "schedule:", "person:"};

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

struct VerifyResult {
  int64_t checked = 0;
  std::string head_hash;
  std::optional<ChainBreak> first_break;
};

// Thread-safe (every call runs in its own store transaction, or in the caller's).
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
  static absl::StatusOr<bool> AppendRecord(common::Tx& tx, const ChainRecord& record, absl::Time recorded_at);

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
