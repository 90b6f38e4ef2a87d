// recovery.v1.ActionPlan: validate -> app -> translate.
#include "services/action_plan/grpc_service.h"

#include "services/action_plan/validation.h"
#include "services/common/auth/access_control.h"
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

grpc::Status ActionPlanService::GetPlan(grpc::ServerContext* ctx, const v1::GetPlanRequest* req,
                                        v1::GetPlanResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return Serve(ValidateGetPlan(*req), [&] { return app_.GetPlan(*req, out); });
}

grpc::Status ActionPlanService::ListPlans(grpc::ServerContext* ctx, const v1::ListPlansRequest* req,
                                          v1::ListPlansResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return Serve(ValidateListPlans(*req), [&] { return app_.ListPlans(*req, out); });
}

grpc::Status ActionPlanService::AddActionItem(grpc::ServerContext* ctx, const v1::AddActionItemRequest* req,
                                              v1::ActionItemResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(ValidateAddActionItem(*req), [&] { return app_.AddActionItem(*req, caller.Actor(), out); });
}

grpc::Status ActionPlanService::UpdateActionItem(grpc::ServerContext* ctx, const v1::UpdateActionItemRequest* req,
                                                 v1::ActionItemResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(ValidateUpdateActionItem(*req), [&] { return app_.UpdateActionItem(*req, caller.Actor(), out); });
}

grpc::Status ActionPlanService::CompleteActionItem(grpc::ServerContext* ctx, const v1::CompleteActionItemRequest* req,
                                                   v1::ActionItemResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(ValidateCompleteActionItem(*req), [&] { return app_.CompleteActionItem(*req, caller.Actor(), out); });
}

grpc::Status ActionPlanService::CancelActionItem(grpc::ServerContext* ctx, const v1::CancelActionItemRequest* req,
                                                 v1::ActionItemResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(ValidateCancelActionItem(*req), [&] { return app_.CancelActionItem(*req, caller.Actor(), out); });
}

grpc::Status ActionPlanService::AddCommitment(grpc::ServerContext* ctx, const v1::AddCommitmentRequest* req,
                                              v1::CommitmentResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(ValidateAddCommitment(*req), [&] { return app_.AddCommitment(*req, caller.Actor(), out); });
}

grpc::Status ActionPlanService::UpdateCommitment(grpc::ServerContext* ctx, const v1::UpdateCommitmentRequest* req,
                                                 v1::CommitmentResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(ValidateUpdateCommitment(*req), [&] { return app_.UpdateCommitment(*req, caller.Actor(), out); });
}

grpc::Status ActionPlanService::RecordAmends(grpc::ServerContext* ctx, const v1::RecordAmendsRequest* req,
                                             v1::RecordAmendsResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(ValidateRecordAmends(*req), [&] { return app_.RecordAmends(*req, caller.Actor(), out); });
}

grpc::Status ActionPlanService::SetRootCause(grpc::ServerContext* ctx, const v1::SetRootCauseRequest* req,
                                             v1::SetRootCauseResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(ValidateSetRootCause(*req), [&] { return app_.SetRootCause(*req, caller.Actor(), out); });
}

grpc::Status ActionPlanService::SharePlan(grpc::ServerContext* ctx, const v1::SharePlanRequest* req,
                                          v1::SharePlanResponse* out) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(ValidateSharePlan(*req), [&] { return app_.SharePlan(*req, caller.Actor(), out); });
}

grpc::Status ActionPlanService::ReviewMessage(grpc::ServerContext* ctx, const v1::ReviewMessageRequest* req,
                                              v1::ReviewMessageResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return Serve(ValidateReviewMessage(*req), [&] { return app_.ReviewMessage(*req, out); });
}

grpc::Status ActionPlanService::ListPlaybooks(grpc::ServerContext* ctx, const v1::ListPlaybooksRequest*,
                                              v1::ListPlaybooksResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return Serve(absl::OkStatus(), [&] { return app_.ListPlaybooks(out); });
}

grpc::Status ActionPlanService::GetPlaybook(grpc::ServerContext* ctx, const v1::GetPlaybookRequest* req,
                                            v1::GetPlaybookResponse* out) {
  RETURN_IF_REFUSED(ctx);
  return Serve(ValidateGetPlaybook(*req), [&] { return app_.GetPlaybook(*req, out); });
}

}  // namespace recovery::action_plan
