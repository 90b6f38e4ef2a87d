// The durable delivery queue: one row per message that must leave the process (a page on one
// channel, or a reminder). Rows move pending -> sending -> delivered | pending (retry) | failed,
// or to cancelled when the escalation is acknowledged, resolved or moves on. A 'sending' row
// carries a lease: the owner (one worker process) and until when it holds the row; a row whose
// lease expired is claimable again by any worker. All functions run inside the caller's
// transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/store.h"
#include "services/escalation/domain/model.h"

namespace recovery::escalation::delivery {

inline constexpr char kPending[] = "pending";
inline constexpr char kSending[] = "sending";
inline constexpr char kDelivered[] = "delivered";
inline constexpr char kFailed[] = "failed";
inline constexpr char kCancelled[] = "cancelled";

inline constexpr char kKindPage[] = "page";
inline constexpr char kKindReminder[] = "reminder";

struct Delivery {
  std::string page_id;
  std::string kind = kKindPage;  // page | reminder
  std::string escalation_id;     // empty for reminders
  std::string case_id;
  std::string person_id;
  Channel channel = Channel::kLog;
  std::string target;
  int tier = 0;
  int round = 0;
  int attempts = 0;
  absl::Time next_attempt_at;
  std::string status = kPending;
  std::string idempotency_key;  // unique; the same on every attempt, also across restarts
  std::string payload;          // JSON body
  std::string subject;          // e-mail subject
  std::string reminder_id;      // reminders only
  std::string last_error;
  absl::Time created_at;
  // The lease of a 'sending' row: who claimed it last (a worker's owner id) and until when.
  std::string owner;
  absl::Time lease_until = absl::UnixEpoch();
  // Where the row goes, for the per-host concurrency bound (HostKey; set by Enqueue).
  std::string target_host;
  // The escalation moved on before this row was tried: it gets one attempt, no retry.
  bool superseded = false;
  // Claims of this row after an expired lease or a restart's requeue: each may have sent the
  // page a second time under the same idempotency key.
  int resends = 0;
};

// The per-host bound's key: "host:port" of a webhook URL (lowercase), "smtp" for e-mail (one
// relay), "log" for the log channel.
std::string HostKey(Channel channel, const std::string& target);

// Migration steps of the delivery_queue table (part of the escalation component).
std::vector<std::string> QueueMigrationSteps();

// Inserts a row; a row with the same idempotency key already queued is kept (returns false).
absl::StatusOr<bool> Enqueue(common::Tx& tx, const Delivery& d);
absl::StatusOr<std::optional<Delivery>> LoadDelivery(common::Tx& tx, const std::string& page_id);
absl::StatusOr<std::vector<Delivery>> ListByEscalation(common::Tx& tx, const std::string& escalation_id);
// Pending rows due at or before now, oldest first.
absl::StatusOr<std::vector<Delivery>> DueDeliveries(common::Tx& tx, absl::Time now, int limit);
// Rows a worker may claim now: pending and due, or 'sending' with an expired lease; oldest
// first, leaving out the given hosts and channels (those at their concurrency bound).
absl::StatusOr<std::vector<Delivery>> ClaimableDeliveries(common::Tx& tx, absl::Time now, int limit,
                                                          const std::vector<std::string>& skip_hosts,
                                                          const std::vector<std::string>& skip_channels);
// Claims a claimable row for `owner` until `lease_until`: status 'sending', attempts + 1,
// resends + 1 when the row was reclaimed from an expired lease. False when the row is no
// longer claimable (another worker got it). `d` gets the claimed row's new values.
absl::StatusOr<bool> ClaimDelivery(common::Tx& tx, Delivery& d, const std::string& owner, absl::Time now,
                                   absl::Time lease_until);
// Writes status, attempts, next_attempt_at, last_error and the lease.
absl::Status UpdateDelivery(common::Tx& tx, const Delivery& d);
// The escalation was acknowledged or resolved: its pending/sending rows -> cancelled (a
// 'sending' row's owner still records a delivery that went out). Returns how many.
absl::StatusOr<int64_t> CancelUndelivered(common::Tx& tx, const std::string& escalation_id);
// The escalation moved to another tier: rows already tried -> cancelled ("superseded" in
// last_error); rows never tried keep their single attempt (superseded: no retry), so no page
// is withdrawn before anyone saw it. Returns how many were cancelled.
absl::StatusOr<int64_t> SupersedeUndelivered(common::Tx& tx, const std::string& escalation_id);
// Owners of 'sending' rows (for a restart's requeue of its own previous process's rows).
absl::StatusOr<std::vector<std::string>> SendingOwners(common::Tx& tx);
// sending -> pending for the rows of one owner (a previous process of this worker), counting
// a resend on each. Returns how many.
absl::StatusOr<int64_t> RequeueOwner(common::Tx& tx, const std::string& owner, absl::Time now);
// When the next row becomes claimable: the earliest next_attempt_at of a pending row or
// lease_until of a 'sending' row.
absl::StatusOr<std::optional<absl::Time>> NextDue(common::Tx& tx);

}  // namespace recovery::escalation::delivery
