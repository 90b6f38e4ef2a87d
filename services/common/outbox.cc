// Outbox append and the relay thread: claim -> publish -> acknowledge.
#include "services/common/outbox.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/clock.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "services/common/kafka_publisher.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"
#include "services/common/status_macros.h"

namespace recovery::common {
namespace {

// PostgreSQL, several replicas on one database: one relay publishes at a time (the holder of
// this transaction-scoped advisory lock), so a case's events keep their order across
// replicas, and the rows it publishes stay locked (FOR UPDATE) until their deletion
// commits, so no other relay can publish them again.
constexpr int64_t kRelayLockKey = 0x6f7574626f78;  // "outbox"

// How long an idle relay sleeps when no append woke it (rows of another replica's process).
constexpr absl::Duration kIdlePoll = absl::Milliseconds(500);
// How long a relay waits before looking again when another replica holds the relay lock.
constexpr absl::Duration kLockBusyPoll = absl::Milliseconds(100);

// Delete statements name at most this many rows.
constexpr size_t kDeleteChunk = 500;

// Lowers the relay transaction to READ COMMITTED (each statement then sees what the
// previous lock holder committed) and tries the relay lock; false when another replica's
// relay holds it.
absl::StatusOr<bool> TryRelayLock(Tx& tx) {
  RETURN_IF_ERROR(tx.Exec("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"));
  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT pg_try_advisory_xact_lock(?)", {kRelayLockKey}));
  return !rows.empty() && rows[0].Int(0) == 1;
}

}  // namespace

Outbox::Outbox(Store& store, Metrics* metrics, OutboxOptions options)
    : store_(store), metrics_(metrics), options_(options) {
  if (metrics_) {  // present from the start, at zero, so alerts can be written on them
    metrics_->Count("outbox_dead_letters_total", "", 0);
    metrics_->Count("outbox_republished_total", "", 0);
  }
}

Outbox::~Outbox() { Stop(); }

absl::Status Outbox::Migrate(Store& store) {
  RETURN_IF_ERROR(MigrateDeadLetters(store));  // where the relay parks what the broker refuses
  return store.Migrate("outbox",
                       {
                           "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, "
                           "case_id TEXT NOT NULL, type TEXT NOT NULL, payload BLOB NOT NULL, "
                           "created_us INTEGER NOT NULL)",
                       });
}

absl::Status Outbox::Append(Tx& tx, const recovery::v1::Event& event) {
  const std::string type = EventTypeName(event);
  if (type.empty()) return absl::InvalidArgumentError("event: body is required");
  if (event.event_id().empty()) return absl::InvalidArgumentError("event: event_id is required");
  std::string bytes;
  if (!event.SerializeToString(&bytes)) return absl::InternalError("event: serialisation failed");
  RETURN_IF_ERROR(tx.Exec("INSERT INTO outbox (event_id, case_id, type, payload, created_us) VALUES (?, ?, ?, ?, ?)",
                          {event.event_id(), event.case_id(), type, Blob{std::move(bytes)},
                           absl::ToUnixMicros(FromProto(event.occurred_at()))}));
  tx.AfterCommit([this] { Wake(); });
  return absl::OkStatus();
}

absl::Status Outbox::Start(const KafkaSettings& settings) {
  if (running_) return absl::FailedPreconditionError("outbox relay already running");
  ASSIGN_OR_RETURN(owned_publisher_, KafkaPublisher::Create(settings.brokers, settings.topic));
  return Start(*owned_publisher_);
}

absl::Status Outbox::Start(EventPublisher& publisher) {
  if (running_.exchange(true)) return absl::FailedPreconditionError("outbox relay already running");
  publisher_ = &publisher;
  relay_ = std::jthread([this](std::stop_token stop) { RelayLoop(stop); });
  return absl::OkStatus();
}

void Outbox::Stop() {
  if (!running_.exchange(false)) return;
  relay_.request_stop();
  Wake();
  if (relay_.joinable()) relay_.join();
  publisher_ = nullptr;
  owned_publisher_.reset();
}

void Outbox::Wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

int64_t Outbox::Backlog() {
  auto tx = store_.Begin();
  if (!tx.ok()) return -1;
  auto rows = (*tx)->Query("SELECT COUNT(*) FROM outbox");
  if (!rows.ok() || rows->empty()) return -1;
  return (*rows)[0].Int(0);
}

bool Outbox::WaitDrained(absl::Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(timeout);
  while (std::chrono::steady_clock::now() < deadline) {
    // Empty, and no round in progress after the count: any round that deleted rows has
    // also counted them.
    if (Backlog() == 0 && !in_round_.load()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return Backlog() == 0 && !in_round_.load();
}

bool Outbox::Pause(absl::Duration delay, std::stop_token stop) {
  std::unique_lock lock(mu_);
  if (delay > absl::ZeroDuration()) {
    // Backing off: appends do not cut the wait short, so a broker that is away is not
    // hammered by every commit.
    cv_.wait_for(lock, absl::ToChronoMilliseconds(delay), [&] { return stop.stop_requested(); });
  } else {
    cv_.wait_for(lock, absl::ToChronoMilliseconds(kIdlePoll), [&] { return wake_ || stop.stop_requested(); });
  }
  wake_ = false;
  return !stop.stop_requested();
}

void Outbox::RelayLoop(std::stop_token stop) {
  int failed_rounds = 0;  // consecutive rounds that left a row for a retryable reason
  absl::Duration delay = absl::ZeroDuration();
  bool again = true;  // rows may be waiting from before the start
  for (;;) {
    if (!again && !Pause(delay, stop)) break;
    if (stop.stop_requested()) break;
    again = false;
    delay = absl::ZeroDuration();

    // From the claim until the round's rows are acknowledged and counted: WaitDrained waits
    // for it, so an empty table also means final counters.
    in_round_.store(true);
    struct RoundEnd {
      std::atomic<bool>& flag;
      ~RoundEnd() { flag.store(false); }
    } round_end{in_round_};
    absl::StatusOr<Claim> claim = ClaimBatch();
    if (!claim.ok()) {
      LogError("outbox claim failed", {{"error", std::string(claim.status().message())}});
      delay = options_.publish_backoff.Delay(++failed_rounds);
      continue;
    }
    if (claim->busy) {  // another replica is publishing; look again shortly
      delay = kLockBusyPoll;
      continue;
    }
    if (metrics_) metrics_->SetOutboxBacklog(static_cast<double>(claim->rows.size()));
    if (claim->rows.empty()) {
      failed_rounds = 0;
      continue;
    }

    std::vector<OutboundEvent> batch;
    batch.reserve(claim->rows.size());
    for (const Pending& p : claim->rows) {
      batch.push_back(p.event);
      if (options_.signer) {  // signed as published: a key rotation applies to what is still waiting
        batch.back().signature_key_id = options_.signer->key_id();
        batch.back().signature = options_.signer->Sign(p.event.value);
      }
    }
    std::vector<PublishResult> results = publisher_->Publish(batch, stop);
    results.resize(claim->rows.size(), PublishResult{Delivery::kRetryable, "the publisher gave no result"});

    const Acknowledgement ack = Sort(*claim, results);
    Acknowledge(*claim, results, ack, stop);
    if (ack.retryable > 0) {
      delay = options_.publish_backoff.Delay(++failed_rounds);
      LogWarn("outbox publish incomplete; backing off",
              {{"not_delivered", std::to_string(ack.retryable)},
               {"error", ack.last_error},
               {"backoff_ms", std::to_string(absl::ToInt64Milliseconds(delay))}});
    } else {
      failed_rounds = 0;
      again = true;  // more rows may be waiting: go round again without sleeping
    }
  }
}

absl::StatusOr<Outbox::Claim> Outbox::ClaimBatch() {
  Claim claim;
  const bool postgres = store_.dialect() == Dialect::kPostgres;
  // PostgreSQL: the transaction holds the relay lock and the batch's rows while publishing
  // and the acknowledgement commits in it. SQLite (one process per file): read, commit,
  // publish, then acknowledge in a new transaction, never holding the writer lock while
  // waiting for the broker.
  ASSIGN_OR_RETURN(std::unique_ptr<Tx> tx, store_.Begin());
  if (postgres) {
    ASSIGN_OR_RETURN(const bool locked, TryRelayLock(*tx));
    if (!locked) {
      claim.busy = true;
      return claim;
    }
  }
  const std::string sql = absl::StrCat("SELECT id, event_id, case_id, type, payload FROM outbox ORDER BY id LIMIT ",
                                       options_.batch_size, postgres ? " FOR UPDATE SKIP LOCKED" : "");
  ASSIGN_OR_RETURN(auto rows, tx->Query(sql));
  claim.rows.reserve(rows.size());
  for (const Row& r : rows) {
    Pending& p = claim.rows.emplace_back();
    p.id = r.Int(0);
    p.event.key = r.Str(2);
    p.event.value = r.Str(4);
    p.event.type = r.Str(3);
    p.event.event_id = r.Str(1);
  }
  if (postgres) {
    claim.tx = std::move(tx);
  } else {
    // SQLite groups transactions: the rows just read may belong to a group whose commit
    // failed. Only rows known to be committed are published.
    RETURN_IF_ERROR(tx->Commit());
  }
  return claim;
}

Outbox::Acknowledgement Outbox::Sort(const Claim& claim, const std::vector<PublishResult>& results) const {
  Acknowledgement ack;
  for (size_t i = 0; i < claim.rows.size(); ++i) {
    switch (results[i].delivery) {
      case Delivery::kDelivered:
        ack.delivered.push_back(claim.rows[i].id);
        break;
      case Delivery::kPermanent:
        ack.parked.push_back(i);
        break;
      case Delivery::kRetryable:
        ++ack.retryable;
        ack.last_error = results[i].error;
        break;
    }
  }
  return ack;
}

absl::Status Outbox::DeleteAndPark(Tx& tx, const Claim& claim, const std::vector<PublishResult>& results,
                                   const Acknowledgement& ack, int64_t* gone) {
  *gone = 0;
  for (size_t i = 0; i < ack.delivered.size(); i += kDeleteChunk) {
    const size_t n = std::min(kDeleteChunk, ack.delivered.size() - i);
    const std::vector<int64_t> ids(ack.delivered.begin() + static_cast<ptrdiff_t>(i),
                                   ack.delivered.begin() + static_cast<ptrdiff_t>(i + n));
    RETURN_IF_ERROR(tx.Exec(absl::StrCat("DELETE FROM outbox WHERE id IN (", absl::StrJoin(ids, ","), ")")));
    // Fewer rows than delivered: another replica's relay took them after an earlier attempt
    // of this acknowledgement failed, and published them again.
    *gone += static_cast<int64_t>(n) - tx.ChangedRows();
  }
  const absl::Time now = (options_.clock ? options_.clock : &SystemClock::Instance())->Now();
  for (size_t i : ack.parked) {
    const Pending& p = claim.rows[i];
    RETURN_IF_ERROR(tx.Exec("DELETE FROM outbox WHERE id = ?", {p.id}));
    if (tx.ChangedRows() == 0) continue;  // handled by another replica meanwhile
    RETURN_IF_ERROR(RecordDeadLetter(tx, {.origin = kDeadLetterOutbox,
                                          .event_id = p.event.event_id,
                                          .case_id = p.event.key,
                                          .type = p.event.type,
                                          .payload = p.event.value,
                                          .reason = absl::StrCat("publish refused: ", results[i].error),
                                          .attempts = 1,
                                          .parked_at = now}));
  }
  return absl::OkStatus();
}

void Outbox::Acknowledge(Claim& claim, const std::vector<PublishResult>& results, const Acknowledgement& ack,
                         std::stop_token stop) {
  if (ack.delivered.empty() && ack.parked.empty()) {
    claim.tx.reset();  // nothing to record: roll back, releasing the relay lock
    return;
  }
  const bool postgres = store_.dialect() == Dialect::kPostgres;
  for (int attempt = 1;; ++attempt) {
    int64_t gone = 0;
    absl::Status s;
    if (claim.tx) {  // the first attempt, on PostgreSQL: in the claim's transaction
      s = DeleteAndPark(*claim.tx, claim, results, ack, &gone);
      if (s.ok()) s = claim.tx->Commit();
      claim.tx.reset();
    } else {
      s = [&]() -> absl::Status {
        ASSIGN_OR_RETURN(std::unique_ptr<Tx> tx, store_.Begin());
        if (postgres) RETURN_IF_ERROR(tx->Exec("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"));
        RETURN_IF_ERROR(DeleteAndPark(*tx, claim, results, ack, &gone));
        return tx->Commit();
      }();
    }
    if (s.ok()) {
      if (metrics_) metrics_->CountPublished(static_cast<double>(ack.delivered.size()));
      for (size_t i : ack.parked) {
        const Pending& p = claim.rows[i];
        LogError("outbox event refused by the broker; parked in dead_letters",
                 {{"event_id", p.event.event_id},
                  {"case_id", p.event.key},
                  {"type", p.event.type},
                  {"bytes", std::to_string(p.event.value.size())},
                  {"error", results[i].error}});
      }
      parked_ += static_cast<int64_t>(ack.parked.size());
      if (metrics_ && !ack.parked.empty())
        metrics_->Count("outbox_dead_letters_total", "", static_cast<double>(ack.parked.size()));
      if (gone > 0) {
        republished_ += gone;
        if (metrics_) metrics_->Count("outbox_republished_total", "", static_cast<double>(gone));
      }
      return;
    }
    const bool last = attempt >= options_.ack_attempts || stop.stop_requested();
    LogWarn("outbox acknowledge failed", {{"attempt", std::to_string(attempt)},
                                          {"error", std::string(s.message())},
                                          {"giving_up", last ? "true" : "false"}});
    if (last) {
      // The delivered rows stay and go out again (at least once: consumers skip a repeated
      // event id); a refused row is offered again and parked then.
      LogError("outbox rows delivered but not deleted; they will be published again",
               {{"rows", std::to_string(ack.delivered.size())}, {"error", std::string(s.message())}});
      republished_ += static_cast<int64_t>(ack.delivered.size());
      if (metrics_) metrics_->Count("outbox_republished_total", "", static_cast<double>(ack.delivered.size()));
      return;
    }
    Pause(options_.ack_backoff.Delay(attempt), stop);  // a stop makes the next attempt the last
  }
}

}  // namespace recovery::common
