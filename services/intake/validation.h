// Request and consumed-event validation for intake, on services/common/validation.h. Each
// error is INVALID_ARGUMENT and its message starts with the field path (e.g.
// "client.id: required"). Nothing is stored or published before these pass.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "recovery/v1/events.pb.h"
#include "recovery/v1/intake.pb.h"
#include "services/intake/domain/config.h"

namespace recovery::intake {

inline constexpr size_t kMaxSummary = 200;
inline constexpr size_t kMaxText = 10000;
inline constexpr size_t kMaxName = 200;
inline constexpr size_t kMaxShortText = 2000;
inline constexpr int kMaxPageSize = 500;

absl::Status ValidateOpenCase(const recovery::v1::OpenCaseRequest& req, const IntakeConfig& config);
absl::Status ValidateGetCase(const recovery::v1::GetCaseRequest& req);
absl::Status ValidateListCases(const recovery::v1::ListCasesRequest& req);
absl::Status ValidateUpdateCase(const recovery::v1::UpdateCaseRequest& req, const IntakeConfig& config);
absl::Status ValidateRecordContact(const recovery::v1::RecordContactRequest& req);
absl::Status ValidateAddNote(const recovery::v1::AddNoteRequest& req);
absl::Status ValidateAcknowledgeCase(const recovery::v1::AcknowledgeCaseRequest& req);
absl::Status ValidateAssignOwner(const recovery::v1::AssignOwnerRequest& req);
absl::Status ValidateResolveCase(const recovery::v1::ResolveCaseRequest& req);
absl::Status ValidateCloseCase(const recovery::v1::CloseCaseRequest& req);
absl::Status ValidateReopenCase(const recovery::v1::ReopenCaseRequest& req);
absl::Status ValidateRecordSignal(const recovery::v1::RecordSignalRequest& req);

// A consumed event intake acts on (EscalationAcknowledged, PlanShared, SatisfactionRecorded),
// checked like a request: field paths start with the body's name
// ("escalation_acknowledged.acknowledged_by: required"). Other events are not checked.
absl::Status ValidateConsumedEvent(const recovery::v1::Event& event);

// Building block, exposed for its own test.
bool IsValidEmail(const std::string& email);

}  // namespace recovery::intake
