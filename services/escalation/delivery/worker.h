// The delivery worker drains the durable delivery queue with several sends at once, so a slow
// or failing receiver delays only its own pages. A dispatcher thread
//   1. claims due rows in a transaction (re-reading each: only a still-claimable row whose owner
//      still wants it is claimed; status -> sending, attempts + 1, a lease for this process),
//      as many as the bounds allow: `max_in_flight` in all, `per_channel` per channel and
//      `per_host` per target host (HostKey), leaving the rows of a saturated host for later;
//   2. hands each claimed row to a pool thread, which sends it with no transaction open (the
//      store lock is never held during I/O) and
//   3. records the outcome in a second transaction (delivered, retry with backoff, or failed)
//      together with the outcome events (Hooks::on_outcome), retrying transient database
//      failures while the lease lasts.
// A claim is a lease: `owner` (this process) holds the row until now + `lease`. A row whose
// holder died, or whose outcome could not be recorded, is claimed again by any worker once the
// lease expired and sent again under the same idempotency key (receivers de-duplicate by it);
// each such re-send is counted. At start-up Recover() requeues at once the rows of this
// replica's own previous process (never another replica's). A page is sent at most once per
// lease.
// Thread-safety: Wake() and stats() may be called from any thread; Start/Stop/RunOnce from the
// owner only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/backoff.h"
#include "services/common/clock.h"
#include "services/common/metrics.h"
#include "services/common/store.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/delivery/senders.h"

namespace recovery::escalation::delivery {

struct DeliveryOptions {
  // Retry delay after a failed attempt (attempt n waits Delay(n)).
  common::BackoffPolicy backoff{absl::Seconds(5), absl::Minutes(5), 2.0, 0.2};
  // After this many failed attempts the row is marked failed (PageFailed final); 0: no limit.
  // Pages are normally cancelled long before: the escalation moves on or is acknowledged.
  int max_attempts = 25;
  // How long a claim holds a row; longer than any sender's timeout.
  absl::Duration lease = absl::Seconds(60);
  int max_in_flight = 16;  // sends at once (the pool's threads)
  int per_host = 4;        // sends at once to one target host
  std::map<Channel, int> per_channel = {{Channel::kWebhook, 16}, {Channel::kEmail, 4}, {Channel::kLog, 4}};
  // This process's lease owner id, "<replica>/<pid>/<random>"; empty: DefaultOwnerId().
  std::string owner;
  // Counters escalation_delivery_resends_total{reason} and friends; optional.
  common::Metrics* metrics = nullptr;
};

// "<replica>/<pid>/<random>" where replica is $RECOVERY_REPLICA_ID or the host name.
std::string DefaultOwnerId();

class DeliveryWorker {
 public:
  struct Hooks {
    // Inside the claim transaction: false cancels the row instead of sending it (the
    // escalation was acknowledged or resolved). Default: always wanted.
    std::function<absl::StatusOr<bool>(common::Tx&, const Delivery&)> still_wanted;
    // Inside the outcome transaction, after the row was updated: publish events.
    // `d` carries the new status; `result` the send result.
    std::function<absl::Status(common::Tx&, const Delivery& d, const SendResult& result)> on_outcome;
  };

  struct Stats {
    int64_t claimed = 0;            // claims (each one send)
    int64_t resent = 0;             // claims of a row another claim may already have sent
    int64_t requeued = 0;           // rows of this replica's previous process requeued by Recover
    int64_t record_retries = 0;     // outcome transactions retried after a transient failure
    int64_t records_abandoned = 0;  // outcomes not recorded within the lease (the row is re-claimed)
    int64_t lease_lost = 0;         // outcomes dropped: the row had been claimed again meanwhile
  };

  DeliveryWorker(common::Store& store, common::Clock& clock, Hooks hooks, std::map<Channel, Sender*> senders,
                 DeliveryOptions options = {});
  ~DeliveryWorker();

  // Requeues the rows left 'sending' by this replica's previous process (same replica, and
  // either the same pid or a pid no longer alive). Other owners' rows wait for their lease.
  absl::Status Recover();
  void Start();
  // Stops claiming and waits for the sends in flight to be recorded.
  void Stop();
  void Wake();

  // Claims, sends and records every row due now (concurrently within the bounds) and waits
  // for them. Returns how many were sent (successfully or not). Tests call it directly.
  absl::StatusOr<int> RunOnce();

  const std::string& owner() const { return options_.owner; }
  Stats stats() const;

 private:
  // Claims what the bounds allow and queues the sends; returns how many were claimed.
  absl::StatusOr<int> Dispatch();
  void SendAndRecord(const Delivery& claimed);
  absl::Status RecordOutcome(const Delivery& claimed, const SendResult& result);
  void RecordWithRetry(const Delivery& claimed, const SendResult& result);
  void WaitIdle();
  void Loop();
  void PoolLoop();
  void Count(std::string_view name, std::string_view label);

  common::Store& store_;
  common::Clock& clock_;
  Hooks hooks_;
  std::map<Channel, Sender*> senders_;
  DeliveryOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;       // the dispatcher: wake_ or !running_
  std::condition_variable work_cv_;  // the pool: jobs_ or shutdown_
  std::condition_variable idle_cv_;  // in_flight_ shrank
  bool wake_ = false;
  bool shutdown_ = false;
  std::deque<Delivery> jobs_;
  std::set<std::string> in_flight_;  // page ids claimed and not yet recorded
  std::map<std::string, int> host_load_;
  std::map<Channel, int> channel_load_;
  Stats stats_;

  std::atomic<bool> running_{false};
  std::thread thread_;
  std::vector<std::thread> pool_;
  int jump_listener_ = 0;
};

}  // namespace recovery::escalation::delivery
