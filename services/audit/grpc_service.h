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
  grpc::Status ListCaseAccess(grpc::ServerContext* context, const recovery::v1::ListCaseAccessRequest* request,
                              recovery::v1::ListCaseAccessResponse* response) override;
  grpc::Status ListRejectedEvents(grpc::ServerContext* context, const recovery::v1::ListRejectedEventsRequest* request,
                                  recovery::v1::ListRejectedEventsResponse* response) override;
  grpc::Status VerifyChain(grpc::ServerContext* context, const recovery::v1::VerifyChainRequest* request,
                           recovery::v1::VerifyChainResponse* response) override;
  grpc::Status ExportEvents(grpc::ServerContext* context, const recovery::v1::ExportEventsRequest* request,
                            grpc::ServerWriter<recovery::v1::ExportEventsResponse>* writer) override;
  grpc::Status GetStats(grpc::ServerContext* context, const recovery::v1::GetStatsRequest* request,
                        recovery::v1::GetStatsResponse* response) override;
  grpc::Status GetCheckpoint(grpc::ServerContext* context, const recovery::v1::GetCheckpointRequest* request,
                             recovery::v1::GetCheckpointResponse* response) override;
  grpc::Status GetInclusionProof(grpc::ServerContext* context, const recovery::v1::GetInclusionProofRequest* request,
                                 recovery::v1::GetInclusionProofResponse* response) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext* context,
                                   const recovery::v1::GetConsistencyProofRequest* request,
                                   recovery::v1::GetConsistencyProofResponse* response) override;
  grpc::Status GetPublicKey(grpc::ServerContext* context, const recovery::v1::GetPublicKeyRequest* request,
                            recovery::v1::GetPublicKeyResponse* response) override;

 private:
  AuditApp& app_;
};

}  // namespace recovery::audit
