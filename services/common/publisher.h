// The seam under the outbox relay: where committed events go. Kafka in production
// (kafka_publisher.h), tests/support's RecordingPublisher in process. The relay claims rows,
// hands them to Publish and acknowledges each by its result: delivered rows are deleted,
// permanently refused ones parked in dead_letters, retryable ones kept for the next round.
#pragma once

#include <stop_token>
#include <string>
#include <vector>

namespace recovery::common {

// One outbox row on its way out.
struct OutboundEvent {
  std::string key;       // the case id: a case's events share a partition, so they keep their order
  std::string value;     // the serialized recovery.v1.Event
  std::string type;      // header "type", the event's body type (e.g. "CaseOpened")
  std::string event_id;  // header "event_id"
  // Headers "sig_key" and "sig" (event_signing.h); empty: the event goes unsigned.
  std::string signature_key_id;
  std::string signature;
};

enum class Delivery {
  kDelivered,  // the broker has it (acks=all)
  kRetryable,  // not delivered this time (broker away, timeout, queue full, not leader): try again
  kPermanent,  // the broker will never take it (too large, invalid, not authorised): park it
};

struct PublishResult {
  Delivery delivery = Delivery::kRetryable;
  std::string error;  // why it was not delivered; empty when delivered
};

// Implementations are used by one relay thread at a time; Publish blocks.
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;

  // Publishes `batch` in order and waits until each record's fate is known (or `stop` is
  // requested: what is still unknown then is kRetryable). Returns one result per record, in
  // the batch's order. Order per key: once a record is not delivered for a retryable reason,
  // no later record with the same key in the batch is delivered (they are kRetryable too),
  // so a case's events never overtake one another; a permanent refusal does not hold back
  // the records after it.
  virtual std::vector<PublishResult> Publish(const std::vector<OutboundEvent>& batch, std::stop_token stop) = 0;
};

}  // namespace recovery::common
