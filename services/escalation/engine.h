// The escalation engine: runs the domain state machine (domain/escalation.h) against stored
// escalations and applies its effects in the caller's transaction: the new state, outbox
// events, durable ack/hold timers and delivery-queue rows commit together. Used by the event
// handlers, the timer handlers, the gRPC service and the delivery worker's hooks.
// Thread-safe: no mutable state of its own; the config snapshot is taken per call.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "recovery/v1/escalation.pb.h"
#include "recovery/v1/events.pb.h"
#include "services/common/clock.h"
#include "services/common/outbox.h"
#include "services/common/store.h"
#include "services/common/timers.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/delivery/senders.h"
#include "services/escalation/domain/escalation.h"
#include "services/escalation/settings.h"
#include "services/escalation/store.h"

namespace recovery::escalation {

inline constexpr char kServiceName[] = "escalation";
inline constexpr char kAckTimer[] = "ack";    // key "<escalation_id>/<tier>/<round>"
inline constexpr char kHoldTimer[] = "hold";  // key "<escalation_id>"

// Parses an ack timer key; false when malformed.
bool ParseAckTimerKey(const std::string& key, std::string* escalation_id, int* tier, int* round);

class EscalationEngine {
 public:
  EscalationEngine(ConfigHolder& config, common::TimerService& timers, common::Outbox& outbox, common::Clock& clock)
      : config_(config), timers_(timers), outbox_(outbox), clock_(clock) {}

  // Called after every commit that queued deliveries (wakes the delivery worker).
  void SetDeliveryWaker(std::function<void()> wake) { wake_delivery_ = std::move(wake); }

  // Why an input is applied: becomes the events' causation, actor and reasons.
  struct Context {
    std::string causation_id;
    std::string actor = kServiceName;
    std::string page_id;  // the acknowledged page, if any
    std::string reason;   // overrides the domain's TierAdvanced reason / the resolve reason
  };
  struct Applied {
    v1::EscalationInfo info;
    bool ignored = false;
    std::string ignored_reason;
  };

  // Routes the case (rules, team and client calendars) and starts an escalation. nullopt when
  // no routing rule matches or the routing config is broken (logged).
  absl::StatusOr<std::optional<v1::EscalationInfo>> Start(common::Tx& tx, const CaseRecord& c,
                                                          const std::string& reason, const Context& ctx);

  // Applies one input to a stored escalation and commits its effects in tx.
  absl::StatusOr<Applied> Apply(common::Tx& tx, v1::EscalationInfo info, const Input& input, const Context& ctx);

  // "Go to the next tier now" (SLA breached): a paging escalation advances as if its ack timer
  // fired, a held one pages at once. Anything else is ignored.
  absl::StatusOr<Applied> AdvanceNow(common::Tx& tx, v1::EscalationInfo info, const Context& ctx);

  // Timer handlers (kinds kAckTimer, kHoldTimer).
  absl::Status OnAckTimer(common::Tx& tx, const common::Timer& timer);
  absl::Status OnHoldTimer(common::Tx& tx, const common::Timer& timer);

  // Queues a ReminderDue for every contact method of its recipient.
  absl::Status QueueReminder(common::Tx& tx, const recovery::v1::Event& event);

  // Delivery worker hooks (see delivery/worker.h).
  absl::StatusOr<bool> StillWanted(common::Tx& tx, const delivery::Delivery& d);
  absl::Status RecordOutcome(common::Tx& tx, const delivery::Delivery& d, const delivery::SendResult& result);

  common::Clock& clock() { return clock_; }
  ConfigHolder& config() { return config_; }

 private:
  recovery::v1::Event NewEvent(const std::string& case_id, const Context& ctx) const;
  absl::Status Publish(common::Tx& tx, const recovery::v1::Event& e);
  absl::Status QueuePage(common::Tx& tx, const v1::EscalationInfo& info, const std::optional<CaseRecord>& c,
                         const PageTarget& page, const Context& ctx);
  void WakeAfterCommit(common::Tx& tx);

  ConfigHolder& config_;
  common::TimerService& timers_;
  common::Outbox& outbox_;
  common::Clock& clock_;
  std::function<void()> wake_delivery_;
};

}  // namespace recovery::escalation
