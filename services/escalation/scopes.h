// Who calls an escalation write and how far their permissions reach: the scopes that the
// policy's permissions alone cannot express (default_policy.yaml's header). The interceptor
// has already checked the RPC's permission; these decide which page, override, cover request
// or calendar feed within it.
// Pure functions over the directory and the caller's scope; refusals are PERMISSION_DENIED
// naming the permission that would allow the call.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/escalation/domain/config.h"
#include "services/escalation/store.h"

namespace recovery::escalation {

// The authenticated caller as the app needs it (taken from common::Caller by the gRPC layer,
// so the app and these checks do not depend on the access machinery).
struct CallerScope {
  std::string actor;             // person:<id>, integration:<name>, service:<name>: the actor of every event
  std::string person_id;         // empty unless the caller is a person
  bool acknowledge_any = false;  // pages.acknowledge_any
  bool edit = false;             // schedules.edit: overrides of the schedules of the caller's teams
  bool edit_any = false;         // schedules.edit_any: any override
};

// A caller may acknowledge a page addressed to them; with `escalation_id` (page_id empty),
// an escalation one of whose pages was addressed to them. `page_people` are the person ids
// of the page (one) or of every page of the escalation.
absl::Status MayAcknowledge(const CallerScope& caller, const std::string& page_id, const std::string& escalation_id,
                            const std::vector<std::string>& page_people);

// InspectAckLink and AcknowledgeByLink: only the person the link's page was sent to
// (`page_person_id`), whatever else the caller holds (pages.acknowledge_any too): a link
// acknowledges only as that person. PERMISSION_DENIED "token: this link was sent to ...".
absl::Status MayUseAckLink(const CallerScope& caller, const std::string& page_person_id);

// An override putting `person_id` on call on `schedule_id` over [start, end). Without
// schedules.edit a caller may take a shift themselves (cover: person_id is theirs) or hand
// over a shift they hold for the whole of [start, end) in `directory` (its stored overrides
// merged). schedules.edit adds the schedules of the teams the caller is a member of;
// schedules.edit_any every schedule.
absl::Status MayAddOverride(const EscalationConfig& directory, const CallerScope& caller,
                            const std::string& schedule_id, const std::string& person_id, absl::Time start,
                            absl::Time end);

// Removing a stored override: one the caller created or that names them, else as for adding
// (schedules.edit for the schedules of their teams, schedules.edit_any for any).
absl::Status MayRemoveOverride(const EscalationConfig& directory, const CallerScope& caller, const StoredOverride& o);

// RequestCover by a person: they hold [start, end) on `schedule_id` throughout in `directory`
// (its stored overrides merged); else schedules.edit for the schedules of their teams, or
// schedules.edit_any.
absl::Status MayRequestCover(const EscalationConfig& directory, const CallerScope& caller,
                             const std::string& schedule_id, absl::Time start, absl::Time end);
// AcceptCover / DeclineCover (`rpc` names it): only the teammate the request asks.
absl::Status MayAnswerCover(const CallerScope& caller, const CoverRequest& request, const char* rpc);
// CancelCover: only the requester.
absl::Status MayCancelCover(const CallerScope& caller, const CoverRequest& request);

// CreateCalendarFeed of a person's shifts: the caller's own; schedules.edit_any anyone's.
// (A schedule feed needs only the method's schedules.read.)
absl::Status MayCreatePersonFeed(const CallerScope& caller, const std::string& person_id);
// Whom ListCalendarFeeds shows a feed to and who may revoke it: its creator, the person it is
// of, a holder of schedules.edit_any.
bool SeesFeed(const CallerScope& caller, const StoredCalendarFeed& feed);
absl::Status MayRevokeFeed(const CallerScope& caller, const StoredCalendarFeed& feed);

// True when `person_id` is on call on `schedule` for the whole of [start, end).
bool HoldsThroughout(const Schedule& schedule, const std::string& person_id, absl::Time start, absl::Time end);

}  // namespace recovery::escalation
