// EscalationApp's calendar feeds: feed tokens (random, stored hashed, revocable) and the .ics
// each one answers, from the same shift listing as ListShifts (ShiftsOf). Creating and revoking
// a feed put CalendarFeedCreated / CalendarFeedRevoked (domain/calendar_feed.h) in the outbox
// in the transaction that writes the row.
#include <openssl/rand.h>

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/common/apply.h"
#include "services/common/auth/access_control.h"
#include "services/common/ids.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"
#include "services/escalation/app.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using common::Tx;

constexpr int kTokenBytes = 32;
constexpr size_t kTokenChars = 43;  // base64url of 32 bytes, unpadded

absl::StatusOr<std::string> NewFeedToken() {
  unsigned char bytes[kTokenBytes];
  if (RAND_bytes(bytes, kTokenBytes) != 1) return absl::UnavailableError("calendar feed token: no randomness");
  std::string token;
  absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(bytes), kTokenBytes), &token);
  return token;
}

bool LooksLikeToken(const std::string& token) {
  if (token.size() != kTokenChars) return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string NameOf(const Person* p, const std::string& id) { return p != nullptr && !p->name.empty() ? p->name : id; }

// What the feed's events say about it: everything but the token hash.
FeedFacts FactsOf(const StoredCalendarFeed& f) {
  return FeedFacts{f.feed_id, f.person_id, f.schedule_id, f.created_by, f.created_at};
}

}  // namespace

absl::StatusOr<EscalationApp::NewFeed> EscalationApp::CreateCalendarFeed(Tx& tx, const v1::CreateCalendarFeedRequest& r,
                                                                         const CallerScope& caller) {
  if (!r.person_id().empty()) RETURN_IF_ERROR(MayCreatePersonFeed(caller, r.person_id()));
  ASSIGN_OR_RETURN(const std::string token, NewFeedToken());
  NewFeed out;
  const absl::Time now = clock_.Now();
  out.feed = StoredCalendarFeed{common::NewId(now), common::ApiTokenHash(token),
                                r.person_id(),      r.schedule_id(),
                                caller.actor,       now,
                                std::nullopt,       ""};
  RETURN_IF_ERROR(InsertCalendarFeed(tx, out.feed));
  common::Effects effects;
  effects.events.push_back(FeedCreatedEvent(FactsOf(out.feed), Cause{r.request_id(), caller.actor, "", ""}, now));
  RETURN_IF_ERROR(common::ApplyEffects(tx, effects, timers_, outbox_));
  out.url_path = absl::StrCat("/calendar/", token, ".ics");
  return out;
}

absl::StatusOr<std::vector<StoredCalendarFeed>> EscalationApp::ListCalendarFeeds(bool include_revoked,
                                                                                 const CallerScope& caller) {
  std::vector<StoredCalendarFeed> out;
  RETURN_IF_ERROR(common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto all, escalation::ListCalendarFeeds(tx, include_revoked));
    out.clear();
    for (StoredCalendarFeed& f : all) {
      if (SeesFeed(caller, f)) out.push_back(std::move(f));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<StoredCalendarFeed> EscalationApp::RevokeCalendarFeed(Tx& tx, const v1::RevokeCalendarFeedRequest& r,
                                                                     const CallerScope& caller) {
  ASSIGN_OR_RETURN(auto feed, LoadCalendarFeed(tx, r.feed_id()));
  if (!feed) {
    return absl::NotFoundError(absl::StrCat("feed_id: unknown calendar feed ", common::QuoteForMessage(r.feed_id())));
  }
  RETURN_IF_ERROR(MayRevokeFeed(caller, *feed));
  if (feed->revoked_at) {
    return absl::FailedPreconditionError(
        absl::StrCat("feed_id: calendar feed ", common::QuoteForMessage(r.feed_id()), " is already revoked"));
  }
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(escalation::RevokeCalendarFeed(tx, feed->feed_id, now, caller.actor));
  common::Effects effects;
  effects.events.push_back(
      FeedRevokedEvent(FactsOf(*feed), r.reason(), Cause{r.request_id(), caller.actor, "", ""}, now));
  RETURN_IF_ERROR(common::ApplyEffects(tx, effects, timers_, outbox_));
  feed->revoked_at = now;
  feed->revoked_by = caller.actor;
  return *std::move(feed);
}

std::vector<FeedShift> EscalationApp::FeedShifts(const StoredCalendarFeed& feed, absl::Time now) {
  const auto dir = directory();
  std::vector<FeedShift> out;
  const absl::Time from = now - kFeedLookback, to = now + kFeedHorizon;
  for (const Schedule& schedule : dir->schedules) {
    if (!feed.schedule_id.empty() && schedule.id != feed.schedule_id) continue;
    for (const NamedShift& named : ShiftsOf(schedule, from, to)) {
      const Shift& shift = named.shift;
      if (shift.end <= now) continue;
      if (!feed.person_id.empty() && shift.person_id != feed.person_id) continue;
      out.push_back(FeedShift{schedule.id, schedule.name.empty() ? schedule.id : schedule.name, shift.person_id,
                              NameOf(dir->FindPerson(shift.person_id), shift.person_id), shift.start, shift.end,
                              named.layer, shift.start <= from, shift.end >= to});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const FeedShift& a, const FeedShift& b) { return a.start < b.start; });
  return out;
}

absl::StatusOr<std::optional<std::string>> EscalationApp::RenderCalendarFeed(const std::string& token) {
  if (!LooksLikeToken(token)) return std::nullopt;
  std::optional<StoredCalendarFeed> feed;
  RETURN_IF_ERROR(common::InTransaction(store_, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(feed, FindCalendarFeedByTokenHash(tx, common::ApiTokenHash(token)));
    return absl::OkStatus();
  }));
  if (!feed || feed->revoked_at) return std::nullopt;
  const absl::Time now = clock_.Now();
  std::string title;
  FeedKind kind = FeedKind::kSchedule;
  {
    const auto dir = directory();
    if (!feed->person_id.empty()) {
      kind = FeedKind::kPerson;
      title = NameOf(dir->FindPerson(feed->person_id), feed->person_id);
    } else {
      const Schedule* s = dir->FindSchedule(feed->schedule_id);
      title = s != nullptr && !s->name.empty() ? s->name : feed->schedule_id;
    }
  }
  return RenderICalendar(OnCallCalendar(kind, title, FeedShifts(*feed, now), now));
}

}  // namespace recovery::escalation
