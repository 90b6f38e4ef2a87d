// The real recovery-escalation binary on the dev broker with a manual clock set after hours and
// a webhook receiver: CaseOpened pages the on-call person (signed, with an idempotency key), an
// unacknowledged page escalates to tier 2 when the ack timer fires, AcknowledgePage stops every
// further page, and a SIGKILL mid-escalation neither loses nor duplicates the tier 2 page.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/grpc_util.h"
#include "services/escalation/delivery/signature.h"
#include "tests/escalation/integration_config.h"
#include "tests/escalation/webhook_receiver.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"
#include "tests/support/test_identity.h"
#include "tests/support/topic_reader.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using recovery::escalation::testing::IntegrationConfigYaml;
using recovery::escalation::testing::PagingCaseOpened;
using recovery::escalation::testing::ReceivedRequest;
using recovery::escalation::testing::WebhookReceiver;
using recovery::testing::DevBroker;
using recovery::testing::EventPublisher;
using recovery::testing::TempDir;
using recovery::testing::TopicMessage;
using recovery::testing::TopicReader;

constexpr char kSecret[] = "integration-secret";

using Service = recovery::testing::ServiceUnderTest<v1::Escalation>;

Service Start(const TempDir& dir, const DevBroker& broker, const std::string& name) {
  return Service("services/escalation/recovery-escalation", dir, name,
                 {.db = dir.File("escalation.db"),
                  .brokers = broker.bootstrap(),
                  .config = dir.File("escalation.yaml"),
                  .manual_clock = recovery::testing::kManualClockStart});
}

std::string JsonField(const std::string& body, const std::string& field) {
  std::smatch m;
  if (std::regex_search(body, m, std::regex("\"" + field + "\":\"?([^\",}]*)"))) return m[1];
  return "";
}

std::vector<ReceivedRequest> PagesFor(const WebhookReceiver& rx, const std::string& person) {
  std::vector<ReceivedRequest> out;
  for (const auto& r : rx.requests())
    if (r.path == "/" + person) out.push_back(r);
  return out;
}

// Polls until `person` has received at least one page (the first group join takes ~3 s).
bool WaitForPage(const WebhookReceiver& rx, const std::string& person, absl::Duration timeout = absl::Seconds(40)) {
  return recovery::testing::PollUntil([&] { return !PagesFor(rx, person).empty(); }, timeout);
}

void ExpectSignedPage(const ReceivedRequest& r, const std::string& person, const std::string& tier) {
  ASSERT_TRUE(r.headers.count("idempotency-key")) << r.body;
  EXPECT_FALSE(r.headers.at("idempotency-key").empty());
  ASSERT_TRUE(r.headers.count("x-recovery-signature-v2")) << r.body;  // version 2 by default
  // Stamped with the service's clock (manual here, from kManualClockStart; the test moves it by minutes).
  absl::Time service_start;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, recovery::testing::kManualClockStart, &service_start, nullptr));
  const absl::Status v2 = delivery::VerifySignatureV2({kSecret}, r.body, r.headers.at("x-recovery-signature-v2"),
                                                      service_start, absl::Hours(1));
  EXPECT_TRUE(v2.ok()) << v2;
  EXPECT_FALSE(r.headers.count("x-recovery-signature")) << "version 1 only when webhook_signatures asks for it";
  EXPECT_EQ(JsonField(r.body, "person_id"), person);
  EXPECT_EQ(JsonField(r.body, "tier"), tier);
  EXPECT_EQ(JsonField(r.body, "summary"), "client cannot log in");
  EXPECT_FALSE(JsonField(r.body, "page_id").empty());
}

// The page rows of a case's escalations (ListEscalations + ListPages).
std::vector<v1::PageInfo> CasePages(Service& svc, const std::string& case_id) {
  std::vector<v1::PageInfo> out;
  v1::ListEscalationsRequest list;
  list.set_case_id(case_id);
  v1::ListEscalationsResponse escalations;
  auto ctx = common::ContextWithDeadline();
  if (!svc.api().ListEscalations(ctx.get(), list, &escalations).ok()) return out;
  for (const auto& e : escalations.escalations()) {
    v1::ListPagesRequest req;
    req.set_escalation_id(e.escalation_id());
    v1::ListPagesResponse pages;
    auto pctx = common::ContextWithDeadline();
    if (!svc.api().ListPages(pctx.get(), req, &pages).ok()) return {};
    for (const auto& p : pages.pages()) out.push_back(p);
  }
  return out;
}

