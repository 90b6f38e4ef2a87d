// recovery.v1.FollowUp: validate -> app -> translate.
#include "services/follow_up/grpc_service.h"

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

}  // namespace

grpc::Status FollowUpService::ListReminders(grpc::ServerContext*, const v1::ListRemindersRequest* req,
                                            v1::ListRemindersResponse* resp) {
  return Serve(&ValidateListReminders, *req, resp, [this](const auto& r, auto* p) { return app_.ListReminders(r, p); });
}

grpc::Status FollowUpService::SnoozeReminder(grpc::ServerContext*, const v1::SnoozeReminderRequest* req,
                                             v1::Reminder* resp) {
  return Serve(&ValidateSnoozeReminder, *req, resp,
               [this](const auto& r, auto* p) { return app_.SnoozeReminder(r, p); });
}

grpc::Status FollowUpService::RecordFollowUpSent(grpc::ServerContext*, const v1::RecordFollowUpSentRequest* req,
                                                 v1::RecordFollowUpSentResponse* resp) {
  return Serve(&ValidateRecordFollowUpSent, *req, resp,
               [this](const auto& r, auto* p) { return app_.RecordFollowUpSent(r, p); });
}

grpc::Status FollowUpService::RecordSatisfaction(grpc::ServerContext*, const v1::RecordSatisfactionRequest* req,
                                                 v1::RecordSatisfactionResponse* resp) {
  return Serve(&ValidateRecordSatisfaction, *req, resp,
               [this](const auto& r, auto* p) { return app_.RecordSatisfaction(r, p); });
}

grpc::Status FollowUpService::SubmitReview(grpc::ServerContext*, const v1::SubmitReviewRequest* req, v1::Review* resp) {
  return Serve(&ValidateSubmitReview, *req, resp, [this](const auto& r, auto* p) { return app_.SubmitReview(r, p); });
}

grpc::Status FollowUpService::GetReview(grpc::ServerContext*, const v1::GetReviewRequest* req, v1::Review* resp) {
  return Serve(&ValidateGetReview, *req, resp, [this](const auto& r, auto* p) { return app_.GetReview(r, p); });
}

grpc::Status FollowUpService::GetTrends(grpc::ServerContext*, const v1::GetTrendsRequest* req,
                                        v1::GetTrendsResponse* resp) {
  return Serve(&ValidateGetTrends, *req, resp, [this](const auto& r, auto* p) { return app_.GetTrends(r, p); });
}

grpc::Status FollowUpService::PauseSla(grpc::ServerContext*, const v1::PauseSlaRequest* req, v1::SlaClock* resp) {
  return Serve(&ValidatePauseSla, *req, resp, [this](const auto& r, auto* p) { return app_.PauseSla(r, p); });
}

grpc::Status FollowUpService::ResumeSla(grpc::ServerContext*, const v1::ResumeSlaRequest* req, v1::SlaClock* resp) {
  return Serve(&ValidateResumeSla, *req, resp, [this](const auto& r, auto* p) { return app_.ResumeSla(r, p); });
}

}  // namespace recovery::follow_up
