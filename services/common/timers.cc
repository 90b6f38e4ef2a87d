// Durable timers on the common store.
#include "services/common/timers.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"

namespace recovery::common {

TimerService::TimerService(Store& store, Clock& clock, Metrics* metrics)
    : store_(store), clock_(clock), metrics_(metrics) {
  jump_listener_ = clock_.OnJump([this] { Wake(); });
}

TimerService::~TimerService() {
  clock_.RemoveOnJump(jump_listener_);
  Stop();
}

absl::Status TimerService::Migrate(Store& store) {
  return store.Migrate("timers", {
                                     "CREATE TABLE timers (kind TEXT NOT NULL, key TEXT NOT NULL, due_us INTEGER NOT NULL, "
                                     "payload BLOB NOT NULL, PRIMARY KEY (kind, key))",
                                     "CREATE INDEX timers_due ON timers (due_us)",
                                 });
}

void TimerService::Handle(const std::string& kind, TimerHandler handler) {
  std::lock_guard lock(mu_);
  handlers_[kind] = std::move(handler);
}

absl::Status TimerService::Schedule(Tx& tx, const std::string& kind, const std::string& key, absl::Time due,
                                    const std::string& payload) {
  if (kind.empty() || key.empty()) return absl::InvalidArgumentError("timer: kind and key are required");
  auto s = tx.Exec(
      "INSERT INTO timers (kind, key, due_us, payload) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (kind, key) DO UPDATE SET due_us = excluded.due_us, payload = excluded.payload",
      {kind, key, absl::ToUnixMicros(due), Blob{payload}});
  if (!s.ok()) return s;
  tx.AfterCommit([this, due] { NoteDue(due); });
  return absl::OkStatus();
}

absl::StatusOr<bool> TimerService::Cancel(Tx& tx, const std::string& kind, const std::string& key) {
  auto s = tx.Exec("DELETE FROM timers WHERE kind = ? AND key = ?", {kind, key});
  if (!s.ok()) return s;
  return tx.ChangedRows() > 0;
}

absl::StatusOr<int64_t> TimerService::CancelPrefix(Tx& tx, const std::string& kind, const std::string& key_prefix) {
  // Range scan on the primary key instead of LIKE, so '%' and '_' in keys are harmless.
  // PostgreSQL: "\xff" is not valid UTF-8 and text order follows the collation, so match
  // the prefix itself (starts_with) within the kind.
  auto s = store_.dialect() == Dialect::kPostgres
               ? tx.Exec("DELETE FROM timers WHERE kind = ? AND starts_with(key, ?)", {kind, key_prefix})
               : tx.Exec("DELETE FROM timers WHERE kind = ? AND key >= ? AND key < ?",
                         {kind, key_prefix, key_prefix + "\xff"});
  if (!s.ok()) return s;
  return tx.ChangedRows();
}

absl::StatusOr<std::optional<Timer>> TimerService::Get(Tx& tx, const std::string& kind, const std::string& key) {
  auto rows = tx.Query("SELECT due_us, payload FROM timers WHERE kind = ? AND key = ?", {kind, key});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Timer>();
  return std::optional<Timer>(Timer{kind, key, absl::FromUnixMicros((*rows)[0].Int(0)), (*rows)[0].Str(1)});
}

absl::StatusOr<int> TimerService::FireDue(absl::Time now) {
  int fired = 0;
  for (;;) {
    std::optional<Timer> timer;
    absl::Status handler_status;
    auto s = InTransaction(store_, [&](Tx& tx) -> absl::Status {
      timer.reset();
      // PostgreSQL with several replicas: the row stays locked until this transaction (the
      // delete and the handler's changes) commits; another replica skips it and takes the
      // next due timer, so no timer fires twice.
      auto rows = tx.Query(store_.dialect() == Dialect::kPostgres
                               ? "SELECT kind, key, due_us, payload FROM timers WHERE due_us <= ? "
                                 "ORDER BY due_us, kind, key LIMIT 1 FOR UPDATE SKIP LOCKED"
                               : "SELECT kind, key, due_us, payload FROM timers WHERE due_us <= ? "
                                 "ORDER BY due_us, kind, key LIMIT 1",
                           {absl::ToUnixMicros(now)});
      if (!rows.ok()) return rows.status();
      if (rows->empty()) return absl::OkStatus();
      const Row& r = (*rows)[0];
      timer = Timer{r.Str(0), r.Str(1), absl::FromUnixMicros(r.Int(2)), r.Str(3)};
      if (auto d = tx.Exec("DELETE FROM timers WHERE kind = ? AND key = ?", {timer->kind, timer->key}); !d.ok())
        return d;
      TimerHandler handler;
      {
        std::lock_guard lock(mu_);
        auto it = handlers_.find(timer->kind);
        if (it != handlers_.end()) handler = it->second;
      }
      if (!handler) {
        LogError("no handler for timer kind; dropping", {{"kind", timer->kind}, {"key", timer->key}});
        return absl::OkStatus();
      }
      return handler(tx, *timer);
    });
    if (!s.ok()) {
      if (!timer) {
        // Claiming the next timer failed (on PostgreSQL: a serialisation failure while another
        // replica fires, past InTransaction's retries). What this call fired is committed:
        // report it, and the error only when nothing was fired.
        if (fired == 0) return s;
        LogWarn("timer firing stopped early", {{"fired", std::to_string(fired)}, {"error", std::string(s.message())}});
        break;
      }
      // The handler failed: the transaction rolled back, so the timer is still armed.
      // Retry it a little later instead of spinning on it.
      LogError("timer handler failed; retrying in 1s",
               {{"kind", timer->kind}, {"key", timer->key}, {"error", std::string(s.message())}});
      (void)InTransaction(store_, [&](Tx& tx) {
        return tx.Exec("UPDATE timers SET due_us = ? WHERE kind = ? AND key = ?",
                       {absl::ToUnixMicros(now + absl::Seconds(1)), timer->kind, timer->key});
      });
      continue;
    }
    if (!timer) break;
    ++fired;
    if (metrics_) metrics_->CountTimerFired(timer->kind);
  }
  // Only the next due instant: an index lookup. Reload() also counts the rows for the pending
  // gauge, a full scan that took ~60 ms per call with a million pending and made every
  // timer fired after it that much late.
  if (auto s = RefreshNextDue(/*count_pending=*/false); !s.ok()) {
    if (fired == 0) return s;
    LogWarn("timer index refresh failed", {{"error", std::string(s.message())}});  // the loop calls again
  }
  return fired;
}

absl::Status TimerService::Reload() { return RefreshNextDue(/*count_pending=*/true); }

absl::Status TimerService::RefreshNextDue(bool count_pending) {
  auto tx = store_.Begin();
  if (!tx.ok()) return tx.status();
  auto rows = (*tx)->Query(count_pending ? "SELECT MIN(due_us), COUNT(*) FROM timers" : "SELECT MIN(due_us) FROM timers");
  if (!rows.ok()) return rows.status();
  std::optional<absl::Time> next;
  if (!rows->empty() && !(*rows)[0].IsNull(0)) next = absl::FromUnixMicros((*rows)[0].Int(0));
  if (count_pending && metrics_ && !rows->empty()) metrics_->SetTimersPending(static_cast<double>((*rows)[0].Int(1)));
  {
    std::lock_guard lock(mu_);
    next_due_ = next;
  }
  return absl::OkStatus();
}

void TimerService::NoteDue(absl::Time due) {
  {
    std::lock_guard lock(mu_);
    if (next_due_ && *next_due_ <= due) return;
    next_due_ = due;
    wake_ = true;
  }
  cv_.notify_all();
}

void TimerService::Wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

std::optional<absl::Time> TimerService::NextDue() const {
  std::lock_guard lock(mu_);
  return next_due_;
}

int64_t TimerService::Pending() {
  auto tx = store_.Begin();
  if (!tx.ok()) return -1;
  auto rows = (*tx)->Query("SELECT COUNT(*) FROM timers");
  if (!rows.ok() || rows->empty()) return -1;
  return (*rows)[0].Int(0);
}

void TimerService::Start() {
  if (running_.exchange(true)) return;
  if (auto s = Reload(); !s.ok()) LogError("timer reload failed", {{"error", std::string(s.message())}});
  thread_ = std::thread([this] { Loop(); });
}

void TimerService::Stop() {
  if (!running_.exchange(false)) return;
  Wake();
  if (thread_.joinable()) thread_.join();
}

void TimerService::Loop() {
  // The pending gauge needs a COUNT(*) (a scan): refresh it only when idle, at most every 10 s.
  absl::Time counted_at = absl::Now();
  while (running_) {
    const absl::Time now = clock_.Now();
    std::optional<absl::Time> next = NextDue();
    if (next && *next <= now) {
      auto fired = FireDue(now);
      if (!fired.ok()) {
        LogError("timer firing failed", {{"error", std::string(fired.status().message())}});
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return !running_; });
      } else if (const auto due = NextDue(); *fired == 0 && due && *due <= now) {
        // Due timers exist but another replica holds them (PostgreSQL): do not spin.
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return wake_ || !running_; });
        wake_ = false;
      }
      continue;
    }
    // Sleep until the next due instant (real time for the system clock; a manual clock
    // wakes us through OnJump), at most 1 s so a missed wake-up costs little.
    auto wait = std::chrono::milliseconds(1000);
    if (next) {
      wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(
                                absl::ToChronoMicroseconds(*next - now)) + std::chrono::milliseconds(1));
    }
    if (metrics_ && wait >= std::chrono::milliseconds(500) && absl::Now() - counted_at >= absl::Seconds(10)) {
      counted_at = absl::Now();
      if (auto s = Reload(); !s.ok()) LogError("timer reload failed", {{"error", std::string(s.message())}});
      continue;  // the next due instant may have changed meanwhile
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [this] { return wake_ || !running_; });
    wake_ = false;
  }
}

}  // namespace recovery::common
