// Cover request decisions: the request's state, the override, the events and the expiry timer.
#include "services/escalation/domain/cover.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/events.h"
#include "services/common/ids.h"
#include "services/common/proto_time.h"
#include "services/common/validation.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using common::TimerOp;

std::string Quoted(const std::string& s) { return common::QuoteForMessage(s); }

void Describe(const CoverRequest& r, v1::CoverRequestDetails* out) {
  out->set_cover_request_id(r.cover_request_id);
  out->set_schedule_id(r.schedule_id);
  out->set_requester_id(r.requester_id);
  out->set_person_id(r.person_id);
  *out->mutable_start() = common::ToProto(r.start);
  *out->mutable_end() = common::ToProto(r.end);
  out->set_reason(r.reason);
}

v1::Event NewCoverEvent(const CoverRequest& r, const Cause& cause, absl::Time now) {
  return common::NewEvent(now, CoverCaseId(r.schedule_id), kServiceName, cause.actor, cause.causation_id);
}

// An answer (accept, decline, cancel) is only for a pending request before its start.
std::optional<Refusal> Unanswerable(const CoverRequest& r, absl::Time now) {
  if (r.status != CoverStatus::kPending) {
    return Refusal{EscalationError::kCoverNotPending, absl::StrCat("(", CoverStatusName(r.status), ")")};
  }
  if (now >= r.start) {
    return Refusal{
        EscalationError::kCoverExpired,
        absl::StrCat("(it was to start at ", absl::FormatTime(absl::RFC3339_sec, r.start, absl::UTCTimeZone()), ")")};
  }
  return std::nullopt;
}

// The request answered: its new state and the expiry timer cancelled.
CoverOutcome Answered(const CoverRequest& r, CoverStatus status, const std::string& reason, const Cause& cause,
                      absl::Time now) {
  CoverOutcome out;
  out.rows.request = r;
  out.rows.request.status = status;
  out.rows.request.answered_by = cause.actor;
  out.rows.request.answered_at = now;
  out.rows.request.answer_reason = reason;
  out.timers.push_back(TimerOp::Cancel(kCoverTimer, r.cover_request_id));
  return out;
}

}  // namespace

const char* CoverStatusName(CoverStatus s) {
  switch (s) {
    case CoverStatus::kPending:
      return "pending";
    case CoverStatus::kAccepted:
      return "accepted";
    case CoverStatus::kDeclined:
      return "declined";
    case CoverStatus::kCancelled:
      return "cancelled";
    case CoverStatus::kExpired:
      return "expired";
  }
  return "pending";
}

std::optional<CoverStatus> ParseCoverStatus(const std::string& name) {
  for (CoverStatus s : {CoverStatus::kPending, CoverStatus::kAccepted, CoverStatus::kDeclined, CoverStatus::kCancelled,
                        CoverStatus::kExpired}) {
    if (name == CoverStatusName(s)) return s;
  }
  return std::nullopt;
}

std::string CoverCaseId(const std::string& schedule_id) { return absl::StrCat("schedule:", schedule_id); }

CoverStatus EffectiveStatus(const CoverRequest& r, absl::Time now) {
  if (r.status == CoverStatus::kPending && now >= r.start) return CoverStatus::kExpired;
  return r.status;
}

bool IsTeammate(const EscalationConfig& directory, const std::string& schedule_id, const std::string& person_id) {
  if (const Schedule* s = directory.FindSchedule(schedule_id)) {
    for (const RotationLayer& layer : s->layers) {
      if (std::find(layer.participants.begin(), layer.participants.end(), person_id) != layer.participants.end()) {
        return true;
      }
    }
  }
  for (const Team& team : directory.teams) {
    if (team.schedule_id != schedule_id) continue;
    if (std::find(team.members.begin(), team.members.end(), person_id) != team.members.end()) return true;
  }
  return false;
}

