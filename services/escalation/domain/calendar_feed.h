// Calendar feed events: CalendarFeedCreated and CalendarFeedRevoked, built here as the other
// escalation events are and put in the outbox by the app in the transaction that writes the
// feed's row (app_calendar.cc). Pure: (feed, cause, now) -> the event.
//
// A FeedFacts holds no token and no token hash, so no event built here can carry either.
// Envelope case_id: the pseudo-key "person:<person_id>" for a person feed,
// "schedule:<schedule_id>" for a schedule feed (CalendarFeedCaseId), as cover events use
// "schedule:<id>": no case is involved, and audit chains one person's or schedule's feeds
// under one key.
// Thread-safety: pure functions over values.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "services/escalation/domain/decisions.h"

namespace recovery::escalation {

// What a feed event says about its feed.
struct FeedFacts {
  std::string feed_id;
  std::string person_id;    // exactly one of person_id ...
  std::string schedule_id;  // ... and schedule_id
  std::string created_by;   // actor of CreateCalendarFeed
  absl::Time created_at = absl::InfinitePast();
};

// "person:<person_id>" for a person feed, else "schedule:<schedule_id>".
std::string CalendarFeedCaseId(const FeedFacts& feed);

// CalendarFeedCreated; its actor and created_by are the cause's actor.
recovery::v1::Event FeedCreatedEvent(const FeedFacts& feed, const Cause& cause, absl::Time now);
// CalendarFeedRevoked at `now` by the cause's actor, with the request's `reason` ("" when none).
recovery::v1::Event FeedRevokedEvent(const FeedFacts& feed, const std::string& reason, const Cause& cause,
                                     absl::Time now);

}  // namespace recovery::escalation
