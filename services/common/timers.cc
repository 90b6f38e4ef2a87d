// Durable timers on the common store.
#include "services/common/timers.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"
#include "services/common/status_macros.h"

namespace recovery::common {

namespace {

// A handler's error as stored on the row: bounded, so a huge message cannot bloat the table.
std::string ErrorText(const absl::Status& s) {
  std::string text = s.ToString();
  if (text.size() > 1000) text.resize(1000);
  return text;
}

// Moves the claimed timer into failed_timers inside tx (the caller deleted or deletes it).
absl::Status SetAside(Tx& tx, const Timer& t, int attempts, const std::string& error, absl::Time now) {
  return tx.Exec(
      "INSERT INTO failed_timers (kind, key, due_us, payload, attempts, last_error, failed_us) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET due_us = excluded.due_us, "
      "payload = excluded.payload, attempts = excluded.attempts, last_error = excluded.last_error, "
      "failed_us = excluded.failed_us",
      {t.kind, t.key, absl::ToUnixMicros(t.due), Blob{t.payload}, static_cast<int64_t>(attempts), error,
       absl::ToUnixMicros(now)});
}

}  // namespace

TimerService::TimerService(Store& store, Clock& clock, Metrics* metrics, TimerOptions options)
    : store_(store), clock_(clock), metrics_(metrics), options_(options) {
  jump_listener_ = clock_.OnJump([this] { Wake(); });
}

TimerService::~TimerService() {
  clock_.RemoveOnJump(jump_listener_);
  Stop();
}

absl::Status TimerService::Migrate(Store& store) {
  return store.Migrate("timers",
                       {
                           "CREATE TABLE timers (kind TEXT NOT NULL, key TEXT NOT NULL, due_us INTEGER NOT NULL, "
                           "payload BLOB NOT NULL, PRIMARY KEY (kind, key))",
                           "CREATE INDEX timers_due ON timers (due_us)",
                           // A failing handler's attempts and error stay on the row.
                           "ALTER TABLE timers ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
                           "ALTER TABLE timers ADD COLUMN last_error TEXT NOT NULL DEFAULT ''",
                           // Timers set aside after their limit, until an operator re-arms them.
                           "CREATE TABLE failed_timers (kind TEXT NOT NULL, key TEXT NOT NULL, "
                           "due_us INTEGER NOT NULL, payload BLOB NOT NULL, attempts INTEGER NOT NULL, "
                           "last_error TEXT NOT NULL, failed_us INTEGER NOT NULL, PRIMARY KEY (kind, key))",
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
      "ON CONFLICT (kind, key) DO UPDATE SET due_us = excluded.due_us, payload = excluded.payload, attempts = 0, "
      "last_error = ''",
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
  auto rows = tx.Query("SELECT due_us, payload, attempts FROM timers WHERE kind = ? AND key = ?", {kind, key});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Timer>();
  const Row& r = (*rows)[0];
  return std::optional<Timer>(Timer{kind, key, absl::FromUnixMicros(r.Int(0)), r.Str(1), static_cast<int>(r.Int(2))});
}

absl::StatusOr<std::vector<FailedTimer>> TimerService::ListFailed(Tx& tx, absl::string_view kind, int limit) {
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT kind, key, due_us, payload, attempts, last_error, failed_us "
                                       "FROM failed_timers WHERE ? = '' OR kind = ? "
                                       "ORDER BY failed_us DESC, kind, key LIMIT ?",
                                       {std::string(kind), std::string(kind), static_cast<int64_t>(limit)}));
  std::vector<FailedTimer> out;
  out.reserve(rows.size());
  for (const Row& r : rows) {
    out.push_back({Timer{r.Str(0), r.Str(1), absl::FromUnixMicros(r.Int(2)), r.Str(3), static_cast<int>(r.Int(4))},
                   r.Str(5), absl::FromUnixMicros(r.Int(6))});
  }
  return out;
}

absl::StatusOr<bool> TimerService::RetryFailed(Tx& tx, const std::string& kind, const std::string& key,
                                               absl::Time due) {
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT payload FROM failed_timers WHERE kind = ? AND key = ?", {kind, key}));
  if (rows.empty()) return absl::NotFoundError("timer: no failed timer of this kind and key");
  RETURN_IF_ERROR(tx.Exec("DELETE FROM failed_timers WHERE kind = ? AND key = ?", {kind, key}));
  RETURN_IF_ERROR(
      tx.Exec("INSERT INTO timers (kind, key, due_us, payload) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO NOTHING",
              {kind, key, absl::ToUnixMicros(due), Blob{rows[0].Str(0)}}));
  const bool rearmed = tx.ChangedRows() > 0;
  if (rearmed) tx.AfterCommit([this, due] { NoteDue(due); });
  return rearmed;
}

absl::Status TimerService::RecordFailure(const Timer& timer, const absl::Status& error, absl::Time now) {
  const int attempts = timer.attempts + 1;
  const bool give_up = !IsTransient(error) && attempts >= options_.max_attempts;
  const std::string text = ErrorText(error);
  // Compare-and-set on the attempts read with the timer: two firings of one due timer at once
  // (a background loop and an explicit FireDue, or two replicas once the first rolled back)
  // may both try it, but only the first records that attempt; the other changes nothing.
  bool recorded = false;
  RETURN_IF_ERROR(InTransaction(store_, [&](Tx& tx) -> absl::Status {
    if (give_up) {
      RETURN_IF_ERROR(tx.Exec("DELETE FROM timers WHERE kind = ? AND key = ? AND attempts = ?",
                              {timer.kind, timer.key, static_cast<int64_t>(timer.attempts)}));
      recorded = tx.ChangedRows() > 0;
      return recorded ? SetAside(tx, timer, attempts, text, now) : absl::OkStatus();
    }
    RETURN_IF_ERROR(tx.Exec(
        "UPDATE timers SET due_us = ?, attempts = ?, last_error = ? WHERE kind = ? AND key = ? AND attempts = ?",
        {absl::ToUnixMicros(now + options_.retry.Delay(attempts)), static_cast<int64_t>(attempts), text, timer.kind,
         timer.key, static_cast<int64_t>(timer.attempts)}));
    recorded = tx.ChangedRows() > 0;
    return absl::OkStatus();
  }));
  if (!recorded) return absl::OkStatus();
  if (give_up) {
    LogError("timer handler kept failing; timer set aside in failed_timers",
             {{"kind", timer.kind}, {"key", timer.key}, {"attempts", std::to_string(attempts)}, {"error", text}});
    if (metrics_) metrics_->CountTimerFailed(timer.kind);
  } else {
    LogWarn("timer handler failed; retrying with backoff",
            {{"kind", timer.kind},
             {"key", timer.key},
             {"attempts", std::to_string(attempts)},
             {"retry_in", absl::FormatDuration(options_.retry.Delay(attempts))},
             {"error", text}});
  }
  return absl::OkStatus();
}

absl::StatusOr<int> TimerService::FireDue(absl::Time now) {
  int fired = 0;
  for (;;) {
    std::optional<Timer> timer;
    bool set_aside = false;
    auto s = InTransaction(store_, [&](Tx& tx) -> absl::Status {
      timer.reset();
      set_aside = false;
      // PostgreSQL with several replicas: the row stays locked until this transaction (the
      // delete and the handler's changes) commits; another replica skips it and takes the
      // next due timer, so no timer fires twice.
      auto rows = tx.Query(store_.dialect() == Dialect::kPostgres
                               ? "SELECT kind, key, due_us, payload, attempts FROM timers WHERE due_us <= ? "
                                 "ORDER BY due_us, kind, key LIMIT 1 FOR UPDATE SKIP LOCKED"
                               : "SELECT kind, key, due_us, payload, attempts FROM timers WHERE due_us <= ? "
                                 "ORDER BY due_us, kind, key LIMIT 1",
                           {absl::ToUnixMicros(now)});
      if (!rows.ok()) return rows.status();
      if (rows->empty()) return absl::OkStatus();
      const Row& r = (*rows)[0];
      timer = Timer{r.Str(0), r.Str(1), absl::FromUnixMicros(r.Int(2)), r.Str(3), static_cast<int>(r.Int(4))};
      if (auto d = tx.Exec("DELETE FROM timers WHERE kind = ? AND key = ?", {timer->kind, timer->key}); !d.ok())
        return d;
      TimerHandler handler;
      {
        std::lock_guard lock(mu_);
        auto it = handlers_.find(timer->kind);
        if (it != handlers_.end()) handler = it->second;
      }
      if (!handler) {
        // Never dropped: set aside where an operator sees it and can re-arm it.
        LogError("no handler for timer kind; timer set aside in failed_timers",
                 {{"kind", timer->kind}, {"key", timer->key}});
        set_aside = true;
        return SetAside(tx, *timer, timer->attempts, "no handler for this timer kind", now);
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
      // The handler failed: the transaction rolled back, so the timer is still armed. Back it
      // off (or set it aside) so the others go on; when even that cannot be written, stop
      // this round instead of picking the same timer again.
      if (auto r = RecordFailure(*timer, s, now); !r.ok()) {
        LogError("could not record a timer failure",
                 {{"kind", timer->kind}, {"key", timer->key}, {"error", std::string(r.message())}});
        if (fired == 0) return r;
        break;
      }
      continue;
    }
    if (!timer) break;
    if (set_aside) {
      if (metrics_) metrics_->CountTimerFailed(timer->kind);
      continue;
    }
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
  auto rows =
      (*tx)->Query(count_pending ? "SELECT MIN(due_us), COUNT(*) FROM timers" : "SELECT MIN(due_us) FROM timers");
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
      wait = std::min(wait,
                      std::chrono::duration_cast<std::chrono::milliseconds>(absl::ToChronoMicroseconds(*next - now)) +
                          std::chrono::milliseconds(1));
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
