// Consumer group member with manual offset store after the database commit, and the sorting
// of failures into malformed (parked), transient (retried, partitions paused) and handler
// bugs (a few attempts, then parked).
#include "services/common/consumer.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "services/common/kafka_util.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"

namespace recovery::common {

namespace {

// Records the event's id in processed_events inside tx; false when it was already there.
absl::StatusOr<bool> MarkId(Tx& tx, const std::string& id, absl::Time at) {
  RETURN_IF_ERROR(tx.Exec("INSERT INTO processed_events (event_id, processed_us) VALUES (?, ?) ON CONFLICT DO NOTHING",
                          {id, absl::ToUnixMicros(at)}));
  return tx.ChangedRows() > 0;
}

absl::StatusOr<bool> MarkProcessed(Tx& tx, const recovery::v1::Event& event) {
  return MarkId(tx, event.event_id(), FromProto(event.occurred_at()));
}

// Parks one message in tx. An event with an id is also marked processed, so a redelivery is
// a duplicate and the message is parked once; false when it already was.
// The dead_letters row of one message, in tx (the caller has marked what makes it parked once).
absl::Status RecordParked(Tx& tx, absl::Time now, std::string_view bytes, const recovery::v1::Event* event,
                          const std::string& reason, int attempts) {
  DeadLetter letter;
  letter.origin = kDeadLetterConsumer;
  if (event != nullptr) {
    letter.event_id = event->event_id();
    letter.case_id = event->case_id();
    if (event->body_case() != recovery::v1::Event::BODY_NOT_SET) letter.type = EventTypeName(*event);
  }
  letter.payload = std::string(bytes);
  letter.reason = reason;
  letter.attempts = attempts;
  letter.parked_at = now;
  return RecordDeadLetter(tx, letter);
}

absl::StatusOr<bool> ParkInTx(Tx& tx, absl::Time now, std::string_view bytes, const recovery::v1::Event* event,
                              const std::string& reason, int attempts) {
  if (event != nullptr && !event->event_id().empty()) {
    ASSIGN_OR_RETURN(bool fresh, MarkProcessed(tx, *event));
    if (!fresh) return false;
  }
  RETURN_IF_ERROR(RecordParked(tx, now, bytes, event, reason, attempts));
  return true;
}

// The processed_events id of rejected bytes: a redelivery of the same message is parked once,
// while the event id it claims stays free for the genuine event.
std::string RejectedId(const Consumer::Inbound& m) {
  std::string message(m.bytes);
  message.append("\n").append(m.key_id).append("\n").append(m.signature);
  return absl::StrCat("rejected:", absl::BytesToHexString(Sha256(message)));
}

// A copy: the Header librdkafka hands out owns its bytes and dies with the call.
std::string Header(const RdKafka::Headers* headers, const char* name) {
  if (headers == nullptr) return {};
  const RdKafka::Headers::Header h = headers->get_last(name);
  if (h.err() != RdKafka::ERR_NO_ERROR || h.value() == nullptr) return {};
  return {static_cast<const char*>(h.value()), h.value_size()};
}

// The consumer whose poll loop runs on this thread (several consumers may share a process).
thread_local const Consumer* t_polling = nullptr;

size_t VerifyThreads() {
  static const size_t n = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  return n;
}

double Random01() {
  thread_local std::minstd_rand rng(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

struct Consumer::Kafka : public RdKafka::RebalanceCb {
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::atomic<bool>* assigned = nullptr;
  std::atomic<bool>* paused = nullptr;
  // Messages consume() returned while the loop was waiting out a fault; handled next, in order.
  std::deque<std::unique_ptr<RdKafka::Message>> stash;

  void rebalance_cb(RdKafka::KafkaConsumer* c, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      c->assign(partitions);
      // Still waiting out a fault: what the group hands us now waits too.
      if (*paused) c->pause(partitions);
      *assigned = true;
    } else {
      c->unassign();
      *assigned = false;
    }
  }
};

// A message as read: the event when it parses, why it cannot be handled ("" when it can), and
// the verifier's refusal (checked first: a forged message must not be able to spend an id).
struct Consumer::Parsed {
  recovery::v1::Event event;
  bool parses = false;
  std::string malformed;
  std::optional<SignatureRejection> rejection;
};

Consumer::Parsed Consumer::Screen(const Inbound& message) const {
  Parsed m;
  m.parses = m.event.ParseFromArray(message.bytes.data(), static_cast<int>(message.bytes.size()));
  if (!m.parses) {
    m.malformed = "malformed: the bytes do not parse as a recovery.v1.Event";
    return m;
  }
  if (options_.verifier) {
    m.rejection = options_.verifier->Check(message.bytes, message.key_id, message.signature, m.event);
    if (m.rejection) return m;
  }
  if (m.event.event_id().empty()) {
    m.malformed = "malformed: the envelope has no event_id";
  } else if (m.event.body_case() == recovery::v1::Event::BODY_NOT_SET) {
    m.malformed = "malformed: the envelope has no body";
  }
  return m;
}

Consumer::Consumer(Store& store, EventHandler handler, Metrics* metrics, ConsumerOptions options)
    : store_(store), handler_(std::move(handler)), metrics_(metrics), options_(std::move(options)) {}

Consumer::~Consumer() { Stop(); }

absl::Time Consumer::Now() const { return (options_.clock ? options_.clock : &SystemClock::Instance())->Now(); }

absl::Status Consumer::Migrate(Store& store) {
  RETURN_IF_ERROR(store.Migrate("consumer", {
                                                "CREATE TABLE processed_events (event_id TEXT PRIMARY KEY, "
                                                "processed_us INTEGER NOT NULL)",
                                            }));
  return MigrateDeadLetters(store);
}

absl::Status Consumer::Start(const KafkaSettings& settings) {
  if (running_) return absl::FailedPreconditionError("consumer already running");
  stopping_ = false;
  kafka_ = std::make_unique<Kafka>();
  kafka_->assigned = &assigned_;
  kafka_->paused = &paused_;
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
  thread_ = std::thread([this] {
    t_polling = this;
    PollLoop();
  });
  return absl::OkStatus();
}

void Consumer::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (!running_.exchange(false)) return;
  if (thread_.joinable()) thread_.join();
  if (kafka_ && kafka_->consumer) kafka_->consumer->close();  // commits stored offsets
  kafka_.reset();
}

absl::StatusOr<bool> Consumer::HandleBytes(std::string_view bytes) { return HandleMessage(bytes, {}, {}); }

absl::StatusOr<bool> Consumer::HandleMessage(std::string_view bytes, std::string_view key_id,
                                             std::string_view signature) {
  const Result r = HandleOne(Inbound{bytes, key_id, signature});
  switch (r.disposition) {
    case Disposition::kHandled:
      return true;
    case Disposition::kDuplicate:
      return false;
    case Disposition::kParked:
      if (r.status.ok()) return false;
      return r.status;
    case Disposition::kStopped:
      return r.status;
  }
  return false;
}

Consumer::Result Consumer::HandleOne(const Inbound& message) {
  const std::string_view bytes = message.bytes;
  const Parsed parsed = Screen(message);
  if (parsed.rejection) return Reject(message, parsed);
  if (!parsed.malformed.empty()) {
    return Park(bytes, parsed.parses ? &parsed.event : nullptr, parsed.malformed, "malformed", 1, absl::OkStatus());
  }
  const recovery::v1::Event& event = parsed.event;
  std::optional<absl::Time> fault_since;  // the first transient failure of this event
  int bug_attempts = 0;
  Result result{Disposition::kStopped, absl::CancelledError("consumer stopping; the event was not handled")};
  for (int attempt = 1;; ++attempt) {
    bool duplicate = false;
    const absl::Status s = InTransaction(store_, [&](Tx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(bool fresh, MarkProcessed(tx, event));
      duplicate = !fresh;
      return duplicate ? absl::OkStatus() : handler_(tx, event);
    });
    if (s.ok()) {
      if (duplicate) {
        ++duplicates_;
        if (metrics_) metrics_->CountConsumed("duplicate");
        result = {Disposition::kDuplicate, absl::OkStatus()};
      } else {
        ++handled_;
        if (metrics_) metrics_->CountConsumed("handled");
        result = {Disposition::kHandled, absl::OkStatus()};
      }
      if (fault_since)
        LogInfo("event handled after retries", {{"event_id", event.event_id()}, {"attempts", std::to_string(attempt)}});
      break;
    }
    if (s.code() == absl::StatusCode::kInvalidArgument) {
      result = Park(bytes, &event, absl::StrCat("malformed: ", s.message()), "invalid", attempt, s);
      break;
    }
    if (IsTransient(s)) {
      // Wait it out: the event is not the problem. Hold the partitions where they are and,
      // once the fault lasts, tell the orchestrator to stop sending traffic.
      if (!fault_since) {
        fault_since = absl::Now();
        LogWarn("event handler hit a transient fault; retrying until it passes",
                {{"event_id", event.event_id()}, {"type", EventTypeName(event)}, {"error", std::string(s.message())}});
      }
      Pause();
      if (absl::Now() - *fault_since >= options_.not_serving_after) SetServing(false);
    } else {
      ++bug_attempts;
      LogWarn("event handler failed", {{"event_id", event.event_id()},
                                       {"type", EventTypeName(event)},
                                       {"attempt", std::to_string(bug_attempts)},
                                       {"error", std::string(s.message())}});
      if (bug_attempts >= options_.max_handler_attempts) {
        result = Park(bytes, &event, absl::StrCat("handler failed ", bug_attempts, " times: ", s.message()),
                      "handler_failed", attempt, s);
        break;
      }
      Pause();
    }
    ++retries_;
    if (metrics_) metrics_->CountConsumed("retry");
    if (!WaitBeforeRetry(options_.retry.Delay(attempt, Random01()))) break;
  }
  Resume();
  SetServing(true);
  return result;
}

Consumer::Result Consumer::Park(std::string_view bytes, const recovery::v1::Event* event, const std::string& reason,
                                std::string_view metric_reason, int attempts, absl::Status status) {
  const std::optional<bool> parked =
      Persist([&](Tx& tx) { return ParkInTx(tx, Now(), bytes, event, reason, attempts); });
  if (!parked) return {Disposition::kStopped, absl::CancelledError("consumer stopping; the event was not parked")};
  if (!*parked) {
    ++duplicates_;
    if (metrics_) metrics_->CountConsumed("duplicate");
    return {Disposition::kDuplicate, absl::OkStatus()};
  }
  ++dead_lettered_;
  const bool malformed = metric_reason != "handler_failed";
  if (malformed) ++malformed_;
  if (metrics_) {
    metrics_->CountConsumed(malformed ? "malformed" : "dead_letter");
    metrics_->CountConsumerDeadLetter(metric_reason);
  }
  LogError(malformed ? "skipping malformed event; parked in dead_letters"
                     : "event handler kept failing; parked in dead_letters",
           {{"event_id", event ? event->event_id() : ""},
            {"type", event && event->body_case() != recovery::v1::Event::BODY_NOT_SET ? EventTypeName(*event) : ""},
            {"bytes", std::to_string(bytes.size())},
            {"reason", reason}});
  return {Disposition::kParked, std::move(status)};
}

std::optional<bool> Consumer::Persist(const std::function<absl::StatusOr<bool>(Tx&)>& in_tx) {
  bool fresh = true;
  for (int attempt = 1;; ++attempt) {
    const absl::Status s = InTransaction(store_, [&](Tx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(fresh, in_tx(tx));
      return absl::OkStatus();
    });
    if (s.ok()) return fresh;
    // Never skip what could not be parked: wait until the store takes it.
    LogError("could not park an event in dead_letters; retrying", {{"error", std::string(s.message())}});
    Pause();
    ++retries_;
    if (!WaitBeforeRetry(options_.retry.Delay(attempt, Random01()))) return std::nullopt;
  }
}

absl::StatusOr<bool> Consumer::RejectInTx(Tx& tx, const Inbound& message, const Parsed& parsed) {
  const absl::Time now = Now();
  ASSIGN_OR_RETURN(const bool fresh, MarkId(tx, RejectedId(message), now));
  if (!fresh) return false;
  RETURN_IF_ERROR(RecordParked(tx, now, message.bytes, &parsed.event, parsed.rejection->reason, 1));
  if (options_.on_rejected) {
    RETURN_IF_ERROR(
        options_.on_rejected(tx, RejectedEvent{parsed.event, message.bytes, message.key_id, *parsed.rejection, now}));
  }
  return true;
}

void Consumer::CountRejected(const Parsed& parsed) {
  ++dead_lettered_;
  ++rejected_;
  if (metrics_) {
    metrics_->CountConsumed("rejected");
    metrics_->CountConsumerDeadLetter(parsed.rejection->metric);
  }
  const recovery::v1::Event& e = parsed.event;
  LogError("rejected an event by its signature; parked in dead_letters, not handled",
           {{"event_id", e.event_id()},
            {"type", e.body_case() != recovery::v1::Event::BODY_NOT_SET ? EventTypeName(e) : ""},
            {"source", e.source()},
            {"reason", parsed.rejection->reason}});
}

Consumer::Result Consumer::Reject(const Inbound& message, const Parsed& parsed) {
  const std::optional<bool> fresh = Persist([&](Tx& tx) { return RejectInTx(tx, message, parsed); });
  if (!fresh) return {Disposition::kStopped, absl::CancelledError("consumer stopping; the event was not parked")};
  if (!*fresh) {
    ++duplicates_;
    if (metrics_) metrics_->CountConsumed("duplicate");
    return {Disposition::kDuplicate, absl::OkStatus()};
  }
  CountRejected(parsed);
  return {Disposition::kParked, absl::OkStatus()};
}

bool Consumer::WaitBeforeRetry(absl::Duration delay) {
  const absl::Time until = absl::Now() + delay;
  if (kafka_ && kafka_->consumer && t_polling == this) {
    // Keep polling (paused partitions deliver nothing): the member keeps its place in the
    // group, rebalances are served and max.poll.interval.ms is never exceeded.
    while (!stopping_) {
      const absl::Duration left = until - absl::Now();
      if (left <= absl::ZeroDuration()) return true;
      const int ms = static_cast<int>(std::clamp<int64_t>(absl::ToInt64Milliseconds(left), 1, 100));
      std::unique_ptr<RdKafka::Message> m(kafka_->consumer->consume(ms));
      if (m && m->err() == RdKafka::ERR_NO_ERROR) kafka_->stash.push_back(std::move(m));
    }
    return false;
  }
  std::unique_lock lock(stop_mu_);
  return !stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(delay), [this] { return stopping_.load(); });
}

void Consumer::Pause() {
  if (paused_ || !kafka_ || !kafka_->consumer || t_polling != this) return;
  std::vector<RdKafka::TopicPartition*> parts;
  if (kafka_->consumer->assignment(parts) == RdKafka::ERR_NO_ERROR) kafka_->consumer->pause(parts);
  RdKafka::TopicPartition::destroy(parts);
  paused_ = true;
  LogWarn("consumer partitions paused until the event is handled or parked");
}

void Consumer::Resume() {
  if (!paused_ || !kafka_ || !kafka_->consumer) return;
  std::vector<RdKafka::TopicPartition*> parts;
  if (kafka_->consumer->assignment(parts) == RdKafka::ERR_NO_ERROR) kafka_->consumer->resume(parts);
  RdKafka::TopicPartition::destroy(parts);
  paused_ = false;
  LogInfo("consumer partitions resumed");
}

void Consumer::SetServing(bool serving) {
  if (serving_ == serving) return;
  serving_ = serving;
  if (!serving)
    LogWarn("consumer waiting out a fault: readiness NOT_SERVING");
  else
    LogInfo("consumer caught up with the fault: readiness SERVING");
  if (options_.on_serving) options_.on_serving(serving);
}

absl::Status Consumer::HandleBatch(const std::vector<std::string_view>& messages) {
  std::vector<Inbound> inbound;
  inbound.reserve(messages.size());
  for (std::string_view bytes : messages) inbound.push_back({bytes, {}, {}});
  return HandleBatch(inbound);
}

absl::Status Consumer::HandleBatch(const std::vector<Inbound>& messages) {
  // Malformed and rejected messages are parked inside the batch's transaction, and counted
  // only once it committed: when it fails, the caller hands every message to HandleOne,
  // which parks and counts them then, once.
  std::vector<Parsed> parsed(messages.size());
  // Signature checks dominate a verified batch (Ed25519 verification is ~50-100x the rest of
  // an event's handling): spread them over the cores before the one transaction.
  const size_t threads = options_.verifier && messages.size() >= 64 ? VerifyThreads() : 1;
  if (threads <= 1) {
    for (size_t i = 0; i < messages.size(); ++i) parsed[i] = Screen(messages[i]);
  } else {
    std::vector<std::thread> workers;
    const size_t chunk = (messages.size() + threads - 1) / threads;
    for (size_t from = 0; from < messages.size(); from += chunk) {
      workers.emplace_back([&, from] {
        for (size_t i = from; i < std::min(messages.size(), from + chunk); ++i) parsed[i] = Screen(messages[i]);
      });
    }
    for (std::thread& w : workers) w.join();
  }
  // One transaction for the whole batch: each event still records its id first, so the
  // effects stay exactly once, and a single commit replaces one per event.
  int64_t handled = 0, duplicates = 0;
  std::vector<size_t> parked, rejected;
  auto s = InTransaction(store_, [&](Tx& tx) -> absl::Status {
    handled = duplicates = 0;
    parked.clear();
    rejected.clear();
    for (size_t i = 0; i < parsed.size(); ++i) {
      const Parsed& m = parsed[i];
      bool fresh = false;
      if (m.rejection) {
        ASSIGN_OR_RETURN(fresh, RejectInTx(tx, messages[i], m));
        if (fresh) rejected.push_back(i);
      } else if (!m.malformed.empty()) {
        ASSIGN_OR_RETURN(fresh, ParkInTx(tx, Now(), messages[i].bytes, m.parses ? &m.event : nullptr, m.malformed, 1));
        if (fresh) parked.push_back(i);
      } else {
        ASSIGN_OR_RETURN(fresh, MarkProcessed(tx, m.event));
        if (fresh) {
          RETURN_IF_ERROR(handler_(tx, m.event));
          ++handled;
        }
      }
      if (!fresh) ++duplicates;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  handled_ += handled;
  duplicates_ += duplicates;
  malformed_ += static_cast<int64_t>(parked.size());
  dead_lettered_ += static_cast<int64_t>(parked.size());
  for (size_t i : rejected) CountRejected(parsed[i]);
  for (size_t i : parked) {
    LogError("skipping malformed event; parked in dead_letters", {{"event_id", parsed[i].event.event_id()},
                                                                  {"bytes", std::to_string(messages[i].bytes.size())},
                                                                  {"reason", parsed[i].malformed}});
  }
  if (metrics_) {
    for (int64_t i = 0; i < handled; ++i) metrics_->CountConsumed("handled");
    for (int64_t i = 0; i < duplicates; ++i) metrics_->CountConsumed("duplicate");
    for (size_t i = 0; i < parked.size(); ++i) {
      metrics_->CountConsumed("malformed");
      metrics_->CountConsumerDeadLetter("malformed");
    }
  }
  return absl::OkStatus();
}

namespace {

// Stores the offsets after the first `done` messages of the batch (those whose commit
// happened, or which were parked); the rest come again to whoever holds the partition next.
void StoreOffsets(RdKafka::KafkaConsumer& consumer, const std::vector<std::unique_ptr<RdKafka::Message>>& batch,
                  size_t done) {
  std::map<std::pair<std::string, int32_t>, int64_t> next_offsets;
  for (size_t i = 0; i < done; ++i) {
    const auto& m = batch[i];
    auto& off = next_offsets[{m->topic_name(), m->partition()}];
    off = std::max(off, m->offset() + 1);
  }
  if (next_offsets.empty()) return;
  std::vector<RdKafka::TopicPartition*> offsets;
  for (const auto& [tp, off] : next_offsets)
    offsets.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, off));
  consumer.offsets_store(offsets);  // fails harmlessly for a partition revoked meanwhile
  RdKafka::TopicPartition::destroy(offsets);
}

}  // namespace

void Consumer::PollLoop() {
  // Up to this many already-fetched messages share one transaction (one commit).
  constexpr size_t kMaxBatch = 1000;
  while (running_) {
    std::vector<std::unique_ptr<RdKafka::Message>> batch;
    if (kafka_->stash.empty()) {
      std::unique_ptr<RdKafka::Message> first(kafka_->consumer->consume(100));
      if (!first) continue;
      if (first->err() == RdKafka::ERR__TIMED_OUT || first->err() == RdKafka::ERR__PARTITION_EOF) continue;
      if (first->err() != RdKafka::ERR_NO_ERROR) {
        LogWarn("consumer error", {{"error", first->errstr()}});
        continue;
      }
      batch.push_back(std::move(first));
    }
    while (!kafka_->stash.empty() && batch.size() < kMaxBatch) {
      batch.push_back(std::move(kafka_->stash.front()));
      kafka_->stash.pop_front();
    }
    // Take what has already been fetched, without waiting, to handle it in one transaction.
    while (kafka_->stash.empty() && batch.size() < kMaxBatch) {
      std::unique_ptr<RdKafka::Message> next(kafka_->consumer->consume(0));
      if (!next || next->err() != RdKafka::ERR_NO_ERROR) break;
      batch.push_back(std::move(next));
    }
    std::vector<Inbound> payloads;
    std::vector<std::pair<std::string, std::string>> signatures;  // what payloads' headers view
    payloads.reserve(batch.size());
    signatures.reserve(batch.size());
    for (const auto& m : batch) {
      const RdKafka::Headers* headers = m->headers();
      const auto& [key_id, signature] =
          signatures.emplace_back(Header(headers, kSignatureKeyHeader), Header(headers, kSignatureHeader));
      payloads.push_back({std::string_view(static_cast<const char*>(m->payload()), m->len()), key_id, signature});
    }
    size_t done = batch.size();
    if (batch.size() == 1 || !HandleBatch(payloads).ok()) {
      // One event, or a batch whose transaction failed: one transaction per event, with the
      // retry and parking rules of HandleOne (a failing event must not block the others).
      done = 0;
      for (const Inbound& p : payloads) {
        if (HandleOne(p).disposition == Disposition::kStopped) break;
        ++done;
      }
    }
    // Every database commit happened (or a message was parked): now the offsets may move.
    StoreOffsets(*kafka_->consumer, batch, done);
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
