// Calendar feed events: the feed's details, never its token.
#include "services/escalation/domain/calendar_feed.h"

#include "absl/strings/str_cat.h"
#include "services/common/events.h"
#include "services/common/proto_time.h"
#include "services/escalation/domain/cover.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;

void Describe(const FeedFacts& f, v1::CalendarFeedDetails* out) {
  out->set_feed_id(f.feed_id);
  out->set_person_id(f.person_id);
  out->set_schedule_id(f.schedule_id);
  out->set_created_by(f.created_by);
  *out->mutable_created_at() = common::ToProto(f.created_at);
}

v1::Event NewFeedEvent(const FeedFacts& f, const Cause& cause, absl::Time now) {
  return common::NewEvent(now, CalendarFeedCaseId(f), kServiceName, cause.actor, cause.causation_id);
}

}  // namespace

std::string CalendarFeedCaseId(const FeedFacts& feed) {
  if (!feed.person_id.empty()) return absl::StrCat("person:", feed.person_id);
  return CoverCaseId(feed.schedule_id);  // the schedule's key, as its cover events
}

v1::Event FeedCreatedEvent(const FeedFacts& feed, const Cause& cause, absl::Time now) {
  v1::Event e = NewFeedEvent(feed, cause, now);
  Describe(feed, e.mutable_calendar_feed_created()->mutable_feed());
  return e;
}

v1::Event FeedRevokedEvent(const FeedFacts& feed, const std::string& reason, const Cause& cause, absl::Time now) {
  v1::Event e = NewFeedEvent(feed, cause, now);
  v1::CalendarFeedRevoked* body = e.mutable_calendar_feed_revoked();
  Describe(feed, body->mutable_feed());
  body->set_revoked_by(cause.actor);
  *body->mutable_revoked_at() = common::ToProto(now);
  body->set_reason(reason);
  return e;
}

}  // namespace recovery::escalation
