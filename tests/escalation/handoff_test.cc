// Handoff reminders: which are due (from the shifts paging uses, across a daylight-saving
// change), and the service telling a person before their shift starts, through their
// contact methods, at the right instant and not before, following an override.
#include "services/escalation/domain/handoff.h"

#include <gtest/gtest.h>

#include "google/protobuf/util/json_util.h"
#include "recovery/v1/config.grpc.pb.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/grpc_util.h"
#include "services/common/proto_time.h"
#include "services/escalation/app.h"
#include "services/escalation/module.h"
#include "tests/support/service_fixture.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;

// Weekly London rotation handing off Mondays 09:00 local: sam from 2027-03-15, priya from
// 03-22, sam again from 03-29, the day after the clocks go forward (01:00Z on 03-28).
constexpr char kYaml[] = R"(
people:
  - {id: sam, name: Sam, time_zone: Europe/London, handoff_reminder: 15m,
     contact_methods: [{channel: log, target: sam}]}
  - {id: priya, name: Priya, time_zone: Europe/London, contact_methods: [{channel: log, target: priya}]}
calendars:
  - {id: office, time_zone: Europe/London, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    name: Client services on-call
    time_zone: Europe/London
    layers:
      - {name: weekly, participants: [sam, priya], rotation: 1w, start_date: 2027-03-15, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}], fallback: priya}
teams:
  - {id: ops, name: Ops, members: [sam, priya], calendar: office, schedule: oncall, policy: p}
routing_rules:
  - {id: all, team: ops}
)";

absl::Time At(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

TEST(HandoffRemindersTest, DueALeadBeforeEachShiftAtTheLocalHandoffAcrossTheClockChange) {
  auto settings = ParseSettings(YAML::Load(kYaml), common::HostResolver());
  ASSERT_TRUE(settings.ok()) << settings.status();
  const auto due = UpcomingHandoffReminders(settings->directory, At(2027, 3, 20, 12, 0), absl::Hours(24 * 14));
  // Sam's next shift: Mon 29 March 09:00 BST = 08:00Z; then 12 April (also BST). Priya asked
  // for nothing.
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].person_id, "sam");
  EXPECT_EQ(due[0].shift_start, At(2027, 3, 29, 8, 0));
  EXPECT_EQ(due[0].due, At(2027, 3, 29, 7, 45));
  EXPECT_EQ(HandoffReminderText(settings->directory, due[0]),
            "Your on-call shift on Client services on-call starts at Mon 29 Mar 09:00 BST (2027-03-29T08:00:00Z)");
  // Before the change, a Monday handoff at 09:00 GMT is 09:00Z.
  const auto winter = UpcomingHandoffReminders(settings->directory, At(2027, 3, 10, 0, 0), absl::Hours(24 * 7));
  ASSERT_EQ(winter.size(), 1u);
  EXPECT_EQ(winter[0].shift_start, At(2027, 3, 15, 9, 0));
  HandoffReminder parsed;
  ASSERT_TRUE(ParseHandoffTimerPayload(HandoffTimerPayload(due[0]), &parsed));
  EXPECT_EQ(parsed, due[0]);
}

TEST(HandoffRemindersTest, ALeadOutsideItsRangeNamesTheField) {
  std::string yaml = kYaml;
  yaml.replace(yaml.find("handoff_reminder: 15m"), 21, "handoff_reminder: 0s");
  const auto settings = ParseSettings(YAML::Load(yaml), common::HostResolver());
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().message(), "people[0].handoff_reminder: must be more than 0s and at most 24h");
}

class HandoffServiceTest : public ::testing::Test {
 protected:
  static recovery::testing::FixtureOptions Options() {
    recovery::testing::FixtureOptions options;
    options.config_yaml = kYaml;
    options.start = At(2027, 3, 24, 12, 0);  // priya's week
    return options;
  }
  // Reminders queued for delivery so far (the worker is off: they wait in the queue) and
  // delivered by one run of the worker.
  int Delivered(const std::string& person = "sam") {
    auto n = module_.delivery_worker().RunOnce();
    EXPECT_TRUE(n.ok()) << n.status();
    fx_.Quiesce();
    int count = 0;
    for (const auto& e : fx_.PublishedOfType("ReminderDelivered"))
      count += e.reminder_delivered().recipient() == person ? 1 : 0;
    return count;
  }

  EscalationModule module_{EscalationModule::Options{.start_delivery_worker = false}};
  recovery::testing::ServiceFixture fx_{module_, Options()};
};

TEST_F(HandoffServiceTest, SamIsToldFifteenMinutesBeforeHisShiftAndNotBefore) {
  ASSERT_TRUE(fx_.ok());
  fx_.Advance(At(2027, 3, 29, 7, 44) - fx_.clock().Now());
  EXPECT_EQ(Delivered(), 0);
  fx_.Advance(absl::Minutes(1));  // 07:45Z = 08:45 BST, fifteen minutes before 09:00 BST
  EXPECT_EQ(Delivered(), 1);
  const auto events = fx_.PublishedOfType("ReminderDelivered");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().case_id(), "schedule:oncall");
  fx_.Advance(absl::Hours(2));
  EXPECT_EQ(Delivered(), 1) << "told once";
}

TEST_F(HandoffServiceTest, AnOverrideThatTakesTheShiftAwayCancelsTheReminder) {
  ASSERT_TRUE(fx_.ok());
  // Priya keeps Monday morning: an override from 08:00Z to 12:00Z moves Sam's start to 12:00Z.
  v1::AddOverrideRequest add;
  add.set_request_id("req-override");
  add.set_schedule_id("oncall");
  add.set_person_id("priya");
  *add.mutable_start() = common::ToProto(At(2027, 3, 29, 8, 0));
  *add.mutable_end() = common::ToProto(At(2027, 3, 29, 12, 0));
  auto stub = v1::Escalation::NewStub(fx_.channel());
  v1::ScheduleOverride added;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub->AddOverride(ctx.get(), add, &added).ok());
  fx_.Advance(At(2027, 3, 29, 7, 50) - fx_.clock().Now());
  EXPECT_EQ(Delivered(), 0) << "the 08:00Z start is gone";
  fx_.Advance(At(2027, 3, 29, 11, 46) - fx_.clock().Now());  // 15 minutes before 12:00Z
  EXPECT_EQ(Delivered(), 1);
}

TEST_F(HandoffServiceTest, APersonWhoAsksThroughTheApiIsToldBeforeTheirNextShift) {
  ASSERT_TRUE(fx_.ok());
  // Priya asks for herself (self-service) to be told 30 minutes ahead; her next shift starts
  // Mon 5 April 09:00 BST = 08:00Z.
  v1::UpdateResourceRequest req;
  req.mutable_resource()->set_kind("person");
  req.mutable_resource()->set_id("priya");
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(R"({"handoff_reminder": "30m"})",
                                                          req.mutable_resource()->mutable_spec())
                  .ok());
  req.mutable_update_mask()->add_paths("handoff_reminder");
  v1::ChangeResult out;
  auto ctx = common::ContextWithDeadline();
  const grpc::Status st = v1::Configuration::NewStub(fx_.ChannelAs("priya"))->UpdateResource(ctx.get(), req, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  fx_.Advance(At(2027, 4, 5, 7, 29) - fx_.clock().Now());
  EXPECT_EQ(Delivered("priya"), 0);
  fx_.Advance(absl::Minutes(1));
  EXPECT_EQ(Delivered("priya"), 1);
}

}  // namespace
}  // namespace recovery::escalation
