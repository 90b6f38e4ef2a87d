// recovery.v1.Escalation handlers: validate, call the app, translate.
#include "services/escalation/grpc_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/common/auth/access_control.h"
#include "services/common/grpc_util.h"
#include "services/common/idempotency.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/escalation/validation.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using common::FromProto;
using common::ToGrpcStatus;
using common::ToProto;
using common::Tx;

v1::EscalationStatus StatusToProto(EscalationStatus s) {
  switch (s) {
    case EscalationStatus::kNew:
      return v1::ESCALATION_STATUS_NEW;
    case EscalationStatus::kHeld:
      return v1::ESCALATION_STATUS_HELD;
    case EscalationStatus::kPaging:
      return v1::ESCALATION_STATUS_PAGING;
    case EscalationStatus::kAcknowledged:
      return v1::ESCALATION_STATUS_ACKNOWLEDGED;
    case EscalationStatus::kResolved:
      return v1::ESCALATION_STATUS_RESOLVED;
    case EscalationStatus::kExhausted:
      return v1::ESCALATION_STATUS_EXHAUSTED;
  }
  return v1::ESCALATION_STATUS_UNSPECIFIED;
}

v1::TargetKind KindToProto(TargetKind k) {
  switch (k) {
    case TargetKind::kPerson:
      return v1::TARGET_KIND_PERSON;
    case TargetKind::kSchedule:
      return v1::TARGET_KIND_SCHEDULE;
    case TargetKind::kTeam:
      return v1::TARGET_KIND_TEAM;
  }
  return v1::TARGET_KIND_UNSPECIFIED;
}

void TargetToProto(const Target& t, v1::TargetRef* out) {
  out->set_kind(KindToProto(t.kind));
  out->set_id(t.id);
}

void TierToProto(const Tier& tier, v1::TierInfo* out) {
  for (const Target& t : tier.targets) TargetToProto(t, out->add_targets());
  *out->mutable_ack_timeout() = common::ToProtoDuration(tier.ack_timeout);
}

v1::ScheduleOverride OverrideToProto(const StoredOverride& o) {
  v1::ScheduleOverride out;
  out.set_override_id(o.override_id);
  out.set_schedule_id(o.schedule_id);
  out.set_person_id(o.person_id);
  *out.mutable_start() = ToProto(o.start);
  *out.mutable_end() = ToProto(o.end);
  out.set_reason(o.reason);
  return out;
}

void PageToProto(const delivery::Delivery& d, v1::PageInfo* out) {
  out->set_page_id(d.page_id);
  out->set_escalation_id(d.escalation_id);
  out->set_case_id(d.case_id);
  out->set_person_id(d.person_id);
  out->set_channel(ChannelToProto(d.channel));
  out->set_target(d.target);
  out->set_tier(d.tier);
  out->set_round(d.round);
  out->set_status(d.status);
  out->set_attempts(d.attempts);
  out->set_idempotency_key(d.idempotency_key);
  *out->mutable_next_attempt_at() = ToProto(d.next_attempt_at);
  out->set_last_error(d.last_error);
}

std::optional<absl::Time> OptionalAt(bool has, const google::protobuf::Timestamp& ts) {
  if (!has) return std::nullopt;
  return FromProto(ts);
}

std::string DayText(absl::CivilDay d) { return absl::FormatCivilTime(d); }

v1::CoverRequestStatus CoverStatusToProto(CoverStatus s) {
  switch (s) {
    case CoverStatus::kPending:
      return v1::COVER_REQUEST_STATUS_PENDING;
    case CoverStatus::kAccepted:
      return v1::COVER_REQUEST_STATUS_ACCEPTED;
    case CoverStatus::kDeclined:
      return v1::COVER_REQUEST_STATUS_DECLINED;
    case CoverStatus::kCancelled:
      return v1::COVER_REQUEST_STATUS_CANCELLED;
    case CoverStatus::kExpired:
      return v1::COVER_REQUEST_STATUS_EXPIRED;
  }
  return v1::COVER_REQUEST_STATUS_UNSPECIFIED;
}

