// The intake service's tables on the common store: cases, case_transitions,
// emotional_states, contacts, notes, signals, report_keys. Every function runs inside the
// caller's transaction, so a state change, its history rows and its outbox events commit
// together. A case row keeps the columns ListCases and dedup filter on, plus the record as
// intake's own storage message (recovery.intake.storage.CaseRecord), not the API's Case.
// Stateless; thread-safety is that of the Tx.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "recovery/v1/intake.pb.h"
#include "services/common/store.h"
#include "services/intake/domain/cases.h"

namespace recovery::intake {

using recovery::common::Tx;

// The migration steps of component "intake" (step i is version i+1).
std::vector<std::string> IntakeMigrations();
// Applies IntakeMigrations() (tools and tests that use the store without the runtime).
absl::Status MigrateIntakeTables(recovery::common::Store& store);

// Writes a decision's rows: the report key first (the conflict point of two concurrent
// OpenCase calls: the loser gets kConcurrentReport, or ABORTED from PostgreSQL, and its
// transaction is run again), then the case row (which serialises concurrent writers of one
// case before they number history rows), then the history rows and the signal.
absl::Status WriteCaseRows(Tx& tx, const CaseRows& rows);

// NOT_FOUND (kCaseNotFound) "case_id: no case '<id>'" when absent. Histories are not filled.
absl::StatusOr<recovery::v1::Case> LoadCase(Tx& tx, const std::string& case_id);
// The case with transitions, emotional_history, contacts and notes, oldest first.
absl::StatusOr<recovery::v1::Case> LoadFullCase(Tx& tx, const std::string& case_id);
// The most recently opened active case of the client and category, and the report key.
absl::StatusOr<ReportState> LoadReportState(Tx& tx, const std::string& client_id, const std::string& category);
// Cases matching the filters of `req` with id > req.page_token, in id (= opening) order,
// at most `limit` of them. Histories are not filled.
absl::StatusOr<std::vector<recovery::v1::Case>> ListCases(Tx& tx, const recovery::v1::ListCasesRequest& req, int limit);
absl::StatusOr<std::vector<recovery::v1::Signal>> SignalsForClient(Tx& tx, const std::string& client_id);

}  // namespace recovery::intake
