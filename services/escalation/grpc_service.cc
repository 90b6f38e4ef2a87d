// recovery.v1.Escalation handlers: validate, load, call the engine or the domain, translate.
#include "services/escalation/grpc_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/time_util.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/domain/schedule.h"
#include "services/escalation/state_codec.h"
#include "services/escalation/store.h"

namespace recovery::escalation {
namespace {

using common::FromProto;
using common::ToGrpcStatus;
using common::ToProto;
using common::Tx;
using google::protobuf::Timestamp;

constexpr size_t kMaxId = 128;
constexpr size_t kMaxText = 2000;
constexpr absl::Duration kMaxRange = absl::Hours(24 * 90);

absl::Status Invalid(const std::string& field, const std::string& msg) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", msg));
}
absl::Status NotFound(const std::string& field, const std::string& what, const std::string& id) {
  return absl::NotFoundError(absl::StrCat(field, ": unknown ", what, " '", id, "'"));
}

absl::Status OptionalId(const std::string& field, const std::string& v) {
  if (v.size() > kMaxId) return Invalid(field, absl::StrCat("at most ", kMaxId, " characters"));
  if (v.find_first_of(" \t\r\n/") != std::string::npos) return Invalid(field, "must not contain spaces or '/'");
  return absl::OkStatus();
}
absl::Status RequireId(const std::string& field, const std::string& v) {
  if (v.empty()) return Invalid(field, "required");
  return OptionalId(field, v);
}
absl::Status OptionalText(const std::string& field, const std::string& v) {
  if (v.size() > kMaxText) return Invalid(field, absl::StrCat("at most ", kMaxText, " characters"));
  return absl::OkStatus();
}
absl::Status ValidTimestamp(const std::string& field, const Timestamp& ts) {
  if (ts.seconds() < 0 || ts.seconds() > 253402300799 || ts.nanos() < 0 || ts.nanos() > 999999999)
    return Invalid(field, "out of range");
  return absl::OkStatus();
}
absl::Status RequireTimestamp(const std::string& field, bool has, const Timestamp& ts) {
  if (!has) return Invalid(field, "required");
  return ValidTimestamp(field, ts);
}
absl::Status ValidRange(bool has_from, const Timestamp& from, bool has_to, const Timestamp& to) {
  if (auto s = RequireTimestamp("from", has_from, from); !s.ok()) return s;
  if (auto s = RequireTimestamp("to", has_to, to); !s.ok()) return s;
  const absl::Time f = FromProto(from), t = FromProto(to);
  if (t <= f) return Invalid("to", "must be after from");
  if (t - f > kMaxRange) return Invalid("to", "at most 90 days after from");
  return absl::OkStatus();
}
absl::Status KnownSchedule(const std::string& field, const std::string& id, const EscalationConfig& dir) {
  if (auto s = RequireId(field, id); !s.ok()) return s;
  if (dir.FindSchedule(id) == nullptr) return NotFound(field, "schedule", id);
  return absl::OkStatus();
}
absl::Status KnownPerson(const std::string& field, const std::string& id, const EscalationConfig& dir) {
  if (auto s = RequireId(field, id); !s.ok()) return s;
  if (dir.FindPerson(id) == nullptr) return NotFound(field, "person", id);
  return absl::OkStatus();
}

#define RETURN_IF_ERROR(expr)            \
  do {                                   \
    if (auto _s = (expr); !_s.ok()) return _s; \
  } while (0)

absl::Time AtOrNow(bool has, const Timestamp& ts, common::Clock& clock) { return has ? FromProto(ts) : clock.Now(); }

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
  out->set_channel(ToProto(d.channel));
  out->set_target(d.target);
  out->set_tier(d.tier);
  out->set_round(d.round);
  out->set_status(d.status);
  out->set_attempts(d.attempts);
  out->set_idempotency_key(d.idempotency_key);
  *out->mutable_next_attempt_at() = ToProto(d.next_attempt_at);
  out->set_last_error(d.last_error);
}

// Reads the overrides after a change and installs them once the change committed.
absl::Status RefreshOverridesAfterCommit(Tx& tx, ConfigHolder& config) {
  auto all = ListOverrides(tx);
  if (!all.ok()) return all.status();
  tx.AfterCommit([&config, overrides = std::move(*all)]() mutable { config.SetOverrides(std::move(overrides)); });
  return absl::OkStatus();
}

