// Durable timers: rows in the service's database (kind, key, due, payload). Firing deletes
// the row and runs the kind's handler in one transaction, so a handler's outbox events and
// state changes commit together with the timer's removal: a restart loses none and fires
// none twice. Memory holds only the next due instant, so a million pending timers cost
// their rows on disk, not RAM.
//
// A handler that fails rolls its transaction back; the timer stays armed and is retried
// with backoff (TimerOptions.retry), its attempts and last error on the row. A transient
// failure (UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED: the database or a
// peer away) is retried for as long as it takes, at most max backoff apart; any other error
// counts towards max_attempts, after which the timer moves to failed_timers (counted in
// recovery_timers_failed_total{kind}, logged, listed by ListFailed and the Operations API)
// until an operator re-arms it with RetryFailed. A timer of a kind without a handler is set
// aside there at once. A failing timer never blocks the others nor spins.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/backoff.h"
#include "services/common/clock.h"
#include "services/common/store.h"

namespace recovery::common {

class Metrics;

struct Timer {
  std::string kind;
  std::string key;
  absl::Time due;
  std::string payload;
  int attempts = 0;  // failed attempts so far
};

// A timer set aside after its handler kept failing.
struct FailedTimer {
  Timer timer;  // as it was last armed; attempts = the attempts made
  std::string last_error;
  absl::Time failed_at;
};

struct TimerOptions {
  // Delay before retry n of a failing timer (n = attempts so far).
  BackoffPolicy retry{absl::Seconds(1), absl::Minutes(5), 2.0, 0.0};
  // Attempts with a non-transient error before the timer is set aside.
  int max_attempts = 5;
};

using TimerHandler = std::function<absl::Status(Tx& tx, const Timer& timer)>;

// Thread-safe. Handlers are registered before Start().
class TimerService {
 public:
  TimerService(Store& store, Clock& clock, Metrics* metrics = nullptr, TimerOptions options = {});
  ~TimerService();

  static absl::Status Migrate(Store& store);

  void Handle(const std::string& kind, TimerHandler handler);

  // Arms (or re-arms, replacing due and payload, attempts back to 0) the timer (kind, key)
  // inside tx. A failed_timers record of the same kind and key stays until retried.
  absl::Status Schedule(Tx& tx, const std::string& kind, const std::string& key, absl::Time due,
                        const std::string& payload = "");
  // Cancels the timer if armed; true if one was removed.
  absl::StatusOr<bool> Cancel(Tx& tx, const std::string& kind, const std::string& key);
  absl::StatusOr<std::optional<Timer>> Get(Tx& tx, const std::string& kind, const std::string& key);
  // Cancels every timer of a kind whose key starts with prefix (e.g. all of one case).
  absl::StatusOr<int64_t> CancelPrefix(Tx& tx, const std::string& kind, const std::string& key_prefix);

  // Timers set aside, the most recently failed first; kind "" lists every kind.
  absl::StatusOr<std::vector<FailedTimer>> ListFailed(Tx& tx, absl::string_view kind, int limit);
  // Re-arms a failed timer due at `due` with its attempts reset and removes its record.
  // True when re-armed; false when the service had armed (kind, key) again meanwhile (that
  // timer is kept, the record removed). NOT_FOUND when there is no such failed timer.
  absl::StatusOr<bool> RetryFailed(Tx& tx, const std::string& kind, const std::string& key, absl::Time due);

  // Fires every timer due at or before `now`, oldest first, each in its own transaction.
  // Returns how many fired (a failing handler's timer is rescheduled or set aside, not
  // counted); an error only when it fired none (a failure after some fired
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
  // After the handler of `timer` failed with `error` (its transaction rolled back): backs it
  // off or sets it aside.
  absl::Status RecordFailure(const Timer& timer, const absl::Status& error, absl::Time now);

  Store& store_;
  Clock& clock_;
  Metrics* metrics_;
  TimerOptions options_;
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
