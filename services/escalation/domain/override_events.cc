// Override events: the override's details, who added it and who removed it.
#include "services/escalation/domain/override_events.h"

#include "services/common/events.h"
#include "services/common/proto_time.h"
#include "services/escalation/domain/cover.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;

void Describe(const OverrideFacts& o, v1::OverrideDetails* out) {
  out->set_override_id(o.override_id);
  out->set_schedule_id(o.schedule_id);
  out->set_person_id(o.person_id);
  *out->mutable_start() = common::ToProto(o.start);
  *out->mutable_end() = common::ToProto(o.end);
  out->set_reason(o.reason);
  out->set_created_by(o.created_by);
  out->set_cover_request_id(o.cover_request_id);
}

v1::Event NewOverrideEvent(const OverrideFacts& o, const Cause& cause, absl::Time now) {
  return common::NewEvent(now, OverrideCaseId(o), kServiceName, cause.actor, cause.causation_id);
}

}  // namespace

std::string OverrideCaseId(const OverrideFacts& o) { return CoverCaseId(o.schedule_id); }

v1::Event OverrideAddedEvent(const OverrideFacts& o, const Cause& cause, absl::Time now) {
  v1::Event e = NewOverrideEvent(o, cause, now);
  Describe(o, e.mutable_override_added()->mutable_override());
  return e;
}

v1::Event OverrideRemovedEvent(const OverrideFacts& o, const Cause& cause, absl::Time now) {
  v1::Event e = NewOverrideEvent(o, cause, now);
  v1::OverrideRemoved* body = e.mutable_override_removed();
  Describe(o, body->mutable_override());
  body->set_removed_by(cause.actor);
  *body->mutable_removed_at() = common::ToProto(now);
  return e;
}

}  // namespace recovery::escalation
