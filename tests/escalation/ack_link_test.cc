// Acknowledge links (services/escalation/ack_link.h, app_ack_link.cc): the token's format, that
// one changed character anywhere makes it invalid, the start-up checks of --ack-link-key-file
// and --console-url, the ack_url webhook and e-mail pages carry (and log pages, reminders and
// an unconfigured service do not), and InspectAckLink / AcknowledgeByLink through gRPC on the
// in-process fixture: only the paged person, once, while the escalation is active, exactly as
// AcknowledgePage of that page.
#include "services/escalation/ack_link.h"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "recovery/escalation/storage.pb.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/ids.h"
#include "services/common/proto_time.h"
#include "services/common/store.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/delivery/signature.h"
#include "services/escalation/module.h"
#include "tests/support/process.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_identity.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef";  // 32 bytes
constexpr char kConsole[] = "https://console.example:8443";
constexpr char kPage[] = "01890a5d-ac96-774b-bcce-b302099a8057";
constexpr char kEscalation[] = "01890a5d-ac96-774b-bcce-b302099a8000";

// alice: a log, a webhook and an e-mail contact method; bob: a webhook.
constexpr char kYaml[] = R"(
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}, {channel: webhook, target: "http://127.0.0.1:9/alice"}, {channel: email, target: alice@example.com}]}
  - {id: bob, name: Bob, time_zone: UTC, contact_methods: [{channel: webhook, target: "http://127.0.0.1:9/bob"}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    name: On call
    time_zone: UTC
    layers:
      - {name: primary, participants: [alice], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}, {targets: [{person: bob}], ack_timeout: 10m}], repeats: 1}
teams:
  - {id: ops, name: Ops, members: [alice, bob], calendar: office, schedule: oncall, policy: p}
routing_rules:
  - {id: all, team: ops}
delivery: {allow_http: true, allowed_networks: [127.0.0.0/8]}
)";

