// Follow-up's request checks and consumed-event checks, on services/common/validation.h.
// Every error is INVALID_ARGUMENT "<field>: <why>". Ids (case, reminder, person) are
// identifiers (common::CheckId); texts count characters and refuse control characters.
// Thread-safety: pure functions.
#pragma once

#include "absl/status/status.h"
#include "recovery/v1/events.pb.h"
#include "recovery/v1/follow_up.pb.h"

namespace recovery::follow_up {

absl::Status ValidateListReminders(const recovery::v1::ListRemindersRequest& r);
absl::Status ValidateSnoozeReminder(const recovery::v1::SnoozeReminderRequest& r);
absl::Status ValidateRecordFollowUpSent(const recovery::v1::RecordFollowUpSentRequest& r);
absl::Status ValidateRecordSatisfaction(const recovery::v1::RecordSatisfactionRequest& r);
absl::Status ValidateSubmitReview(const recovery::v1::SubmitReviewRequest& r);
absl::Status ValidateGetReview(const recovery::v1::GetReviewRequest& r);
absl::Status ValidateBatchGetCaseFollowUps(const recovery::v1::BatchGetCaseFollowUpsRequest& r);
absl::Status ValidateGetTrends(const recovery::v1::GetTrendsRequest& r);
absl::Status ValidatePauseSla(const recovery::v1::PauseSlaRequest& r);
absl::Status ValidateResumeSla(const recovery::v1::ResumeSlaRequest& r);

// A consumed event, checked like a request before the domain sees it: the envelope
// (event_id, case_id, occurred_at) and the fields follow-up reads from the bodies it reacts
// to (a CaseOpened needs a severity; due times must be valid timestamps). Field names are
// the event's ("case_opened.severity"). A refused event is logged, counted and parked.
absl::Status ValidateEvent(const recovery::v1::Event& e);

}  // namespace recovery::follow_up
