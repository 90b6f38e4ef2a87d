// The outbox relay's publisher in production: librdkafka's idempotent producer (acks=all),
// key = case id, headers type and event_id; librdkafka's errors sorted into retryable and
// permanent (ClassifyKafkaError).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/common/publisher.h"

namespace recovery::common {

// What a librdkafka error code (RdKafka::ErrorCode, passed as its int value) means for the
// record: kPermanent when the broker will refuse it however often it is sent (too large,
// invalid, not authorised for the topic, a bad argument), kRetryable for everything else
// (timeouts, transport, queue full, leader changes, an unknown topic that may yet be created,
// and codes not listed: retried with backoff and logged rather than parked by mistake).
// ERR_NO_ERROR is kDelivered.
Delivery ClassifyKafkaError(int code);

class KafkaPublisher final : public EventPublisher {
 public:
  // An idempotent producer (acks=all) to `brokers`, publishing to `topic`. An unusable
  // broker list or setting is INVALID_ARGUMENT naming --kafka-brokers.
  static absl::StatusOr<std::unique_ptr<KafkaPublisher>> Create(const std::string& brokers, const std::string& topic);
  ~KafkaPublisher() override;

  std::vector<PublishResult> Publish(const std::vector<OutboundEvent>& batch, std::stop_token stop) override;

 private:
  struct Producer;
  KafkaPublisher(std::string brokers, std::string topic);
  absl::Status Connect();

  std::string brokers_;
  std::string topic_;
  std::unique_ptr<Producer> producer_;
};

}  // namespace recovery::common
