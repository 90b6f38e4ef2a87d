// The cover, calendar feed and override events on the topic, as every consumer of it meets them
// (each service built through its module, the event delivered through the consumer's
// exactly-once path): none parks them as dead letters, fails on them or publishes anything in
// answer, although their case_id is a pseudo-key ("schedule:<id>", "person:<id>") rather than a
// case; audit records each one under that key, with a summary, and counts none of them as a case.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "recovery/v1/audit.grpc.pb.h"
#include "services/action_plan/module.h"
#include "services/audit/module.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/proto_time.h"
#include "services/escalation/domain/calendar_feed.h"
#include "services/escalation/domain/cover.h"
#include "services/escalation/domain/override_events.h"
#include "services/escalation/module.h"
#include "services/follow_up/module.h"
#include "services/intake/module.h"
#include "tests/support/deploy_config.h"
#include "tests/support/service_fixture.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;

// One of each cover event, as escalation publishes them (the domain builds them).
std::vector<v1::Event> CoverEvents() {
  EscalationConfig dir;
  RotationLayer layer;
  layer.name = "primary";
  layer.participants = {"alice", "bob"};
  layer.unit = RotationUnit::kDays;
  layer.start = absl::CivilSecond(2026, 1, 5, 9, 0, 0);
  dir.schedules.push_back(*MakeSchedule("oncall", "On call", "UTC", {layer}, {}));
  const absl::Time now = recovery::testing::ManualClockStart();
  const CoverAsk ask{"oncall", "alice", "bob", now + absl::Hours(1), now + absl::Hours(3), "dentist"};
  const Cause by_alice{"req-1", "person:alice", "", ""}, by_bob{"req-2", "person:bob", "", ""};
  std::vector<v1::Event> out;
  auto take = [&](const Decided<CoverOutcome>& d) {
    const CoverOutcome& o = std::get<CoverOutcome>(d);
    out.insert(out.end(), o.events.begin(), o.events.end());
    return o.rows.request;
  };
  const CoverRequest pending = take(RequestCover(dir, ask, by_alice, now));
  take(AcceptCover(pending, by_bob, now));
  take(DeclineCover(pending, "away", by_bob, now));
  take(CancelCover(pending, "moved", by_alice, now));
  take(ExpireCover(pending, Cause{"timer:cover:x", kServiceActor, "", ""}, pending.start));
  return out;
}

// One of each calendar feed event, as escalation publishes them: a person feed of sam's shifts
// created by an admin and revoked by sam, and a schedule feed of oncall.
std::vector<v1::Event> FeedEvents() {
  const absl::Time now = recovery::testing::ManualClockStart();
  const FeedFacts sams{"01900000-0000-7000-8000-000000000001", "sam", "", "person:mia", now};
  const FeedFacts oncall{"01900000-0000-7000-8000-000000000002", "", "oncall", "person:alice", now};
  return {FeedCreatedEvent(sams, Cause{"req-3", "person:mia", "", ""}, now),
          FeedRevokedEvent(sams, "lost my phone", Cause{"req-4", "person:sam", "", ""}, now + absl::Hours(1)),
          FeedCreatedEvent(oncall, Cause{"req-5", "person:alice", "", ""}, now)};
}

// Each override event, as escalation publishes them: lee puts sam on oncall overnight, mia
// removes it.
std::vector<v1::Event> OverrideEvents() {
  const absl::Time now = recovery::testing::ManualClockStart();
  const OverrideFacts sams{"01900000-0000-7000-8000-000000000003",
                           "oncall",
                           "sam",
                           now + absl::Hours(20),
                           now + absl::Hours(35),
                           "alice travelling",
                           "person:lee",
                           ""};
  return {OverrideAddedEvent(sams, Cause{"req-6", "person:lee", "", ""}, now),
          OverrideRemovedEvent(sams, Cause{"req-7", "person:mia", "", ""}, now + absl::Hours(2))};
}

struct Consumer {
  std::string name;
  std::function<std::unique_ptr<common::ServiceModule>()> make;
};

class CoverEventsConsumersTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CoverEventsConsumersTest, EveryCoverFeedAndOverrideEventIsAcceptedAndNoneIsParked) {
  const std::vector<Consumer> consumers = {
      {"intake", [] { return std::make_unique<intake::IntakeModule>(); }},
      {"escalation", [] { return std::make_unique<EscalationModule>(); }},
      {"action_plan", [] { return std::make_unique<action_plan::ActionPlanModule>(); }},
      {"follow_up", [] { return std::make_unique<follow_up::FollowUpModule>(); }},
      {"audit", [] { return std::make_unique<audit::AuditModule>(); }},
  };
  std::unique_ptr<common::ServiceModule> module;
  for (const Consumer& c : consumers) {
    if (c.name == GetParam()) module = c.make();
  }
  ASSERT_NE(module, nullptr);
  recovery::testing::FixtureOptions options;
  options.config_yaml = testing::DeployConfig(GetParam());
  recovery::testing::ServiceFixture fx(*module, options);
  ASSERT_TRUE(fx.ok());
  const std::vector<v1::Event> covers = CoverEvents(), feeds = FeedEvents(), overrides = OverrideEvents();
  ASSERT_EQ(covers.size(), 5u);
  for (const v1::Event& e : covers) EXPECT_EQ(e.case_id(), "schedule:oncall");
  ASSERT_EQ(feeds.size(), 3u);
  EXPECT_EQ(feeds[0].case_id(), "person:sam");
  EXPECT_EQ(feeds[1].case_id(), "person:sam");
  EXPECT_EQ(feeds[2].case_id(), "schedule:oncall");
  ASSERT_EQ(overrides.size(), 2u);
  for (const v1::Event& e : overrides) EXPECT_EQ(e.case_id(), "schedule:oncall");
  std::vector<v1::Event> events = covers;
  events.insert(events.end(), feeds.begin(), feeds.end());
  events.insert(events.end(), overrides.begin(), overrides.end());
  for (const v1::Event& e : events) {
    const absl::Status handled = fx.Deliver(e);
    EXPECT_TRUE(handled.ok()) << common::EventTypeName(e) << ": " << handled;
  }
  fx.Quiesce();
  ASSERT_TRUE(common::InTransaction(fx.store(), [&](common::Tx& tx) -> absl::Status {
                auto parked = common::ListDeadLetters(tx, common::kDeadLetterConsumer, 10);
                EXPECT_TRUE(parked.ok());
                EXPECT_TRUE(parked->empty()) << parked->front().type << ": " << parked->front().reason;
                return absl::OkStatus();
              }).ok());
  EXPECT_TRUE(fx.published().empty()) << "a cover, feed or override event made " << GetParam() << " publish "
                                      << common::EventTypeName(fx.published().front());