std::string WriteFile(const recovery::testing::TempDir& dir, const std::string& name, const std::string& bytes) {
  const std::string path = dir.File(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

recovery::testing::FixtureOptions WithConfig(const std::string& yaml) {
  recovery::testing::FixtureOptions options;
  options.config_yaml = yaml;
  return options;
}

// --- the token ---

TEST(AckLinkTokenTest, IsThePageIdAndTheFirst16BytesOfTheHmacInUnpaddedBase64Url) {
  const std::string token = AckLinkToken(kKey, kPage, "alice", kEscalation);
  const std::string mac =
      delivery::HmacSha256(kKey, absl::StrCat("recovery-ack-link-v1\n", kPage, "\nalice\n", kEscalation)).substr(0, 16);
  EXPECT_EQ(token, absl::StrCat(absl::WebSafeBase64Escape(kPage), ".", absl::WebSafeBase64Escape(mac)));
  EXPECT_FALSE(absl::StrContains(token, "=")) << token;
  EXPECT_EQ(AckLinkPageId(token), kPage);
  EXPECT_TRUE(VerifyAckLinkToken(kKey, token, kPage, "alice", kEscalation));
  // Bound to the person, the escalation and the key.
  EXPECT_FALSE(VerifyAckLinkToken(kKey, token, kPage, "bob", kEscalation));
  EXPECT_FALSE(VerifyAckLinkToken(kKey, token, kPage, "alice", kPage));
  EXPECT_FALSE(VerifyAckLinkToken("another key, also thirty-two byt", token, kPage, "alice", kEscalation));
  EXPECT_EQ(AckLinks(kKey, kConsole).Url(kPage, "alice", kEscalation), absl::StrCat(kConsole, "/ack/", token));
}

// What the app accepts: the page id the token names, and the MAC for that page's row.
bool Accepted(const std::string& token) {
  const std::optional<std::string> page = AckLinkPageId(token);
  return page && *page == kPage && VerifyAckLinkToken(kKey, token, *page, "alice", kEscalation);
}

TEST(AckLinkTokenTest, OneChangedCharacterAnywhereMakesItInvalid) {
  const std::string token = AckLinkToken(kKey, kPage, "alice", kEscalation);
  ASSERT_TRUE(Accepted(token));
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
  int tried = 0;
  for (size_t i = 0; i < token.size(); ++i) {
    for (const char c : alphabet) {
      if (c == token[i]) continue;
      std::string changed = token;
      changed[i] = c;
      EXPECT_FALSE(Accepted(changed)) << "position " << i << " -> '" << c << "': " << changed;
      ++tried;
    }
    EXPECT_FALSE(Accepted(token.substr(0, i) + token.substr(i + 1))) << "without position " << i;
  }
  EXPECT_GT(tried, 60 * static_cast<int>(token.size()));
  EXPECT_FALSE(Accepted(token + "A"));
  EXPECT_FALSE(Accepted(token + "="));
  EXPECT_FALSE(Accepted(token + ".A"));
  EXPECT_FALSE(Accepted(""));
  EXPECT_FALSE(AckLinkPageId(".").has_value());
}

// --- the flags ---

TEST(AckLinkFlagsTest, TheConsoleUrlIsASchemeAndAHostOnly) {
  EXPECT_EQ(ParseConsoleUrl("https://127.0.0.1:8443").value_or(""), "https://127.0.0.1:8443");
  EXPECT_EQ(ParseConsoleUrl("http://console.example/").value_or(""), "http://console.example");
  EXPECT_EQ(ParseConsoleUrl("https://[::1]:8443").value_or(""), "https://[::1]:8443");
  for (const char* bad : {"", "console.example", "ftp://console.example", "https://console.example/ui",
                          "https://console.example?x=1", "https://console.example#top", "https://user@console.example",
                          "https://console.example:0", "https://con sole.example", "https://"}) {
    const absl::StatusOr<std::string> parsed = ParseConsoleUrl(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "--console-url: ")) << parsed.status();
  }
}

TEST(AckLinkFlagsTest, AnUnreadableOrShortKeyFileOrOneFlagWithoutTheOtherStopsTheStart) {
  recovery::testing::TempDir dir;
  const std::string good = WriteFile(dir, "good.key", kKey);
  const std::string short_key = WriteFile(dir, "short.key", std::string(kKey).substr(0, 31));
  struct Case {
    std::string key_file, console_url, flag;
  };
  for (const Case& c : std::vector<Case>{{short_key, kConsole, "--ack-link-key-file: "},
                                         {dir.File("missing.key"), kConsole, "--ack-link-key-file: "},
                                         {"", kConsole, "--ack-link-key-file: "},
                                         {good, "", "--console-url: "},
                                         {good, "https://console.example/ack", "--console-url: "}}) {
    EscalationModule module(EscalationModule::Options{
        .start_delivery_worker = false, .ack_link_key_file = c.key_file, .console_url = c.console_url});
    const absl::Status built = recovery::testing::BuildWithConfig(module, kYaml);
    EXPECT_FALSE(built.ok()) << c.key_file << " " << c.console_url;
    EXPECT_TRUE(absl::StartsWith(built.message(), c.flag)) << built;
  }
  EscalationModule module(
      EscalationModule::Options{.start_delivery_worker = false, .ack_link_key_file = good, .console_url = kConsole});
  EXPECT_TRUE(recovery::testing::BuildWithConfig(module, kYaml).ok());
}

// --- the service ---

class AckLinkServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fx_.ok()); }

  // Opens a case and answers alice's webhook page (the escalation pages her first).
  v1::PageQueued Open(const std::string& case_id) {
    v1::Event e = common::NewEvent(fx_.clock().Now(), case_id, "intake", "tester", "req-" + case_id);
    e.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
    e.mutable_case_opened()->set_category("outage");
    e.mutable_case_opened()->set_summary("down");
    EXPECT_TRUE(fx_.Deliver(e).ok());
    fx_.Quiesce();
    for (const v1::Event& q : fx_.PublishedOfType("PageQueued")) {
      if (q.case_id() == case_id && q.page_queued().channel() == v1::PAGE_CHANNEL_WEBHOOK &&
          q.page_queued().person_id() == "alice") {
        return q.page_queued();
      }
    }
    ADD_FAILURE() << "no webhook page to alice for " << case_id;
    return {};
  }
  std::string TokenOf(const v1::PageQueued& page) {
    return AckLinkToken(kKey, page.page_id(), page.person_id(), page.escalation_id());
  }
  std::vector<delivery::Delivery> Rows(const std::string& escalation_id) {
    std::vector<delivery::Delivery> out;
    EXPECT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                  absl::StatusOr<std::vector<delivery::Delivery>> rows = delivery::ListByEscalation(tx, escalation_id);
                  if (!rows.ok()) return rows.status();
                  out = *std::move(rows);
                  return absl::OkStatus();
                }).ok());
    return out;
  }
  std::unique_ptr<v1::Escalation::Stub> As(const std::string& person) {
    return v1::Escalation::NewStub(fx_.ChannelAs(person));
  }
  grpc::Status Inspect(const std::string& token, const std::string& as, v1::AckLinkInfo* out) {
    v1::InspectAckLinkRequest r;
    r.set_token(token);
    auto ctx = common::ContextWithDeadline();
    return As(as)->InspectAckLink(ctx.get(), r, out);
  }
  grpc::Status UseLink(const std::string& token, const std::string& as, const std::string& request_id,
                       v1::EscalationInfo* out) {
    v1::AcknowledgeByLinkRequest r;
    r.set_request_id(request_id);
    r.set_token(token);
    auto ctx = common::ContextWithDeadline();
    return As(as)->AcknowledgeByLink(ctx.get(), r, out);
  }
  v1::EscalationInfo Get(const std::string& escalation_id) {
    v1::GetEscalationRequest r;
    r.set_escalation_id(escalation_id);
    v1::EscalationInfo out;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(As(recovery::testing::kTestPerson)->GetEscalation(ctx.get(), r, &out).ok());
    return out;
  }

  recovery::testing::TempDir dir_;
  EscalationModule module_{EscalationModule::Options{
      .start_delivery_worker = false, .ack_link_key_file = WriteFile(dir_, "ack.key", kKey), .console_url = kConsole}};
  recovery::testing::ServiceFixture fx_{module_, WithConfig(kYaml)};
};