// The barrier instead of a sleep: waits until no page of the case is pending or sending, so
// nothing more can leave (every row is delivered, failed or cancelled).
bool WaitUntilSettled(Service& svc, const std::string& case_id, absl::Duration timeout = absl::Seconds(30)) {
  return recovery::testing::PollUntil(
      [&] {
        const auto pages = CasePages(svc, case_id);
        if (pages.empty()) return false;
        for (const auto& p : pages)
          if (p.status() == "pending" || p.status() == "sending") return false;
        return true;
      },
      timeout);
}

// Delivered webhook rows of the case (each reached the receiver at least once).
size_t DeliveredWebhooks(Service& svc, const std::string& case_id) {
  size_t n = 0;
  for (const auto& p : CasePages(svc, case_id))
    n += p.channel() == v1::PAGE_CHANNEL_WEBHOOK && p.status() == "delivered";
  return n;
}

class EscalationIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(broker_.bootstrap().empty());
    std::ofstream(dir_.File("escalation.yaml")) << IntegrationConfigYaml(rx_, kSecret);
  }
  DevBroker broker_;
  TempDir dir_;
  WebhookReceiver rx_;
};

TEST_F(EscalationIntegrationTest, UnacknowledgedPageEscalatesAndAcknowledgementStopsEveryFurtherPage) {
  Service svc = Start(dir_, broker_, "svc");
  EventPublisher pub(dir_.File("publisher.db"), broker_.bootstrap());
  pub.Publish(PagingCaseOpened("case-1"));

  ASSERT_TRUE(WaitForPage(rx_, "alice")) << "no tier-1 page; see " << dir_.File("svc.log");
  ExpectSignedPage(PagesFor(rx_, "alice")[0], "alice", "0");
  EXPECT_TRUE(PagesFor(rx_, "bob").empty());

  ASSERT_TRUE(svc.AdvanceClock(absl::Minutes(6)));  // past tier 1's 5 minute ack timeout
  ASSERT_TRUE(WaitForPage(rx_, "bob", absl::Seconds(20))) << "no tier-2 page";
  const ReceivedRequest bob_page = PagesFor(rx_, "bob")[0];
  ExpectSignedPage(bob_page, "bob", "1");

  // Bob acknowledges the page sent to him, as himself.
  auto as_bob = v1::Escalation::NewStub(recovery::testing::TestIdentity::Shared().ChannelAs(svc.address(), "bob"));
  v1::AcknowledgePageRequest ack;
  ack.set_request_id("ack-1");
  ack.set_page_id(JsonField(bob_page.body, "page_id"));
  v1::EscalationInfo acked;
  {
    auto ctx = common::ContextWithDeadline();
    grpc::Status st = as_bob->AcknowledgePage(ctx.get(), ack, &acked);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  EXPECT_EQ(acked.status(), v1::ESCALATION_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(acked.acknowledged_by(), "bob");

  const size_t pages_at_ack = rx_.count();
  ASSERT_TRUE(svc.AdvanceClock(absl::Hours(6)));  // long past every timeout and retry
  TopicReader reader(broker_.bootstrap());
  ASSERT_TRUE(reader.ReadUntil(
      [](const std::vector<TopicMessage>& all) {
        for (const auto& m : all)
          if (m.event.has_escalation_acknowledged()) return true;
        return false;
      },
      absl::Seconds(30)));
  ASSERT_TRUE(WaitUntilSettled(svc, "case-1")) << "pages still pending after the acknowledgement";
  EXPECT_EQ(rx_.count(), pages_at_ack) << "a page was sent after the acknowledgement";
  EXPECT_EQ(DeliveredWebhooks(svc, "case-1"), pages_at_ack);

  const auto acks = reader.OfType("EscalationAcknowledged");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].event.case_id(), "case-1");
  EXPECT_EQ(acks[0].event.source(), "escalation");
  EXPECT_EQ(acks[0].event.actor(), "person:bob");
  EXPECT_EQ(acks[0].event.escalation_acknowledged().acknowledged_by(), "bob");
  EXPECT_EQ(acks[0].event.escalation_acknowledged().page_id(), ack.page_id());
  EXPECT_EQ(acks[0].event.escalation_acknowledged().escalation_id(), acked.escalation_id());
  EXPECT_EQ(reader.OfType("EscalationStarted").size(), 1u);
  EXPECT_EQ(reader.OfType("TierAdvanced").size(), 1u);
  EXPECT_FALSE(reader.OfType("PageDelivered").empty());
  EXPECT_TRUE(reader.OfType("EscalationExhausted").empty());

  // The same request again is a replay, not a second acknowledgement.
  v1::EscalationInfo replay;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(as_bob->AcknowledgePage(ctx.get(), ack, &replay).ok());
  EXPECT_EQ(replay.escalation_id(), acked.escalation_id());
  EXPECT_EQ(svc.process().Terminate(), 0);
}

