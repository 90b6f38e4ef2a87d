// Calendar feeds through recovery.v1.Escalation in process (EscalationModule on the real
// runtime, manual clock): who may create, list and revoke which feed; the token is answered
// once and stored only as its SHA-256; a feed shows exactly the shifts ListShifts answers
// (overrides included); a revoked or unknown token renders nothing; creating and revoking a
// feed each publish one event (CalendarFeedCreated / CalendarFeedRevoked, actor the caller,
// case_id "person:<id>" or "schedule:<id>") that holds neither the token nor its hash, and a
// refused or replayed call publishes nothing. The HTTP endpoint itself and an independent
// parser are in calendar_feed_integration_test.cc.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "grpcpp/grpcpp.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/auth/access_control.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/ids.h"
#include "services/common/proto_time.h"
#include "services/escalation/module.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_identity.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;

// oncall hands over daily at 09:00 UTC between alice and bob; nights is sam's.
constexpr char kYaml[] = R"(
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}]}
  - {id: bob, name: Bob, time_zone: UTC, contact_methods: [{channel: log, target: bob}]}
  - {id: sam, name: Sam, time_zone: UTC, contact_methods: [{channel: log, target: sam}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    name: On call
    time_zone: UTC
    layers:
      - {name: primary, participants: [alice, bob], rotation: 1d, start_date: 2026-01-05, handoff_time: "09:00"}
  - id: nights
    name: Nights
    time_zone: UTC
    layers:
      - {name: primary, participants: [sam, alice], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}]}
teams:
  - {id: ops, name: Ops, members: [alice, bob], calendar: office, schedule: oncall, policy: p}
routing_rules:
  - {id: all, team: ops}
)";

recovery::testing::FixtureOptions WithConfig(const std::string& yaml) {
  recovery::testing::FixtureOptions options;
  options.config_yaml = yaml;
  return options;
}

std::string TokenOf(const std::string& url_path) {
  const std::string prefix = "/calendar/", suffix = ".ics";
  if (!absl::StartsWith(url_path, prefix) || !absl::EndsWith(url_path, suffix)) return "";
  return url_path.substr(prefix.size(), url_path.size() - prefix.size() - suffix.size());
}

class CalendarFeedTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fx_.ok()); }

  std::unique_ptr<v1::Escalation::Stub> As(const std::string& person) {
    return v1::Escalation::NewStub(fx_.ChannelAs(person));
  }
  grpc::Status Create(const std::string& as, const std::string& person, const std::string& schedule,
                      v1::CalendarFeedInfo* out, const std::string& request_id = "") {
    v1::CreateCalendarFeedRequest r;
    r.set_request_id(request_id.empty() ? common::NewId(fx_.clock().Now()) : request_id);
    r.set_person_id(person);
    r.set_schedule_id(schedule);
    auto ctx = common::ContextWithDeadline();
    return As(as)->CreateCalendarFeed(ctx.get(), r, out);
  }
  grpc::Status Revoke(const std::string& as, const std::string& feed_id, const std::string& reason = "") {
    v1::RevokeCalendarFeedRequest r;
    r.set_request_id(common::NewId(fx_.clock().Now()));
    r.set_feed_id(feed_id);
    r.set_reason(reason);
    v1::CalendarFeedInfo out;
    auto ctx = common::ContextWithDeadline();
    return As(as)->RevokeCalendarFeed(ctx.get(), r, &out);
  }
  std::vector<std::string> Listed(const std::string& as, bool include_revoked = false) {
    v1::ListCalendarFeedsRequest r;
    r.set_include_revoked(include_revoked);
    v1::ListCalendarFeedsResponse out;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(As(as)->ListCalendarFeeds(ctx.get(), r, &out).ok());
    std::vector<std::string> ids;
    for (const auto& f : out.feeds()) {
      EXPECT_TRUE(f.url_path().empty()) << "a listing shows no token";
      ids.push_back(f.feed_id());
    }
    return ids;
  }
  std::optional<std::string> Render(const std::string& url_path) {
    auto text = module_.app().RenderCalendarFeed(TokenOf(url_path));
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? *text : std::nullopt;
  }
  v1::ListShiftsResponse Shifts(const std::string& schedule, absl::Time from, absl::Time to) {
    v1::ListShiftsRequest r;
    r.set_schedule_id(schedule);
    *r.mutable_from() = common::ToProto(from);
    *r.mutable_to() = common::ToProto(to);
    v1::ListShiftsResponse out;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(As("alice")->ListShifts(ctx.get(), r, &out).ok());
    return out;
  }

  EscalationModule module_{EscalationModule::Options{.start_delivery_worker = false}};
  recovery::testing::ServiceFixture fx_{module_, WithConfig(kYaml)};
};

