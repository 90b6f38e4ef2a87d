// KafkaPublisher: a batch produced with librdkafka, then every delivery report awaited.
#include "services/common/kafka_publisher.h"

#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/event_signing.h"
#include "services/common/kafka_util.h"
#include "services/common/logging.h"

namespace recovery::common {
namespace {

// Delivery reports are served by poll() on the publishing thread; a report that arrives
// after its batch was abandoned (stop requested) writes into that batch's state, which the
// ticket keeps alive, not into the next batch's.
struct BatchState {
  std::vector<PublishResult> results;
  int outstanding = 0;
};

struct Ticket {
  std::shared_ptr<BatchState> batch;
  size_t index;
};

}  // namespace

Delivery ClassifyKafkaError(int code) {
  switch (static_cast<RdKafka::ErrorCode>(code)) {
    case RdKafka::ERR_NO_ERROR:
      return Delivery::kDelivered;
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE:  // over message.max.bytes (client or broker)
    case RdKafka::ERR_INVALID_MSG_SIZE:
    case RdKafka::ERR_RECORD_LIST_TOO_LARGE:
    case RdKafka::ERR_INVALID_MSG:  // the broker's CRC or format check refused it
    case RdKafka::ERR_INVALID_RECORD:
    case RdKafka::ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RdKafka::ERR__INVALID_ARG:                // e.g. a header or key librdkafka refuses
    case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:  // the ACLs refuse this producer the topic
    case RdKafka::ERR_TOPIC_EXCEPTION:             // an invalid topic name
      return Delivery::kPermanent;
    default:
      return Delivery::kRetryable;
  }
}

struct KafkaPublisher::Producer : public RdKafka::DeliveryReportCb {
  std::unique_ptr<RdKafka::Producer> handle;

  // Messages still queued or in flight report ERR__PURGE_* here, freeing their tickets.
  ~Producer() override {
    if (!handle) return;
    handle->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
    handle->flush(1000);
  }

  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<Ticket> ticket(static_cast<Ticket*>(message.msg_opaque()));
    if (!ticket) return;
    BatchState& batch = *ticket->batch;
    --batch.outstanding;
    PublishResult& r = batch.results[ticket->index];
    r.delivery = ClassifyKafkaError(message.err());
    r.error = r.delivery == Delivery::kDelivered ? "" : message.errstr();
  }
};

KafkaPublisher::KafkaPublisher(std::string brokers, std::string topic)
    : brokers_(std::move(brokers)), topic_(std::move(topic)) {}

KafkaPublisher::~KafkaPublisher() = default;

absl::StatusOr<std::unique_ptr<KafkaPublisher>> KafkaPublisher::Create(const std::string& brokers,
                                                                       const std::string& topic) {
  std::unique_ptr<KafkaPublisher> p(new KafkaPublisher(brokers, topic));
  if (auto s = p->Connect(); !s.ok()) return s;
  return p;
}

absl::Status KafkaPublisher::Connect() {
  auto producer = std::make_unique<Producer>();
  auto conf = MakeKafkaConf({
      {"bootstrap.servers", brokers_},
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
  if ((*conf)->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(producer.get()), err) != RdKafka::Conf::CONF_OK)
    return absl::InternalError(err);
  producer->handle.reset(RdKafka::Producer::create(conf->get(), err));
  if (!producer->handle) return absl::InvalidArgumentError(absl::StrCat("--kafka-brokers: ", err));
  producer_ = std::move(producer);
  return absl::OkStatus();
}

std::vector<PublishResult> KafkaPublisher::Publish(const std::vector<OutboundEvent>& batch, std::stop_token stop) {
  auto state = std::make_shared<BatchState>();
  state->results.assign(batch.size(), PublishResult{Delivery::kRetryable, "not produced"});
  if (!producer_) {  // recreating it after a fatal error failed: try again, or retry later
    if (auto s = Connect(); !s.ok()) {
      for (PublishResult& r : state->results) r.error = std::string(s.message());
      return state->results;
    }
  }
  RdKafka::Producer& producer = *producer_->handle;
  // Keys whose earlier record was not accepted for a retryable reason: their later records
  // are held back so a case's events keep their order. Once produced, librdkafka's
  // idempotent producer keeps a partition's order itself (a failed record fails the ones
  // queued behind it).
  std::set<std::string> held;
  for (size_t i = 0; i < batch.size(); ++i) {
    const OutboundEvent& e = batch[i];
    if (held.count(e.key)) {
      state->results[i] = {Delivery::kRetryable, "an earlier event of this case was not published"};
      continue;
    }
    for (;;) {
      if (stop.stop_requested()) {
        state->results[i] = {Delivery::kRetryable, "relay stopping"};
        held.insert(e.key);
        break;
      }
      RdKafka::Headers* headers = RdKafka::Headers::create();
      headers->add("type", e.type);
      headers->add("event_id", e.event_id);
      if (!e.signature.empty()) {
        headers->add(kSignatureKeyHeader, e.signature_key_id);
        headers->add(kSignatureHeader, e.signature);
      }
      auto* ticket = new Ticket{state, i};
      const RdKafka::ErrorCode err = producer.produce(topic_, RdKafka::Topic::PARTITION_UA,
                                                      RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(e.value.data()),
                                                      e.value.size(), e.key.data(), e.key.size(), 0, headers, ticket);
      if (err == RdKafka::ERR_NO_ERROR) {  // librdkafka owns the headers now
        ++state->outstanding;
        state->results[i] = {Delivery::kRetryable, "no delivery report yet"};
        break;
      }
      delete headers;
      delete ticket;
      if (err == RdKafka::ERR__QUEUE_FULL) {  // serve delivery reports to make room, then again
        producer.poll(10);
        continue;
      }
      state->results[i] = {ClassifyKafkaError(err), RdKafka::err2str(err)};
      if (state->results[i].delivery == Delivery::kRetryable) held.insert(e.key);
      break;
    }
  }
  // Every delivery report: success, a broker refusal, or message.timeout.ms.
  // Stopping: what is still unknown stays in the outbox (published again later, at least
  // once); reports arriving after this land in `state`, kept alive by their tickets.
  while (state->outstanding > 0 && !stop.stop_requested()) producer.poll(20);
  std::string fatal;
  if (producer.fatal_error(fatal) != RdKafka::ERR_NO_ERROR) {
    // The idempotent producer cannot continue after a fatal error: a new one takes over and
    // the batch's undelivered records are retried through it.
    LogError("outbox producer fatal error; recreating the producer", {{"error", fatal}});
    producer_.reset();
    if (auto s = Connect(); !s.ok()) LogError("outbox producer could not be recreated", {{"error", s.ToString()}});
  }
  return state->results;
}

}  // namespace recovery::common
