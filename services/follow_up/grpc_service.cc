// recovery.v1.FollowUp: the caller -> validate -> app -> translate.
#include "services/follow_up/grpc_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/auth/access_control.h"
#include "services/common/grpc_util.h"
#include "services/follow_up/validation.h"

namespace recovery::follow_up {
namespace {

// Validation first: a refused request never opens a transaction.
template <typename Request, typename Response, typename Call>
grpc::Status Serve(absl::Status (*validate)(const Request&), const Request& req, Response* resp, Call&& call) {
  if (absl::Status s = validate(req); !s.ok()) return common::ToGrpcStatus(s);
  return common::ToGrpcStatus(call(req, resp));
}

// A write that stores who did it as a person id (sent_by, submitted_by) needs a person: an
// integration or a service sends no recap and reviews no case.
grpc::Status RequirePerson(const common::Caller& caller, const char* rpc, const char* what) {
  if (caller.principal.IsPerson()) return grpc::Status::OK;
  return common::ToGrpcStatus(absl::PermissionDeniedError(absl::StrCat(rpc, ": only a person can ", what)));
}

}  // namespace

grpc::Status FollowUpService::ListReminders(grpc::ServerContext* ctx, const v1::ListRemindersRequest* req,
                                            v1::ListRemindersResponse* resp) {
  RETURN_IF_REFUSED(ctx);
  return Serve(&ValidateListReminders, *req, resp, [this](const auto& r, auto* p) { return app_.ListReminders(r, p); });
}

grpc::Status FollowUpService::SnoozeReminder(grpc::ServerContext* ctx, const v1::SnoozeReminderRequest* req,
                                             v1::Reminder* resp) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(&ValidateSnoozeReminder, *req, resp,
               [&](const auto& r, auto* p) { return app_.SnoozeReminder(r, caller.principal, p); });
}

grpc::Status FollowUpService::RecordFollowUpSent(grpc::ServerContext* ctx, const v1::RecordFollowUpSentRequest* req,
                                                 v1::RecordFollowUpSentResponse* resp) {
  CALLER_OR_RETURN(caller, ctx);
  if (grpc::Status s = RequirePerson(caller, "RecordFollowUpSent", "send a follow-up"); !s.ok()) return s;
  return Serve(&ValidateRecordFollowUpSent, *req, resp,
               [&](const auto& r, auto* p) { return app_.RecordFollowUpSent(r, caller.principal, p); });
}

grpc::Status FollowUpService::RecordSatisfaction(grpc::ServerContext* ctx, const v1::RecordSatisfactionRequest* req,
                                                 v1::RecordSatisfactionResponse* resp) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(&ValidateRecordSatisfaction, *req, resp,
               [&](const auto& r, auto* p) { return app_.RecordSatisfaction(r, caller.principal, p); });
}

grpc::Status FollowUpService::SubmitReview(grpc::ServerContext* ctx, const v1::SubmitReviewRequest* req,
                                           v1::Review* resp) {
  CALLER_OR_RETURN(caller, ctx);
  if (grpc::Status s = RequirePerson(caller, "SubmitReview", "submit a review"); !s.ok()) return s;
  return Serve(&ValidateSubmitReview, *req, resp,
               [&](const auto& r, auto* p) { return app_.SubmitReview(r, caller.principal, p); });
}

grpc::Status FollowUpService::GetReview(grpc::ServerContext* ctx, const v1::GetReviewRequest* req, v1::Review* resp) {
  RETURN_IF_REFUSED(ctx);
  return Serve(&ValidateGetReview, *req, resp, [this](const auto& r, auto* p) { return app_.GetReview(r, p); });
}

grpc::Status FollowUpService::BatchGetCaseFollowUps(grpc::ServerContext* ctx,
                                                    const v1::BatchGetCaseFollowUpsRequest* req,
                                                    v1::BatchGetCaseFollowUpsResponse* resp) {
  RETURN_IF_REFUSED(ctx);
  return Serve(&ValidateBatchGetCaseFollowUps, *req, resp,
               [this](const auto& r, auto* p) { return app_.BatchGetCaseFollowUps(r, p); });
}

grpc::Status FollowUpService::GetTrends(grpc::ServerContext* ctx, const v1::GetTrendsRequest* req,
                                        v1::GetTrendsResponse* resp) {
  RETURN_IF_REFUSED(ctx);
  return Serve(&ValidateGetTrends, *req, resp, [this](const auto& r, auto* p) { return app_.GetTrends(r, p); });
}

grpc::Status FollowUpService::PauseSla(grpc::ServerContext* ctx, const v1::PauseSlaRequest* req, v1::SlaClock* resp) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(&ValidatePauseSla, *req, resp,
               [&](const auto& r, auto* p) { return app_.PauseSla(r, caller.principal, p); });
}

grpc::Status FollowUpService::ResumeSla(grpc::ServerContext* ctx, const v1::ResumeSlaRequest* req, v1::SlaClock* resp) {
  CALLER_OR_RETURN(caller, ctx);
  return Serve(&ValidateResumeSla, *req, resp,
               [&](const auto& r, auto* p) { return app_.ResumeSla(r, caller.principal, p); });
}

}  // namespace recovery::follow_up
