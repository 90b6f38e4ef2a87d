// The audit application: recording a consumed event (load the head -> decide the next
// record, domain/chain.h NextRecord -> append, in the consumer's transaction) and the reads
// behind the RPCs (timeline, verification, export, stats).
//
// Each record is also a leaf of the Merkle log (AppendRecord writes both). With a signing key,
// audit signs checkpoints (domain/checkpoint.h StepAfterAppend decides when: every N records
// in the consumer's transaction, or on a durable timer T after the first uncovered record),
// keeps them and publishes each as an AuditCheckpointPublished event through the outbox: the
// only event audit publishes. Its own checkpoint events coming back from the topic are
// recognised by event id (audit_checkpoint.event_id) and not recorded, so a checkpoint never
// causes a record that causes the next checkpoint; a checkpoint event from anyone else is
// recorded like any other event.
// Thread-safe: every call runs in its own store transaction, or in the caller's.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/audit.pb.h"
#include "recovery/v1/events.pb.h"
#include "services/audit/domain/checkpoint.h"
#include "services/audit/store.h"
#include "services/common/module.h"

namespace recovery::audit {

// Appends the event as the next record of the chain in tx. false: its event id is already
// recorded (nothing changes). The event must pass ValidateEvent.
absl::StatusOr<bool> RecordEvent(common::Tx& tx, const recovery::v1::Event& event, absl::Time recorded_at);

// The timer kind of the T-seconds checkpoint.
inline constexpr char kCheckpointTimer[] = "audit.checkpoint";

struct AuditOptions {
  // PKCS#8 PEM Ed25519 private key; empty: no checkpoints (the Merkle log and proofs still work).
  std::string signing_key_file;
  // The checkpoint's origin line and signed-note key name.
  std::string origin = "recovery.local/audit";
  CheckpointPolicy checkpoints;
};

class AuditApp {
 public:
  // `ctx` outlives the app; `key` signs checkpoints (none: checkpoints off).
  AuditApp(const common::ServiceContext& ctx, AuditOptions options = {}, std::optional<SigningKey> key = std::nullopt);

  // Gives records chained before the Merkle log existed their leaves (pages of 1000, one
  // transaction each). Init runs it before the consumer starts.
  absl::Status CatchUpTree();
  // The kCheckpointTimer handler: signs a checkpoint if records are not covered by one.
  absl::Status OnCheckpointTimer(common::Tx& tx);

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
  absl::Status GetCheckpoint(const recovery::v1::GetCheckpointRequest& req, recovery::v1::GetCheckpointResponse* resp);
  absl::Status GetInclusionProof(const recovery::v1::GetInclusionProofRequest& req,
                                 recovery::v1::GetInclusionProofResponse* resp);
  absl::Status GetConsistencyProof(const recovery::v1::GetConsistencyProofRequest& req,
                                   recovery::v1::GetConsistencyProofResponse* resp);
  absl::Status GetPublicKey(recovery::v1::GetPublicKeyResponse* resp);
  // Keeps an event the consumer refused by its signature, inside the transaction parking it.
  absl::Status RecordRejected(common::Tx& tx, const common::RejectedEvent& rejected);
  absl::Status ListRejectedEvents(const recovery::v1::ListRejectedEventsRequest& req,
                                  recovery::v1::ListRejectedEventsResponse* resp);
  absl::Status ListCaseAccess(const recovery::v1::ListCaseAccessRequest& req,
                              recovery::v1::ListCaseAccessResponse* resp);

 private:
  absl::Status AfterAppend(common::Tx& tx, absl::Time now);
  absl::Status SignCheckpointAt(common::Tx& tx, int64_t tree_size, absl::Time now);
  // tree_size 0: the latest checkpoint's size, or the current tree's when none is kept.
  // `field` names the request field in the error of a size beyond the log.
  absl::StatusOr<int64_t> ResolveSize(common::Tx& tx, int64_t tree_size, const char* field);
  absl::StatusOr<recovery::v1::Checkpoint> CheckpointProto(const StoredCheckpoint& c) const;

  const common::ServiceContext ctx_;
  AuditStore store_;
  const AuditOptions options_;
  const std::optional<SigningKey> key_;
};

}  // namespace recovery::audit