std::string DayText(absl::CivilDay d) { return absl::FormatCivilTime(d); }

}  // namespace

absl::Status ValidateAcknowledgePage(const v1::AcknowledgePageRequest& r, const EscalationConfig& dir) {
  RETURN_IF_ERROR(RequireId("request_id", r.request_id()));
  RETURN_IF_ERROR(OptionalId("page_id", r.page_id()));
  RETURN_IF_ERROR(OptionalId("escalation_id", r.escalation_id()));
  if (r.page_id().empty() && r.escalation_id().empty()) return Invalid("page_id", "page_id or escalation_id required");
  if (!r.page_id().empty() && !r.escalation_id().empty()) {
    return Invalid("escalation_id", "give page_id or escalation_id, not both");
  }
  if (!r.escalation_id().empty()) return KnownPerson("person_id", r.person_id(), dir);
  if (!r.person_id().empty()) return KnownPerson("person_id", r.person_id(), dir);
  return absl::OkStatus();
}

absl::Status ValidateResolveEscalation(const v1::ResolveEscalationRequest& r) {
  RETURN_IF_ERROR(RequireId("request_id", r.request_id()));
  RETURN_IF_ERROR(RequireId("escalation_id", r.escalation_id()));
  RETURN_IF_ERROR(OptionalId("resolved_by", r.resolved_by()));
  return OptionalText("reason", r.reason());
}

absl::Status ValidateGetEscalation(const v1::GetEscalationRequest& r) {
  return RequireId("escalation_id", r.escalation_id());
}

absl::Status ValidateListEscalations(const v1::ListEscalationsRequest& r) { return RequireId("case_id", r.case_id()); }

absl::Status ValidateListPages(const v1::ListPagesRequest& r) {
  return RequireId("escalation_id", r.escalation_id());
}

absl::Status ValidateWhoIsOnCall(const v1::WhoIsOnCallRequest& r, const EscalationConfig& dir) {
  if (r.schedule_id().empty() == r.team_id().empty()) {
    return Invalid("schedule_id", "exactly one of schedule_id and team_id is required");
  }
  if (!r.schedule_id().empty()) RETURN_IF_ERROR(KnownSchedule("schedule_id", r.schedule_id(), dir));
  if (!r.team_id().empty()) {
    RETURN_IF_ERROR(RequireId("team_id", r.team_id()));
    if (dir.FindTeam(r.team_id()) == nullptr) return NotFound("team_id", "team", r.team_id());
  }
  if (r.has_at()) RETURN_IF_ERROR(ValidTimestamp("at", r.at()));
  return absl::OkStatus();
}

absl::Status ValidateListShifts(const v1::ListShiftsRequest& r, const EscalationConfig& dir) {
  RETURN_IF_ERROR(KnownSchedule("schedule_id", r.schedule_id(), dir));
  return ValidRange(r.has_from(), r.from(), r.has_to(), r.to());
}

absl::Status ValidateAddOverride(const v1::AddOverrideRequest& r, const EscalationConfig& dir) {
  RETURN_IF_ERROR(RequireId("request_id", r.request_id()));
  RETURN_IF_ERROR(KnownSchedule("schedule_id", r.schedule_id(), dir));
  RETURN_IF_ERROR(KnownPerson("person_id", r.person_id(), dir));
  RETURN_IF_ERROR(RequireTimestamp("start", r.has_start(), r.start()));
  RETURN_IF_ERROR(RequireTimestamp("end", r.has_end(), r.end()));
  if (FromProto(r.end()) <= FromProto(r.start())) return Invalid("end", "must be after start");
  if (FromProto(r.end()) - FromProto(r.start()) > absl::Hours(24 * 366)) return Invalid("end", "at most a year after start");
  return OptionalText("reason", r.reason());
}

absl::Status ValidateRemoveOverride(const v1::RemoveOverrideRequest& r) {
  RETURN_IF_ERROR(RequireId("request_id", r.request_id()));
  return RequireId("override_id", r.override_id());
}

absl::Status ValidateIsBusinessHours(const v1::IsBusinessHoursRequest& r, const EscalationConfig& dir) {
  RETURN_IF_ERROR(RequireId("calendar_id", r.calendar_id()));
  if (dir.FindCalendar(r.calendar_id()) == nullptr) return NotFound("calendar_id", "calendar", r.calendar_id());
  if (r.has_at()) RETURN_IF_ERROR(ValidTimestamp("at", r.at()));
  return absl::OkStatus();
}

