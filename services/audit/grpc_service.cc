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

}  // namespace recovery::audit
