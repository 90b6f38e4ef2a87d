// The escalation service's tables: the facts it keeps about cases (for routing later events),
// escalations (escalation's own storage message, recovery.escalation.storage.StoredEscalation,
// not the API's EscalationInfo), schedule overrides added by RPC, and the delivery queue
// (delivery/queue.h). Functions run inside the caller's transaction.
//
// Concurrency: an escalation row has a version. SaveEscalation writes only over the version
// it was loaded at, otherwise ABORTED (InTransaction retries the whole load -> decide ->
// apply), so two acknowledgements or two timer firings at once on PostgreSQL's REPEATABLE
// READ (or any isolation level) commit one decision, never two.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/store.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/domain/decisions.h"
#include "services/escalation/domain/escalation.h"
#include "services/escalation/domain/model.h"

namespace recovery::escalation {

// The migration steps of the "escalation" component (with the delivery queue's).
std::vector<std::string> EscalationMigrations();

absl::StatusOr<std::optional<CaseFacts>> LoadCase(common::Tx& tx, const std::string& case_id);
absl::Status SaveCase(common::Tx& tx, const CaseFacts& c);

// An escalation as stored, with the version it was read at (0: not stored yet).
struct StoredEscalationRow {
  EscalationState state;
  int64_t version = 0;
};
// Escalation state columns (and override creators) added after the first release: a separate migration component
// ("escalation-state"), so its steps never interleave with the delivery queue's.
inline constexpr char kStateMigrationComponent[] = "escalation-state";
std::vector<std::string> EscalationStateMigrations();
absl::StatusOr<std::optional<StoredEscalationRow>> LoadEscalation(common::Tx& tx, const std::string& escalation_id);
// Inserts (no version: a new escalation) or updates the row read at `version`; ABORTED when it
// changed since.
absl::Status SaveEscalation(common::Tx& tx, const EscalationState& state, std::optional<int64_t> version);
// A case's escalations, oldest first; active_only = held or paging.
absl::StatusOr<std::vector<StoredEscalationRow>> ListEscalations(common::Tx& tx, const std::string& case_id,
                                                                 bool active_only);

// What FindEscalations selects; the criteria combine with AND, an empty one matches anything.
struct EscalationFilter {
  std::string case_id;                     // one case ("" = every case)
  std::string team_id;                     // the team it was routed to
  std::vector<EscalationStatus> statuses;  // any of
};
// The escalations matching `filter` in escalation id order (ids are time-ordered UUIDv7s):
// ascending (oldest first) for one case, descending (newest first) across cases; only those
// after `after_id` in that order ("" = from the start); at most `limit`. Filters on the
// escalations.status and team_id columns (indexed); BackfillListColumns fills them for rows
// stored before they existed.
absl::StatusOr<std::vector<StoredEscalationRow>> FindEscalations(common::Tx& tx, const EscalationFilter& filter,
                                                                 const std::string& after_id, int limit);
// Fills the status and team_id columns of at most `limit` rows stored before those columns
// existed (status 0), from their state; returns how many. Run at start-up until it returns 0.
absl::StatusOr<int> BackfillListColumns(common::Tx& tx, int limit);

// Writes an Outcome's rows (for common::ApplyOutcome): the escalation over `version`, the
// cancellation of its undelivered pages, the new queue rows. A page whose idempotency key is
// already queued means a concurrent step decided the same thing: ABORTED, retried.
absl::Status WriteRows(common::Tx& tx, const EscalationRows& rows, std::optional<int64_t> version);

// The page or reminder with that id.
absl::StatusOr<std::optional<QueuedMessage>> LoadQueued(common::Tx& tx, const std::string& page_id);
// A delivery-queue row in domain terms.
QueuedMessage ToQueuedMessage(const delivery::Delivery& d);

// An override added through AddOverride, kept in the store.
struct StoredOverride {
  std::string override_id;
  std::string schedule_id;
  std::string person_id;
  absl::Time start;
  absl::Time end;
  std::string reason;
  std::string created_by;  // the actor who added it ("" for rows stored before actors were kept)
};
absl::Status InsertOverride(common::Tx& tx, const StoredOverride& o);
absl::StatusOr<std::optional<StoredOverride>> LoadOverride(common::Tx& tx, const std::string& override_id);
absl::Status DeleteOverride(common::Tx& tx, const std::string& override_id);
absl::StatusOr<std::vector<StoredOverride>> ListOverrides(common::Tx& tx);

}  // namespace recovery::escalation
