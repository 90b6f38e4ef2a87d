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
      *o->add_overrides() = OverrideToProto(StoredOverride{"", s.id, ov.person_id, ov.start, ov.end, "", ""});
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

}  // namespace recovery::escalation
