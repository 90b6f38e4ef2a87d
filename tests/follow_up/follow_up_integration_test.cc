// The real recovery-follow-up binary on the dev broker with a manual clock: SLA breaches are
// published exactly once, acknowledged cases never breach, SIGHUP reloads the configuration,
// and pending timers survive SIGKILL.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "recovery/v1/follow_up.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"
#include "tests/support/topic_reader.h"

namespace recovery::follow_up {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::DevBroker;
using recovery::testing::TempDir;
using recovery::testing::TopicMessage;
using recovery::testing::TopicReader;

using Service = recovery::testing::ServiceUnderTest<v1::FollowUp>;

absl::Time StartTime() { return recovery::testing::ManualClockStart(); }

Service Start(const TempDir& dir, const DevBroker& broker, const std::string& name) {
  return Service("services/follow_up/recovery-follow-up", dir, name,
                 {.db = dir.File("follow-up.db"),
                  .brokers = broker.bootstrap(),
                  .config = recovery::testing::SourcePath("services/follow_up/example.yaml"),
                  .manual_clock = recovery::testing::kManualClockStart});
}

int Reminders(Service& s, const std::string& case_id) {
  v1::ListRemindersRequest req;
  req.set_case_id(case_id);
  v1::ListRemindersResponse resp;
  auto ctx = common::ContextWithDeadline();
  if (!s.api().ListReminders(ctx.get(), req, &resp).ok()) return -1;
  return resp.reminders_size();
}

// Polls until the service has consumed the case's events (its item reminder is listed).
bool WaitForReminders(Service& s, const std::string& case_id, int n) {
  return recovery::testing::PollUntil([&] { return Reminders(s, case_id) >= n; }, absl::Seconds(40));
}

// Publishes test events as other services would: intake's CaseOpened and action-plan's items.
class Publisher : public recovery::testing::EventPublisher {
 public:
  Publisher(const TempDir& dir, const DevBroker& broker)
      : EventPublisher(dir.File("publisher.db"), broker.bootstrap()) {}
  v1::Event New(const std::string& case_id, absl::Time at = StartTime()) {
    return common::NewEvent(at, case_id, "intake", "tester", "req-" + case_id);
  }
  void Opened(const std::string& case_id) {
    v1::Event e = New(case_id);
    e.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
    e.mutable_case_opened()->set_category("unreachable");
    e.mutable_case_opened()->mutable_client()->set_id("client-" + case_id);
    Publish(e);
  }
  void ItemDue(const std::string& case_id, const std::string& item_id, absl::Time due) {
    v1::Event e = New(case_id);
    e.set_source("action-plan");
    auto* item = e.mutable_action_item_added()->mutable_item();
    item->set_id(item_id);
    item->set_what("call the client back");
    item->set_owner("alice");
    *item->mutable_due() = common::ToProto(due);
    Publish(e);
  }
};

std::vector<TopicMessage> Breaches(const TopicReader& r, const std::string& case_id, v1::SlaKind kind) {
  std::vector<TopicMessage> out;
  for (const auto& m : r.OfType("SlaBreached"))
    if (m.event.case_id() == case_id && m.event.sla_breached().kind() == kind) out.push_back(m);
  return out;
}

std::vector<TopicMessage> RemindersOf(const TopicReader& r, const std::string& case_id, const std::string& kind) {
  std::vector<TopicMessage> out;
  for (const auto& m : r.OfType("ReminderDue"))
    if (m.event.case_id() == case_id && m.event.reminder_due().kind() == kind) out.push_back(m);
  return out;
}

// Reads the topic until some SlaBreached arrives (up to 30 s).
bool AnyBreach(TopicReader& reader) {
  return reader.ReadUntil(
      [](const std::vector<TopicMessage>& all) {
        for (const auto& m : all)
          if (m.event.has_sla_breached()) return true;
        return false;
      },
      absl::Seconds(30));
}

// Reads the topic until every (case, kind) breach listed has arrived (up to 30 s). The
// service publishes a case's events in order, so a later event of a case on the topic is
// the barrier that everything before it for that case was published: no quiet period needed.
bool BreachesArrived(TopicReader& reader, const std::vector<std::pair<std::string, v1::SlaKind>>& wanted) {
  return reader.ReadUntil(
      [&](const std::vector<TopicMessage>& all) {
        for (const auto& [case_id, kind] : wanted) {
          bool seen = false;
          for (const auto& m : all)
            seen = seen || (m.event.case_id() == case_id && m.event.sla_breached().kind() == kind);
          if (!seen) return false;
        }
        return true;
      },
      absl::Seconds(30));
}

TEST(FollowUpIntegrationTest, UnacknowledgedP1BreachesExactlyOnceAndAcknowledgedCaseNever) {
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  TempDir dir;
  Service svc = Start(dir, broker, "svc");
  Publisher pub(dir, broker);
  const absl::Time t0 = StartTime();

  pub.Opened("case-late");
  pub.ItemDue("case-late", "item-1", t0 + absl::Hours(24 * 30));
  pub.Opened("case-acked");
  v1::Event ack = pub.New("case-acked", t0 + absl::Minutes(3));
  ack.mutable_case_acknowledged()->set_acknowledged_by("alice");
  ack.mutable_case_acknowledged()->set_owner("alice");
  pub.Publish(ack);
  pub.ItemDue("case-acked", "item-2", t0 + absl::Hours(24 * 30));
  ASSERT_TRUE(WaitForReminders(svc, "case-late", 1));
  ASSERT_TRUE(WaitForReminders(svc, "case-acked", 1));

  TopicReader reader(broker.bootstrap());
  ASSERT_TRUE(svc.SetClock(t0 + absl::Minutes(20)));
  ASSERT_TRUE(AnyBreach(reader));
  // More time passing, up to both cases' resolve deadline (4 h): their resolve breaches are
  // the barrier; still exactly one acknowledge breach, only for the late case.
  ASSERT_TRUE(svc.SetClock(t0 + absl::Hours(4) + absl::Minutes(1)));
  ASSERT_TRUE(BreachesArrived(reader, {{"case-late", v1::SLA_KIND_RESOLVE}, {"case-acked", v1::SLA_KIND_RESOLVE}}));
  const auto late = Breaches(reader, "case-late", v1::SLA_KIND_ACKNOWLEDGE);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].event.source(), "follow-up");
  EXPECT_EQ(late[0].type_header, "SlaBreached");
  EXPECT_EQ(common::FromProto(late[0].event.sla_breached().due()), t0 + absl::Minutes(15));
  EXPECT_EQ(late[0].event.sla_breached().severity(), v1::SEVERITY_P1);
  EXPECT_TRUE(Breaches(reader, "case-acked", v1::SLA_KIND_ACKNOWLEDGE).empty());
  EXPECT_EQ(svc.process().Terminate(), 0);
}

