// recovery.v1.ActionPlan over gRPC: validate (validation.h) -> app (app.h) -> translate the
// absl::Status to a grpc::Status (common::ToGrpcStatus); nothing else.
// Thread-safe (gRPC calls it from many threads; the app is thread-safe).
#pragma once

#include "recovery/v1/action_plan.grpc.pb.h"
#include "services/action_plan/app.h"

namespace recovery::action_plan {

class ActionPlanService final : public recovery::v1::ActionPlan::Service {
 public:
  explicit ActionPlanService(ActionPlanApp& app) : app_(app) {}

  grpc::Status GetPlan(grpc::ServerContext*, const recovery::v1::GetPlanRequest* req,
                       recovery::v1::GetPlanResponse* out) override;
  grpc::Status ListPlans(grpc::ServerContext*, const recovery::v1::ListPlansRequest* req,
                         recovery::v1::ListPlansResponse* out) override;
  grpc::Status AddActionItem(grpc::ServerContext*, const recovery::v1::AddActionItemRequest* req,
                             recovery::v1::ActionItemResponse* out) override;
  grpc::Status UpdateActionItem(grpc::ServerContext*, const recovery::v1::UpdateActionItemRequest* req,
                                recovery::v1::ActionItemResponse* out) override;
  grpc::Status CompleteActionItem(grpc::ServerContext*, const recovery::v1::CompleteActionItemRequest* req,
                                  recovery::v1::ActionItemResponse* out) override;
  grpc::Status CancelActionItem(grpc::ServerContext*, const recovery::v1::CancelActionItemRequest* req,
                                recovery::v1::ActionItemResponse* out) override;
  grpc::Status AddCommitment(grpc::ServerContext*, const recovery::v1::AddCommitmentRequest* req,
                             recovery::v1::CommitmentResponse* out) override;
  grpc::Status UpdateCommitment(grpc::ServerContext*, const recovery::v1::UpdateCommitmentRequest* req,
                                recovery::v1::CommitmentResponse* out) override;
  grpc::Status RecordAmends(grpc::ServerContext*, const recovery::v1::RecordAmendsRequest* req,
                            recovery::v1::RecordAmendsResponse* out) override;
  grpc::Status SetRootCause(grpc::ServerContext*, const recovery::v1::SetRootCauseRequest* req,
                            recovery::v1::SetRootCauseResponse* out) override;
  grpc::Status SharePlan(grpc::ServerContext*, const recovery::v1::SharePlanRequest* req,
                         recovery::v1::SharePlanResponse* out) override;
  grpc::Status ReviewMessage(grpc::ServerContext*, const recovery::v1::ReviewMessageRequest* req,
                             recovery::v1::ReviewMessageResponse* out) override;
  grpc::Status ListPlaybooks(grpc::ServerContext*, const recovery::v1::ListPlaybooksRequest* req,
                             recovery::v1::ListPlaybooksResponse* out) override;
  grpc::Status GetPlaybook(grpc::ServerContext*, const recovery::v1::GetPlaybookRequest* req,
                           recovery::v1::GetPlaybookResponse* out) override;

 private:
  ActionPlanApp& app_;
};

}  // namespace recovery::action_plan
