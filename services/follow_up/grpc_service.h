// recovery.v1.FollowUp over gRPC: the caller (CallerOf) -> validate (validation.h) -> app (app.h) -> translate the
// status. Nothing else happens here.
// Thread-safe: the app runs every call in its own store transaction.
#pragma once

#include "recovery/v1/follow_up.grpc.pb.h"
#include "services/follow_up/app.h"

namespace recovery::follow_up {

class FollowUpService final : public v1::FollowUp::Service {
 public:
  explicit FollowUpService(FollowUpApp& app) : app_(app) {}

  grpc::Status ListReminders(grpc::ServerContext*, const v1::ListRemindersRequest*,
                             v1::ListRemindersResponse*) override;
  grpc::Status SnoozeReminder(grpc::ServerContext*, const v1::SnoozeReminderRequest*, v1::Reminder*) override;
  grpc::Status RecordFollowUpSent(grpc::ServerContext*, const v1::RecordFollowUpSentRequest*,
                                  v1::RecordFollowUpSentResponse*) override;
  grpc::Status RecordSatisfaction(grpc::ServerContext*, const v1::RecordSatisfactionRequest*,
                                  v1::RecordSatisfactionResponse*) override;
  grpc::Status SubmitReview(grpc::ServerContext*, const v1::SubmitReviewRequest*, v1::Review*) override;
  grpc::Status GetReview(grpc::ServerContext*, const v1::GetReviewRequest*, v1::Review*) override;
  grpc::Status BatchGetCaseFollowUps(grpc::ServerContext*, const v1::BatchGetCaseFollowUpsRequest*,
                                     v1::BatchGetCaseFollowUpsResponse*) override;
  grpc::Status GetTrends(grpc::ServerContext*, const v1::GetTrendsRequest*, v1::GetTrendsResponse*) override;
  grpc::Status PauseSla(grpc::ServerContext*, const v1::PauseSlaRequest*, v1::SlaClock*) override;
  grpc::Status ResumeSla(grpc::ServerContext*, const v1::ResumeSlaRequest*, v1::SlaClock*) override;

 private:
  FollowUpApp& app_;
};

}  // namespace recovery::follow_up
