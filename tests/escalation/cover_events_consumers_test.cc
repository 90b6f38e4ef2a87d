// The cover events on the topic, as every consumer of it meets them (each service built
// through its module, the event delivered through the consumer's exactly-once path): none
// parks them as dead letters or fails on them, although their case_id is the pseudo-key
// "schedule:<id>" rather than a case; audit records each one under that key, with a summary.
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
#include "services/escalation/domain/cover.h"
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

struct Consumer {
  std::string name;
  std::function<std::unique_ptr<common::ServiceModule>()> make;
};

class CoverEventsConsumersTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CoverEventsConsumersTest, EveryCoverEventIsAcceptedAndNoneIsParked) {
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
  const std::vector<v1::Event> events = CoverEvents();
  ASSERT_EQ(events.size(), 5u);
  for (const v1::Event& e : events) {
    EXPECT_EQ(e.case_id(), "schedule:oncall");
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
  EXPECT_TRUE(fx.published().empty()) << "a cover event made " << GetParam() << " publish "
                                      << common::EventTypeName(fx.published().front());

  if (GetParam() == "audit") {
    auto audit = v1::Audit::NewStub(fx.channel());
    v1::GetTimelineRequest req;
    req.set_case_id("schedule:oncall");
    v1::GetTimelineResponse timeline;
    auto ctx = common::ContextWithDeadline();
    const grpc::Status st = audit->GetTimeline(ctx.get(), req, &timeline);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(timeline.entries_size(), 5);
    EXPECT_EQ(timeline.entries(0).type(), "CoverRequested");
    EXPECT_EQ(timeline.entries(0).actor(), "person:alice");
    EXPECT_EQ(timeline.entries(0).summary(),
              "alice asked bob to cover oncall from 2026-11-24 23:00 UTC to 2026-11-25 01:00 UTC: dentist");
    EXPECT_EQ(timeline.entries(1).type(), "CoverAccepted");
    EXPECT_EQ(timeline.entries(4).type(), "CoverExpired");
    EXPECT_EQ(timeline.entries(4).summary(), "Cover request from alice to bob on oncall expired unanswered");
  }
}

INSTANTIATE_TEST_SUITE_P(EveryConsumer, CoverEventsConsumersTest,
                         ::testing::Values("intake", "escalation", "action_plan", "follow_up", "audit"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace recovery::escalation
