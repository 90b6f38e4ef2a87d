// The real recovery-follow-up binary on the dev broker with a manual clock: SLA breaches are
// published exactly once, acknowledged cases never breach, and pending timers survive SIGKILL.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "recovery/v1/follow_up.grpc.pb.h"
#include "recovery/v1/testing.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/outbox.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"
#include "tests/support/topic_reader.h"

namespace recovery::follow_up {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::DevBroker;
using recovery::testing::Process;
using recovery::testing::TempDir;
using recovery::testing::TopicMessage;
using recovery::testing::TopicReader;

constexpr char kStart[] = "2026-11-24T22:00:00Z";

absl::Time StartTime() {
  absl::Time t;
  std::string err;
  absl::ParseTime(absl::RFC3339_full, kStart, &t, &err);
  return t;
}

// One running service process and its stubs.
struct Service {
  Process process;
  std::unique_ptr<v1::FollowUp::Stub> api;
  std::unique_ptr<v1::TestClock::Stub> clock;
};

Service Start(const TempDir& dir, const DevBroker& broker, const std::string& name) {
  const std::string port_file = dir.File(name + ".port");
  std::filesystem::remove(port_file);
  Service s;
  s.process = Process(recovery::testing::BinaryPath("services/follow_up/recovery-follow-up"),
                      {"--listen", "127.0.0.1:0", "--port-file", port_file, "--db", dir.File("follow-up.db"),
                       "--kafka-brokers", broker.bootstrap(), "--config",
                       recovery::testing::SourcePath("services/follow_up/example.yaml"), "--manual-clock", kStart},
                      dir.File(name + ".log"));
  const std::string port = recovery::testing::WaitForFile(port_file, absl::Seconds(30));
  EXPECT_FALSE(port.empty()) << "service did not start; see " << dir.File(name + ".log");
  auto channel = common::MakeChannel("127.0.0.1:" + port);
  s.api = v1::FollowUp::NewStub(channel);
  s.clock = v1::TestClock::NewStub(channel);
  return s;
}

void SetTime(Service& s, absl::Time t) {
  v1::SetTimeRequest req;
  *req.mutable_time() = common::ToProto(t);
  v1::TimeResponse resp;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(s.clock->SetTime(ctx.get(), req, &resp).ok());
}

int Reminders(Service& s, const std::string& case_id) {
  v1::ListRemindersRequest req;
  req.set_case_id(case_id);
  v1::ListRemindersResponse resp;
  auto ctx = common::ContextWithDeadline();
  if (!s.api->ListReminders(ctx.get(), req, &resp).ok()) return -1;
  return resp.reminders_size();
}

// Polls until the service has consumed the case's events (its item reminder is listed).
bool WaitForReminders(Service& s, const std::string& case_id, int n) {
  const absl::Time deadline = absl::Now() + absl::Seconds(40);
  while (absl::Now() < deadline) {
    if (Reminders(s, case_id) >= n) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

// Publishes test events as other services would, through a temp-store outbox.
class Publisher {
 public:
  Publisher(const TempDir& dir, const DevBroker& broker) {
    store_ = std::move(*common::OpenStore(dir.File("publisher.db")));
    EXPECT_TRUE(common::Outbox::Migrate(*store_).ok());
    outbox_ = std::make_unique<common::Outbox>(*store_);
    EXPECT_TRUE(outbox_->Start({broker.bootstrap(), "recovery.case-events", "", 10}).ok());
  }
  void Publish(const v1::Event& e) {
    ASSERT_TRUE(common::InTransaction(*store_, [&](common::Tx& tx) { return outbox_->Append(tx, e); }).ok());
    ASSERT_TRUE(outbox_->WaitDrained(absl::Seconds(20)));
  }
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

 private:
  std::unique_ptr<common::Store> store_;
  std::unique_ptr<common::Outbox> outbox_;
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
  SetTime(svc, t0 + absl::Minutes(20));
  ASSERT_TRUE(reader.ReadUntil(
      [](const std::vector<TopicMessage>& all) {
        for (const auto& m : all)
          if (m.event.has_sla_breached()) return true;
        return false;
      },
      absl::Seconds(30)));
  // More time passing and a quiet period: still exactly one breach, only for the late case.
  SetTime(svc, t0 + absl::Minutes(30));
  reader.Drain(absl::Seconds(3));
  const auto late = Breaches(reader, "case-late", v1::SLA_KIND_ACKNOWLEDGE);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].event.source(), "follow-up");
  EXPECT_EQ(late[0].type_header, "SlaBreached");
  EXPECT_EQ(common::FromProto(late[0].event.sla_breached().due()), t0 + absl::Minutes(15));
  EXPECT_EQ(late[0].event.sla_breached().severity(), v1::SEVERITY_P1);
  EXPECT_TRUE(Breaches(reader, "case-acked", v1::SLA_KIND_ACKNOWLEDGE).empty());
  EXPECT_EQ(svc.process.Terminate(), 0);
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
    svc.process.Kill(SIGKILL);  // timers pending: ack 22:15, item 23:00 / 00:00, resolve 02:00
    svc.process.Wait();
  }
  TopicReader reader(broker.bootstrap());
  {
    Service svc = Start(dir, broker, "second");
    SetTime(svc, t0 + absl::Hours(5));
    ASSERT_TRUE(reader.ReadUntil(
        [](const std::vector<TopicMessage>& all) {
          int breaches = 0;
          for (const auto& m : all) breaches += m.event.has_sla_breached();
          return breaches >= 2;
        },
        absl::Seconds(30)));
    reader.Drain(absl::Seconds(2));
    svc.process.Kill(SIGKILL);
    svc.process.Wait();
  }
  {
    // A third start on the same database at the same time fires nothing again.
    Service svc = Start(dir, broker, "third");
    SetTime(svc, t0 + absl::Hours(5));
    reader.Drain(absl::Seconds(4));
    EXPECT_EQ(svc.process.Terminate(), 0);
  }
  EXPECT_EQ(Breaches(reader, "case-k", v1::SLA_KIND_ACKNOWLEDGE).size(), 1u);
  EXPECT_EQ(Breaches(reader, "case-k", v1::SLA_KIND_RESOLVE).size(), 1u);
  EXPECT_EQ(RemindersOf(reader, "case-k", "item_before_due").size(), 1u);
  EXPECT_EQ(RemindersOf(reader, "case-k", "item_due").size(), 1u);
  EXPECT_TRUE(RemindersOf(reader, "case-k", "item_overdue").empty());  // next one is after downtime + 4h
}

}  // namespace
}  // namespace recovery::follow_up
