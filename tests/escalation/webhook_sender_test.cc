// The webhook sender's target checks at delivery time, against real receivers on 127.0.0.1:
// a refused target (the cloud metadata address, loopback outside the allow-list, a name that
// resolves to loopback, a name that now resolves elsewhere than when the configuration was
// validated) fails for good before any connection, the receiver sees nothing; curl connects to
// the address the sender resolved and checked (a name only the test's resolver knows is
// delivered); redirects are not followed; the worker fails a refused page at once.
#include <gtest/gtest.h>

#include <atomic>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/clock.h"
#include "services/common/store.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/delivery/senders.h"
#include "services/escalation/delivery/signature.h"
#include "services/escalation/delivery/worker.h"
#include "services/escalation/domain/config.h"
#include "tests/escalation/test_util.h"
#include "tests/escalation/webhook_receiver.h"
#include "yaml-cpp/yaml.h"

namespace recovery::escalation::delivery {
namespace {

using recovery::escalation::testing::WebhookReceiver;
using testing_util::FakeResolver;

constexpr char kNotInternal[] =
    "; webhooks may not reach internal networks unless delivery.allowed_networks contains the address";

DeliverySettings Allowing(std::vector<std::string> networks) {
  DeliverySettings s;
  s.webhook_targets.allow_http = true;
  for (const std::string& n : networks) s.webhook_targets.allowed_networks.push_back(*common::ParseIpNetwork(n));
  return s;
}

Delivery To(const std::string& target) {
  Delivery d;
  d.page_id = "p1";
  d.channel = Channel::kWebhook;
  d.target = target;
  d.idempotency_key = "key-p1";
  d.payload = R"({"page_id":"p1"})";
  return d;
}

// Signatures as a receiver sees them: version 2 by default, stamped with the injected clock
// and signed with the current and the previous secret; version 1 only when asked for.
TEST(WebhookSenderTest, SignsVersion2ByDefaultWithEverySecretAndVersion1OnlyWhenAsked) {
  WebhookReceiver rx;
  common::ManualClock clock(absl::FromUnixSeconds(1795514400));
  DeliverySettings settings = Allowing({"127.0.0.0/8"});
  settings.webhook_secret = "whsec-current";
  settings.webhook_previous_secrets = {"whsec-previous"};
  WebhookSender v2([&settings] { return settings; }, common::ResolveHost, clock);
  ASSERT_TRUE(v2.Send(To(rx.Url("/alice"))).ok);
  clock.Advance(absl::Minutes(1));
  settings.sign_v1 = true;
  settings.sign_v2 = false;
  ASSERT_TRUE(v2.Send(To(rx.Url("/alice"))).ok);
  settings.sign_v2 = true;
  ASSERT_TRUE(v2.Send(To(rx.Url("/alice"))).ok);

  const std::vector<testing::ReceivedRequest> got = rx.requests();
  ASSERT_EQ(got.size(), 3u);
  const std::string body = R"({"page_id":"p1"})";
  ASSERT_TRUE(got[0].headers.count("x-recovery-signature-v2"));
  EXPECT_FALSE(got[0].headers.count("x-recovery-signature"));
  const std::string& header = got[0].headers.at("x-recovery-signature-v2");
  EXPECT_EQ(header, SignatureV2Value({"whsec-current", "whsec-previous"}, clock.Now() - absl::Minutes(1), body));
  EXPECT_TRUE(absl::StartsWith(header, "t=1795514400,v2="));
  EXPECT_TRUE(VerifySignatureV2({"whsec-previous"}, body, header, clock.Now()).ok());
  EXPECT_EQ(VerifySignatureV2({"whsec-current"}, body, header, clock.Now() + absl::Minutes(5)).code(),
            absl::StatusCode::kUnauthenticated);  // replayed six minutes later

  EXPECT_FALSE(got[1].headers.count("x-recovery-signature-v2"));
  ASSERT_TRUE(got[1].headers.count("x-recovery-signature"));
  EXPECT_TRUE(VerifySignature("whsec-current", body, got[1].headers.at("x-recovery-signature")));
  EXPECT_TRUE(got[2].headers.count("x-recovery-signature"));
  EXPECT_TRUE(absl::StartsWith(got[2].headers.at("x-recovery-signature-v2"), "t=1795514460,v2="));
}

TEST(WebhookSenderTest, UnsignedWithoutASecret) {
  WebhookReceiver rx;
  WebhookSender sender([] { return Allowing({"127.0.0.0/8"}); });
  ASSERT_TRUE(sender.Send(To(rx.Url("/alice"))).ok);
  ASSERT_EQ(rx.requests().size(), 1u);
  EXPECT_FALSE(rx.requests()[0].headers.count("x-recovery-signature-v2"));
  EXPECT_FALSE(rx.requests()[0].headers.count("x-recovery-signature"));
}

TEST(WebhookSenderTest, TheCloudMetadataAddressIsRefusedForGood) {
  WebhookSender sender([] { return Allowing({"127.0.0.0/8"}); });
  const SendResult r = sender.Send(To("http://169.254.169.254/latest/meta-data/"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.permanent);
  EXPECT_EQ(r.error, absl::StrCat("refused: 169.254.169.254 is a link-local address (the cloud metadata address)",
                                  kNotInternal));
}

TEST(WebhookSenderTest, LoopbackOutsideTheAllowListIsRefusedAndNothingIsSent) {
  WebhookReceiver rx;
  WebhookSender sender([] { return Allowing({"10.1.0.0/16"}); });
  const SendResult r = sender.Send(To(rx.Url("/alice")));
  EXPECT_TRUE(r.permanent);
  EXPECT_EQ(r.error, absl::StrCat("refused: 127.0.0.1 is a loopback address", kNotInternal));
  EXPECT_EQ(rx.count(), 0u);
  // And over http when http is not allowed, whatever the network.
  WebhookSender https_only([] { return DeliverySettings{}; });
  EXPECT_EQ(https_only.Send(To(rx.Url("/alice"))).error,
            "refused: http is not allowed (use https, or set delivery.allow_http)");
  EXPECT_EQ(rx.count(), 0u);
}

// The system resolver on /etc/hosts: localhost is 127.0.0.1, which the one literal entry
// (127.0.0.2) does not allow.
TEST(WebhookSenderTest, ANameThatResolvesToLoopbackIsRefusedWhenOnlyALiteralEntryIsAllowed) {
  WebhookReceiver rx;
  WebhookSender sender([] { return Allowing({"127.0.0.2"}); });
  const SendResult r = sender.Send(To(absl::StrCat("http://localhost:", rx.port(), "/alice")));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.permanent);
  EXPECT_EQ(r.error.rfind("refused: localhost resolves to ", 0), 0u) << r.error;
  EXPECT_NE(r.error.find(absl::StrCat(", a loopback address", kNotInternal)), std::string::npos) << r.error;
  EXPECT_EQ(rx.count(), 0u);
}

// The configuration was valid when loaded (hooks.test was on an allowed network); by the time
// of the delivery the name resolves to a private address outside it: refused.
TEST(WebhookSenderTest, ANameThatResolvesElsewhereAfterValidationIsRefusedAtDelivery) {
  WebhookReceiver rx;
  auto answer = std::make_shared<std::atomic<int>>(0);
  const std::string first = "127.0.0.1", later = "10.66.0.7";
  common::HostResolver dns = [answer, first, later](const std::string& host) {
    return FakeResolver({{"hooks.test", {*answer == 0 ? first : later}}})(host);
  };
  const std::string target = absl::StrCat("http://hooks.test:", rx.port(), "/alice");
  const std::string yaml = absl::StrCat(R"(
people:
  - {id: alice, time_zone: UTC, contact_methods: [{channel: webhook, target: ")",
                                        target, R"("}]}
delivery: {allow_http: true, allowed_networks: [127.0.0.0/8]}
)");
  absl::StatusOr<EscalationConfig> config = ParseEscalationConfig(YAML::Load(yaml), dns);
  ASSERT_TRUE(config.ok()) << config.status();

  DeliverySettings settings;
  settings.webhook_targets = config->delivery;
  WebhookSender sender([settings] { return settings; }, dns);
  ASSERT_TRUE(sender.Send(To(target)).ok) << "delivered while the name is on the allowed network";
  EXPECT_EQ(rx.count(), 1u);

  *answer = 1;
  const SendResult r = sender.Send(To(target));
  EXPECT_TRUE(r.permanent);
  EXPECT_EQ(r.error, absl::StrCat("refused: hooks.test resolves to 10.66.0.7, a private address", kNotInternal));
  EXPECT_EQ(rx.count(), 1u);
}

// pinned.test exists only in the test's resolver: the page arrives because curl connects to the
// address the sender resolved and checked, not to one it looks up itself; the Host header is
// still the URL's.
TEST(WebhookSenderTest, CurlConnectsToTheAddressTheSenderChecked) {
  WebhookReceiver rx;
  WebhookSender sender([] { return Allowing({"127.0.0.0/8"}); }, FakeResolver({{"pinned.test", {"127.0.0.1"}}}));
  const SendResult r = sender.Send(To(absl::StrCat("http://pinned.test:", rx.port(), "/alice")));
  EXPECT_TRUE(r.ok) << r.error;
  ASSERT_EQ(rx.count(), 1u);
  EXPECT_EQ(rx.requests()[0].headers["host"], absl::StrCat("pinned.test:", rx.port()));
  EXPECT_EQ(rx.requests()[0].path, "/alice");
}

TEST(WebhookSenderTest, ANameThatDoesNotResolveIsAnOrdinaryRetriedFailure) {
  WebhookSender sender([] { return DeliverySettings{}; }, FakeResolver());
  const SendResult r = sender.Send(To("https://gone.test/alice"));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.permanent);
  EXPECT_EQ(r.error, "cannot resolve gone.test: unknown name");
}

TEST(WebhookSenderTest, ARedirectIsNotFollowedAndFailsForGood) {
  WebhookReceiver rx;
  rx.set_status(302);
  WebhookSender sender([] { return Allowing({"127.0.0.0/8"}); });
  const SendResult r = sender.Send(To(rx.Url("/alice")));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.permanent);
  EXPECT_EQ(r.error, "HTTP 302: redirects are not followed (configure the final URL)");
  EXPECT_EQ(rx.count(), 1u);
}

