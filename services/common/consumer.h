// Exactly-once event handling on an at-least-once Kafka consumer: each event is handled in
// a transaction that first records its id in processed_events (duplicates are skipped), and
// the offset is stored only after that transaction committed.
//
// Failures are sorted by what the event needs (consumer.cc, ClassifyFailure):
//   malformed   bytes that do not parse, an envelope without event_id or body, or a handler
//               answering INVALID_ARGUMENT: parked at once in dead_letters (origin
//               "consumer"), counted, skipped;
//   transient   UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (database or
//               network away, serialisation failures): retried with backoff for as long as
//               it takes; meanwhile the member's partitions are paused (it keeps polling, so
//               it stays in its group) and, once the fault lasts, readiness reports
//               NOT_SERVING; the offset moves only after the commit;
//   handler bug any other code: retried up to max_handler_attempts, then parked with the
//               reason and counted in recovery_consumer_dead_letters_total{reason}.
//   rejected    with a verifier (event_signing.h), an event whose signature is missing
//               (when required), unknown, wrong or for another source: never handled,
//               parked ("rejected: ..."), counted by reason (unsigned, unknown_key,
//               bad_signature, wrong_source) and handed to on_rejected in the same
//               transaction. Its id is not marked processed (a forged copy must not make
//               the genuine event a duplicate); the rejected bytes are, so a redelivery of
//               them is parked once.
// Nothing is skipped without a dead_letters row.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "services/common/backoff.h"
#include "services/common/clock.h"
#include "services/common/event_signing.h"
#include "services/common/outbox.h"
#include "services/common/store.h"

namespace recovery::common {

class Metrics;

// Handles one event inside the consumer's transaction. Return OK to commit; an error rolls
// the transaction back and is sorted as described above (INVALID_ARGUMENT: the event is
// malformed; a transient code: retry; anything else: a bug, retried a few times, then parked).
using EventHandler = std::function<absl::Status(Tx& tx, const recovery::v1::Event& event)>;

// An event the verifier refused, as on_rejected sees it.
struct RejectedEvent {
  const recovery::v1::Event& event;  // the envelope as it parsed (its claims are not to be believed)
  std::string_view bytes;
  std::string_view key_id;  // the sig_key header as received
  const SignatureRejection& rejection;
  absl::Time at;  // the consumer's clock
};
using RejectedEventHandler = std::function<absl::Status(Tx& tx, const RejectedEvent& rejected)>;

struct ConsumerOptions {
  // Delay before each further attempt on one event (transient faults and handler bugs alike).
  BackoffPolicy retry{absl::Milliseconds(50), absl::Seconds(5), 2.0, 0.2};
  // Attempts on one event whose handler fails with a non-transient code before it is parked.
  int max_handler_attempts = 5;
  // How long a transient fault lasts before readiness turns NOT_SERVING (a single
  // serialisation failure should not flap the health check).
  absl::Duration not_serving_after = absl::Seconds(1);
  // Told false when the consumer starts waiting out a transient fault that lasted
  // not_serving_after, true when that event was handled. Called on the consumer's thread;
  // the runtime wires it to the gRPC health service.
  std::function<void(bool serving)> on_serving;
  // The service's clock, for dead_letters.parked_at; null: the system clock. Not owned.
  // (Retry delays and the NOT_SERVING threshold are real waits and use real time.)
  Clock* clock = nullptr;
  // Verifies each event's signature before it is handled (event_signing.h); null: none.
  std::shared_ptr<const EventVerifier> verifier;
  // Called inside the transaction that parks a rejected event (audit records it); may be empty.
  RejectedEventHandler on_rejected;
};

// Thread-safety: one poll thread after Start(); HandleBytes/HandleBatch may be called from
// one other thread when the consumer is not started (tests, benches). Counters are atomic.
class Consumer {
 public:
  Consumer(Store& store, EventHandler handler, Metrics* metrics = nullptr, ConsumerOptions options = {});
  ~Consumer();

  // processed_events, and dead_letters (where the consumer parks what it gives up on).
  static absl::Status Migrate(Store& store);

