// Exactly-once event handling on an at-least-once Kafka consumer: each event is handled in
// a transaction that first records its id in processed_events (duplicates are skipped), and
// the offset is stored only after that transaction committed.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "recovery/v1/events.pb.h"
#include "services/common/outbox.h"
#include "services/common/store.h"

namespace recovery::common {

class Metrics;

// Handles one event inside the consumer's transaction. Return OK to commit; an error
// rolls the transaction back. kUnavailable / kAborted are retried; any other error is
// logged, counted and skipped (the event is marked processed so it cannot block the
// partition forever).
using EventHandler = std::function<absl::Status(Tx& tx, const recovery::v1::Event& event)>;

class Consumer {
 public:
  Consumer(Store& store, EventHandler handler, Metrics* metrics = nullptr);
  ~Consumer();

  static absl::Status Migrate(Store& store);

  // Joins settings.group_id and starts the poll thread.
  absl::Status Start(const KafkaSettings& settings);
  void Stop();

  // Handles one serialized event as the poll loop would (exposed for tests and benches).
  // Returns true if it was new, false for a duplicate or a malformed message.
  absl::StatusOr<bool> HandleBytes(std::string_view bytes);

  // Handles already-fetched messages in one transaction (one commit instead of one per
  // event; each event still records its id first, so effects stay exactly once). On an
  // error nothing is committed and the caller falls back to HandleBytes per message.
  absl::Status HandleBatch(const std::vector<std::string_view>& messages);

  int64_t handled() const { return handled_; }
  int64_t duplicates() const { return duplicates_; }
  int64_t malformed() const { return malformed_; }
  // True once partitions have been assigned to this member.
  bool assigned() const { return assigned_; }

 private:
  void PollLoop();
  void CountMalformed(size_t bytes);

  Store& store_;
  EventHandler handler_;
  Metrics* metrics_;
  std::atomic<bool> running_{false};
  std::atomic<int64_t> handled_{0}, duplicates_{0}, malformed_{0};
  std::atomic<bool> assigned_{false};
  std::thread thread_;
  struct Kafka;
  std::unique_ptr<Kafka> kafka_;
};

}  // namespace recovery::common
