// Consumer group member with manual offset store after the database commit.
#include "services/common/consumer.h"

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "services/common/events.h"
#include "services/common/kafka_util.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"

namespace recovery::common {

namespace {

// The event in `bytes` when it is one the consumer can handle: it parses, has an id and a body.
std::optional<recovery::v1::Event> ParseEvent(std::string_view bytes) {
  recovery::v1::Event event;
  if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || event.event_id().empty() ||
      event.body_case() == recovery::v1::Event::BODY_NOT_SET)
    return std::nullopt;
  return event;
}

// Records the event's id in processed_events inside tx; false when it was already there.
absl::StatusOr<bool> MarkProcessed(Tx& tx, const recovery::v1::Event& event) {
  if (auto s = tx.Exec("INSERT INTO processed_events (event_id, processed_us) VALUES (?, ?) ON CONFLICT DO NOTHING",
                       {event.event_id(), absl::ToUnixMicros(FromProto(event.occurred_at()))});
      !s.ok())
    return s;
  return tx.ChangedRows() > 0;
}

}  // namespace

struct Consumer::Kafka : public RdKafka::RebalanceCb {
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::atomic<bool>* assigned = nullptr;

  void rebalance_cb(RdKafka::KafkaConsumer* c, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      c->assign(partitions);
      *assigned = true;
    } else {
      c->unassign();
      *assigned = false;
    }
  }
};

Consumer::Consumer(Store& store, EventHandler handler, Metrics* metrics)
    : store_(store), handler_(std::move(handler)), metrics_(metrics) {}

Consumer::~Consumer() { Stop(); }

absl::Status Consumer::Migrate(Store& store) {
  return store.Migrate("consumer", {
                                       "CREATE TABLE processed_events (event_id TEXT PRIMARY KEY, "
                                       "processed_us INTEGER NOT NULL)",
                                   });
}

absl::Status Consumer::Start(const KafkaSettings& settings) {
  if (running_) return absl::FailedPreconditionError("consumer already running");
  kafka_ = std::make_unique<Kafka>();
  kafka_->assigned = &assigned_;
  auto conf = MakeKafkaConf({
      {"bootstrap.servers", settings.brokers},
      {"group.id", settings.group_id},
      {"enable.auto.commit", "true"},
      {"auto.commit.interval.ms", "200"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"fetch.wait.max.ms", std::to_string(settings.fetch_wait_ms)},
      {"socket.nagle.disable", "true"},
      {"session.timeout.ms", "6000"},
      {"heartbeat.interval.ms", "500"},
      {"client.id", absl::StrCat("recovery-", settings.group_id)},
  });
  if (!conf.ok()) return conf.status();
  std::string err;
  if ((*conf)->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(kafka_.get()), err) != RdKafka::Conf::CONF_OK)
    return absl::InternalError(err);
  kafka_->consumer.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!kafka_->consumer) return absl::InvalidArgumentError(absl::StrCat("--kafka-brokers: ", err));
  if (auto e = kafka_->consumer->subscribe({settings.topic}); e != RdKafka::ERR_NO_ERROR)
    return absl::InvalidArgumentError(absl::StrCat("--topic: ", RdKafka::err2str(e)));
  running_ = true;
  thread_ = std::thread([this] { PollLoop(); });
  return absl::OkStatus();
}

void Consumer::Stop() {
  if (!running_.exchange(false)) return;
  if (thread_.joinable()) thread_.join();
  if (kafka_ && kafka_->consumer) kafka_->consumer->close();  // commits stored offsets
  kafka_.reset();
}

void Consumer::CountMalformed(size_t bytes) {
  ++malformed_;
  if (metrics_) metrics_->CountConsumed("malformed");
  LogWarn("skipping malformed event", {{"bytes", std::to_string(bytes)}});
}

absl::StatusOr<bool> Consumer::HandleBytes(std::string_view bytes) {
  const std::optional<recovery::v1::Event> parsed = ParseEvent(bytes);
  if (!parsed) {
    CountMalformed(bytes.size());
    return false;
  }
  const recovery::v1::Event& event = *parsed;
  for (int attempt = 0;; ++attempt) {
    bool duplicate = false;
    auto s = InTransaction(store_, [&](Tx& tx) -> absl::Status {
      auto fresh = MarkProcessed(tx, event);
      if (!fresh.ok()) return fresh.status();
      duplicate = !*fresh;
      return duplicate ? absl::OkStatus() : handler_(tx, event);
    });
    if (s.ok()) {
      if (duplicate) {
        ++duplicates_;
        if (metrics_) metrics_->CountConsumed("duplicate");
        return false;
      }
      ++handled_;
      if (metrics_) metrics_->CountConsumed("handled");
      return true;
    }
    const bool retryable = s.code() == absl::StatusCode::kUnavailable || s.code() == absl::StatusCode::kAborted;
    if (retryable && attempt < 20 && (running_ || attempt < 3)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50 * (attempt + 1)));
      continue;
    }
    // A permanent failure must not wedge the partition: record the event as processed
    // (so a redelivery is skipped) and move on, loudly.
    LogError("event handler failed; skipping",
             {{"event_id", event.event_id()}, {"type", EventTypeName(event)}, {"error", std::string(s.message())}});
    if (metrics_) metrics_->CountConsumed("failed");
    (void)InTransaction(store_, [&](Tx& tx) { return MarkProcessed(tx, event).status(); });
    return s;
  }
}