  // Joins settings.group_id and starts the poll thread.
  absl::Status Start(const KafkaSettings& settings);
  // Stops polling; an event still being retried is left unhandled and its offset unstored,
  // so the group hands it to the next member. Blocks until the poll thread ended.
  void Stop();

  // Handles one serialized event as the poll loop would (exposed for tests and benches),
  // retrying transient faults until they pass. Returns true if it was new and handled, false
  // for a duplicate or a malformed message (parked); the handler's error when the event was
  // parked after its attempts (or as malformed by the handler's INVALID_ARGUMENT);
  // CANCELLED when Stop() interrupted the retries (nothing committed).
  absl::StatusOr<bool> HandleBytes(std::string_view bytes);
  // The same with the signature headers as received ("" when absent).
  absl::StatusOr<bool> HandleMessage(std::string_view bytes, std::string_view key_id, std::string_view signature);

  // Handles already-fetched messages in one transaction (one commit instead of one per
  // event; each event still records its id first, so effects stay exactly once; malformed
  // messages are parked in it). On an error nothing is committed nor counted, and the caller
  // falls back to HandleBytes per message, which parks and counts each malformed one once.
  absl::Status HandleBatch(const std::vector<std::string_view>& messages);

  // A message as received: the value and its signature headers ("" when absent).
  struct Inbound {
    std::string_view bytes;
    std::string_view key_id;
    std::string_view signature;
  };
  absl::Status HandleBatch(const std::vector<Inbound>& messages);

  int64_t handled() const { return handled_; }
  int64_t duplicates() const { return duplicates_; }
  int64_t malformed() const { return malformed_; }
  // Events parked in dead_letters (malformed ones included).
  int64_t dead_lettered() const { return dead_lettered_; }
  // Events the verifier refused (parked; rejected ones are in dead_lettered too).
  int64_t rejected() const { return rejected_; }
  // Failed attempts that were retried.
  int64_t retries() const { return retries_; }
  // True while the poll loop holds its partitions paused to wait out a fault.
  bool paused() const { return paused_; }
  // True once partitions have been assigned to this member.
  bool assigned() const { return assigned_; }

 private:
  enum class Disposition { kHandled, kDuplicate, kParked, kStopped };
  struct Result {
    Disposition disposition;
    absl::Status status;  // the handler's error for a parked event; CANCELLED when stopped
  };
  struct Kafka;

  struct Parsed;
  Parsed Screen(const Inbound& message) const;
  Result HandleOne(const Inbound& message);
  // Parks the message in dead_letters (retrying transient store faults); kStopped when
  // Stop() came first. `event` is null when the bytes did not parse.
  Result Park(std::string_view bytes, const recovery::v1::Event* event, const std::string& reason,
              std::string_view metric_reason, int attempts, absl::Status status);
  // Runs in_tx in a transaction until the store takes it (nothing is skipped unparked): whether
  // it was fresh, nullopt when Stop() came first.
  std::optional<bool> Persist(const std::function<absl::StatusOr<bool>(Tx&)>& in_tx);
  // Parks a rejected event and hands it to on_rejected, in one transaction.
  Result Reject(const Inbound& message, const Parsed& parsed);
  absl::StatusOr<bool> RejectInTx(Tx& tx, const Inbound& message, const Parsed& parsed);
  void CountRejected(const Parsed& parsed);
  // Waits `delay` before the next attempt: on the poll thread by polling Kafka (partitions
  // paused), elsewhere on a condition variable. False when Stop() was called.
  bool WaitBeforeRetry(absl::Duration delay);
  void Pause();
  void Resume();
  void SetServing(bool serving);
  void PollLoop();
  absl::Time Now() const;

  Store& store_;
  EventHandler handler_;
  Metrics* metrics_;
  ConsumerOptions options_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::atomic<int64_t> handled_{0}, duplicates_{0}, malformed_{0}, dead_lettered_{0}, retries_{0}, rejected_{0};
  std::atomic<bool> assigned_{false};
  std::atomic<bool> paused_{false};
  bool serving_ = true;  // poll thread (or the one caller) only
  std::thread thread_;
  std::unique_ptr<Kafka> kafka_;
};

}  // namespace recovery::common