void ExpectCode(const grpc::Status& st, grpc::StatusCode code, const std::string& message) {
  EXPECT_EQ(st.error_code(), code) << st.error_message();
  EXPECT_EQ(st.error_message(), message);
}

TEST_F(AckLinkServiceTest, WebhookAndEmailPagesCarryTheirAckUrlLogPagesAndRemindersDoNot) {
  const v1::PageQueued page = Open("case-1");
  int linked = 0;
  for (const delivery::Delivery& d : Rows(page.escalation_id())) {
    if (d.channel == Channel::kLog) {
      EXPECT_FALSE(absl::StrContains(d.payload, "ack_url")) << d.payload;
      continue;
    }
    storage::PagePayload payload;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(d.payload, &payload).ok()) << d.payload;
    EXPECT_EQ(payload.ack_url(),
              absl::StrCat(kConsole, "/ack/", AckLinkToken(kKey, d.page_id, d.person_id, d.escalation_id)));
    EXPECT_EQ(payload.page_id(), d.page_id);  // the rest of the body as before
    EXPECT_EQ(payload.summary(), "down");
    ++linked;
  }
  EXPECT_EQ(linked, 2) << "alice's webhook and e-mail pages";

  v1::Event due = common::NewEvent(fx_.clock().Now(), "case-1", "follow-up", "service:follow-up", "r-1");
  due.mutable_reminder_due()->set_reminder_id("rem-1");
  due.mutable_reminder_due()->set_recipient("alice");
  due.mutable_reminder_due()->set_reason("call the client back");
  ASSERT_TRUE(fx_.Deliver(due).ok());
  int reminders = 0;
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                auto rows = delivery::DueDeliveries(tx, absl::InfiniteFuture(), 100);
                if (!rows.ok()) return rows.status();
                for (const delivery::Delivery& d : *rows) {
                  if (d.kind != delivery::kKindReminder) continue;
                  ++reminders;
                  EXPECT_FALSE(absl::StrContains(d.payload, "ack_url")) << d.payload;
                }
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(reminders, 3) << "one per contact method of alice";
}

