// recovery.v1.Escalation over gRPC: validate (validation.h) -> app (app.h) -> translate
// (domain values to the API messages). Writes run in RunIdempotent's transaction, so a retry
// with the same request_id returns the first response.
// Thread-safety: thread-safe (the app is).
#pragma once

#include "recovery/v1/escalation.grpc.pb.h"
#include "services/escalation/app.h"

namespace recovery::escalation {

// Translations to the API view.
void StateToInfo(const EscalationState& state, recovery::v1::EscalationInfo* out);
// The status as a reader sees it at `now` (EffectiveStatus: pending past its start = expired).
void CoverToInfo(const CoverRequest& request, absl::Time now, recovery::v1::CoverRequestInfo* out);
void FeedToInfo(const StoredCalendarFeed& feed, recovery::v1::CalendarFeedInfo* out);
void DirectoryToProto(const EscalationConfig& dir, recovery::v1::Directory* out);

class EscalationService final : public recovery::v1::Escalation::Service {
 public:
  EscalationService(EscalationApp& app, common::Store& store) : app_(app), store_(store) {}

  grpc::Status AcknowledgePage(grpc::ServerContext*, const recovery::v1::AcknowledgePageRequest*,
                               recovery::v1::EscalationInfo*) override;
  grpc::Status ResolveEscalation(grpc::ServerContext*, const recovery::v1::ResolveEscalationRequest*,
                                 recovery::v1::EscalationInfo*) override;
  grpc::Status GetEscalation(grpc::ServerContext*, const recovery::v1::GetEscalationRequest*,
                             recovery::v1::EscalationInfo*) override;
  grpc::Status ListEscalations(grpc::ServerContext*, const recovery::v1::ListEscalationsRequest*,
                               recovery::v1::ListEscalationsResponse*) override;
  grpc::Status ListPages(grpc::ServerContext*, const recovery::v1::ListPagesRequest*,
                         recovery::v1::ListPagesResponse*) override;
  grpc::Status WhoIsOnCall(grpc::ServerContext*, const recovery::v1::WhoIsOnCallRequest*,
                           recovery::v1::WhoIsOnCallResponse*) override;
  grpc::Status ListShifts(grpc::ServerContext*, const recovery::v1::ListShiftsRequest*,
                          recovery::v1::ListShiftsResponse*) override;
  grpc::Status AddOverride(grpc::ServerContext*, const recovery::v1::AddOverrideRequest*,
                           recovery::v1::ScheduleOverride*) override;
  grpc::Status RemoveOverride(grpc::ServerContext*, const recovery::v1::RemoveOverrideRequest*,
                              recovery::v1::RemoveOverrideResponse*) override;
  grpc::Status IsBusinessHours(grpc::ServerContext*, const recovery::v1::IsBusinessHoursRequest*,
                               recovery::v1::IsBusinessHoursResponse*) override;
  grpc::Status CheckCoverage(grpc::ServerContext*, const recovery::v1::CheckCoverageRequest*,
                             recovery::v1::CheckCoverageResponse*) override;
  grpc::Status GetDirectory(grpc::ServerContext*, const recovery::v1::GetDirectoryRequest*,
                            recovery::v1::Directory*) override;
  grpc::Status RequestCover(grpc::ServerContext*, const recovery::v1::RequestCoverRequest*,
                            recovery::v1::CoverRequestInfo*) override;
  grpc::Status AcceptCover(grpc::ServerContext*, const recovery::v1::AcceptCoverRequest*,
                           recovery::v1::CoverRequestInfo*) override;
  grpc::Status DeclineCover(grpc::ServerContext*, const recovery::v1::DeclineCoverRequest*,
                            recovery::v1::CoverRequestInfo*) override;
  grpc::Status CancelCover(grpc::ServerContext*, const recovery::v1::CancelCoverRequest*,
                           recovery::v1::CoverRequestInfo*) override;
  grpc::Status ListCoverRequests(grpc::ServerContext*, const recovery::v1::ListCoverRequestsRequest*,
                                 recovery::v1::ListCoverRequestsResponse*) override;
  // The answer is recorded for request_id replays without url_path: the token is never stored.
  grpc::Status CreateCalendarFeed(grpc::ServerContext*, const recovery::v1::CreateCalendarFeedRequest*,
                                  recovery::v1::CalendarFeedInfo*) override;
  grpc::Status ListCalendarFeeds(grpc::ServerContext*, const recovery::v1::ListCalendarFeedsRequest*,
                                 recovery::v1::ListCalendarFeedsResponse*) override;
  grpc::Status RevokeCalendarFeed(grpc::ServerContext*, const recovery::v1::RevokeCalendarFeedRequest*,
                                  recovery::v1::CalendarFeedInfo*) override;
  // The token is checked by the app; only the paged person may use it.
  grpc::Status InspectAckLink(grpc::ServerContext*, const recovery::v1::InspectAckLinkRequest*,
                              recovery::v1::AckLinkInfo*) override;
  grpc::Status AcknowledgeByLink(grpc::ServerContext*, const recovery::v1::AcknowledgeByLinkRequest*,
                                 recovery::v1::EscalationInfo*) override;

 private:
  EscalationApp& app_;
  common::Store& store_;
};

}  // namespace recovery::escalation