TEST(FollowUpIntegrationTest, SighupKeepsTheOldConfigWhenTheNewOneIsInvalidAndAppliesAValidOne) {
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  TempDir dir;
  const std::string config = dir.File("follow-up.yaml");
  std::string yaml;
  {
    std::ifstream in(recovery::testing::SourcePath("services/follow_up/example.yaml"));
    std::stringstream text;
    text << in.rdbuf();
    yaml = text.str();
  }
  const std::string p1 = "P1: {acknowledge: 15m, resolve: 4h}";
  ASSERT_NE(yaml.find(p1), std::string::npos);
  auto write_with_p1 = [&](const std::string& replacement) {
    std::string y = yaml;
    y.replace(y.find(p1), p1.size(), replacement);
    std::ofstream(config) << y;
  };
  write_with_p1(p1);
  Service svc("services/follow_up/recovery-follow-up", dir, "svc",
              {.db = dir.File("follow-up.db"),
               .brokers = broker.bootstrap(),
               .config = config,
               .manual_clock = recovery::testing::kManualClockStart});
  ASSERT_TRUE(svc.started());

  write_with_p1("P1: {acknowledge: soon, resolve: 4h}");
  svc.process().Kill(SIGHUP);
  ASSERT_TRUE(recovery::testing::WaitForLog(svc.log_path(), "sla.P1.acknowledge"))
      << "the reload error does not name the key";
  write_with_p1("P1: {acknowledge: 5m, resolve: 4h}");
  svc.process().Kill(SIGHUP);
  ASSERT_TRUE(recovery::testing::WaitForLog(svc.log_path(), "configuration reloaded"));

  // A case opened after the reload runs on the new 5-minute target.
  Publisher pub(dir, broker);
  const absl::Time t0 = StartTime();
  pub.Opened("case-new");
  pub.ItemDue("case-new", "item-1", t0 + absl::Hours(24 * 30));
  ASSERT_TRUE(WaitForReminders(svc, "case-new", 1));
  TopicReader reader(broker.bootstrap());
  ASSERT_TRUE(svc.SetClock(t0 + absl::Minutes(6)));
  ASSERT_TRUE(AnyBreach(reader));
  const auto breaches = Breaches(reader, "case-new", v1::SLA_KIND_ACKNOWLEDGE);
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(common::FromProto(breaches[0].event.sla_breached().due()), t0 + absl::Minutes(5));
  EXPECT_EQ(svc.process().Terminate(), 0);
}