TEST(AckLinkUnconfiguredTest, PagesCarryNoLinkAndTheRpcsSayLinksAreNotConfigured) {
  EscalationModule module(EscalationModule::Options{.start_delivery_worker = false});
  recovery::testing::ServiceFixture fx(module, WithConfig(kYaml));
  ASSERT_TRUE(fx.ok());
  v1::Event e = common::NewEvent(fx.clock().Now(), "case-1", "intake", "tester", "req");
  e.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
  e.mutable_case_opened()->set_category("outage");
  e.mutable_case_opened()->set_summary("down");
  ASSERT_TRUE(fx.Deliver(e).ok());
  fx.Quiesce();
  const auto queued = fx.PublishedOfType("PageQueued");
  ASSERT_FALSE(queued.empty());
  const v1::PageQueued& page = queued[0].page_queued();
  ASSERT_TRUE(common::InTransaction(fx.store(), [&](common::Tx& tx) -> absl::Status {
                auto rows = delivery::ListByEscalation(tx, page.escalation_id());
                if (!rows.ok()) return rows.status();
                EXPECT_EQ(rows->size(), 3u);
                for (const delivery::Delivery& d : *rows) {
                  EXPECT_FALSE(absl::StrContains(d.payload, "ack_url")) << d.payload;
                }
                return absl::OkStatus();
              }).ok());

  auto stub = v1::Escalation::NewStub(fx.ChannelAs(page.person_id()));
  v1::InspectAckLinkRequest inspect;
  inspect.set_token(AckLinkToken(kKey, page.page_id(), page.person_id(), page.escalation_id()));
  v1::AckLinkInfo info;
  auto ctx = common::ContextWithDeadline();
  const std::string not_configured = "token: acknowledge links are not configured (--ack-link-key-file)";
  ExpectCode(stub->InspectAckLink(ctx.get(), inspect, &info), grpc::StatusCode::FAILED_PRECONDITION, not_configured);
  v1::AcknowledgeByLinkRequest use;
  use.set_request_id("use-1");
  use.set_token(inspect.token());
  v1::EscalationInfo acked;
  ctx = common::ContextWithDeadline();
  ExpectCode(stub->AcknowledgeByLink(ctx.get(), use, &acked), grpc::StatusCode::FAILED_PRECONDITION, not_configured);
}

