// The durable delivery queue: one row per message that must leave the process (a page on one
// channel, or a reminder). Rows move pending -> sending -> delivered | pending (retry) | failed,
// or to cancelled when the escalation is acknowledged, resolved or moves on. All functions run
// inside the caller's transaction.
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
  std::string kind = kKindPage;   // page | reminder
  std::string escalation_id;      // empty for reminders
  std::string case_id;
  std::string person_id;
  Channel channel = Channel::kLog;
  std::string target;
  int tier = 0;
  int round = 0;
  int attempts = 0;
  absl::Time next_attempt_at;
  std::string status = kPending;
  std::string idempotency_key;    // unique; the same on every attempt, also across restarts
  std::string payload;            // JSON body
  std::string subject;            // e-mail subject
  std::string reminder_id;        // reminders only
  std::string last_error;
  absl::Time created_at;
};

// Migration steps of the delivery_queue table (part of the escalation component).
std::vector<std::string> QueueMigrationSteps();

// Inserts a row; a row with the same idempotency key already queued is kept (returns false).
absl::StatusOr<bool> Enqueue(common::Tx& tx, const Delivery& d);
absl::StatusOr<std::optional<Delivery>> LoadDelivery(common::Tx& tx, const std::string& page_id);
absl::StatusOr<std::vector<Delivery>> ListByEscalation(common::Tx& tx, const std::string& escalation_id);
// Pending rows due at or before now, oldest first.
absl::StatusOr<std::vector<Delivery>> DueDeliveries(common::Tx& tx, absl::Time now, int limit);
// Writes status, attempts, next_attempt_at and last_error.
absl::Status UpdateDelivery(common::Tx& tx, const Delivery& d);
// pending/sending rows of the escalation -> cancelled. Returns how many.
absl::StatusOr<int64_t> CancelUndelivered(common::Tx& tx, const std::string& escalation_id);
// sending -> pending (start-up: a crash between claim and outcome). Returns how many.
absl::StatusOr<int64_t> RequeueInterrupted(common::Tx& tx, absl::Time now);
// The earliest next_attempt_at of a pending row.
absl::StatusOr<std::optional<absl::Time>> NextDue(common::Tx& tx);

}  // namespace recovery::escalation::delivery