TEST(WebhookSenderTest, UserInformationInTheUrlIsRefused) {
  WebhookReceiver rx;
  WebhookSender sender([] { return Allowing({"127.0.0.0/8"}); });
  const SendResult r = sender.Send(To(absl::StrCat("http://evil.example@127.0.0.1:", rx.port(), "/")));
  EXPECT_TRUE(r.permanent);
  EXPECT_EQ(r.error, "refused: must not contain user information (user@host)");
  EXPECT_EQ(rx.count(), 0u);
}

// The worker records a refused attempt as failed at once: one attempt, no retry scheduled.
TEST(WebhookSenderTest, TheWorkerFailsARefusedPageAtOnce) {
  auto store = std::move(*common::OpenStore(":memory:"));
  ASSERT_TRUE(store->Migrate("escalation", QueueMigrationSteps()).ok());
  common::ManualClock clock{absl::FromUnixSeconds(1'800'000'000)};
  Delivery d = To("http://169.254.169.254/");
  d.escalation_id = "esc-1";
  d.case_id = "case-1";
  d.person_id = "alice";
  d.next_attempt_at = clock.Now();
  d.created_at = clock.Now();
  ASSERT_TRUE(common::InTransaction(*store, [&](common::Tx& tx) { return Enqueue(tx, d).status(); }).ok());
  std::vector<std::string> outcomes;
  DeliveryWorker::Hooks hooks;
  hooks.on_outcome = [&](common::Tx&, const Delivery& row, const SendResult& r) {
    outcomes.push_back(absl::StrCat(row.status, r.permanent ? " (permanent)" : ""));
    return absl::OkStatus();
  };
  WebhookSender sender([] { return Allowing({}); });
  DeliveryWorker worker(*store, clock, hooks, {{Channel::kWebhook, &sender}});
  ASSERT_EQ(*worker.RunOnce(), 1);
  clock.Advance(absl::Hours(1));
  ASSERT_EQ(*worker.RunOnce(), 0) << "not retried";
  Delivery row;
  ASSERT_TRUE(common::InTransaction(*store, [&](common::Tx& tx) -> absl::Status {
                auto loaded = LoadDelivery(tx, "p1");
                if (!loaded.ok()) return loaded.status();
                row = **loaded;
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(row.status, kFailed);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(
      row.last_error,
      absl::StrCat("refused: 169.254.169.254 is a link-local address (the cloud metadata address)", kNotInternal));
  EXPECT_EQ(outcomes, (std::vector<std::string>{"failed (permanent)"}));
}

}  // namespace
}  // namespace recovery::escalation::delivery