void ExpectDenied(const grpc::Status& st, const std::string& prefix) {
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_EQ(st.error_message().rfind(prefix, 0), 0u) << st.error_message();
}

// Neither the token, nor its SHA-256 (hex or raw), is anywhere in the event's bytes or JSON.
void ExpectNoTokenIn(const v1::Event& e, const std::string& token) {
  ASSERT_FALSE(token.empty());
  const std::string hash = common::ApiTokenHash(token);
  const std::string bytes = e.SerializeAsString(), json = common::EventToJson(e);
  for (const std::string& secret : {token, hash, absl::HexStringToBytes(hash)}) {
    EXPECT_FALSE(absl::StrContains(bytes, secret)) << common::EventTypeName(e) << ": " << json;
    EXPECT_FALSE(absl::StrContains(json, secret)) << json;
  }
}

TEST_F(CalendarFeedTest, ATokenIsAnsweredOnceAndStoredOnlyAsItsHash) {
  v1::CalendarFeedInfo feed;
  grpc::Status st = Create("alice", "alice", "", &feed, "feed-1");
  ASSERT_TRUE(st.ok()) << st.error_message();
  const std::string token = TokenOf(feed.url_path());
  ASSERT_EQ(token.size(), 43u) << feed.url_path();  // 32 random bytes, base64url
  EXPECT_EQ(feed.person_id(), "alice");
  EXPECT_EQ(feed.created_by(), "person:alice");

  // The same request_id again: the same feed, without the token (it is nowhere to be had).
  v1::CalendarFeedInfo replay;
  ASSERT_TRUE(Create("alice", "alice", "", &replay, "feed-1").ok());
  EXPECT_EQ(replay.feed_id(), feed.feed_id());
  EXPECT_TRUE(replay.url_path().empty());

  // Neither the feed table nor the request log holds the token.
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                auto feeds = tx.Query("SELECT token_sha256 FROM calendar_feeds");
                EXPECT_TRUE(feeds.ok());
                EXPECT_EQ(feeds->size(), 1u);
                EXPECT_EQ((*feeds)[0].Str(0), common::ApiTokenHash(token));
                for (const char* table : {"calendar_feeds", "request_log"}) {
                  auto rows = tx.Query(std::string("SELECT * FROM ") + table);
                  EXPECT_TRUE(rows.ok()) << table;
                  for (const auto& row : *rows) {
                    for (size_t i = 0; i < row.size(); ++i) {
                      EXPECT_FALSE(absl::StrContains(row.Str(i), token)) << table << " column " << i;
                    }
                  }
                }
                return absl::OkStatus();
              }).ok());
}

TEST_F(CalendarFeedTest, APersonFeedIsOfTheCallersOwnShiftsUnlessTheyHoldEditAny) {
  v1::CalendarFeedInfo feed;
  ExpectDenied(Create("bob", "alice", "", &feed), "schedules.edit_any: ");
  grpc::Status st = Create("mia", "alice", "", &feed);  // an admin
  EXPECT_TRUE(st.ok()) << st.error_message();
  st = Create("vic", "", "oncall", &feed);  // a viewer: schedules.read is enough for a schedule feed
  EXPECT_TRUE(st.ok()) << st.error_message();
  st = Create("alice", "alice", "oncall", &feed);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  st = Create("alice", "", "nowhere", &feed);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
}

