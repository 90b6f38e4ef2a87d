// Transactional outbox: events are appended in the same transaction as the state change
// and a relay thread publishes them to Kafka, deleting each row only after the broker
// acknowledged it (acks=all, idempotent producer). No dual writes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "services/common/store.h"

namespace recovery::common {

class Metrics;

struct KafkaSettings {
  std::string brokers;
  std::string topic = "recovery.case-events";
  std::string group_id;
  int fetch_wait_ms = 10;
};

// Thread-safe. Append may be called from any thread inside any transaction on `store`.
class Outbox {
 public:
  Outbox(Store& store, Metrics* metrics = nullptr);
  ~Outbox();

  static absl::Status Migrate(Store& store);

  // Appends the event to the outbox inside tx; the relay wakes after tx commits.
  // An event without a body or without an event id is rejected (INVALID_ARGUMENT).
  absl::Status Append(Tx& tx, const recovery::v1::Event& event);

  // Starts the relay thread publishing to settings.topic. Not started: rows wait.
  absl::Status Start(const KafkaSettings& settings);
  // Stops the relay; rows not yet acknowledged stay for the next start.
  void Stop();
  void Wake();

  // Rows waiting to be published.
  int64_t Backlog();
  // Blocks until the backlog is empty or the timeout passes; true when empty.
  bool WaitDrained(absl::Duration timeout);

 private:
  void RelayLoop();

  Store& store_;
  Metrics* metrics_;
  KafkaSettings settings_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  std::atomic<bool> running_{false};
  std::thread relay_;
  struct Producer;
  std::unique_ptr<Producer> producer_;
};

}  // namespace recovery::common