TEST_F(EscalationIntegrationTest, SigkillMidEscalationStillSendsTheTier2PageExactlyOnce) {
  {
    Service svc = Start(dir_, broker_, "first");
    EventPublisher pub(dir_.File("publisher.db"), broker_.bootstrap());
    pub.Publish(PagingCaseOpened("case-k"));
    ASSERT_TRUE(WaitForPage(rx_, "alice")) << "no tier-1 page; see " << dir_.File("first.log");
    svc.process().Kill(SIGKILL);  // the tier 1 ack timer (22:05) is pending in the database
    svc.process().Wait();
  }
  Service svc = Start(dir_, broker_, "second");
  ASSERT_TRUE(svc.AdvanceClock(absl::Minutes(6)));
  ASSERT_TRUE(WaitForPage(rx_, "bob", absl::Seconds(30))) << "tier-2 page lost; see " << dir_.File("second.log");
  ASSERT_TRUE(svc.AdvanceClock(absl::Minutes(5)));  // still inside tier 2's window: nothing more is due
  ASSERT_TRUE(WaitUntilSettled(svc, "case-k")) << "pages still pending; see " << dir_.File("second.log");

  // Receivers de-duplicate by Idempotency-Key: exactly one key per person and tier.
  std::map<std::string, std::set<std::string>> keys;
  for (const auto& r : rx_.requests()) {
    keys[r.path + "/tier" + JsonField(r.body, "tier")].insert(r.headers.at("idempotency-key"));
  }
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys["/alice/tier0"].size(), 1u);
  EXPECT_EQ(keys["/bob/tier1"].size(), 1u);
  EXPECT_EQ(PagesFor(rx_, "bob").size(), 1u);
  EXPECT_EQ(svc.process().Terminate(), 0);
}

std::vector<std::string> PeopleIds(Service& s) {
  v1::Directory d;
  auto ctx = common::ContextWithDeadline();
  EXPECT_TRUE(s.api().GetDirectory(ctx.get(), v1::GetDirectoryRequest(), &d).ok());
  std::vector<std::string> out;
  for (const auto& p : d.people()) out.push_back(p.id());
  return out;
}

TEST_F(EscalationIntegrationTest, SighupKeepsTheOldConfigWhenTheNewOneIsInvalidAndAppliesAValidOne) {
  Service svc = Start(dir_, broker_, "svc");
  EXPECT_EQ(PeopleIds(svc), (std::vector<std::string>{"alice", "bob"}));

  std::ofstream(dir_.File("escalation.yaml"))
      << IntegrationConfigYaml(rx_, kSecret) << "  - id: broken\n    team: nobody\n";
  svc.process().Kill(SIGHUP);
  ASSERT_TRUE(recovery::testing::WaitForLog(dir_.File("svc.log"), "routing_rules[1].team"))
      << "reload error does not name the key";
  EXPECT_EQ(PeopleIds(svc), (std::vector<std::string>{"alice", "bob"}));

  std::string yaml = IntegrationConfigYaml(rx_, kSecret);
  yaml.replace(
      yaml.find("people:\n"), 8,
      "people:\n  - {id: carol, name: Carol, time_zone: UTC, contact_methods: [{channel: log, target: carol}]}\n");
  std::ofstream(dir_.File("escalation.yaml")) << yaml;
  svc.process().Kill(SIGHUP);
  ASSERT_TRUE(recovery::testing::WaitForLog(dir_.File("svc.log"), "configuration reloaded"));
  // The file's new person is applied (people are not ordered: a new one sorts by position, id).
  std::vector<std::string> people = PeopleIds(svc);
  std::sort(people.begin(), people.end());
  EXPECT_EQ(people, (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(svc.process().Terminate(), 0);
}

}  // namespace
}  // namespace recovery::escalation
