// The intake service's tables on the common store: cases, case_transitions,
// emotional_states, contacts, notes, signals. Every function runs inside the caller's
// transaction, so a state change, its history rows and its outbox events commit together.
// Stateless; thread-safety is that of the Tx.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "recovery/v1/intake.pb.h"
#include "services/common/store.h"

namespace recovery::intake {

using recovery::common::Tx;

absl::Status MigrateIntakeTables(recovery::common::Store& store);

// The case record itself (histories are in their own tables). A case row keeps the
// columns that ListCases and dedup filter on, plus the record as protobuf bytes: it is
// always read whole, and new fields need no migration.
absl::Status InsertCase(Tx& tx, const recovery::v1::Case& c);
absl::Status SaveCase(Tx& tx, const recovery::v1::Case& c);
// NOT_FOUND "case_id: no case '<id>'" when absent. Histories are not filled.
absl::StatusOr<recovery::v1::Case> LoadCase(Tx& tx, const std::string& case_id);
// Fills transitions, emotional_history, contacts and notes, oldest first.
absl::Status LoadHistories(Tx& tx, recovery::v1::Case* c);
// The most recently opened case of the client and category that is not RESOLVED/CLOSED.
absl::StatusOr<std::optional<recovery::v1::Case>> FindActiveCase(Tx& tx, const std::string& client_id,
                                                                 const std::string& category);
// Cases matching the filters of `req` with id > req.page_token, in id (= opening) order,
// at most `limit` of them. Histories are not filled.
absl::StatusOr<std::vector<recovery::v1::Case>> ListCases(Tx& tx, const recovery::v1::ListCasesRequest& req, int limit);

absl::Status AddTransition(Tx& tx, const std::string& case_id, const recovery::v1::StatusTransition& t);
absl::Status AddEmotionalState(Tx& tx, const std::string& case_id, const recovery::v1::EmotionalStateRecord& e);
absl::Status AddContact(Tx& tx, const std::string& case_id, const recovery::v1::ContactRecord& c);
absl::Status AddNote(Tx& tx, const std::string& case_id, const recovery::v1::Note& n);
// `source` says where it came from: "rpc" or the id of the event that carried it.
absl::Status AddSignal(Tx& tx, const recovery::v1::Signal& s, const std::string& source);
absl::StatusOr<std::vector<recovery::v1::Signal>> SignalsForClient(Tx& tx, const std::string& client_id);

}  // namespace recovery::intake
