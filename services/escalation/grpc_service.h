// recovery.v1.Escalation over gRPC: validate (validation.h) -> app (app.h) -> translate
// (domain values to the API messages). Writes run in RunIdempotent's transaction, so a retry
// with the same request_id returns the first response.
// Thread-safety: thread-safe (the app is).
#pragma once

#include "recovery/v1/escalation.grpc.pb.h"
#include "services/escalation/app.h"

namespace recovery::escalation {

// Translations to the API view.
void StateToInfo(const EscalationState& state, recovery::v1::EscalationInfo* out);
void DirectoryToProto(const EscalationConfig& dir, recovery::v1::Directory* out);

class EscalationService final : public recovery::v1::Escalation::Service {
 public:
  EscalationService(EscalationApp& app, common::Store& store) : app_(app), store_(store) {}

  grpc::Status AcknowledgePage(grpc::ServerContext*, const recovery::v1::AcknowledgePageRequest*,
                               recovery::v1::EscalationInfo*) override;
  grpc::Status ResolveEscalation(grpc::ServerContext*, const recovery::v1::ResolveEscalationRequest*,
                                 recovery::v1::EscalationInfo*) override;
  grpc::Status GetEscalation(grpc::ServerContext*, const recovery::v1::GetEscalationRequest*,
                             recovery::v1::EscalationInfo*) override;
  grpc::Status ListEscalations(grpc::ServerContext*, const recovery::v1::ListEscalationsRequest*,
                               recovery::v1::ListEscalationsResponse*) override;
  grpc::Status ListPages(grpc::ServerContext*, const recovery::v1::ListPagesRequest*,
                         recovery::v1::ListPagesResponse*) override;
  grpc::Status WhoIsOnCall(grpc::ServerContext*, const recovery::v1::WhoIsOnCallRequest*,
                           recovery::v1::WhoIsOnCallResponse*) override;
  grpc::Status ListShifts(grpc::ServerContext*, const recovery::v1::ListShiftsRequest*,
                          recovery::v1::ListShiftsResponse*) override;
  grpc::Status AddOverride(grpc::ServerContext*, const recovery::v1::AddOverrideRequest*,
                           recovery::v1::ScheduleOverride*) override;
  grpc::Status RemoveOverride(grpc::ServerContext*, const recovery::v1::RemoveOverrideRequest*,
                              recovery::v1::RemoveOverrideResponse*) override;
  grpc::Status IsBusinessHours(grpc::ServerContext*, const recovery::v1::IsBusinessHoursRequest*,
                               recovery::v1::IsBusinessHoursResponse*) override;
  grpc::Status CheckCoverage(grpc::ServerContext*, const recovery::v1::CheckCoverageRequest*,
                             recovery::v1::CheckCoverageResponse*) override;
  grpc::Status GetDirectory(grpc::ServerContext*, const recovery::v1::GetDirectoryRequest*,
                            recovery::v1::Directory*) override;

 private:
  EscalationApp& app_;
  common::Store& store_;
};

}  // namespace recovery::escalation
