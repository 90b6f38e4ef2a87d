// AccessLog: reads of case data, recorded with who made them. The access interceptor calls
// Record for every admitted call of a method the policy audits (`access_audit:` in the policy
// table; GetCase, GetTimeline, ExportEvents, ... and so every console view, which calls them
// with the signed-in person's token). Reads are aggregated per (reader, method, case) in
// memory and written once per window as CaseDataRead events through the outbox (envelope case
// id "access:<case id>", actor the reader), so a busy screen polling every few seconds makes one
// record a window, not one per poll. Audit chains them like any event; auditors query them with
// ListCaseAccess (`srctl audit access --case C`).
//
// What a crash costs: the reads of the current window that were not written yet (at most
// `window` of them; SIGTERM writes them before the process ends). A failed write keeps them for
// the next window. Thread-safe: Record from the gRPC threads, Flush from the writer thread.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/auth/access_control.h"

namespace recovery::common {

class Clock;
class Metrics;
class Outbox;
class Store;

class AccessLog final : public ReadRecorder {
 public:
  AccessLog(std::string service, Store& store, Outbox& outbox, Clock& clock, Metrics* metrics,
            absl::Duration window = absl::Minutes(1));
  ~AccessLog() override;

  // One admitted read by `actor` of `method` touching each of `case_ids` (none: a read of no
  // one case, recorded under "").
  void Record(std::string_view actor, std::string_view method, const std::vector<std::string>& case_ids) override;

  // Starts the writer thread (a write every window); Stop writes what is pending and joins it.
  void Start();
  void Stop();
  // Writes what is pending now, in one transaction (tests; the writer thread calls it).
  absl::Status Flush();
  size_t pending() const;

 private:
  struct Reads {
    int64_t count = 0;
    absl::Time first, last;
  };
  using Key = std::tuple<std::string, std::string, std::string>;  // actor, method, case id

  void Merge(std::map<Key, Reads> batch);

  const std::string service_;
  Store& store_;
  Outbox& outbox_;
  Clock& clock_;
  Metrics* metrics_;
  const absl::Duration window_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<Key, Reads> pending_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread writer_;
};

}  // namespace recovery::common
