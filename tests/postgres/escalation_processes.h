// The real recovery-escalation binary on PostgreSQL, for the replica and fault tests: starting
// replicas, the pages a webhook receiver got, and what the service's database says about its
// deliveries. Not thread-safe: the test thread drives it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "services/common/status_macros.h"
#include "services/common/store.h"
#include "tests/escalation/webhook_receiver.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"

namespace recovery::testing {

using recovery::escalation::testing::WebhookReceiver;

inline constexpr char kEscalationBinary[] = "services/escalation/recovery-escalation";

inline bool EscalationBinaryBuilt() { return std::filesystem::exists(BinaryPath(kEscalationBinary)); }

// One replica of the escalation binary on `db` with the dev broker at `brokers`, on the manual
// clock (kManualClockStart, a Tuesday after hours); its port file and log are <tag>.* in `dir`.
inline ServiceProcess StartEscalation(const TempDir& dir, const std::string& tag, const std::string& db,
                                      const std::string& brokers, const std::string& config) {
  return ServiceProcess(
      kEscalationBinary, dir, tag,
      ServiceFlags{.db = db, .brokers = brokers, .config = config, .manual_clock = kManualClockStart});
}

// Requests per Idempotency-Key the receiver got on `path` ("" for every path).
inline std::map<std::string, int> RequestsPerKey(const WebhookReceiver& rx, const std::string& path = "") {
  std::map<std::string, int> out;
  for (const auto& r : rx.requests()) {
    if (!path.empty() && r.path != path) continue;
    auto it = r.headers.find("idempotency-key");
    ++out[it == r.headers.end() ? "" : it->second];
  }
  return out;
}

// Distinct idempotency keys and total requests on `path`.
inline std::pair<size_t, size_t> Pages(const WebhookReceiver& rx, const std::string& path) {
  size_t total = 0;
  const std::map<std::string, int> keys = RequestsPerKey(rx, path);
  for (const auto& [key, n] : keys) total += static_cast<size_t>(n);
  return {keys.size(), total};
}

// Until `n` distinct pages arrived on `path`.
inline bool WaitForPages(const WebhookReceiver& rx, const std::string& path, size_t n, absl::Duration timeout) {
  return PollUntil([&] { return Pages(rx, path).first >= n; }, timeout);
}

// A delivery_queue row as the tests look at it.
struct DeliveryRow {
  std::string page_id;
  std::string person_id;
  std::string channel;
  std::string status;
  std::string owner;  // "<replica>/<pid>/<random>" of the last claim
  std::string idempotency_key;
  int64_t resends = 0;
};

// The process id in a lease owner "<replica>/<pid>/<random>" (0 for another shape), to tell
// which replica (ServiceProcess::process().pid()) holds a row.
inline pid_t OwnerPid(const std::string& owner) {
  const size_t last = owner.rfind('/');
  if (last == std::string::npos || last == 0) return 0;
  const size_t mid = owner.rfind('/', last - 1);
  if (mid == std::string::npos) return 0;
  int64_t pid = 0;
  return absl::SimpleAtoi(owner.substr(mid + 1, last - mid - 1), &pid) ? static_cast<pid_t>(pid) : 0;
}

// Every delivery row, oldest first; an error is a (non-fatal) test failure and an empty list.
inline std::vector<DeliveryRow> DeliveryRows(common::Store& store) {
  std::vector<DeliveryRow> out;
  const absl::Status s = common::InTransaction(store, [&](common::Tx& tx) -> absl::Status {
    out.clear();
    ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT page_id, person_id, channel, status, owner, idempotency_key, resends "
                                         "FROM delivery_queue ORDER BY created_at, page_id"));
    for (const common::Row& r : rows)
      out.push_back({r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Str(5), r.Int(6)});
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << "reading delivery_queue: " << s;
  return out;
}

// True when no row is pending or sending: nothing can be sent any more (a send needs a
// claim, and only such a row is claimed), so the receiver has seen every request it will get.
inline bool DeliveriesSettled(common::Store& store) {
  const std::vector<DeliveryRow> rows = DeliveryRows(store);
  for (const DeliveryRow& r : rows)
    if (r.status == "pending" || r.status == "sending") return false;
  return !rows.empty();
}

// The first column of the first row of `sql` as an integer (-1 on an error, a test failure).
inline int64_t QueryInt(common::Store& store, const std::string& sql, const common::Params& params = {}) {
  int64_t n = -1;
  const absl::Status s = common::InTransaction(store, [&](common::Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
    n = rows.empty() || rows[0].IsNull(0) ? 0 : rows[0].Int(0);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << sql << ": " << s;
  return s.ok() ? n : -1;
}

}  // namespace recovery::testing