v1::AckLinkState AckLinkStateToProto(EscalationApp::AckLinkState s) {
  switch (s) {
    case EscalationApp::AckLinkState::kValid:
      return v1::ACK_LINK_STATE_VALID;
    case EscalationApp::AckLinkState::kUsed:
      return v1::ACK_LINK_STATE_USED;
    case EscalationApp::AckLinkState::kEnded:
      return v1::ACK_LINK_STATE_ENDED;
  }
  return v1::ACK_LINK_STATE_UNSPECIFIED;
}

// The admitted caller as the app sees it: its actor, person and the scope permissions.
CallerScope ScopeOf(const common::Caller& caller) {
  CallerScope scope;
  scope.actor = caller.Actor();
  scope.person_id = caller.principal.PersonId();
  scope.acknowledge_any = caller.Holds("pages.acknowledge_any");
  scope.edit = caller.Holds("schedules.edit");
  scope.edit_any = caller.Holds("schedules.edit_any");
  return scope;
}

}  // namespace

void StateToInfo(const EscalationState& s, v1::EscalationInfo* info) {
  info->Clear();
  info->set_escalation_id(s.escalation_id);
  info->set_case_id(s.case_id);
  info->set_status(StatusToProto(s.status));
  info->set_tier(s.tier);
  info->set_round(s.round);
  if (s.ack_due) *info->mutable_ack_due() = ToProto(*s.ack_due);
  if (s.hold_until) *info->mutable_hold_until() = ToProto(*s.hold_until);
  info->set_acknowledged_by(s.acknowledged_by);
  auto* plan = info->mutable_plan();
  plan->set_policy_id(s.plan.policy_id);
  plan->set_repeats(s.plan.repeats);
  plan->set_fallback_person_id(s.plan.fallback_person_id);
  for (const Tier& t : s.plan.tiers) TierToProto(t, plan->add_tiers());
  info->set_team_id(s.team_id);
  info->set_rule_id(s.rule_id);
  info->set_business_hours(s.business_hours);
  info->set_severity(s.severity);
  info->set_reason(s.reason);
  if (s.started_at != absl::InfinitePast()) *info->mutable_started_at() = ToProto(s.started_at);
  if (s.updated_at != absl::InfinitePast()) *info->mutable_updated_at() = ToProto(s.updated_at);
  info->set_resolved_by(s.resolved_by);
}

void CoverToInfo(const CoverRequest& c, absl::Time now, v1::CoverRequestInfo* out) {
  out->Clear();
  out->set_cover_request_id(c.cover_request_id);
  out->set_schedule_id(c.schedule_id);
  out->set_requester_id(c.requester_id);
  out->set_person_id(c.person_id);
  *out->mutable_start() = ToProto(c.start);
  *out->mutable_end() = ToProto(c.end);
  out->set_reason(c.reason);
  out->set_status(CoverStatusToProto(EffectiveStatus(c, now)));
  if (c.requested_at != absl::InfinitePast()) *out->mutable_requested_at() = ToProto(c.requested_at);
  out->set_answered_by(c.answered_by);
  if (c.answered_at != absl::InfinitePast()) *out->mutable_answered_at() = ToProto(c.answered_at);
  out->set_answer_reason(c.answer_reason);
  out->set_override_id(c.override_id);
}

void FeedToInfo(const StoredCalendarFeed& f, v1::CalendarFeedInfo* out) {
  out->Clear();
  out->set_feed_id(f.feed_id);
  out->set_person_id(f.person_id);
  out->set_schedule_id(f.schedule_id);
  out->set_created_by(f.created_by);
  *out->mutable_created_at() = ToProto(f.created_at);
  if (f.revoked_at) *out->mutable_revoked_at() = ToProto(*f.revoked_at);
  out->set_revoked_by(f.revoked_by);
}