TEST_F(CalendarFeedTest, FeedsAreListedAndRevokedByTheirCreatorOrTheirPerson) {
  v1::CalendarFeedInfo own, by_admin, schedule_feed;
  ASSERT_TRUE(Create("alice", "alice", "", &own).ok());
  ASSERT_TRUE(Create("mia", "alice", "", &by_admin).ok());  // of alice, created by an admin
  ASSERT_TRUE(Create("bob", "", "oncall", &schedule_feed).ok());
  EXPECT_EQ(Listed("alice"), (std::vector<std::string>{by_admin.feed_id(), own.feed_id()}));
  EXPECT_EQ(Listed("bob"), std::vector<std::string>{schedule_feed.feed_id()});
  EXPECT_EQ(Listed("mia").size(), 3u);  // schedules.edit_any sees all
  EXPECT_TRUE(Listed("sam").empty());

  ExpectDenied(Revoke("sam", own.feed_id()), "schedules.edit_any: ");
  ASSERT_TRUE(Revoke("alice", by_admin.feed_id()).ok());  // it is of her shifts
  ASSERT_TRUE(Revoke("bob", schedule_feed.feed_id()).ok());
  EXPECT_EQ(Listed("alice"), std::vector<std::string>{own.feed_id()});
  EXPECT_EQ(Listed("alice", /*include_revoked=*/true).size(), 2u);
  grpc::Status again = Revoke("alice", by_admin.feed_id());
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << again.error_message();
  EXPECT_EQ(Revoke("alice", common::NewId(fx_.clock().Now())).error_code(), grpc::StatusCode::NOT_FOUND);

  EXPECT_TRUE(Render(own.url_path()).has_value());
  EXPECT_FALSE(Render(by_admin.url_path()).has_value()) << "a revoked token renders nothing";
  EXPECT_FALSE(Render(schedule_feed.url_path()).has_value());
  EXPECT_FALSE(Render("/calendar/" + std::string(43, 'A') + ".ics").has_value()) << "an unknown token";
  EXPECT_FALSE(Render("/calendar/short.ics").has_value());
}

TEST_F(CalendarFeedTest, AFeedShowsTheShiftsListShiftsAnswersOverridesIncluded) {
  const absl::Time now = fx_.clock().Now();
  v1::AddOverrideRequest add;
  add.set_request_id("o-1");
  add.set_schedule_id("oncall");
  add.set_person_id("sam");
  *add.mutable_start() = common::ToProto(now + absl::Hours(30));
  *add.mutable_end() = common::ToProto(now + absl::Hours(34));
  v1::ScheduleOverride added;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(As(recovery::testing::kTestPerson)->AddOverride(ctx.get(), add, &added).ok());

  v1::CalendarFeedInfo schedule_feed, sam_feed;
  ASSERT_TRUE(Create("alice", "", "oncall", &schedule_feed).ok());
  ASSERT_TRUE(Create("sam", "sam", "", &sam_feed).ok());
  StoredCalendarFeed as_stored;
  as_stored.schedule_id = "oncall";
  const std::vector<FeedShift> shown = module_.app().FeedShifts(as_stored, now);
  const v1::ListShiftsResponse listed =
      Shifts("oncall", now - EscalationApp::kFeedLookback, now + EscalationApp::kFeedHorizon);
  std::vector<std::tuple<std::string, absl::Time, absl::Time>> expected, got;
  for (const auto& s : listed.shifts()) {
    if (common::FromProto(s.end()) > now)
      expected.emplace_back(s.person_id(), common::FromProto(s.start()), common::FromProto(s.end()));
  }
  for (const FeedShift& s : shown) got.emplace_back(s.person_id, s.start, s.end);
  EXPECT_EQ(got, expected);
  EXPECT_GE(got.size(), 59u) << "60 days of daily hand-offs";
  bool override_seen = false;
  for (const FeedShift& s : shown) override_seen |= s.person_id == "sam" && s.layer == "override";
  EXPECT_TRUE(override_seen);

  // sam's person feed: the override on oncall and his weeks on nights, in order of start.
  StoredCalendarFeed sams;
  sams.person_id = "sam";
  const std::vector<FeedShift> his = module_.app().FeedShifts(sams, now);
  ASSERT_FALSE(his.empty());
  std::set<std::string> schedules;
  for (size_t i = 0; i < his.size(); ++i) {
    EXPECT_EQ(his[i].person_id, "sam");
    schedules.insert(his[i].schedule_id);
    if (i > 0) {
      EXPECT_LE(his[i - 1].start, his[i].start);
    }
  }
  EXPECT_EQ(schedules, (std::set<std::string>{"nights", "oncall"}));
  const std::optional<std::string> text = Render(sam_feed.url_path());
  ASSERT_TRUE(text.has_value());
  EXPECT_TRUE(absl::StrContains(*text, "SUMMARY:On call: Nights\r\n")) << *text;
  EXPECT_TRUE(absl::StrContains(*text, "SUMMARY:On call: On call\r\n")) << *text;
}