TEST_F(AckLinkServiceTest, AValidLinkAcknowledgesAsThePagedPersonExactlyAsAcknowledgePageDoes) {
  const v1::PageQueued by_page = Open("case-page");
  const v1::PageQueued by_link = Open("case-link");
  fx_.ClearPublished();

  v1::AckLinkInfo info;
  grpc::Status st = Inspect(TokenOf(by_link), "alice", &info);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(info.state(), v1::ACK_LINK_STATE_VALID);
  EXPECT_EQ(info.page().page_id(), by_link.page_id());
  EXPECT_EQ(info.page().person_id(), "alice");
  EXPECT_EQ(info.page().case_id(), "case-link");
  EXPECT_EQ(info.page().channel(), v1::PAGE_CHANNEL_WEBHOOK);
  EXPECT_EQ(info.escalation().escalation_id(), by_link.escalation_id());
  EXPECT_EQ(info.escalation().status(), v1::ESCALATION_STATUS_PAGING);
  EXPECT_EQ(info.escalation().severity(), v1::SEVERITY_P1);
  EXPECT_TRUE(info.escalation().has_started_at());
  EXPECT_FALSE(info.has_used_at());
  EXPECT_EQ(info.used_by(), "");
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty()) << "inspecting changes nothing";

  // The same acknowledgement two ways, a minute apart.
  v1::AcknowledgePageRequest ack;
  ack.set_request_id("ack-page");
  ack.set_page_id(by_page.page_id());
  v1::EscalationInfo acked_by_page;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(As("alice")->AcknowledgePage(ctx.get(), ack, &acked_by_page).ok());
  fx_.Quiesce();
  const std::vector<v1::Event> page_events = fx_.published();
  fx_.ClearPublished();
  fx_.Advance(absl::Minutes(1));
  const absl::Time used_at = fx_.clock().Now();
  v1::EscalationInfo acked_by_link;
  st = UseLink(TokenOf(by_link), "alice", "ack-link", &acked_by_link);
  ASSERT_TRUE(st.ok()) << st.error_message();
  fx_.Quiesce();
  const std::vector<v1::Event> link_events = fx_.published();

  EXPECT_EQ(acked_by_link.status(), v1::ESCALATION_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(acked_by_link.acknowledged_by(), "alice");
  EXPECT_EQ(acked_by_link.escalation_id(), by_link.escalation_id());
  ASSERT_EQ(link_events.size(), page_events.size());
  for (size_t i = 0; i < link_events.size(); ++i) {
    EXPECT_EQ(common::EventTypeName(link_events[i]), common::EventTypeName(page_events[i])) << i;
    EXPECT_EQ(link_events[i].actor(), page_events[i].actor()) << i;
  }
  ASSERT_EQ(fx_.PublishedOfType("EscalationAcknowledged").size(), 1u);
  const v1::Event e = fx_.PublishedOfType("EscalationAcknowledged")[0];
  EXPECT_EQ(e.actor(), "person:alice");
  EXPECT_EQ(e.causation_id(), "ack-link");
  EXPECT_EQ(e.escalation_acknowledged().escalation_id(), by_link.escalation_id());
  EXPECT_EQ(e.escalation_acknowledged().page_id(), by_link.page_id());
  EXPECT_EQ(e.escalation_acknowledged().acknowledged_by(), "alice");
  for (const delivery::Delivery& d : Rows(by_link.escalation_id())) EXPECT_EQ(d.status, delivery::kCancelled);
  EXPECT_EQ(fx_.runtime().timers().Pending(), 0) << "no ack timer of either escalation is left";

  // A replay of the request answers the same and publishes nothing.
  fx_.ClearPublished();
  fx_.Advance(absl::Minutes(1));
  v1::EscalationInfo replay;
  st = UseLink(TokenOf(by_link), "alice", "ack-link", &replay);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(replay.SerializeAsString(), acked_by_link.SerializeAsString());
  // Used up: another request is refused, and the link says when and by whom it was used.
  ExpectCode(UseLink(TokenOf(by_link), "alice", "ack-link-2", &replay), grpc::StatusCode::FAILED_PRECONDITION,
             absl::StrCat("token: this link was already used at ",
                          absl::FormatTime(absl::RFC3339_sec, used_at, absl::UTCTimeZone())));
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty());
  st = Inspect(TokenOf(by_link), "alice", &info);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(info.state(), v1::ACK_LINK_STATE_USED);
  EXPECT_EQ(common::FromProto(info.used_at()), used_at);
  EXPECT_EQ(info.used_by(), "alice");
  EXPECT_EQ(info.escalation().status(), v1::ESCALATION_STATUS_ACKNOWLEDGED);
  // The other escalation's link was never used: it ended with the acknowledgement.
  st = Inspect(TokenOf(by_page), "alice", &info);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(info.state(), v1::ACK_LINK_STATE_ENDED);
  ExpectCode(UseLink(TokenOf(by_page), "alice", "ack-ended", &replay), grpc::StatusCode::FAILED_PRECONDITION,
             "token: the escalation has ended (acknowledged)");
}