TEST(FollowUpIntegrationTest, PendingTimersSurviveSigkillAndEachFiresOnce) {
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  TempDir dir;
  const absl::Time t0 = StartTime();
  {
    Service svc = Start(dir, broker, "first");
    Publisher pub(dir, broker);
    pub.Opened("case-k");
    pub.ItemDue("case-k", "item-k", t0 + absl::Hours(2));
    ASSERT_TRUE(WaitForReminders(svc, "case-k", 1));
    svc.process().Kill(SIGKILL);  // timers pending: ack 22:15, item 23:00 / 00:00, resolve 02:00
    svc.process().Wait();
  }
  TopicReader reader(broker.bootstrap());
  {
    Service svc = Start(dir, broker, "second");
    ASSERT_TRUE(svc.SetClock(t0 + absl::Hours(5)));
    ASSERT_TRUE(BreachesArrived(reader, {{"case-k", v1::SLA_KIND_ACKNOWLEDGE}, {"case-k", v1::SLA_KIND_RESOLVE}}));
    // Killed with or without the reminders published: the outbox keeps what is not.
    svc.process().Kill(SIGKILL);
    svc.process().Wait();
  }
  {
    // A third start on the same database fires nothing again. Its barrier: moving to the
    // next day fires the one timer still pending, the first overdue reminder (due 4 h after
    // the late firing), which is published after anything fired again would have been.
    Service svc = Start(dir, broker, "third");
    ASSERT_TRUE(svc.SetClock(t0 + absl::Hours(24)));
    ASSERT_TRUE(reader.ReadUntil(
        [](const std::vector<TopicMessage>& all) {
          for (const auto& m : all)
            if (m.event.case_id() == "case-k" && m.event.reminder_due().kind() == "item_overdue") return true;
          return false;
        },
        absl::Seconds(30)));
    EXPECT_EQ(svc.process().Terminate(), 0);
  }
  EXPECT_EQ(Breaches(reader, "case-k", v1::SLA_KIND_ACKNOWLEDGE).size(), 1u);
  EXPECT_EQ(Breaches(reader, "case-k", v1::SLA_KIND_RESOLVE).size(), 1u);
  EXPECT_EQ(RemindersOf(reader, "case-k", "item_before_due").size(), 1u);
  EXPECT_EQ(RemindersOf(reader, "case-k", "item_due").size(), 1u);
  EXPECT_EQ(RemindersOf(reader, "case-k", "item_overdue").size(), 1u);  // the barrier, once
}

}  // namespace
}  // namespace recovery::follow_up