void DirectoryToProto(const EscalationConfig& dir, v1::Directory* out) {
  for (const Person& p : dir.people) {
    auto* o = out->add_people();
    o->set_id(p.id);
    o->set_name(p.name);
    o->set_time_zone(p.time_zone);
    for (const ContactMethod& m : p.contact_methods) {
      auto* cm = o->add_contact_methods();
      cm->set_channel(ChannelToProto(m.channel));
      cm->set_target(m.target);
    }
  }
  for (const Team& t : dir.teams) {
    auto* o = out->add_teams();
    o->set_id(t.id);
    o->set_name(t.name);
    for (const std::string& m : t.members) o->add_members(m);
    o->set_calendar_id(t.calendar_id);
    o->set_schedule_id(t.schedule_id);
    o->set_policy_id(t.policy_id);
    for (const Target& target : t.owners) TargetToProto(target, o->add_owners());
    *o->mutable_owner_ack_timeout() = common::ToProtoDuration(t.owner_ack_timeout);
  }
  for (const calendar::Calendar& c : dir.calendars) {
    auto* o = out->add_calendars();
    o->set_id(c.id());
    o->set_time_zone(c.time_zone_name());
    for (const calendar::Holiday& h : c.holidays()) {
      o->add_holidays(absl::StrCat(DayText(h.first), "..", DayText(h.last), " ", h.name));
    }
  }
  for (const Schedule& s : dir.schedules) {
    auto* o = out->add_schedules();
    o->set_id(s.id);
    o->set_name(s.name);
    o->set_time_zone(s.time_zone_name);
    for (const RotationLayer& l : s.layers) o->add_layers(l.name);
    for (const Override& ov : s.overrides) {
      *o->add_overrides() = OverrideToProto(StoredOverride{"", s.id, ov.person_id, ov.start, ov.end, "", "", "", ""});
    }
  }
  for (const EscalationPolicy& p : dir.policies) {
    auto* o = out->add_policies();
    o->set_id(p.id);
    o->set_name(p.name);
    for (const Tier& t : p.tiers) TierToProto(t, o->add_tiers());
    o->set_repeats(p.repeats);
    o->set_fallback_person_id(p.fallback_person_id);
  }
  for (const RoutingRule& r : dir.routing_rules) {
    auto* o = out->add_routing_rules();
    o->set_id(r.id);
    for (const std::string& c : r.categories) o->add_categories(c);
    for (Severity s : r.severities) o->add_severities(common::SeverityName(s));
    if (r.max_severity) o->set_max_severity(common::SeverityName(*r.max_severity));
    for (const std::string& t : r.client_tiers) o->add_client_tiers(t);
    for (const std::string& c : r.client_ids) o->add_client_ids(c);
    o->set_team_id(r.team_id);
    o->set_hold_until_business_hours(r.hold_until_business_hours);
  }
}