Decided<CoverOutcome> RequestCover(const EscalationConfig& directory, const CoverAsk& ask, const Cause& cause,
                                   absl::Time now) {
  if (ask.person_id == ask.requester_id) {
    return Refusal{EscalationError::kNotATeammate,
                   absl::StrCat(ask.person_id, " cannot be asked to cover for themselves")};
  }
  if (!IsTeammate(directory, ask.schedule_id, ask.person_id)) {
    return Refusal{EscalationError::kNotATeammate,
                   absl::StrCat(ask.person_id, " is neither a participant of schedule ", Quoted(ask.schedule_id),
                                " nor a member of a team it is the schedule of")};
  }
  CoverOutcome out;
  CoverRequest& r = out.rows.request;
  r.cover_request_id = common::NewId(now);
  r.schedule_id = ask.schedule_id;
  r.requester_id = ask.requester_id;
  r.person_id = ask.person_id;
  r.start = ask.start;
  r.end = ask.end;
  r.reason = ask.reason;
  r.status = CoverStatus::kPending;
  r.requested_by = cause.actor;
  r.requested_at = now;
  out.rows.inserted = true;
  v1::Event e = NewCoverEvent(r, cause, now);
  Describe(r, e.mutable_cover_requested()->mutable_request());
  out.events.push_back(std::move(e));
  out.timers.push_back(TimerOp::Arm(kCoverTimer, r.cover_request_id, r.start));
  return out;
}

Decided<CoverOutcome> AcceptCover(const CoverRequest& request, const Cause& cause, absl::Time now) {
  if (auto refused = Unanswerable(request, now)) return *refused;
  CoverOutcome out = Answered(request, CoverStatus::kAccepted, "", cause, now);
  CoverRequest& r = out.rows.request;
  r.override_id = common::NewId(now);
  out.rows.add_override = CoverOverride{
      r.override_id,  r.schedule_id, r.person_id,
      r.start,        r.end,         r.reason.empty() ? absl::StrCat("cover for ", r.requester_id) : r.reason,
      r.requested_by, cause.actor,   r.cover_request_id};
  v1::Event e = NewCoverEvent(r, cause, now);
  Describe(r, e.mutable_cover_accepted()->mutable_request());
  e.mutable_cover_accepted()->set_override_id(r.override_id);
  out.events.push_back(std::move(e));
  return out;
}

Decided<CoverOutcome> DeclineCover(const CoverRequest& request, const std::string& reason, const Cause& cause,
                                   absl::Time now) {
  if (auto refused = Unanswerable(request, now)) return *refused;
  CoverOutcome out = Answered(request, CoverStatus::kDeclined, reason, cause, now);
  v1::Event e = NewCoverEvent(request, cause, now);
  Describe(request, e.mutable_cover_declined()->mutable_request());
  e.mutable_cover_declined()->set_reason(reason);
  out.events.push_back(std::move(e));
  return out;
}

Decided<CoverOutcome> CancelCover(const CoverRequest& request, const std::string& reason, const Cause& cause,
                                  absl::Time now) {
  if (auto refused = Unanswerable(request, now)) return *refused;
  CoverOutcome out = Answered(request, CoverStatus::kCancelled, reason, cause, now);
  v1::Event e = NewCoverEvent(request, cause, now);
  Describe(request, e.mutable_cover_cancelled()->mutable_request());
  e.mutable_cover_cancelled()->set_reason(reason);
  out.events.push_back(std::move(e));
  return out;
}

Decided<CoverOutcome> ExpireCover(const CoverRequest& request, const Cause& cause, absl::Time now) {
  if (request.status != CoverStatus::kPending) {
    return Refusal{EscalationError::kCoverNotPending, absl::StrCat("(", CoverStatusName(request.status), ")")};
  }
  CoverOutcome out;
  out.rows.request = request;
  out.rows.request.status = CoverStatus::kExpired;
  out.rows.request.answered_by = cause.actor;
  out.rows.request.answered_at = now;
  v1::Event e = NewCoverEvent(request, cause, now);
  Describe(request, e.mutable_cover_expired()->mutable_request());
  out.events.push_back(std::move(e));
  return out;
}

}  // namespace recovery::escalation
