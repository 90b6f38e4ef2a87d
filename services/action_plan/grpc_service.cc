// recovery.v1.ActionPlan: validate -> app -> translate.
#include "services/action_plan/grpc_service.h"

#include "services/action_plan/validation.h"
#include "services/common/grpc_util.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;

// The request's validation result, else the app's answer, as a gRPC status.
template <typename Call>
grpc::Status Serve(const absl::Status& valid, Call&& call) {
  return recovery::common::ToGrpcStatus(valid.ok() ? call() : valid);
}

}  // namespace

grpc::Status ActionPlanService::GetPlan(grpc::ServerContext*, const v1::GetPlanRequest* req, v1::GetPlanResponse* out) {
  return Serve(ValidateGetPlan(*req), [&] { return app_.GetPlan(*req, out); });
}

grpc::Status ActionPlanService::ListPlans(grpc::ServerContext*, const v1::ListPlansRequest* req,
                                          v1::ListPlansResponse* out) {
  return Serve(ValidateListPlans(*req), [&] { return app_.ListPlans(*req, out); });
}

grpc::Status ActionPlanService::AddActionItem(grpc::ServerContext*, const v1::AddActionItemRequest* req,
                                              v1::ActionItemResponse* out) {
  return Serve(ValidateAddActionItem(*req), [&] { return app_.AddActionItem(*req, out); });
}

grpc::Status ActionPlanService::UpdateActionItem(grpc::ServerContext*, const v1::UpdateActionItemRequest* req,
                                                 v1::ActionItemResponse* out) {
  return Serve(ValidateUpdateActionItem(*req), [&] { return app_.UpdateActionItem(*req, out); });
}

grpc::Status ActionPlanService::CompleteActionItem(grpc::ServerContext*, const v1::CompleteActionItemRequest* req,
                                                   v1::ActionItemResponse* out) {
  return Serve(ValidateCompleteActionItem(*req), [&] { return app_.CompleteActionItem(*req, out); });
}

grpc::Status ActionPlanService::CancelActionItem(grpc::ServerContext*, const v1::CancelActionItemRequest* req,
                                                 v1::ActionItemResponse* out) {
  return Serve(ValidateCancelActionItem(*req), [&] { return app_.CancelActionItem(*req, out); });
}

grpc::Status ActionPlanService::AddCommitment(grpc::ServerContext*, const v1::AddCommitmentRequest* req,
                                              v1::CommitmentResponse* out) {
  return Serve(ValidateAddCommitment(*req), [&] { return app_.AddCommitment(*req, out); });
}

grpc::Status ActionPlanService::UpdateCommitment(grpc::ServerContext*, const v1::UpdateCommitmentRequest* req,
                                                 v1::CommitmentResponse* out) {
  return Serve(ValidateUpdateCommitment(*req), [&] { return app_.UpdateCommitment(*req, out); });
}

grpc::Status ActionPlanService::RecordAmends(grpc::ServerContext*, const v1::RecordAmendsRequest* req,
                                             v1::RecordAmendsResponse* out) {
  return Serve(ValidateRecordAmends(*req), [&] { return app_.RecordAmends(*req, out); });
}

grpc::Status ActionPlanService::SetRootCause(grpc::ServerContext*, const v1::SetRootCauseRequest* req,
                                             v1::SetRootCauseResponse* out) {
  return Serve(ValidateSetRootCause(*req), [&] { return app_.SetRootCause(*req, out); });
}

grpc::Status ActionPlanService::SharePlan(grpc::ServerContext*, const v1::SharePlanRequest* req,
                                          v1::SharePlanResponse* out) {
  return Serve(ValidateSharePlan(*req), [&] { return app_.SharePlan(*req, out); });
}

grpc::Status ActionPlanService::ReviewMessage(grpc::ServerContext*, const v1::ReviewMessageRequest* req,
                                              v1::ReviewMessageResponse* out) {
  return Serve(ValidateReviewMessage(*req), [&] { return app_.ReviewMessage(*req, out); });
}

grpc::Status ActionPlanService::ListPlaybooks(grpc::ServerContext*, const v1::ListPlaybooksRequest*,
                                              v1::ListPlaybooksResponse* out) {
  return Serve(absl::OkStatus(), [&] { return app_.ListPlaybooks(out); });
}

grpc::Status ActionPlanService::GetPlaybook(grpc::ServerContext*, const v1::GetPlaybookRequest* req,
                                            v1::GetPlaybookResponse* out) {
  return Serve(ValidateGetPlaybook(*req), [&] { return app_.GetPlaybook(*req, out); });
}

}  // namespace recovery::action_plan
