// recovery.v1.Escalation over gRPC: validation and translation between proto and domain only;
// writes run through RunIdempotent and the engine in one transaction.
// Thread-safe: every call takes its own config snapshot and store transaction.
#pragma once

#include "absl/status/status.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/clock.h"
#include "services/common/store.h"
#include "services/escalation/domain/config.h"
#include "services/escalation/engine.h"
#include "services/escalation/settings.h"

namespace recovery::escalation {

// Request validation against the directory. INVALID_ARGUMENT for malformed fields, NOT_FOUND
// for ids the directory does not know; every message starts with the field name.
absl::Status ValidateAcknowledgePage(const v1::AcknowledgePageRequest& r, const EscalationConfig& dir);
absl::Status ValidateResolveEscalation(const v1::ResolveEscalationRequest& r);
absl::Status ValidateGetEscalation(const v1::GetEscalationRequest& r);
absl::Status ValidateListEscalations(const v1::ListEscalationsRequest& r);
absl::Status ValidateListPages(const v1::ListPagesRequest& r);
absl::Status ValidateWhoIsOnCall(const v1::WhoIsOnCallRequest& r, const EscalationConfig& dir);
absl::Status ValidateListShifts(const v1::ListShiftsRequest& r, const EscalationConfig& dir);
absl::Status ValidateAddOverride(const v1::AddOverrideRequest& r, const EscalationConfig& dir);
absl::Status ValidateRemoveOverride(const v1::RemoveOverrideRequest& r);
absl::Status ValidateIsBusinessHours(const v1::IsBusinessHoursRequest& r, const EscalationConfig& dir);
absl::Status ValidateCheckCoverage(const v1::CheckCoverageRequest& r, const EscalationConfig& dir);

// The whole directory as the API shows it.
void DirectoryToProto(const EscalationConfig& dir, v1::Directory* out);

class EscalationService final : public v1::Escalation::Service {
 public:
  EscalationService(EscalationEngine& engine, common::Store& store) : engine_(engine), store_(store) {}

  grpc::Status AcknowledgePage(grpc::ServerContext*, const v1::AcknowledgePageRequest*,
                               v1::EscalationInfo*) override;
  grpc::Status ResolveEscalation(grpc::ServerContext*, const v1::ResolveEscalationRequest*,
                                 v1::EscalationInfo*) override;
  grpc::Status GetEscalation(grpc::ServerContext*, const v1::GetEscalationRequest*, v1::EscalationInfo*) override;
  grpc::Status ListEscalations(grpc::ServerContext*, const v1::ListEscalationsRequest*,
                               v1::ListEscalationsResponse*) override;
  grpc::Status ListPages(grpc::ServerContext*, const v1::ListPagesRequest*, v1::ListPagesResponse*) override;
  grpc::Status WhoIsOnCall(grpc::ServerContext*, const v1::WhoIsOnCallRequest*, v1::WhoIsOnCallResponse*) override;
  grpc::Status ListShifts(grpc::ServerContext*, const v1::ListShiftsRequest*, v1::ListShiftsResponse*) override;
  grpc::Status AddOverride(grpc::ServerContext*, const v1::AddOverrideRequest*, v1::ScheduleOverride*) override;
  grpc::Status RemoveOverride(grpc::ServerContext*, const v1::RemoveOverrideRequest*,
                              v1::RemoveOverrideResponse*) override;
  grpc::Status IsBusinessHours(grpc::ServerContext*, const v1::IsBusinessHoursRequest*,
                               v1::IsBusinessHoursResponse*) override;
  grpc::Status CheckCoverage(grpc::ServerContext*, const v1::CheckCoverageRequest*,
                             v1::CheckCoverageResponse*) override;
  grpc::Status GetDirectory(grpc::ServerContext*, const v1::GetDirectoryRequest*, v1::Directory*) override;

 private:
  EscalationEngine& engine_;
  common::Store& store_;
};

}  // namespace recovery::escalation
