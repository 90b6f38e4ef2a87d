// The audit application: recording a consumed event (load the head -> decide the next
// record, domain/chain.h NextRecord -> append, in the consumer's transaction) and the reads
// behind the RPCs (timeline, verification, export, stats).
//
// Audit publishes no events and arms no timers, so its decision is a chain record alone and
// there is no Outcome to apply: AuditStore::AppendRecord is the one write.
// Thread-safe: every call runs in its own store transaction, or in the caller's.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/audit.pb.h"
#include "recovery/v1/events.pb.h"
#include "services/audit/store.h"
#include "services/common/module.h"

namespace recovery::audit {

// Appends the event as the next record of the chain in tx. false: its event id is already
// recorded (nothing changes). The event must pass ValidateEvent.
absl::StatusOr<bool> RecordEvent(common::Tx& tx, const recovery::v1::Event& event, absl::Time recorded_at);

class AuditApp {
 public:
  // `ctx` outlives the app.
  explicit AuditApp(const common::ServiceContext& ctx) : ctx_(ctx), store_(ctx.store) {}

  // Every event on the topic. One that ValidateEvent refuses is logged, counted and parked
  // in dead_letters (the call succeeds, so the consumer moves on); the rest are chained.
  absl::Status OnEvent(common::Tx& tx, const recovery::v1::Event& event);

  absl::Status GetTimeline(const recovery::v1::GetTimelineRequest& req, recovery::v1::GetTimelineResponse* resp);
  absl::Status VerifyChain(recovery::v1::VerifyChainResponse* resp);
  // Calls `write` with each JSON line in chain order; when `write` returns false (the client
  // went away) the export stops with CANCELLED.
  absl::Status ExportEvents(const recovery::v1::ExportEventsRequest& req,
                            const std::function<bool(const std::string& json_line)>& write);
  absl::Status GetStats(recovery::v1::GetStatsResponse* resp);
  absl::Status ListConfigChanges(const recovery::v1::ListConfigChangesRequest& req,
                                 recovery::v1::ListConfigChangesResponse* resp);

 private:
  const common::ServiceContext ctx_;
  AuditStore store_;
};

}  // namespace recovery::audit