TEST_F(CalendarFeedTest, TheShiftUnderWayKeepsItsStartAndUidAsTimePasses) {
  v1::CalendarFeedInfo feed;
  ASSERT_TRUE(Create("alice", "", "oncall", &feed).ok());
  StoredCalendarFeed stored;
  stored.schedule_id = "oncall";
  const absl::Time now = fx_.clock().Now();
  const std::vector<FeedShift> before = module_.app().FeedShifts(stored, now);
  const std::vector<FeedShift> later = module_.app().FeedShifts(stored, now + absl::Hours(5));
  ASSERT_FALSE(before.empty());
  ASSERT_FALSE(later.empty());
  EXPECT_LT(before[0].start, now) << "the shift under way shows its real start";
  EXPECT_EQ(before[0].start, later[0].start);
  EXPECT_EQ(ShiftUid(before[0]), ShiftUid(later[0]));
}

TEST_F(CalendarFeedTest, CreatingAFeedPublishesOneCalendarFeedCreatedWithoutTheToken) {
  fx_.Quiesce();
  fx_.ClearPublished();
  v1::CalendarFeedInfo feed;
  grpc::Status st = Create("mia", "sam", "", &feed, "feed-sam");  // an admin, of sam's shifts
  ASSERT_TRUE(st.ok()) << st.error_message();
  const std::string token = TokenOf(feed.url_path());
  fx_.Quiesce();
  ASSERT_EQ(fx_.published().size(), 1u);
  const v1::Event& e = fx_.published()[0];
  ASSERT_TRUE(e.has_calendar_feed_created()) << common::EventTypeName(e);
  EXPECT_EQ(e.case_id(), "person:sam");
  EXPECT_EQ(e.source(), "escalation");
  EXPECT_EQ(e.actor(), "person:mia");
  EXPECT_EQ(e.causation_id(), "feed-sam");
  EXPECT_EQ(common::FromProto(e.occurred_at()), fx_.clock().Now());
  const v1::CalendarFeedDetails& details = e.calendar_feed_created().feed();
  EXPECT_EQ(details.feed_id(), feed.feed_id());
  EXPECT_EQ(details.person_id(), "sam");
  EXPECT_EQ(details.schedule_id(), "");
  EXPECT_EQ(details.created_by(), "person:mia");
  EXPECT_EQ(common::FromProto(details.created_at()), common::FromProto(feed.created_at()));
  ExpectNoTokenIn(e, token);

  // A replay of the request answers the same feed and publishes nothing more.
  v1::CalendarFeedInfo replay;
  ASSERT_TRUE(Create("mia", "sam", "", &replay, "feed-sam").ok());
  EXPECT_EQ(replay.feed_id(), feed.feed_id());
  fx_.Quiesce();
  EXPECT_EQ(fx_.published().size(), 1u);

  // A schedule feed is keyed by its schedule.
  fx_.ClearPublished();
  v1::CalendarFeedInfo schedule_feed;
  ASSERT_TRUE(Create("vic", "", "oncall", &schedule_feed).ok());
  fx_.Quiesce();
  const auto created = fx_.PublishedOfType("CalendarFeedCreated");
  ASSERT_EQ(fx_.published().size(), 1u);
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].case_id(), "schedule:oncall");
  EXPECT_EQ(created[0].actor(), "person:vic");
  EXPECT_EQ(created[0].calendar_feed_created().feed().schedule_id(), "oncall");
  EXPECT_EQ(created[0].calendar_feed_created().feed().person_id(), "");
  ExpectNoTokenIn(created[0], TokenOf(schedule_feed.url_path()));
}

