// Outbox append and the relay thread that publishes rows to Kafka.
#include "services/common/outbox.h"

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <cstdint>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/events.h"
#include "services/common/kafka_util.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"

namespace recovery::common {
namespace {

// PostgreSQL, several replicas on one database: one relay publishes at a time (the holder of
// this transaction-scoped advisory lock), so a case's events keep their order across
// replicas, and the rows it publishes stay locked (FOR UPDATE) until their deletion
// commits, so no other relay can publish them again.
constexpr int64_t kRelayLockKey = 0x6f7574626f78;  // "outbox"

// Lowers the relay transaction to READ COMMITTED (each statement then sees what the
// previous lock holder committed) and tries the relay lock; false when another replica's
// relay holds it.
absl::StatusOr<bool> TryRelayLock(Tx& tx) {
  if (auto s = tx.Exec("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"); !s.ok()) return s;
  auto rows = tx.Query("SELECT pg_try_advisory_xact_lock(?)", {kRelayLockKey});
  if (!rows.ok()) return rows.status();
  return !rows->empty() && (*rows)[0].Int(0) == 1;
}

}  // namespace

struct Outbox::Producer : public RdKafka::DeliveryReportCb {
  std::unique_ptr<RdKafka::Producer> producer;
  std::mutex mu;
  std::set<int64_t> delivered;
  int outstanding = 0;
  int failed = 0;
  std::string last_error;

  void dr_cb(RdKafka::Message& message) override {
    const auto row_id = static_cast<int64_t>(reinterpret_cast<intptr_t>(message.msg_opaque()));
    std::lock_guard lock(mu);
    --outstanding;
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      delivered.insert(row_id);
    } else {
      ++failed;
      last_error = message.errstr();
    }
  }
};

Outbox::Outbox(Store& store, Metrics* metrics) : store_(store), metrics_(metrics) {}

Outbox::~Outbox() { Stop(); }