absl::Status ValidateCheckCoverage(const v1::CheckCoverageRequest& r, const EscalationConfig& dir) {
  RETURN_IF_ERROR(KnownSchedule("schedule_id", r.schedule_id(), dir));
  return ValidRange(r.has_from(), r.from(), r.has_to(), r.to());
}

void DirectoryToProto(const EscalationConfig& dir, v1::Directory* out) {
  for (const Person& p : dir.people) {
    auto* o = out->add_people();
    o->set_id(p.id);
    o->set_name(p.name);
    o->set_time_zone(p.time_zone);
    for (const ContactMethod& m : p.contact_methods) {
      auto* cm = o->add_contact_methods();
      cm->set_channel(ToProto(m.channel));
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
    for (const Target& target : t.owners) {
      auto* ref = o->add_owners();
      ref->set_kind(ToProto(target.kind));
      ref->set_id(target.id);
    }
    *o->mutable_owner_ack_timeout() =
        google::protobuf::util::TimeUtil::MicrosecondsToDuration(absl::ToInt64Microseconds(t.owner_ack_timeout));
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
      *o->add_overrides() = OverrideToProto(StoredOverride{"", s.id, ov.person_id, ov.start, ov.end, ""});
    }
  }
  for (const EscalationPolicy& p : dir.policies) {
    auto* o = out->add_policies();
    o->set_id(p.id);
    o->set_name(p.name);
    for (const Tier& t : p.tiers) ToProto(t, o->add_tiers());
    o->set_repeats(p.repeats);
    o->set_fallback_person_id(p.fallback_person_id);
  }
  for (const RoutingRule& r : dir.routing_rules) {
    auto* o = out->add_routing_rules();
    o->set_id(r.id);
    for (const std::string& c : r.categories) o->add_categories(c);
    for (Severity s : r.severities) o->add_severities(absl::StrCat("P", static_cast<int>(s)));
    if (r.max_severity) o->set_max_severity(absl::StrCat("P", static_cast<int>(*r.max_severity)));
    for (const std::string& t : r.client_tiers) o->add_client_tiers(t);
    for (const std::string& c : r.client_ids) o->add_client_ids(c);
    o->set_team_id(r.team_id);
    o->set_hold_until_business_hours(r.hold_until_business_hours);
  }
}

