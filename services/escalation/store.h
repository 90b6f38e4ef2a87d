// The escalation service's tables: the facts it keeps about cases (for routing later events),
// escalations (escalation's own storage message, recovery.escalation.storage.StoredEscalation,
// not the API's EscalationInfo), schedule overrides added by RPC or by an accepted cover
// request, cover requests, calendar feeds (their tokens only as SHA-256), the acknowledge
// links used, and the delivery queue (delivery/queue.h). Functions run inside the caller's transaction.
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
#include "services/escalation/domain/cover.h"
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
// Escalation state columns, override creators and approvers, cover requests, calendar feeds and used acknowledge
// links, added after the first release: a separate migration component ("escalation-state"), so its steps never
// interleave with the delivery queue's. New steps are appended, old ones never edited.
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

// An override added through AddOverride or an accepted cover request, kept in the store.
struct StoredOverride {
  std::string override_id;
  std::string schedule_id;
  std::string person_id;
  absl::Time start;
  absl::Time end;
  std::string reason;
  std::string created_by;        // the actor who added it ("" for rows stored before actors were kept)
  std::string approved_by = "";  // a cover request's: the teammate's actor, who accepted it
  std::string cover_request_id = "";
};
absl::Status InsertOverride(common::Tx& tx, const StoredOverride& o);
absl::StatusOr<std::optional<StoredOverride>> LoadOverride(common::Tx& tx, const std::string& override_id);
absl::Status DeleteOverride(common::Tx& tx, const std::string& override_id);
absl::StatusOr<std::vector<StoredOverride>> ListOverrides(common::Tx& tx);

// Cover requests. WriteCoverRows inserts a new request or updates one from pending (ABORTED
// when it is no longer pending: a concurrent answer won), then adds the override of an
// acceptance.
absl::Status WriteCoverRows(common::Tx& tx, const CoverRows& rows);
absl::StatusOr<std::optional<CoverRequest>> LoadCoverRequest(common::Tx& tx, const std::string& cover_request_id);
struct CoverFilter {
  std::string requester_id;           // "" = anyone
  std::string person_id;              // the teammate asked; "" = anyone
  std::string schedule_id;            // "" = any
  std::optional<CoverStatus> status;  // as EffectiveStatus reports it at `now`
  std::string before_id;              // paging: only ids before this one (newest first)
  int limit = 50;
};
// Newest first.
absl::StatusOr<std::vector<CoverRequest>> ListCoverRequests(common::Tx& tx, const CoverFilter& filter, absl::Time now);

// A calendar feed: whose shifts (a person's or a schedule's) and the SHA-256 of its token.
struct StoredCalendarFeed {
  std::string feed_id;
  std::string token_sha256;  // lower-case hex (common::ApiTokenHash)
  std::string person_id;     // exactly one of person_id ...
  std::string schedule_id;   // ... and schedule_id
  std::string created_by;    // actor
  absl::Time created_at;
  std::optional<absl::Time> revoked_at;
  std::string revoked_by;
};
absl::Status InsertCalendarFeed(common::Tx& tx, const StoredCalendarFeed& feed);
absl::StatusOr<std::optional<StoredCalendarFeed>> LoadCalendarFeed(common::Tx& tx, const std::string& feed_id);
absl::StatusOr<std::optional<StoredCalendarFeed>> FindCalendarFeedByTokenHash(common::Tx& tx,
                                                                              const std::string& token_sha256);
// Newest first.
absl::StatusOr<std::vector<StoredCalendarFeed>> ListCalendarFeeds(common::Tx& tx, bool include_revoked);
// Marks an active feed revoked; ABORTED when it was revoked meanwhile.
absl::Status RevokeCalendarFeed(common::Tx& tx, const std::string& feed_id, absl::Time at, const std::string& by);

// An acknowledge link (ack_link.h) that AcknowledgeByLink used: one row per page, never
// removed. InsertUsedAckLink is ABORTED when the page's link was used meanwhile.
struct UsedAckLink {
  std::string page_id;
  absl::Time used_at;
  std::string used_by;  // the person id
};
absl::Status InsertUsedAckLink(common::Tx& tx, const UsedAckLink& used);
absl::StatusOr<std::optional<UsedAckLink>> LoadUsedAckLink(common::Tx& tx, const std::string& page_id);

}  // namespace recovery::escalation