absl::Status Outbox::Migrate(Store& store) {
  return store.Migrate("outbox", {
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
  auto s = tx.Exec("INSERT INTO outbox (event_id, case_id, type, payload, created_us) VALUES (?, ?, ?, ?, ?)",
                   {event.event_id(), event.case_id(), type, Blob{std::move(bytes)},
                    absl::ToUnixMicros(FromProto(event.occurred_at()))});
  if (!s.ok()) return s;
  tx.AfterCommit([this] { Wake(); });
  return absl::OkStatus();
}

absl::Status Outbox::Start(const KafkaSettings& settings) {
  if (running_) return absl::FailedPreconditionError("outbox relay already running");
  settings_ = settings;
  producer_ = std::make_unique<Producer>();
  auto conf = MakeKafkaConf({
      {"bootstrap.servers", settings.brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "1"},
      {"socket.nagle.disable", "true"},
      {"message.timeout.ms", "15000"},
      {"reconnect.backoff.max.ms", "1000"},
      {"client.id", "recovery-outbox"},
  });
  if (!conf.ok()) return conf.status();
  std::string err;
  if ((*conf)->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(producer_.get()), err) != RdKafka::Conf::CONF_OK)
    return absl::InternalError(err);
  producer_->producer.reset(RdKafka::Producer::create(conf->get(), err));
  if (!producer_->producer) return absl::InvalidArgumentError(absl::StrCat("--kafka-brokers: ", err));
  running_ = true;
  relay_ = std::thread([this] { RelayLoop(); });
  return absl::OkStatus();
}

void Outbox::Stop() {
  if (!running_.exchange(false)) return;
  Wake();
  if (relay_.joinable()) relay_.join();
  producer_.reset();
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
    if (Backlog() == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return Backlog() == 0;
}

void Outbox::RelayLoop() {
  auto backoff = std::chrono::milliseconds(0);
  while (running_) {
    {
      std::unique_lock lock(mu_);
      const auto wait = backoff.count() > 0 ? backoff : std::chrono::milliseconds(500);
      cv_.wait_for(lock, wait, [this, &backoff] { return (wake_ && backoff.count() == 0) || !running_; });
      wake_ = false;
    }
    if (!running_) break;

    struct Pending {
      int64_t id;
      std::string event_id, case_id, type, payload;
    };
    std::vector<Pending> batch;
    // PostgreSQL: the transaction that holds the relay lock and the batch's rows while
    // publishing; the delivered rows are deleted in it. SQLite (one process per file):
    // read, publish, then delete in a new transaction, never holding the writer lock
    // while waiting for the broker.
    std::unique_ptr<Tx> claim;
    const bool postgres = store_.dialect() == Dialect::kPostgres;
    {
      auto tx = store_.Begin();
      if (!tx.ok()) continue;
      if (postgres) {
        auto locked = TryRelayLock(**tx);
        if (!locked.ok()) {
          LogError("outbox relay lock failed", {{"error", std::string(locked.status().message())}});
          continue;
        }
        if (!*locked) {  // another replica is publishing; look again shortly
          backoff = std::max(backoff, std::chrono::milliseconds(100));
          continue;
        }
      }
      auto rows = (*tx)->Query(postgres ? "SELECT id, event_id, case_id, type, payload FROM outbox ORDER BY id "
                                          "LIMIT 1000 FOR UPDATE SKIP LOCKED"
                                        : "SELECT id, event_id, case_id, type, payload FROM outbox ORDER BY id LIMIT 1000");
      if (!rows.ok()) {
        LogError("outbox read failed", {{"error", std::string(rows.status().message())}});
        continue;
      }
      for (const Row& r : *rows) batch.push_back({r.Int(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4)});
      if (postgres) {
        claim = std::move(*tx);
      } else if (auto s = (*tx)->Commit(); !s.ok()) {
        // SQLite groups transactions: the rows just read may belong to a group whose commit
        // failed. Only rows known to be committed are published.
        LogError("outbox read failed", {{"error", std::string(s.message())}});
        continue;
      }
    }
    if (metrics_) metrics_->SetOutboxBacklog(static_cast<double>(batch.size()));
    if (batch.empty()) {
      backoff = std::chrono::milliseconds(0);
      continue;
    }

    {
      std::lock_guard lock(producer_->mu);
      producer_->delivered.clear();
      producer_->failed = 0;
      producer_->outstanding = 0;
    }
    size_t produced = 0;
    for (auto& p : batch) {
      if (!running_) break;
      for (;;) {
        RdKafka::Headers* headers = RdKafka::Headers::create();
        headers->add("type", p.type);
        headers->add("event_id", p.event_id);
        {
          std::lock_guard lock(producer_->mu);
          ++producer_->outstanding;
        }
        const auto err = producer_->producer->produce(
            settings_.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, p.payload.data(),
            p.payload.size(), p.case_id.data(), p.case_id.size(), 0, headers,
            reinterpret_cast<void*>(static_cast<intptr_t>(p.id)));
        if (err == RdKafka::ERR_NO_ERROR) {
          ++produced;
          break;
        }
        delete headers;
        {
          std::lock_guard lock(producer_->mu);
          --producer_->outstanding;
        }
        if (err == RdKafka::ERR__QUEUE_FULL) {
          producer_->producer->poll(10);
          continue;
        }
        LogError("outbox produce failed", {{"error", RdKafka::err2str(err)}});
        break;
      }
      if (produced < static_cast<size_t>(&p - batch.data() + 1)) break;  // keep order: stop at the first failure
    }
    // Wait for every delivery report (success or message.timeout.ms).
    for (;;) {
      {
        std::lock_guard lock(producer_->mu);
        if (producer_->outstanding <= 0) break;
      }
      producer_->producer->poll(running_ ? 20 : 0);
      if (!running_) break;
    }
    std::vector<int64_t> done;
    int failed;
    std::string last_error;
    {
      std::lock_guard lock(producer_->mu);
      done.assign(producer_->delivered.begin(), producer_->delivered.end());
      failed = producer_->failed;
      last_error = producer_->last_error;
    }
    for (size_t i = 0; i < done.size(); i += 500) {
      const size_t n = std::min<size_t>(500, done.size() - i);
      std::vector<std::string> ids;
      ids.reserve(n);
      for (size_t j = 0; j < n; ++j) ids.push_back(std::to_string(done[i + j]));
      const std::string sql = absl::StrCat("DELETE FROM outbox WHERE id IN (", absl::StrJoin(ids, ","), ")");
      auto s = claim ? claim->Exec(sql) : InTransaction(store_, [&](Tx& tx) { return tx.Exec(sql); });
      if (!s.ok()) LogError("outbox delete failed", {{"error", std::string(s.message())}});
    }
    if (claim) {
      // A failed commit leaves the rows: they are published again (at least once; consumers
      // deduplicate by event id).
      if (auto s = claim->Commit(); !s.ok()) LogError("outbox delete failed", {{"error", std::string(s.message())}});
      claim.reset();
    }
    if (metrics_) metrics_->CountPublished(static_cast<double>(done.size()));
    if (failed > 0 || produced < batch.size()) {
      backoff = std::min(std::chrono::milliseconds(5000), std::max(std::chrono::milliseconds(100), backoff * 2));
      LogWarn("outbox publish incomplete; backing off",
              {{"failed", std::to_string(failed)}, {"error", last_error},
               {"backoff_ms", std::to_string(backoff.count())}});
    } else {
      backoff = std::chrono::milliseconds(0);
      // More rows may be waiting: go round again without sleeping.
      std::lock_guard lock(mu_);
      wake_ = true;
    }
  }
}

}  // namespace recovery::common
