// Durable timers: rows in the service's database (kind, key, due, payload). Firing deletes
// the row and runs the kind's handler in one transaction, so a handler's outbox events and
// state changes commit together with the timer's removal: a restart loses none and fires
// none twice. Memory holds only the next due instant, so a million pending timers cost
// their rows on disk, not RAM.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/common/store.h"

namespace recovery::common {

class Metrics;

struct Timer {
  std::string kind;
  std::string key;
  absl::Time due;
  std::string payload;
};

using TimerHandler = std::function<absl::Status(Tx& tx, const Timer& timer)>;

// Thread-safe. Handlers are registered before Start().
class TimerService {
 public:
  TimerService(Store& store, Clock& clock, Metrics* metrics = nullptr);
  ~TimerService();

  static absl::Status Migrate(Store& store);

  void Handle(const std::string& kind, TimerHandler handler);

  // Arms (or re-arms, replacing due and payload) the timer (kind, key) inside tx.
  absl::Status Schedule(Tx& tx, const std::string& kind, const std::string& key, absl::Time due,
                        const std::string& payload = "");
  // Cancels the timer if armed; true if one was removed.
  absl::StatusOr<bool> Cancel(Tx& tx, const std::string& kind, const std::string& key);
  absl::StatusOr<std::optional<Timer>> Get(Tx& tx, const std::string& kind, const std::string& key);
  // Cancels every timer of a kind whose key starts with prefix (e.g. all of one case).
  absl::StatusOr<int64_t> CancelPrefix(Tx& tx, const std::string& kind, const std::string& key_prefix);

  // Fires every timer due at or before `now`, oldest first, each in its own transaction.
  // Returns how many fired; an error only when it fired none (a failure after some fired
  // ends the call early, and the next call goes on). The background loop calls this; tests
  // may call it directly.
  absl::StatusOr<int> FireDue(absl::Time now);

  // Reloads the in-memory next-due index from the database (start-up).
  absl::Status Reload();
  void Start();
  void Stop();

  int64_t Pending();
  std::optional<absl::Time> NextDue() const;

 private:
  // Reads the next due instant from the database (an index lookup); with count_pending also
  // the number of pending timers for the gauge (a full scan).
  absl::Status RefreshNextDue(bool count_pending);
  void Loop();
  void NoteDue(absl::Time due);
  void Wake();

  Store& store_;
  Clock& clock_;
  Metrics* metrics_;
  std::map<std::string, TimerHandler> handlers_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<absl::Time> next_due_;
  bool wake_ = false;
  std::atomic<bool> running_{false};
  std::thread thread_;
  int jump_listener_ = 0;
};

}  // namespace recovery::common