TEST_F(CalendarFeedTest, ARefusedCreatePublishesNothingAndStoresNothing) {
  fx_.Quiesce();
  fx_.ClearPublished();
  v1::CalendarFeedInfo feed;
  ExpectDenied(Create("bob", "alice", "", &feed), "schedules.edit_any: ");
  EXPECT_EQ(Create("alice", "alice", "oncall", &feed).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Create("alice", "", "nowhere", &feed).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::CreateCalendarFeedRequest anonymous;
  anonymous.set_request_id(common::NewId(fx_.clock().Now()));
  anonymous.set_person_id("alice");
  auto ctx = common::ContextWithDeadline();
  EXPECT_EQ(
      v1::Escalation::NewStub(fx_.ChannelWithToken(""))->CreateCalendarFeed(ctx.get(), anonymous, &feed).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty()) << common::EventTypeName(fx_.published().front());
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                auto rows = tx.Query("SELECT COUNT(*) FROM calendar_feeds");
                EXPECT_TRUE(rows.ok());
                EXPECT_EQ((*rows)[0].Int(0), 0);
                return absl::OkStatus();
              }).ok());
}

TEST_F(CalendarFeedTest, RevokingAFeedPublishesOneCalendarFeedRevokedWithTheReason) {
  v1::CalendarFeedInfo feed;
  ASSERT_TRUE(Create("mia", "alice", "", &feed).ok());  // of alice, created by an admin
  const std::string token = TokenOf(feed.url_path());
  fx_.Quiesce();
  fx_.ClearPublished();
  fx_.Advance(absl::Minutes(5));

  ExpectDenied(Revoke("sam", feed.feed_id(), "not mine"), "schedules.edit_any: ");
  grpc::Status st = Revoke("alice", feed.feed_id(), std::string(2001, 'x'));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("reason: ", 0), 0u) << st.error_message();
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty()) << "a refused revoke publishes nothing";

  st = Revoke("alice", feed.feed_id(), "lost my phone");
  ASSERT_TRUE(st.ok()) << st.error_message();
  fx_.Quiesce();
  ASSERT_EQ(fx_.published().size(), 1u);
  const v1::Event& e = fx_.published()[0];
  ASSERT_TRUE(e.has_calendar_feed_revoked()) << common::EventTypeName(e);
  EXPECT_EQ(e.case_id(), "person:alice");
  EXPECT_EQ(e.actor(), "person:alice");
  const v1::CalendarFeedRevoked& revoked = e.calendar_feed_revoked();
  EXPECT_EQ(revoked.revoked_by(), "person:alice");
  EXPECT_EQ(common::FromProto(revoked.revoked_at()), fx_.clock().Now());
  EXPECT_EQ(revoked.reason(), "lost my phone");
  EXPECT_EQ(revoked.feed().feed_id(), feed.feed_id());
  EXPECT_EQ(revoked.feed().person_id(), "alice");
  EXPECT_EQ(revoked.feed().created_by(), "person:mia");
  EXPECT_EQ(common::FromProto(revoked.feed().created_at()), common::FromProto(feed.created_at()));
  ExpectNoTokenIn(e, token);

  // Revoked already, or unknown: refused, nothing published.
  EXPECT_EQ(Revoke("alice", feed.feed_id()).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Revoke("alice", common::NewId(fx_.clock().Now())).error_code(), grpc::StatusCode::NOT_FOUND);
  fx_.Quiesce();
  EXPECT_EQ(fx_.published().size(), 1u);

  // Without a reason: the event's reason is empty.
  v1::CalendarFeedInfo schedule_feed;
  ASSERT_TRUE(Create("bob", "", "oncall", &schedule_feed).ok());
  ASSERT_TRUE(Revoke("bob", schedule_feed.feed_id()).ok());
  fx_.Quiesce();
  const auto revokes = fx_.PublishedOfType("CalendarFeedRevoked");
  ASSERT_EQ(revokes.size(), 2u);
  EXPECT_EQ(revokes[1].case_id(), "schedule:oncall");
  EXPECT_EQ(revokes[1].calendar_feed_revoked().reason(), "");
  EXPECT_EQ(revokes[1].calendar_feed_revoked().revoked_by(), "person:bob");
}

}  // namespace
}  // namespace recovery::escalation
