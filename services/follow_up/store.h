// The follow-up service's tables on the common store: case facts (also the SLA clocks),
// reminder tracks and quality reviews, and the writing of an Outcome's rows (WriteRows, given
// to common::ApplyOutcome).
// Stateless functions; every call runs inside the caller's Tx.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "recovery/v1/follow_up.pb.h"
#include "services/common/store.h"
#include "services/follow_up/domain/follow_up.h"

namespace recovery::follow_up {

// The service's migration steps (FollowUpModule::Migrations).
std::vector<std::string> Migrations();

// A case not seen yet comes back with known == false and the id set.
absl::StatusOr<CaseState> LoadCase(common::Tx& tx, const std::string& case_id);
absl::Status SaveCase(common::Tx& tx, const CaseState& c);
// Cases opened in [from, to).
absl::StatusOr<std::vector<CaseState>> LoadCasesOpened(common::Tx& tx, absl::Time from, absl::Time to);

absl::StatusOr<std::vector<ReminderTrack>> LoadReminders(common::Tx& tx, const std::string& case_id);
absl::StatusOr<std::optional<ReminderTrack>> LoadReminder(common::Tx& tx, const std::string& reminder_id);

struct ReminderFilter {
  std::string case_id;
  std::string recipient;
  std::optional<absl::Time> due_from, due_to;
  int limit = 100;
};
// Pending reminders matching the filter, by next due. The recipient filter matches the
// recipient computed for the next firing.
absl::StatusOr<std::vector<ReminderTrack>> ListReminders(common::Tx& tx, const FollowUpConfig& cfg,
                                                         const ReminderFilter& filter);

absl::StatusOr<std::optional<recovery::v1::Review>> LoadReview(common::Tx& tx, const std::string& case_id);
absl::Status InsertReview(common::Tx& tx, const recovery::v1::Review& review);

// Writes an Outcome's rows in tx: the case row, reminder deletes then upserts, the review.
absl::Status WriteRows(common::Tx& tx, const Rows& rows);

}  // namespace recovery::follow_up
