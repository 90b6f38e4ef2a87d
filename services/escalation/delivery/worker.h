// The delivery worker: one thread that drains the durable delivery queue. For each due row it
//   1. claims it in a transaction (re-reading the row: only a still-pending row whose owner
//      still wants it is claimed; status -> sending, attempts + 1), then commits;
//   2. sends it with no transaction open (the store lock is never held during I/O);
//   3. records the outcome in a second transaction (delivered, retry with backoff, or failed)
//      together with the outcome events (Hooks::on_outcome).
// A crash between 1 and 3 leaves the row 'sending'; Recover() at start-up turns it back into
// 'pending' and it is sent again with the same idempotency key (receivers de-duplicate by it).
// Thread-safety: Wake() may be called from any thread; Start/Stop from the owner only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "services/common/clock.h"
#include "services/common/store.h"
#include "services/escalation/delivery/backoff.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/delivery/senders.h"

namespace recovery::escalation::delivery {

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

  DeliveryWorker(common::Store& store, common::Clock& clock, Hooks hooks, std::map<Channel, Sender*> senders,
                 BackoffPolicy backoff = {});
  ~DeliveryWorker();

  // Requeues rows left 'sending' by a previous process.
  absl::Status Recover();
  void Start();
  void Stop();
  void Wake();

  // Claims, sends and records every row due now, one at a time. Returns how many were sent
  // (successfully or not). Used by the thread; tests may call it directly.
  absl::StatusOr<int> RunOnce();

 private:
  enum class Claim { kNone, kClaimed, kSkipped };
  absl::StatusOr<Claim> ClaimNext(Delivery* out);
  absl::Status RecordOutcome(const Delivery& claimed, const SendResult& result);
  void Loop();

  common::Store& store_;
  common::Clock& clock_;
  Hooks hooks_;
  std::map<Channel, Sender*> senders_;
  BackoffPolicy backoff_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  std::atomic<bool> running_{false};
  std::thread thread_;
  int jump_listener_ = 0;
};

}  // namespace recovery::escalation::delivery
