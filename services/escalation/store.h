// The escalation service's tables: the facts it keeps about cases (for routing later events),
// escalations (EscalationInfo, serialized), schedule overrides added by RPC, and the delivery
// queue (delivery/queue.h). Functions run inside the caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "recovery/v1/escalation.pb.h"
#include "services/common/store.h"
#include "services/escalation/settings.h"

namespace recovery::escalation {

absl::Status MigrateEscalation(common::Store& store);

// What the service knows about a case from intake's events.
struct CaseRecord {
  std::string case_id;
  std::string category;
  v1::Severity severity = v1::SEVERITY_UNSPECIFIED;
  std::string client_id;
  std::string client_tier;
  std::string client_calendar_id;
  std::string summary;
};

absl::StatusOr<std::optional<CaseRecord>> LoadCase(common::Tx& tx, const std::string& case_id);
absl::Status SaveCase(common::Tx& tx, const CaseRecord& c);

absl::StatusOr<std::optional<v1::EscalationInfo>> LoadEscalation(common::Tx& tx, const std::string& escalation_id);
absl::Status SaveEscalation(common::Tx& tx, const v1::EscalationInfo& e);
// A case's escalations, oldest first; active_only = held or paging.
absl::StatusOr<std::vector<v1::EscalationInfo>> ListEscalations(common::Tx& tx, const std::string& case_id,
                                                                bool active_only);

absl::Status InsertOverride(common::Tx& tx, const StoredOverride& o);
absl::StatusOr<std::optional<StoredOverride>> LoadOverride(common::Tx& tx, const std::string& override_id);
absl::Status DeleteOverride(common::Tx& tx, const std::string& override_id);
absl::StatusOr<std::vector<StoredOverride>> ListOverrides(common::Tx& tx);

}  // namespace recovery::escalation
