// The follow-up application: one function per RPC, per consumed event and per timer kind,
// each load -> decide (domain/follow_up.h) -> apply (common::ApplyOutcome with WriteRows) in
// one transaction. RPC functions take the validated request and fill the response inside the
// transaction, so a request_id replay answers from the idempotency record.
// Thread-safe: no mutable state; each call works on one snapshot of the configuration.
#pragma once

#include "absl/status/status.h"
#include "recovery/v1/events.pb.h"
#include "recovery/v1/follow_up.pb.h"
#include "services/common/auth/principal.h"
#include "services/common/config.h"
#include "services/common/module.h"
#include "services/common/store.h"
#include "services/common/timers.h"
#include "services/follow_up/domain/config.h"

namespace recovery::follow_up {

class FollowUpApp {
 public:
  // `ctx` and `cfg` outlive the app.
  FollowUpApp(const common::ServiceContext& ctx, const common::Reloadable<FollowUpConfig>& cfg)
      : ctx_(ctx), cfg_(cfg) {}

  // Writes take the authenticated caller: its Actor() is the actor of their events.
  // RecordFollowUpSent and SubmitReview store the caller's person id (sent_by, submitted_by):
  // the grpc layer lets only a person call them.
  absl::Status ListReminders(const v1::ListRemindersRequest& req, v1::ListRemindersResponse* resp);
  absl::Status SnoozeReminder(const v1::SnoozeReminderRequest& req, const common::Principal& caller,
                              v1::Reminder* resp);
  absl::Status RecordFollowUpSent(const v1::RecordFollowUpSentRequest& req, const common::Principal& caller,
                                  v1::RecordFollowUpSentResponse* resp);
  absl::Status RecordSatisfaction(const v1::RecordSatisfactionRequest& req, const common::Principal& caller,
                                  v1::RecordSatisfactionResponse* resp);
  absl::Status SubmitReview(const v1::SubmitReviewRequest& req, const common::Principal& caller, v1::Review* resp);
  absl::Status GetReview(const v1::GetReviewRequest& req, v1::Review* resp);
  absl::Status BatchGetCaseFollowUps(const v1::BatchGetCaseFollowUpsRequest& req,
                                     v1::BatchGetCaseFollowUpsResponse* resp);
  absl::Status GetTrends(const v1::GetTrendsRequest& req, v1::GetTrendsResponse* resp);
  absl::Status PauseSla(const v1::PauseSlaRequest& req, const common::Principal& caller, v1::SlaClock* resp);
  absl::Status ResumeSla(const v1::ResumeSlaRequest& req, const common::Principal& caller, v1::SlaClock* resp);

  // Every other service's event, in the consumer's transaction. A malformed one
  // (ValidateEvent) is logged, counted and parked in dead_letters, and the call succeeds.
  absl::Status OnEvent(common::Tx& tx, const recovery::v1::Event& event);
  // Timer firings, in the timer service's transaction.
  absl::Status OnSlaTimer(common::Tx& tx, const common::Timer& timer);
  absl::Status OnReminderTimer(common::Tx& tx, const common::Timer& timer);
  absl::Status OnSatisfactionTimer(common::Tx& tx, const common::Timer& timer);
  // Registers the three timer kinds with ctx.timers.
  void RegisterTimers();

 private:
  const common::ServiceContext ctx_;
  const common::Reloadable<FollowUpConfig>& cfg_;  // a snapshot per call
};

}  // namespace recovery::follow_up
