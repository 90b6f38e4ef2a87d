// RecordingPublisher: the outbox relay's EventPublisher in tests. It records every event it
// delivers, in order, and can be told to refuse some: permanently (the relay parks them) or
// retryably a number of times (the relay backs off and tries again). Like Kafka it keeps a
// case's order: after a retryable failure of a key, the later records of that key in the same
// batch are not delivered either.
// Thread-safe: the relay thread publishes while the test thread reads and sets failures.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "recovery/v1/events.pb.h"
#include "services/common/publisher.h"

namespace recovery::testing {

class RecordingPublisher final : public common::EventPublisher {
 public:
  // Which records a failure applies to: an empty field matches any value.
  struct Match {
    std::string type{};  // e.g. "CaseOpened"
    std::string event_id{};
  };

  // Every matching record is refused for good (e.g. "Broker: Message size too large").
  void FailPermanently(Match match, std::string error = "Broker: Message size too large");
  // The next `times` matching records are not delivered (a broker timeout); then they are.
  void FailRetryably(Match match, int times = 1, std::string error = "Local: Message timed out");
  // Forgets every failure rule.
  void ClearFailures();

  std::vector<common::PublishResult> Publish(const std::vector<common::OutboundEvent>& batch,
                                             std::stop_token stop) override;

  // Delivered records in delivery order.
  std::vector<common::OutboundEvent> delivered() const;
  size_t delivered_count() const;
  // The delivered records from index `from` on, parsed as events (a record that does not
  // parse is a test failure).
  std::vector<recovery::v1::Event> DeliveredEvents(size_t from = 0) const;
  // Records offered to Publish, delivered or not.
  int64_t attempts() const;
  // Records refused: permanently / retryably (including those held back behind a failure).
  int64_t refused_permanently() const;
  int64_t refused_retryably() const;

 private:
  struct Rule {
    Match match;
    common::Delivery delivery;
    int remaining;  // -1: forever
    std::string error;
  };
  static bool Matches(const Match& m, const common::OutboundEvent& e);

  mutable std::mutex mu_;
  std::vector<Rule> rules_ ABSL_GUARDED_BY(mu_);
  std::vector<common::OutboundEvent> delivered_ ABSL_GUARDED_BY(mu_);
  int64_t attempts_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t permanent_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t retryable_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace recovery::testing
