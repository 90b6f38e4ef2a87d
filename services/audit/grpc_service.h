// recovery.v1.Audit over gRPC: validate (validation.h) -> app (app.h) -> translate the
// status. Nothing else happens here.
// Thread-safe: the app reads the store in its own transactions. `app` must outlive it.
#pragma once

#include "recovery/v1/audit.grpc.pb.h"
#include "services/audit/app.h"

namespace recovery::audit {

class AuditService final : public recovery::v1::Audit::Service {
 public:
  explicit AuditService(AuditApp& app) : app_(app) {}

  grpc::Status GetTimeline(grpc::ServerContext* context, const recovery::v1::GetTimelineRequest* request,
                           recovery::v1::GetTimelineResponse* response) override;
  grpc::Status ListConfigChanges(grpc::ServerContext* context, const recovery::v1::ListConfigChangesRequest* request,
                                 recovery::v1::ListConfigChangesResponse* response) override;
  grpc::Status VerifyChain(grpc::ServerContext* context, const recovery::v1::VerifyChainRequest* request,
                           recovery::v1::VerifyChainResponse* response) override;
  grpc::Status ExportEvents(grpc::ServerContext* context, const recovery::v1::ExportEventsRequest* request,
                            grpc::ServerWriter<recovery::v1::ExportEventsResponse>* writer) override;
  grpc::Status GetStats(grpc::ServerContext* context, const recovery::v1::GetStatsRequest* request,
                        recovery::v1::GetStatsResponse* response) override;

 private:
  AuditApp& app_;
};

}  // namespace recovery::audit