TEST_F(AckLinkServiceTest, ALinkStillAcknowledgesAfterTheEscalationMovedToTheNextTier) {
  const v1::PageQueued page = Open("case-1");
  fx_.Advance(absl::Minutes(5));  // tier 1: bob is paged
  ASSERT_EQ(Get(page.escalation_id()).tier(), 1);
  v1::EscalationInfo acked;
  grpc::Status st = UseLink(TokenOf(page), "alice", "late", &acked);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(acked.status(), v1::ESCALATION_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(acked.acknowledged_by(), "alice");
}

TEST_F(AckLinkServiceTest, AnExhaustedEscalationStillTakesItsLinks) {
  const v1::PageQueued page = Open("case-1");
  for (int i = 0; i < 50 && Get(page.escalation_id()).status() != v1::ESCALATION_STATUS_EXHAUSTED; ++i) {
    fx_.Advance(absl::Minutes(5));
  }
  ASSERT_EQ(Get(page.escalation_id()).status(), v1::ESCALATION_STATUS_EXHAUSTED);
  v1::AckLinkInfo info;
  ASSERT_TRUE(Inspect(TokenOf(page), "alice", &info).ok());
  EXPECT_EQ(info.state(), v1::ACK_LINK_STATE_VALID) << "nobody has it yet: the paged person may still take it";
  v1::EscalationInfo acked;
  grpc::Status st = UseLink(TokenOf(page), "alice", "after-exhausted", &acked);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(acked.status(), v1::ESCALATION_STATUS_ACKNOWLEDGED);
}

TEST_F(AckLinkServiceTest, OnlyThePagedPersonMayUseTheLinkEvenWithAcknowledgeAny) {
  const v1::PageQueued page = Open("case-1");
  fx_.ClearPublished();
  // bob: a responder of the team (tier 1 pages him); lee: pages.acknowledge_any; mia and
  // tester: admins.
  for (const std::string who : {"bob", "lee", "mia", recovery::testing::kTestPerson}) {
    const std::string message = absl::StrCat("token: this link was sent to alice; you are signed in as ", who);
    v1::AckLinkInfo info;
    ExpectCode(Inspect(TokenOf(page), who, &info), grpc::StatusCode::PERMISSION_DENIED, message);
    EXPECT_FALSE(info.has_page()) << who << " learns nothing of the page";
    v1::EscalationInfo acked;
    ExpectCode(UseLink(TokenOf(page), who, "use-" + who, &acked), grpc::StatusCode::PERMISSION_DENIED, message);
  }
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty()) << common::EventTypeName(fx_.published().front());
  EXPECT_EQ(Get(page.escalation_id()).status(), v1::ESCALATION_STATUS_PAGING);
  v1::AckLinkInfo info;
  ASSERT_TRUE(Inspect(TokenOf(page), "alice", &info).ok());
  EXPECT_EQ(info.state(), v1::ACK_LINK_STATE_VALID) << "still unused";
}

TEST_F(AckLinkServiceTest, AResolvedEscalationEndsItsLinks) {
  const v1::PageQueued page = Open("case-1");
  v1::ResolveEscalationRequest resolve;
  resolve.set_request_id("resolve-1");
  resolve.set_escalation_id(page.escalation_id());
  v1::EscalationInfo resolved;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(As(recovery::testing::kTestPerson)->ResolveEscalation(ctx.get(), resolve, &resolved).ok());
  fx_.Quiesce();
  fx_.ClearPublished();

  v1::AckLinkInfo info;
  grpc::Status st = Inspect(TokenOf(page), "alice", &info);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(info.state(), v1::ACK_LINK_STATE_ENDED);
  EXPECT_EQ(info.escalation().status(), v1::ESCALATION_STATUS_RESOLVED);
  EXPECT_FALSE(info.has_used_at());
  v1::EscalationInfo acked;
  ExpectCode(UseLink(TokenOf(page), "alice", "too-late", &acked), grpc::StatusCode::FAILED_PRECONDITION,
             "token: the escalation has ended (resolved)");
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty());
}