  if (GetParam() == "audit") {
    auto audit = v1::Audit::NewStub(fx.channel());
    auto timeline_of = [&](const std::string& key) {
      v1::GetTimelineRequest req;
      req.set_case_id(key);
      v1::GetTimelineResponse timeline;
      auto ctx = common::ContextWithDeadline();
      const grpc::Status st = audit->GetTimeline(ctx.get(), req, &timeline);
      EXPECT_TRUE(st.ok()) << key << ": " << st.error_message();
      return timeline;
    };
    const v1::GetTimelineResponse timeline = timeline_of("schedule:oncall");
    ASSERT_EQ(timeline.entries_size(), 8);
    EXPECT_EQ(timeline.entries(0).type(), "CoverRequested");
    EXPECT_EQ(timeline.entries(0).actor(), "person:alice");
    EXPECT_EQ(timeline.entries(0).summary(),
              "alice asked bob to cover oncall from 2026-11-24 23:00 UTC to 2026-11-25 01:00 UTC: dentist");
    EXPECT_EQ(timeline.entries(1).type(), "CoverAccepted");
    EXPECT_EQ(timeline.entries(4).type(), "CoverExpired");
    EXPECT_EQ(timeline.entries(4).summary(), "Cover request from alice to bob on oncall expired unanswered");
    EXPECT_EQ(timeline.entries(5).type(), "CalendarFeedCreated");
    EXPECT_EQ(timeline.entries(5).summary(),
              "Calendar feed 01900000-0000-7000-8000-000000000002 of schedule oncall created by person:alice");
    // Who moved the rota, and who moved it back.
    EXPECT_EQ(timeline.entries(6).type(), "OverrideAdded");
    EXPECT_EQ(timeline.entries(6).actor(), "person:lee");
    EXPECT_EQ(timeline.entries(6).summary(),
              "Override on oncall: sam from 2026-11-25 18:00 UTC to 2026-11-26 09:00 UTC, added by person:lee: "
              "alice travelling");
    EXPECT_EQ(timeline.entries(7).type(), "OverrideRemoved");
    EXPECT_EQ(timeline.entries(7).actor(), "person:mia");
    EXPECT_EQ(timeline.entries(7).summary(),
              "Override on oncall: sam from 2026-11-25 18:00 UTC to 2026-11-26 09:00 UTC, removed by person:mia");

    // Who created a feed of sam's shifts, and when was it revoked.
    const v1::GetTimelineResponse sams = timeline_of("person:sam");
    ASSERT_EQ(sams.entries_size(), 2);
    EXPECT_EQ(sams.entries(0).type(), "CalendarFeedCreated");
    EXPECT_EQ(sams.entries(0).actor(), "person:mia");
    EXPECT_EQ(sams.entries(0).summary(),
              "Calendar feed 01900000-0000-7000-8000-000000000001 of sam's shifts created by person:mia");
    EXPECT_EQ(sams.entries(1).type(), "CalendarFeedRevoked");
    EXPECT_EQ(sams.entries(1).actor(), "person:sam");
    EXPECT_EQ(common::FromProto(sams.entries(1).occurred_at()), recovery::testing::ManualClockStart() + absl::Hours(1));
    EXPECT_EQ(
        sams.entries(1).summary(),
        "Calendar feed 01900000-0000-7000-8000-000000000001 of sam's shifts revoked by person:sam: lost my phone");

    // Every event is recorded; none of their pseudo-keys is a case.
    v1::GetStatsResponse stats;
    auto ctx = common::ContextWithDeadline();
    ASSERT_TRUE(audit->GetStats(ctx.get(), v1::GetStatsRequest(), &stats).ok());
    EXPECT_EQ(stats.events_by_type().at("CalendarFeedCreated"), 2);
    EXPECT_EQ(stats.events_by_type().at("CalendarFeedRevoked"), 1);
    EXPECT_EQ(stats.events_by_type().at("OverrideAdded"), 1);
    EXPECT_EQ(stats.events_by_type().at("OverrideRemoved"), 1);
    EXPECT_EQ(stats.cases(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryConsumer, CoverEventsConsumersTest,
                         ::testing::Values("intake", "escalation", "action_plan", "follow_up", "audit"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace recovery::escalation