absl::Status Consumer::HandleBatch(const std::vector<std::string_view>& messages) {
  // Parse first: malformed messages are skipped outside any transaction. They are counted
  // only once the batch is done: if it fails, the caller hands every message to HandleBytes,
  // which counts them then.
  std::vector<recovery::v1::Event> events;
  events.reserve(messages.size());
  std::vector<size_t> malformed_sizes;
  for (std::string_view bytes : messages) {
    if (std::optional<recovery::v1::Event> event = ParseEvent(bytes)) {
      events.push_back(std::move(*event));
    } else {
      malformed_sizes.push_back(bytes.size());
    }
  }
  auto count_malformed = [&] {
    for (size_t size : malformed_sizes) CountMalformed(size);
  };
  if (events.empty()) {
    count_malformed();
    return absl::OkStatus();
  }
  // One transaction for the whole batch: each event still records its id first, so the
  // effects stay exactly once, and a single commit replaces one per event.
  int64_t handled = 0, duplicates = 0;
  auto s = InTransaction(store_, [&](Tx& tx) -> absl::Status {
    handled = duplicates = 0;
    for (const auto& event : events) {
      auto fresh = MarkProcessed(tx, event);
      if (!fresh.ok()) return fresh.status();
      if (!*fresh) {
        ++duplicates;
        continue;
      }
      if (auto s = handler_(tx, event); !s.ok()) return s;
      ++handled;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  count_malformed();
  handled_ += handled;
  duplicates_ += duplicates;
  if (metrics_) {
    for (int64_t i = 0; i < handled; ++i) metrics_->CountConsumed("handled");
    for (int64_t i = 0; i < duplicates; ++i) metrics_->CountConsumed("duplicate");
  }
  return absl::OkStatus();
}

void Consumer::PollLoop() {
  // Up to this many already-fetched messages share one transaction (one commit).
  constexpr size_t kMaxBatch = 1000;
  while (running_) {
    std::vector<std::unique_ptr<RdKafka::Message>> batch;
    std::unique_ptr<RdKafka::Message> first(kafka_->consumer->consume(100));
    if (!first) continue;
    if (first->err() == RdKafka::ERR__TIMED_OUT || first->err() == RdKafka::ERR__PARTITION_EOF) continue;
    if (first->err() != RdKafka::ERR_NO_ERROR) {
      LogWarn("consumer error", {{"error", first->errstr()}});
      continue;
    }
    batch.push_back(std::move(first));
    // Take what has already been fetched, without waiting, to handle it in one transaction.
    while (batch.size() < kMaxBatch) {
      std::unique_ptr<RdKafka::Message> next(kafka_->consumer->consume(0));
      if (!next || next->err() != RdKafka::ERR_NO_ERROR) break;
      batch.push_back(std::move(next));
    }
    std::vector<std::string_view> payloads;
    payloads.reserve(batch.size());
    for (const auto& m : batch) payloads.emplace_back(static_cast<const char*>(m->payload()), m->len());
    if (batch.size() == 1 || !HandleBatch(payloads).ok()) {
      // One event, or a batch whose transaction failed: one transaction per event, with the
      // retry and skip rules of HandleBytes (a failing event must not block the others).
      for (std::string_view p : payloads) (void)HandleBytes(p);
    }
    // Every database commit happened (or a message was skipped): now the offsets may move.
    std::map<std::pair<std::string, int32_t>, int64_t> next_offsets;
    for (const auto& m : batch) {
      auto& off = next_offsets[{m->topic_name(), m->partition()}];
      off = std::max(off, m->offset() + 1);
    }
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const auto& [tp, off] : next_offsets) offsets.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, off));
    kafka_->consumer->offsets_store(offsets);
    RdKafka::TopicPartition::destroy(offsets);
    if (metrics_) {
      const auto& last = batch.back();
      int64_t low = 0, high = 0;
      if (kafka_->consumer->get_watermark_offsets(last->topic_name(), last->partition(), &low, &high) ==
          RdKafka::ERR_NO_ERROR)
        metrics_->SetConsumerLag(static_cast<double>(std::max<int64_t>(0, high - last->offset() - 1)));
    }
  }
}

}  // namespace recovery::common
