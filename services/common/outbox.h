// Transactional outbox: events are appended in the same transaction as the state change
// and a relay thread publishes them through an EventPublisher (publisher.h; Kafka with an
// idempotent producer and acks=all in production), deleting each row only after it was
// delivered. No dual writes.
//
// One relay round: claim (the oldest rows; on PostgreSQL under the single-publisher lock)
// -> publish (the batch, in order) -> acknowledge (in one transaction: delete the delivered
// rows, move the ones the broker refused for good to dead_letters with the reason; rows that
// failed for a retryable reason stay and the relay backs off). A failed acknowledge is retried
// with backoff so a database blip does not publish the batch again; what is published again
// anyway is counted (republished(), recovery_outbox_republished_total).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "services/common/backoff.h"
#include "services/common/event_signing.h"
#include "services/common/publisher.h"
#include "services/common/store.h"

namespace recovery::common {

class Clock;
class Metrics;

struct KafkaSettings {
  std::string brokers;
  std::string topic = "recovery.case-events";
  std::string group_id;
  int fetch_wait_ms = 10;
};

struct OutboxOptions {
  int batch_size = 1000;
  // After a round in which a row failed for a retryable reason (broker away, timeout).
  BackoffPolicy publish_backoff{absl::Milliseconds(100), absl::Seconds(5)};
  // Between attempts to acknowledge a published batch (delete/commit failed), at most
  // ack_attempts in all; after that the rows stay and are published again.
  BackoffPolicy ack_backoff{absl::Milliseconds(50), absl::Seconds(1)};
  int ack_attempts = 6;
  // When a row was parked (dead_letters.parked_at); null: the system clock. Not owned.
  Clock* clock = nullptr;
  // Signs every event as it is published (event_signing.h); null: events go unsigned.
  std::shared_ptr<const EventSigner> signer;
};

// Thread-safe. Append may be called from any thread inside any transaction on `store`.
class Outbox {
 public:
  Outbox(Store& store, Metrics* metrics = nullptr, OutboxOptions options = {});
  ~Outbox();

  // The outbox table and dead_letters (dead_letters.h), where refused rows are parked.
  static absl::Status Migrate(Store& store);

  // Appends the event to the outbox inside tx; the relay wakes after tx commits.
  // An event without a body or without an event id is rejected (INVALID_ARGUMENT).
  absl::Status Append(Tx& tx, const recovery::v1::Event& event);

  // Starts the relay thread publishing to Kafka (settings.brokers, settings.topic).
  absl::Status Start(const KafkaSettings& settings);
  // Starts the relay thread publishing through `publisher` (not owned; outlives Stop()).
  absl::Status Start(EventPublisher& publisher);
  // Stops the relay; rows not yet acknowledged stay for the next start. Not started: rows wait.
  void Stop();
  void Wake();

  // Rows waiting to be published.
  int64_t Backlog();
  // Blocks until the backlog is empty and the relay has acknowledged and counted its round,
  // or the timeout passes; true when drained.
  bool WaitDrained(absl::Duration timeout);

  // Rows parked in dead_letters because the publisher refused them for good.
  int64_t parked() const { return parked_; }
  // Rows published again because their acknowledgement did not commit.
  int64_t republished() const { return republished_; }

 private:
  struct Pending {
    int64_t id;
    OutboundEvent event;
  };
  // The rows of one round; on PostgreSQL also the transaction holding the relay lock and
  // the rows' locks until the acknowledgement commits.
  struct Claim {
    bool busy = false;  // another replica's relay holds the lock
    std::vector<Pending> rows;
    std::unique_ptr<Tx> tx;
  };
  struct Acknowledgement {
    std::vector<int64_t> delivered;
    std::vector<size_t> parked;  // indexes into the claim's rows
    int retryable = 0;
    std::string last_error;
  };

  void RelayLoop(std::stop_token stop);
  absl::StatusOr<Claim> ClaimBatch();
  Acknowledgement Sort(const Claim& claim, const std::vector<PublishResult>& results) const;
  void Acknowledge(Claim& claim, const std::vector<PublishResult>& results, const Acknowledgement& ack,
                   std::stop_token stop);
  absl::Status DeleteAndPark(Tx& tx, const Claim& claim, const std::vector<PublishResult>& results,
                             const Acknowledgement& ack, int64_t* gone);
  // Waits for `delay`, or (delay zero) for a wake-up or the idle poll; false when stopping.
  bool Pause(absl::Duration delay, std::stop_token stop);

  Store& store_;
  Metrics* metrics_;
  const OutboxOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  std::atomic<bool> running_{false};
  std::atomic<int64_t> parked_{0};
  std::atomic<bool> in_round_{false};  // the relay is between a claim and its counters
  std::atomic<int64_t> republished_{0};
  EventPublisher* publisher_ = nullptr;
  std::unique_ptr<EventPublisher> owned_publisher_;
  std::jthread relay_;
};

}  // namespace recovery::common
