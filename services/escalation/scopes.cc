// Scope checks of escalation writes on top of the policy's permissions.
#include "services/escalation/scopes.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/common/validation.h"
#include "services/escalation/domain/schedule.h"

namespace recovery::escalation {
namespace {

std::string Quoted(const std::string& s) { return common::QuoteForMessage(s); }

// The caller as messages name them.
std::string Who(const CallerScope& caller) { return caller.person_id.empty() ? caller.actor : caller.person_id; }

// schedules.edit reaches the schedule of every team the caller is a member of.
bool SchedulesOwnTeam(const EscalationConfig& directory, const std::string& person_id, const std::string& schedule_id) {
  if (person_id.empty()) return false;
  for (const Team& team : directory.teams) {
    if (team.schedule_id != schedule_id) continue;
    if (std::find(team.members.begin(), team.members.end(), person_id) != team.members.end()) return true;
  }
  return false;
}

// What schedules.edit / edit_any allow, or the refusal naming them; `own` describes what the
// caller could have done without them.
absl::Status EditScope(const EscalationConfig& directory, const CallerScope& caller, const std::string& schedule_id,
                       const std::string& own) {
  if (caller.edit_any) return absl::OkStatus();
  if (caller.edit) {
    if (SchedulesOwnTeam(directory, caller.person_id, schedule_id)) return absl::OkStatus();
    return absl::PermissionDeniedError(absl::StrCat("schedules.edit_any: schedule ", Quoted(schedule_id),
                                                    " is not the schedule of a team ", Who(caller),
                                                    " belongs to; schedules.edit covers only those"));
  }
  return absl::PermissionDeniedError(absl::StrCat("schedules.edit: ", own));
}

}  // namespace

absl::Status MayUseAckLink(const CallerScope& caller, const std::string& page_person_id) {
  if (!caller.person_id.empty() && caller.person_id == page_person_id) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("token: this link was sent to ", page_person_id, "; you are signed in as ", Who(caller)));
}

absl::Status MayAcknowledge(const CallerScope& caller, const std::string& page_id, const std::string& escalation_id,
                            const std::vector<std::string>& page_people) {
  if (caller.person_id.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat("AcknowledgePage: only a person can acknowledge a page; ", caller.actor, " is not one"));
  }
  if (caller.acknowledge_any) return absl::OkStatus();
  if (std::find(page_people.begin(), page_people.end(), caller.person_id) != page_people.end()) {
    return absl::OkStatus();
  }
  if (!page_id.empty()) {
    return absl::PermissionDeniedError(absl::StrCat("pages.acknowledge: page ", Quoted(page_id), " was sent to ",
                                                    page_people.empty() ? "nobody" : page_people.front(), ", not to ",
                                                    caller.person_id, " (pages.acknowledge_any allows any page)"));
  }
  return absl::PermissionDeniedError(absl::StrCat("pages.acknowledge: escalation ", Quoted(escalation_id),
                                                  " sent no page to ", caller.person_id,
                                                  " (pages.acknowledge_any allows any escalation)"));
}

bool HoldsThroughout(const Schedule& schedule, const std::string& person_id, absl::Time start, absl::Time end) {
  absl::Time covered = start;
  for (const Shift& shift : ListShifts(schedule, start, end)) {
    if (shift.start != covered || shift.person_id != person_id) return false;
    covered = shift.end;
  }
  return covered >= end;
}

absl::Status MayAddOverride(const EscalationConfig& directory, const CallerScope& caller,
                            const std::string& schedule_id, const std::string& person_id, absl::Time start,
                            absl::Time end) {
  if (!caller.person_id.empty()) {
    if (person_id == caller.person_id) return absl::OkStatus();  // cover: the caller takes the shift
    const Schedule* schedule = directory.FindSchedule(schedule_id);
    if (schedule != nullptr && HoldsThroughout(*schedule, caller.person_id, start, end)) {
      return absl::OkStatus();  // hand-off: the caller gives away a shift they hold
    }
  }
  return EditScope(
      directory, caller, schedule_id,
      absl::StrCat("an override for ", person_id, " on schedule ", Quoted(schedule_id), " must either put ",
                   Who(caller), " on call or hand over a shift they hold for the whole override"));
}

absl::Status MayRemoveOverride(const EscalationConfig& directory, const CallerScope& caller, const StoredOverride& o) {
  if (!o.created_by.empty() && o.created_by == caller.actor) return absl::OkStatus();
  if (!caller.person_id.empty() && o.person_id == caller.person_id) return absl::OkStatus();
  return EditScope(
      directory, caller, o.schedule_id,
      absl::StrCat("override ", Quoted(o.override_id), " was neither added by ", Who(caller), " nor names them"));
}

absl::Status MayRequestCover(const EscalationConfig& directory, const CallerScope& caller,
                             const std::string& schedule_id, absl::Time start, absl::Time end) {
  if (caller.person_id.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat("RequestCover: only a person can ask for cover; ", caller.actor, " is not one"));
  }
  const Schedule* schedule = directory.FindSchedule(schedule_id);
  if (schedule != nullptr && HoldsThroughout(*schedule, caller.person_id, start, end)) return absl::OkStatus();
  return EditScope(directory, caller, schedule_id,
                   absl::StrCat(caller.person_id, " does not hold schedule ", Quoted(schedule_id),
                                " for the whole of the requested stretch; only a shift one holds can be given away"));
}

absl::Status MayAnswerCover(const CallerScope& caller, const CoverRequest& request, const char* rpc) {
  if (!caller.person_id.empty() && caller.person_id == request.person_id) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("schedules.override: cover request ",
                                                  Quoted(request.cover_request_id), " asks ", request.person_id,
                                                  "; only they may ", rpc, " it, not ", Who(caller)));
}

absl::Status MayCancelCover(const CallerScope& caller, const CoverRequest& request) {
  if (!caller.person_id.empty() && caller.person_id == request.requester_id) return absl::OkStatus();
  if (caller.actor == request.requested_by) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("schedules.override: cover request ", Quoted(request.cover_request_id), " was asked by ",
                   request.requester_id, "; only they may cancel it, not ", Who(caller)));
}

absl::Status MayCreatePersonFeed(const CallerScope& caller, const std::string& person_id) {
  if (caller.edit_any) return absl::OkStatus();
  if (!caller.person_id.empty() && caller.person_id == person_id) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("schedules.edit_any: a calendar feed of ", person_id,
                                                  "'s shifts; without it only of one's own (", Who(caller), ")"));
}

bool SeesFeed(const CallerScope& caller, const StoredCalendarFeed& feed) {
  if (caller.edit_any) return true;
  if (feed.created_by == caller.actor) return true;
  return !caller.person_id.empty() && feed.person_id == caller.person_id;
}

absl::Status MayRevokeFeed(const CallerScope& caller, const StoredCalendarFeed& feed) {
  if (SeesFeed(caller, feed)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("schedules.edit_any: calendar feed ", Quoted(feed.feed_id),
                                                  " was neither created by ", Who(caller), " nor is of their shifts"));
}

}  // namespace recovery::escalation
