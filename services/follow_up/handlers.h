// Event and timer handlers: load the case and its reminder tracks, ask the domain what the
// event or firing means, apply the Outcome in the caller's transaction (consumer or timer).
// Thread-safe: no mutable state; each call works on one snapshot of the configuration.
#pragma once

#include "recovery/v1/events.pb.h"
#include "services/common/clock.h"
#include "services/common/config.h"
#include "services/common/outbox.h"
#include "services/common/store.h"
#include "services/common/timers.h"
#include "services/follow_up/domain/config.h"

namespace recovery::follow_up {

class FollowUpHandlers {
 public:
  FollowUpHandlers(const common::Reloadable<FollowUpConfig>& cfg, common::TimerService& timers, common::Outbox& outbox,
                   common::Clock& clock)
      : cfg_(cfg), timers_(timers), outbox_(outbox), clock_(clock) {}

  // Every event on the topic (the domain picks what it reacts to; its own events are ignored).
  absl::Status OnEvent(common::Tx& tx, const recovery::v1::Event& event);
  absl::Status OnSlaTimer(common::Tx& tx, const common::Timer& timer);
  absl::Status OnReminderTimer(common::Tx& tx, const common::Timer& timer);
  absl::Status OnSatisfactionTimer(common::Tx& tx, const common::Timer& timer);

  // Registers the three timer kinds with the timer service.
  void RegisterTimers();

 private:
  const common::Reloadable<FollowUpConfig>& cfg_;  // a snapshot per event or timer
  common::TimerService& timers_;
  common::Outbox& outbox_;
  common::Clock& clock_;
};

}  // namespace recovery::follow_up
