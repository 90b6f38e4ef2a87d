// Request validation for every Intake RPC: pure checks of the request messages against
// the configuration. Each error is INVALID_ARGUMENT and its message starts with the field
// path (e.g. "client.id: required"). Nothing is stored or published before these pass.
#pragma once

#include <string>

#include "absl/status/status.h"
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

// Building blocks, exposed for their own tests.
bool IsValidEmail(const std::string& email);
bool IsValidTimeZone(const std::string& name);  // absl::LoadTimeZone succeeds

}  // namespace recovery::intake
