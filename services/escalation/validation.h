// Request checks of recovery.v1.Escalation, and of the events escalation consumes, on
// services/common/validation.h. INVALID_ARGUMENT for malformed fields, NOT_FOUND for ids the
// directory does not know; every message starts with the field name ("person_id: ...").
// A consumed event that fails ValidateConsumedEvent is malformed: the app logs, counts and
// parks it (dead letters) and changes nothing.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/escalation.pb.h"
#include "recovery/v1/events.pb.h"
#include "services/escalation/domain/config.h"

namespace recovery::escalation {

// person_id (AcknowledgePage) and resolved_by (ResolveEscalation) are deprecated and not
// checked: the acknowledging or resolving person is the authenticated caller.
absl::Status ValidateAcknowledgePage(const recovery::v1::AcknowledgePageRequest& r);
// token: the shape of an acknowledge link's token (ack_link.h), else INVALID_ARGUMENT
// kInvalidAckLink, whatever is wrong with it; AcknowledgeByLink also needs a request_id.
absl::Status ValidateInspectAckLink(const recovery::v1::InspectAckLinkRequest& r);
absl::Status ValidateAcknowledgeByLink(const recovery::v1::AcknowledgeByLinkRequest& r);
absl::Status ValidateResolveEscalation(const recovery::v1::ResolveEscalationRequest& r);
absl::Status ValidateGetEscalation(const recovery::v1::GetEscalationRequest& r);
// case_id, team_id: identifiers (optional); statuses: known values; page_size 0-500;
// page_token: one ListEscalations issued for the same filters (ListEscalationsCursor).
absl::Status ValidateListEscalations(const recovery::v1::ListEscalationsRequest& r);
inline constexpr int kDefaultListPageSize = 50;
inline constexpr int kMaxListPageSize = 500;
// ListEscalations' page token: opaque to clients, it holds the page's last escalation id and a
// fingerprint of the request's filters (case_id, team_id, active_only, statuses), so a token is
// honoured only with the filters it was issued for.
std::string ListEscalationsPageToken(const recovery::v1::ListEscalationsRequest& r, const std::string& last_id);
// The escalation id the page starts after ("" without a token); INVALID_ARGUMENT "page_token:
// ..." for a token ListEscalations did not issue, or issued for other filters.
absl::StatusOr<std::string> ListEscalationsCursor(const recovery::v1::ListEscalationsRequest& r);
absl::Status ValidateListPages(const recovery::v1::ListPagesRequest& r);
absl::Status ValidateWhoIsOnCall(const recovery::v1::WhoIsOnCallRequest& r, const EscalationConfig& dir);
absl::Status ValidateListShifts(const recovery::v1::ListShiftsRequest& r, const EscalationConfig& dir);
// `now`: an override that ends before now changes nothing and is refused.
absl::Status ValidateAddOverride(const recovery::v1::AddOverrideRequest& r, const EscalationConfig& dir,
                                 absl::Time now);
absl::Status ValidateRemoveOverride(const recovery::v1::RemoveOverrideRequest& r);
absl::Status ValidateIsBusinessHours(const recovery::v1::IsBusinessHoursRequest& r, const EscalationConfig& dir);
absl::Status ValidateCheckCoverage(const recovery::v1::CheckCoverageRequest& r, const EscalationConfig& dir);

// Cover requests. `now`: a request must start in the future (it expires at its start).
absl::Status ValidateRequestCover(const recovery::v1::RequestCoverRequest& r, const EscalationConfig& dir,
                                  absl::Time now);
absl::Status ValidateAcceptCover(const recovery::v1::AcceptCoverRequest& r);
absl::Status ValidateDeclineCover(const recovery::v1::DeclineCoverRequest& r);
absl::Status ValidateCancelCover(const recovery::v1::CancelCoverRequest& r);
absl::Status ValidateListCoverRequests(const recovery::v1::ListCoverRequestsRequest& r, const EscalationConfig& dir);

// Calendar feeds.
absl::Status ValidateCreateCalendarFeed(const recovery::v1::CreateCalendarFeedRequest& r, const EscalationConfig& dir);
absl::Status ValidateRevokeCalendarFeed(const recovery::v1::RevokeCalendarFeedRequest& r);

// An event escalation consumes (CaseOpened, CaseReopened, CaseUpdated, SlaBreached,
// CaseResolved, CaseClosed, ReminderDue), checked like a request: a CaseOpened needs a
// severity and a category, a ReminderDue a reminder id and a recipient, every id and text is
// well formed. Field names are the event's ("case_opened.severity"). Other bodies pass.
absl::Status ValidateConsumedEvent(const recovery::v1::Event& event);

}  // namespace recovery::escalation