TEST_F(AckLinkServiceTest, AMalformedOrForgedTokenIsInvalidWithOneMessageThatNeverEchoesIt) {
  const v1::PageQueued page = Open("case-1");
  v1::Event due = common::NewEvent(fx_.clock().Now(), "case-1", "follow-up", "service:follow-up", "r-1");
  due.mutable_reminder_due()->set_reminder_id("rem-1");
  due.mutable_reminder_due()->set_recipient("alice");
  ASSERT_TRUE(fx_.Deliver(due).ok());
  std::string reminder_id;
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                auto rows = delivery::DueDeliveries(tx, absl::InfiniteFuture(), 100);
                if (!rows.ok()) return rows.status();
                for (const delivery::Delivery& d : *rows) {
                  if (d.kind == delivery::kKindReminder) reminder_id = d.page_id;
                }
                return absl::OkStatus();
              }).ok());
  ASSERT_FALSE(reminder_id.empty());
  fx_.Quiesce();
  fx_.ClearPublished();

  std::string flipped = TokenOf(page);
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  const std::vector<std::string> tokens = {
      "",
      "not-a-token",
      flipped,
      TokenOf(page) + "x",
      AckLinkToken("another key, also thirty-two byt", page.page_id(), "alice", page.escalation_id()),
      AckLinkToken(kKey, page.page_id(), "bob", page.escalation_id()),                      // signed for someone else
      AckLinkToken(kKey, common::NewId(fx_.clock().Now()), "alice", page.escalation_id()),  // no such page
      AckLinkToken(kKey, reminder_id, "alice", ""),                                         // a reminder
      AckLinkToken(kKey, "not-a-uuid", "alice", page.escalation_id()),
      std::string(300, 'A'),
  };
  for (const std::string& token : tokens) {
    v1::AckLinkInfo info;
    const grpc::Status inspected = Inspect(token, "alice", &info);
    ExpectCode(inspected, grpc::StatusCode::INVALID_ARGUMENT, "token: not a valid acknowledge link");
    v1::EscalationInfo acked;
    ExpectCode(UseLink(token, "alice", common::NewId(fx_.clock().Now()), &acked), grpc::StatusCode::INVALID_ARGUMENT,
               "token: not a valid acknowledge link");
  }
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty());
  EXPECT_EQ(Get(page.escalation_id()).status(), v1::ESCALATION_STATUS_PAGING);
}

TEST_F(AckLinkServiceTest, WithoutACredentialBothAreUnauthenticatedAndNothingChanges) {
  const v1::PageQueued page = Open("case-1");
  fx_.ClearPublished();
  auto anonymous = v1::Escalation::NewStub(fx_.ChannelWithToken(""));
  v1::InspectAckLinkRequest inspect;
  inspect.set_token(TokenOf(page));
  v1::AckLinkInfo info;
  auto ctx = common::ContextWithDeadline();
  EXPECT_EQ(anonymous->InspectAckLink(ctx.get(), inspect, &info).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::AcknowledgeByLinkRequest use;
  use.set_request_id("use-1");
  use.set_token(TokenOf(page));
  v1::EscalationInfo acked;
  ctx = common::ContextWithDeadline();
  EXPECT_EQ(anonymous->AcknowledgeByLink(ctx.get(), use, &acked).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty());
  ASSERT_TRUE(Inspect(TokenOf(page), "alice", &info).ok());
  EXPECT_EQ(info.state(), v1::ACK_LINK_STATE_VALID);
}

}  // namespace
}  // namespace recovery::escalation