grpc::Status EscalationService::AcknowledgePage(grpc::ServerContext*, const v1::AcknowledgePageRequest* req,
                                                v1::EscalationInfo* resp) {
  const auto dir = engine_.config().directory();
  if (auto s = ValidateAcknowledgePage(*req, *dir); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = engine_.clock().Now();
  auto s = common::RunIdempotent(store_, "AcknowledgePage", req->request_id(), *req, resp, absl::ToUnixMicros(now),
                                 [&](Tx& tx) -> absl::Status {
    std::string escalation_id = req->escalation_id();
    std::string person_id = req->person_id();
    if (!req->page_id().empty()) {
      auto page = delivery::LoadDelivery(tx, req->page_id());
      if (!page.ok()) return page.status();
      if (!page->has_value() || (**page).kind != delivery::kKindPage) {
        return NotFound("page_id", "page", req->page_id());
      }
      escalation_id = (**page).escalation_id;
      if (person_id.empty()) person_id = (**page).person_id;
    }
    auto info = LoadEscalation(tx, escalation_id);
    if (!info.ok()) return info.status();
    if (!info->has_value()) return NotFound("escalation_id", "escalation", escalation_id);
    EscalationEngine::Context ctx{req->request_id(), person_id, req->page_id(), ""};
    auto applied = engine_.Apply(tx, std::move(**info), Acknowledge{person_id}, ctx);
    if (!applied.ok()) return applied.status();
    if (applied->ignored) {
      return absl::FailedPreconditionError(absl::StrCat("escalation_id: ", applied->ignored_reason));
    }
    *resp = std::move(applied->info);
    return absl::OkStatus();
  });
  return ToGrpcStatus(s);
}

grpc::Status EscalationService::ResolveEscalation(grpc::ServerContext*, const v1::ResolveEscalationRequest* req,
                                                  v1::EscalationInfo* resp) {
  if (auto s = ValidateResolveEscalation(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = engine_.clock().Now();
  auto s = common::RunIdempotent(store_, "ResolveEscalation", req->request_id(), *req, resp, absl::ToUnixMicros(now),
                                 [&](Tx& tx) -> absl::Status {
    auto info = LoadEscalation(tx, req->escalation_id());
    if (!info.ok()) return info.status();
    if (!info->has_value()) return NotFound("escalation_id", "escalation", req->escalation_id());
    EscalationEngine::Context ctx{req->request_id(), req->resolved_by().empty() ? kServiceName : req->resolved_by(),
                                  "", req->reason().empty() ? "resolved by request" : req->reason()};
    auto applied = engine_.Apply(tx, std::move(**info), Resolve{req->resolved_by()}, ctx);
    if (!applied.ok()) return applied.status();
    if (applied->ignored) {
      return absl::FailedPreconditionError(absl::StrCat("escalation_id: ", applied->ignored_reason));
    }
    *resp = std::move(applied->info);
    return absl::OkStatus();
  });
  return ToGrpcStatus(s);
}

grpc::Status EscalationService::GetEscalation(grpc::ServerContext*, const v1::GetEscalationRequest* req,
                                              v1::EscalationInfo* resp) {
  if (auto s = ValidateGetEscalation(*req); !s.ok()) return ToGrpcStatus(s);
  auto s = common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    auto info = LoadEscalation(tx, req->escalation_id());
    if (!info.ok()) return info.status();
    if (!info->has_value()) return NotFound("escalation_id", "escalation", req->escalation_id());
    *resp = std::move(**info);
    return absl::OkStatus();
  });
  return ToGrpcStatus(s);
}

grpc::Status EscalationService::ListEscalations(grpc::ServerContext*, const v1::ListEscalationsRequest* req,
                                                v1::ListEscalationsResponse* resp) {
  if (auto s = ValidateListEscalations(*req); !s.ok()) return ToGrpcStatus(s);
  auto s = common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    auto list = escalation::ListEscalations(tx, req->case_id(), req->active_only());
    if (!list.ok()) return list.status();
    resp->Clear();
    for (auto& e : *list) *resp->add_escalations() = std::move(e);
    return absl::OkStatus();
  });
  return ToGrpcStatus(s);
}

grpc::Status EscalationService::ListPages(grpc::ServerContext*, const v1::ListPagesRequest* req,
                                          v1::ListPagesResponse* resp) {
  if (auto s = ValidateListPages(*req); !s.ok()) return ToGrpcStatus(s);
  auto s = common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    auto info = LoadEscalation(tx, req->escalation_id());
    if (!info.ok()) return info.status();
    if (!info->has_value()) return NotFound("escalation_id", "escalation", req->escalation_id());
    auto pages = delivery::ListByEscalation(tx, req->escalation_id());
    if (!pages.ok()) return pages.status();
    resp->Clear();
    for (const auto& d : *pages) PageToProto(d, resp->add_pages());
    return absl::OkStatus();
  });
  return ToGrpcStatus(s);
}

grpc::Status EscalationService::WhoIsOnCall(grpc::ServerContext*, const v1::WhoIsOnCallRequest* req,
                                            v1::WhoIsOnCallResponse* resp) {
  const auto dir = engine_.config().directory();
  if (auto s = ValidateWhoIsOnCall(*req, *dir); !s.ok()) return ToGrpcStatus(s);
  const absl::Time at = AtOrNow(req->has_at(), req->at(), engine_.clock());
  std::vector<Target> targets;
  if (!req->schedule_id().empty()) {
    targets.push_back(Target{TargetKind::kSchedule, req->schedule_id()});
    resp->set_schedule_id(req->schedule_id());
  } else {
    targets.push_back(Target{TargetKind::kTeam, req->team_id()});
    resp->set_schedule_id(dir->FindTeam(req->team_id())->schedule_id);
  }
  for (const std::string& p : ResolveTargets(*dir, targets, at)) resp->add_person_ids(p);
  *resp->mutable_at() = ToProto(at);
  return grpc::Status::OK;
}

