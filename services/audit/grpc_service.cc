// recovery.v1.Audit: validate -> app -> translate.
#include "services/audit/grpc_service.h"

#include "services/audit/validation.h"
#include "services/common/auth/access_control.h"
#include "services/common/grpc_util.h"

namespace recovery::audit {

using common::ToGrpcStatus;

grpc::Status AuditService::GetTimeline(grpc::ServerContext* context, const recovery::v1::GetTimelineRequest* request,
                                       recovery::v1::GetTimelineResponse* response) {
  RETURN_IF_REFUSED(context);
  if (absl::Status s = ValidateGetTimeline(*request); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(app_.GetTimeline(*request, response));
}

grpc::Status AuditService::ListConfigChanges(grpc::ServerContext* context,
                                             const recovery::v1::ListConfigChangesRequest* request,
                                             recovery::v1::ListConfigChangesResponse* response) {
  RETURN_IF_REFUSED(context);
  if (absl::Status s = ValidateListConfigChanges(*request); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(app_.ListConfigChanges(*request, response));
}

grpc::Status AuditService::ListRejectedEvents(grpc::ServerContext* context,
                                              const recovery::v1::ListRejectedEventsRequest* request,
                                              recovery::v1::ListRejectedEventsResponse* response) {
  RETURN_IF_REFUSED(context);
  if (absl::Status s = ValidateListRejectedEvents(*request); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(app_.ListRejectedEvents(*request, response));
}

grpc::Status AuditService::ListCaseAccess(grpc::ServerContext* context,
                                          const recovery::v1::ListCaseAccessRequest* request,
                                          recovery::v1::ListCaseAccessResponse* response) {
  RETURN_IF_REFUSED(context);
  if (absl::Status s = ValidateListCaseAccess(*request); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(app_.ListCaseAccess(*request, response));
}

grpc::Status AuditService::VerifyChain(grpc::ServerContext* context, const recovery::v1::VerifyChainRequest*,
                                       recovery::v1::VerifyChainResponse* response) {
  RETURN_IF_REFUSED(context);
  return ToGrpcStatus(app_.VerifyChain(response));
}

grpc::Status AuditService::ExportEvents(grpc::ServerContext* context, const recovery::v1::ExportEventsRequest* request,
                                        grpc::ServerWriter<recovery::v1::ExportEventsResponse>* writer) {
  RETURN_IF_REFUSED(context);
  if (absl::Status s = ValidateExportEvents(*request); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(app_.ExportEvents(*request, [&](const std::string& json_line) {
    if (context->IsCancelled()) return false;
    recovery::v1::ExportEventsResponse line;
    line.set_json_line(json_line);
    return writer->Write(line);
  }));
}

grpc::Status AuditService::GetStats(grpc::ServerContext* context, const recovery::v1::GetStatsRequest*,
                                    recovery::v1::GetStatsResponse* response) {
  RETURN_IF_REFUSED(context);
  return ToGrpcStatus(app_.GetStats(response));
}

grpc::Status AuditService::GetCheckpoint(grpc::ServerContext* context,
                                         const recovery::v1::GetCheckpointRequest* request,
                                         recovery::v1::GetCheckpointResponse* response) {
  RETURN_IF_REFUSED(context);
  if (absl::Status s = ValidateGetCheckpoint(*request); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(app_.GetCheckpoint(*request, response));
}

grpc::Status AuditService::GetInclusionProof(grpc::ServerContext* context,
                                             const recovery::v1::GetInclusionProofRequest* request,
                                             recovery::v1::GetInclusionProofResponse* response) {
  RETURN_IF_REFUSED(context);
  if (absl::Status s = ValidateGetInclusionProof(*request); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(app_.GetInclusionProof(*request, response));
}

grpc::Status AuditService::GetConsistencyProof(grpc::ServerContext* context,
                                               const recovery::v1::GetConsistencyProofRequest* request,
                                               recovery::v1::GetConsistencyProofResponse* response) {
  RETURN_IF_REFUSED(context);
  if (absl::Status s = ValidateGetConsistencyProof(*request); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(app_.GetConsistencyProof(*request, response));
}

grpc::Status AuditService::GetPublicKey(grpc::ServerContext* context, const recovery::v1::GetPublicKeyRequest*,
                                        recovery::v1::GetPublicKeyResponse* response) {
  RETURN_IF_REFUSED(context);
  return ToGrpcStatus(app_.GetPublicKey(response));
}

}  // namespace recovery::audit