grpc::Status EscalationService::AcknowledgePage(grpc::ServerContext* ctx, const v1::AcknowledgePageRequest* req,
                                                v1::EscalationInfo* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  if (auto s = ValidateAcknowledgePage(*req); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(common::RunIdempotent(store_, "AcknowledgePage", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(app_.clock().Now()), [&](Tx& tx) -> absl::Status {
                                              ASSIGN_OR_RETURN(auto state, app_.AcknowledgePage(tx, *req, scope));
                                              StateToInfo(state, resp);
                                              return absl::OkStatus();
                                            }));
}

grpc::Status EscalationService::ResolveEscalation(grpc::ServerContext* ctx, const v1::ResolveEscalationRequest* req,
                                                  v1::EscalationInfo* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  if (auto s = ValidateResolveEscalation(*req); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(common::RunIdempotent(store_, "ResolveEscalation", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(app_.clock().Now()), [&](Tx& tx) -> absl::Status {
                                              ASSIGN_OR_RETURN(auto state, app_.ResolveEscalation(tx, *req, scope));
                                              StateToInfo(state, resp);
                                              return absl::OkStatus();
                                            }));
}

grpc::Status EscalationService::GetEscalation(grpc::ServerContext* ctx, const v1::GetEscalationRequest* req,
                                              v1::EscalationInfo* resp) {
  RETURN_IF_REFUSED(ctx);
  if (auto s = ValidateGetEscalation(*req); !s.ok()) return ToGrpcStatus(s);
  auto state = app_.GetEscalation(req->escalation_id());
  if (!state.ok()) return ToGrpcStatus(state.status());
  StateToInfo(*state, resp);
  return grpc::Status::OK;
}

grpc::Status EscalationService::ListEscalations(grpc::ServerContext* ctx, const v1::ListEscalationsRequest* req,
                                                v1::ListEscalationsResponse* resp) {
  RETURN_IF_REFUSED(ctx);
  if (auto s = ValidateListEscalations(*req); !s.ok()) return ToGrpcStatus(s);
  auto list = app_.ListEscalations(*req);
  if (!list.ok()) return ToGrpcStatus(list.status());
  for (const EscalationState& e : list->escalations) StateToInfo(e, resp->add_escalations());
  resp->set_next_page_token(list->next_page_token);
  return grpc::Status::OK;
}

grpc::Status EscalationService::ListPages(grpc::ServerContext* ctx, const v1::ListPagesRequest* req,
                                          v1::ListPagesResponse* resp) {
  RETURN_IF_REFUSED(ctx);
  if (auto s = ValidateListPages(*req); !s.ok()) return ToGrpcStatus(s);
  auto pages = app_.ListPages(req->escalation_id());
  if (!pages.ok()) return ToGrpcStatus(pages.status());
  for (const auto& d : *pages) PageToProto(d, resp->add_pages());
  return grpc::Status::OK;
}

grpc::Status EscalationService::WhoIsOnCall(grpc::ServerContext* ctx, const v1::WhoIsOnCallRequest* req,
                                            v1::WhoIsOnCallResponse* resp) {
  RETURN_IF_REFUSED(ctx);
  if (auto s = ValidateWhoIsOnCall(*req, *app_.directory()); !s.ok()) return ToGrpcStatus(s);
  const EscalationApp::OnCall on_call =
      app_.WhoIsOnCall(req->schedule_id(), req->team_id(), OptionalAt(req->has_at(), req->at()));
  resp->set_schedule_id(on_call.schedule_id);
  for (const std::string& p : on_call.person_ids) resp->add_person_ids(p);
  *resp->mutable_at() = ToProto(on_call.at);
  return grpc::Status::OK;
}

grpc::Status EscalationService::ListShifts(grpc::ServerContext* ctx, const v1::ListShiftsRequest* req,
                                           v1::ListShiftsResponse* resp) {
  RETURN_IF_REFUSED(ctx);
  if (auto s = ValidateListShifts(*req, *app_.directory()); !s.ok()) return ToGrpcStatus(s);
  for (const auto& named : app_.ListShifts(req->schedule_id(), FromProto(req->from()), FromProto(req->to()))) {
    auto* o = resp->add_shifts();
    o->set_person_id(named.shift.person_id);
    *o->mutable_start() = ToProto(named.shift.start);
    *o->mutable_end() = ToProto(named.shift.end);
    o->set_layer(named.layer);
  }
  return grpc::Status::OK;
}

grpc::Status EscalationService::AddOverride(grpc::ServerContext* ctx, const v1::AddOverrideRequest* req,
                                            v1::ScheduleOverride* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  const absl::Time now = app_.clock().Now();
  if (auto s = ValidateAddOverride(*req, *app_.directory(), now); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(common::RunIdempotent(store_, "AddOverride", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
                                              ASSIGN_OR_RETURN(auto added, app_.AddOverride(tx, *req, scope));
                                              *resp = OverrideToProto(added);
                                              return absl::OkStatus();
                                            }));
}

grpc::Status EscalationService::RemoveOverride(grpc::ServerContext* ctx, const v1::RemoveOverrideRequest* req,
                                               v1::RemoveOverrideResponse* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  if (auto s = ValidateRemoveOverride(*req); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(common::RunIdempotent(store_, "RemoveOverride", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(app_.clock().Now()), [&](Tx& tx) -> absl::Status {
                                              ASSIGN_OR_RETURN(auto removed, app_.RemoveOverride(tx, *req, scope));
                                              *resp->mutable_removed() = OverrideToProto(removed);
                                              return absl::OkStatus();
                                            }));
}

grpc::Status EscalationService::IsBusinessHours(grpc::ServerContext* ctx, const v1::IsBusinessHoursRequest* req,
                                                v1::IsBusinessHoursResponse* resp) {
  RETURN_IF_REFUSED(ctx);
  if (auto s = ValidateIsBusinessHours(*req, *app_.directory()); !s.ok()) return ToGrpcStatus(s);
  const EscalationApp::BusinessHours hours =
      app_.IsBusinessHours(req->calendar_id(), OptionalAt(req->has_at(), req->at()));
  resp->set_open(hours.open);
  if (hours.next_change != absl::InfiniteFuture()) *resp->mutable_next_change() = ToProto(hours.next_change);
  resp->set_holiday(hours.holiday);
  return grpc::Status::OK;
}

grpc::Status EscalationService::CheckCoverage(grpc::ServerContext* ctx, const v1::CheckCoverageRequest* req,
                                              v1::CheckCoverageResponse* resp) {
  RETURN_IF_REFUSED(ctx);
  if (auto s = ValidateCheckCoverage(*req, *app_.directory()); !s.ok()) return ToGrpcStatus(s);
  for (const calendar::Interval& gap :
       app_.CheckCoverage(req->schedule_id(), FromProto(req->from()), FromProto(req->to()))) {
    auto* g = resp->add_gaps();
    *g->mutable_start() = ToProto(gap.start);
    *g->mutable_end() = ToProto(gap.end);
  }
  return grpc::Status::OK;
}

grpc::Status EscalationService::GetDirectory(grpc::ServerContext* ctx, const v1::GetDirectoryRequest*,
                                             v1::Directory* resp) {
  RETURN_IF_REFUSED(ctx);
  DirectoryToProto(*app_.directory(), resp);
  return grpc::Status::OK;
}

// --- cover requests ---

grpc::Status EscalationService::RequestCover(grpc::ServerContext* ctx, const v1::RequestCoverRequest* req,
                                             v1::CoverRequestInfo* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  const absl::Time now = app_.clock().Now();
  if (auto s = ValidateRequestCover(*req, *app_.directory(), now); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(common::RunIdempotent(store_, "RequestCover", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
                                              ASSIGN_OR_RETURN(auto request, app_.RequestCover(tx, *req, scope));
                                              CoverToInfo(request, now, resp);
                                              return absl::OkStatus();
                                            }));
}

grpc::Status EscalationService::AcceptCover(grpc::ServerContext* ctx, const v1::AcceptCoverRequest* req,
                                            v1::CoverRequestInfo* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  if (auto s = ValidateAcceptCover(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = app_.clock().Now();
  return ToGrpcStatus(common::RunIdempotent(store_, "AcceptCover", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
                                              ASSIGN_OR_RETURN(auto request, app_.AcceptCover(tx, *req, scope));
                                              CoverToInfo(request, now, resp);
                                              return absl::OkStatus();
                                            }));
}

grpc::Status EscalationService::DeclineCover(grpc::ServerContext* ctx, const v1::DeclineCoverRequest* req,
                                             v1::CoverRequestInfo* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  if (auto s = ValidateDeclineCover(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = app_.clock().Now();
  return ToGrpcStatus(common::RunIdempotent(store_, "DeclineCover", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
                                              ASSIGN_OR_RETURN(auto request, app_.DeclineCover(tx, *req, scope));
                                              CoverToInfo(request, now, resp);
                                              return absl::OkStatus();
                                            }));
}

grpc::Status EscalationService::CancelCover(grpc::ServerContext* ctx, const v1::CancelCoverRequest* req,
                                            v1::CoverRequestInfo* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  if (auto s = ValidateCancelCover(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = app_.clock().Now();
  return ToGrpcStatus(common::RunIdempotent(store_, "CancelCover", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(now), [&](Tx& tx) -> absl::Status {
                                              ASSIGN_OR_RETURN(auto request, app_.CancelCover(tx, *req, scope));
                                              CoverToInfo(request, now, resp);
                                              return absl::OkStatus();
                                            }));
}

grpc::Status EscalationService::ListCoverRequests(grpc::ServerContext* ctx, const v1::ListCoverRequestsRequest* req,
                                                  v1::ListCoverRequestsResponse* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  if (auto s = ValidateListCoverRequests(*req, *app_.directory()); !s.ok()) return ToGrpcStatus(s);
  auto page = app_.ListCoverRequests(*req, scope);
  if (!page.ok()) return ToGrpcStatus(page.status());
  const absl::Time now = app_.clock().Now();
  for (const CoverRequest& c : page->requests) CoverToInfo(c, now, resp->add_cover_requests());
  resp->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

// --- calendar feeds ---

grpc::Status EscalationService::CreateCalendarFeed(grpc::ServerContext* ctx, const v1::CreateCalendarFeedRequest* req,
                                                   v1::CalendarFeedInfo* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  if (auto s = ValidateCreateCalendarFeed(*req, *app_.directory()); !s.ok()) return ToGrpcStatus(s);
  const int64_t now_us = absl::ToUnixMicros(app_.clock().Now());
  // RunIdempotent would record the whole answer; here the recorded one lacks url_path, so the
  // token lives nowhere but in this response.
  return ToGrpcStatus(common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    resp->Clear();
    ASSIGN_OR_RETURN(auto prior, common::ClaimRequest(tx, store_.dialect(), "CreateCalendarFeed", req->request_id(),
                                                      *req, now_us, common::kRequestIdWait));
    if (prior.has_value()) {
      if (!resp->ParseFromString(*prior)) return absl::InternalError("stored response is corrupt");
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(auto created, app_.CreateCalendarFeed(tx, *req, scope));
    FeedToInfo(created.feed, resp);
    RETURN_IF_ERROR(common::RecordResponse(tx, req->request_id(), *resp));
    resp->set_url_path(created.url_path);
    return absl::OkStatus();
  }));
}

grpc::Status EscalationService::ListCalendarFeeds(grpc::ServerContext* ctx, const v1::ListCalendarFeedsRequest* req,
                                                  v1::ListCalendarFeedsResponse* resp) {
  CALLER_OR_RETURN(caller, ctx);
  auto feeds = app_.ListCalendarFeeds(req->include_revoked(), ScopeOf(caller));
  if (!feeds.ok()) return ToGrpcStatus(feeds.status());
  for (const StoredCalendarFeed& f : *feeds) FeedToInfo(f, resp->add_feeds());
  return grpc::Status::OK;
}

grpc::Status EscalationService::RevokeCalendarFeed(grpc::ServerContext* ctx, const v1::RevokeCalendarFeedRequest* req,
                                                   v1::CalendarFeedInfo* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  if (auto s = ValidateRevokeCalendarFeed(*req); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(common::RunIdempotent(store_, "RevokeCalendarFeed", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(app_.clock().Now()), [&](Tx& tx) -> absl::Status {
                                              ASSIGN_OR_RETURN(auto feed, app_.RevokeCalendarFeed(tx, *req, scope));
                                              FeedToInfo(feed, resp);
                                              return absl::OkStatus();
                                            }));
}

// --- acknowledge links ---

grpc::Status EscalationService::InspectAckLink(grpc::ServerContext* ctx, const v1::InspectAckLinkRequest* req,
                                               v1::AckLinkInfo* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  if (auto s = ValidateInspectAckLink(*req); !s.ok()) return ToGrpcStatus(s);
  auto link = app_.InspectAckLink(req->token(), scope);
  if (!link.ok()) return ToGrpcStatus(link.status());
  resp->set_state(AckLinkStateToProto(link->state));
  PageToProto(link->page, resp->mutable_page());
  StateToInfo(link->escalation, resp->mutable_escalation());
  if (link->used) {
    *resp->mutable_used_at() = ToProto(link->used->used_at);
    resp->set_used_by(link->used->used_by);
  }
  return grpc::Status::OK;
}

grpc::Status EscalationService::AcknowledgeByLink(grpc::ServerContext* ctx, const v1::AcknowledgeByLinkRequest* req,
                                                  v1::EscalationInfo* resp) {
  CALLER_OR_RETURN(caller, ctx);
  const CallerScope scope = ScopeOf(caller);
  if (auto s = ValidateAcknowledgeByLink(*req); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(common::RunIdempotent(store_, "AcknowledgeByLink", req->request_id(), *req, resp,
                                            absl::ToUnixMicros(app_.clock().Now()), [&](Tx& tx) -> absl::Status {
                                              ASSIGN_OR_RETURN(auto state, app_.AcknowledgeByLink(tx, *req, scope));
                                              StateToInfo(state, resp);
                                              return absl::OkStatus();
                                            }));
}

}  // namespace recovery::escalation