grpc::Status EscalationService::ListShifts(grpc::ServerContext*, const v1::ListShiftsRequest* req,
                                           v1::ListShiftsResponse* resp) {
  const auto dir = engine_.config().directory();
  if (auto s = ValidateListShifts(*req, *dir); !s.ok()) return ToGrpcStatus(s);
  const Schedule& schedule = *dir->FindSchedule(req->schedule_id());
  for (const Shift& shift : escalation::ListShifts(schedule, FromProto(req->from()), FromProto(req->to()))) {
    auto* o = resp->add_shifts();
    o->set_person_id(shift.person_id);
    *o->mutable_start() = ToProto(shift.start);
    *o->mutable_end() = ToProto(shift.end);
    o->set_layer(shift.layer == kOverrideLayer ? "override" : schedule.layers[shift.layer].name);
  }
  return grpc::Status::OK;
}

grpc::Status EscalationService::AddOverride(grpc::ServerContext*, const v1::AddOverrideRequest* req,
                                            v1::ScheduleOverride* resp) {
  const auto dir = engine_.config().directory();
  if (auto s = ValidateAddOverride(*req, *dir); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = engine_.clock().Now();
  auto s = common::RunIdempotent(store_, "AddOverride", req->request_id(), *req, resp, absl::ToUnixMicros(now),
                                 [&](Tx& tx) -> absl::Status {
    StoredOverride o{common::NewId(now), req->schedule_id(), req->person_id(), FromProto(req->start()),
                     FromProto(req->end()), req->reason()};
    if (auto st = InsertOverride(tx, o); !st.ok()) return st;
    *resp = OverrideToProto(o);
    return RefreshOverridesAfterCommit(tx, engine_.config());
  });
  return ToGrpcStatus(s);
}

grpc::Status EscalationService::RemoveOverride(grpc::ServerContext*, const v1::RemoveOverrideRequest* req,
                                               v1::RemoveOverrideResponse* resp) {
  if (auto s = ValidateRemoveOverride(*req); !s.ok()) return ToGrpcStatus(s);
  const absl::Time now = engine_.clock().Now();
  auto s = common::RunIdempotent(store_, "RemoveOverride", req->request_id(), *req, resp, absl::ToUnixMicros(now),
                                 [&](Tx& tx) -> absl::Status {
    auto o = LoadOverride(tx, req->override_id());
    if (!o.ok()) return o.status();
    if (!o->has_value()) return NotFound("override_id", "override", req->override_id());
    if (auto st = DeleteOverride(tx, req->override_id()); !st.ok()) return st;
    *resp->mutable_removed() = OverrideToProto(**o);
    return RefreshOverridesAfterCommit(tx, engine_.config());
  });
  return ToGrpcStatus(s);
}

grpc::Status EscalationService::IsBusinessHours(grpc::ServerContext*, const v1::IsBusinessHoursRequest* req,
                                                v1::IsBusinessHoursResponse* resp) {
  const auto dir = engine_.config().directory();
  if (auto s = ValidateIsBusinessHours(*req, *dir); !s.ok()) return ToGrpcStatus(s);
  const calendar::Calendar& cal = *dir->FindCalendar(req->calendar_id());
  const absl::Time at = AtOrNow(req->has_at(), req->at(), engine_.clock());
  resp->set_open(cal.IsOpen(at));
  const absl::Time next = cal.NextChange(at);
  if (next != absl::InfiniteFuture()) *resp->mutable_next_change() = ToProto(next);
  if (const calendar::Holiday* h = cal.HolidayOn(absl::ToCivilDay(at, cal.time_zone()))) resp->set_holiday(h->name);
  return grpc::Status::OK;
}

grpc::Status EscalationService::CheckCoverage(grpc::ServerContext*, const v1::CheckCoverageRequest* req,
                                              v1::CheckCoverageResponse* resp) {
  const auto dir = engine_.config().directory();
  if (auto s = ValidateCheckCoverage(*req, *dir); !s.ok()) return ToGrpcStatus(s);
  for (const calendar::Interval& gap :
       FindCoverageGaps(*dir->FindSchedule(req->schedule_id()), FromProto(req->from()), FromProto(req->to()))) {
    auto* g = resp->add_gaps();
    *g->mutable_start() = ToProto(gap.start);
    *g->mutable_end() = ToProto(gap.end);
  }
  return grpc::Status::OK;
}

grpc::Status EscalationService::GetDirectory(grpc::ServerContext*, const v1::GetDirectoryRequest*,
                                             v1::Directory* resp) {
  DirectoryToProto(*engine_.config().directory(), resp);
  return grpc::Status::OK;
}

}  // namespace recovery::escalation
