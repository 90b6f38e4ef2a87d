// recovery.v1.Audit: validation and translation between the API and the audit store.
#pragma once

#include "absl/status/status.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "services/audit/store.h"

namespace recovery::audit {

// Request validation, separate so it is unit-tested without a server. Messages start
// with the field name.
absl::Status ValidateGetTimeline(const recovery::v1::GetTimelineRequest& request);
absl::Status ValidateExportEvents(const recovery::v1::ExportEventsRequest& request);

// Thread-safe: every RPC reads the store in its own transactions. `store` must outlive it.
class AuditService final : public recovery::v1::Audit::Service {
 public:
  explicit AuditService(AuditStore& store) : store_(store) {}

  grpc::Status GetTimeline(grpc::ServerContext* context, const recovery::v1::GetTimelineRequest* request,
                           recovery::v1::GetTimelineResponse* response) override;
  grpc::Status VerifyChain(grpc::ServerContext* context, const recovery::v1::VerifyChainRequest* request,
                           recovery::v1::VerifyChainResponse* response) override;
  grpc::Status ExportEvents(grpc::ServerContext* context, const recovery::v1::ExportEventsRequest* request,
                            grpc::ServerWriter<recovery::v1::ExportEventsResponse>* writer) override;
  grpc::Status GetStats(grpc::ServerContext* context, const recovery::v1::GetStatsRequest* request,
                        recovery::v1::GetStatsResponse* response) override;

 private:
  AuditStore& store_;
};

}  // namespace recovery::audit
