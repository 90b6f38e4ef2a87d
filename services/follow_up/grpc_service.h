// recovery.v1.FollowUp over gRPC: validation and translation between proto and domain only.
// Thread-safe: every call runs in its own store transaction.
#pragma once

#include "absl/status/status.h"
#include "recovery/v1/follow_up.grpc.pb.h"
#include "services/common/clock.h"
#include "services/common/config.h"
#include "services/common/outbox.h"
#include "services/common/store.h"
#include "services/common/timers.h"
#include "services/follow_up/domain/config.h"

namespace recovery::follow_up {

// Request validation; errors are INVALID_ARGUMENT with a message starting with the field name.
absl::Status ValidateListReminders(const v1::ListRemindersRequest& r);
absl::Status ValidateSnoozeReminder(const v1::SnoozeReminderRequest& r);
absl::Status ValidateRecordFollowUpSent(const v1::RecordFollowUpSentRequest& r);
absl::Status ValidateRecordSatisfaction(const v1::RecordSatisfactionRequest& r);
absl::Status ValidateSubmitReview(const v1::SubmitReviewRequest& r);
absl::Status ValidateGetReview(const v1::GetReviewRequest& r);
absl::Status ValidateGetTrends(const v1::GetTrendsRequest& r);
absl::Status ValidatePauseSla(const v1::PauseSlaRequest& r);
absl::Status ValidateResumeSla(const v1::ResumeSlaRequest& r);

class FollowUpService final : public v1::FollowUp::Service {
 public:
  FollowUpService(const common::Reloadable<FollowUpConfig>& cfg, common::Store& store, common::TimerService& timers,
                  common::Outbox& outbox, common::Clock& clock)
      : cfg_(cfg), store_(store), timers_(timers), outbox_(outbox), clock_(clock) {}

  grpc::Status ListReminders(grpc::ServerContext*, const v1::ListRemindersRequest*,
                             v1::ListRemindersResponse*) override;
  grpc::Status SnoozeReminder(grpc::ServerContext*, const v1::SnoozeReminderRequest*, v1::Reminder*) override;
  grpc::Status RecordFollowUpSent(grpc::ServerContext*, const v1::RecordFollowUpSentRequest*,
                                  v1::RecordFollowUpSentResponse*) override;
  grpc::Status RecordSatisfaction(grpc::ServerContext*, const v1::RecordSatisfactionRequest*,
                                  v1::RecordSatisfactionResponse*) override;
  grpc::Status SubmitReview(grpc::ServerContext*, const v1::SubmitReviewRequest*, v1::Review*) override;
  grpc::Status GetReview(grpc::ServerContext*, const v1::GetReviewRequest*, v1::Review*) override;
  grpc::Status GetTrends(grpc::ServerContext*, const v1::GetTrendsRequest*, v1::GetTrendsResponse*) override;
  grpc::Status PauseSla(grpc::ServerContext*, const v1::PauseSlaRequest*, v1::SlaClock*) override;
  grpc::Status ResumeSla(grpc::ServerContext*, const v1::ResumeSlaRequest*, v1::SlaClock*) override;

 private:
  const common::Reloadable<FollowUpConfig>& cfg_;  // a snapshot per call
  common::Store& store_;
  common::TimerService& timers_;
  common::Outbox& outbox_;
  common::Clock& clock_;
};

}  // namespace recovery::follow_up
