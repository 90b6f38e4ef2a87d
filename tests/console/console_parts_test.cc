// The console's parts without a network: the SSE fan-out, the session store on a manual clock,
// PKCE.
#include <thread>

#include "gtest/gtest.h"
#include "services/common/clock.h"
#include "services/common/store.h"
#include "services/console/live.h"
#include "services/console/oidc.h"
#include "services/console/sessions.h"

namespace recovery::console {
namespace {

v1::Event CaseEvent(const std::string& id, const std::string& case_id) {
  v1::Event e;
  e.set_event_id(id);
  e.set_case_id(case_id);
  e.set_source("intake");
  e.set_actor("person:lee");
  e.mutable_case_acknowledged();
  return e;
}

TEST(LiveHubTest, EveryListenerGetsEachEventOnceAsProtobufJson) {
  LiveHub hub;
  auto a = hub.Subscribe();
  auto b = hub.Subscribe();
  hub.Publish(CaseEvent("e1", "c1"));
  for (const auto& l : {a, b}) {
    std::optional<std::string> m = l->Next(absl::Seconds(1));
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(*m,
              "id: e1\nevent: event\ndata: {\"eventId\":\"e1\",\"caseId\":\"c1\",\"source\":\"intake\","
              "\"actor\":\"person:lee\",\"caseAcknowledged\":{}}\n\n");
    EXPECT_FALSE(l->Next(absl::ZeroDuration()).has_value());
  }
  EXPECT_EQ(hub.published(), 1);
}

TEST(LiveHubTest, ConfigurationAndAccessEventsAreNotStreamed) {
  LiveHub hub;
  auto a = hub.Subscribe();
  hub.Publish(CaseEvent("e1", "config:escalation"));
  hub.Publish(CaseEvent("e0", "access:c1"));
  hub.Publish(CaseEvent("e2", "c1"));
  std::optional<std::string> m = a->Next(absl::Seconds(1));
  ASSERT_TRUE(m.has_value());
  EXPECT_NE(m->find("id: e2\n"), std::string::npos);
}

TEST(LiveHubTest, ASlowListenerIsClosedAndTheOthersGoOn) {
  LiveHub hub(/*max_queue=*/2);
  auto slow = hub.Subscribe();
  auto fast = hub.Subscribe();
  for (int i = 0; i < 3; ++i) {
    hub.Publish(CaseEvent("e" + std::to_string(i), "c1"));
    ASSERT_TRUE(fast->Next(absl::Seconds(1)).has_value());
  }
  EXPECT_TRUE(slow->closed());
  EXPECT_FALSE(slow->Next(absl::ZeroDuration()).has_value());
  EXPECT_FALSE(fast->closed());
  EXPECT_EQ(hub.listeners(), 1u);
  EXPECT_EQ(hub.dropped_listeners(), 1);
}

TEST(LiveHubTest, CloseAllWakesAWaitingListener) {
  LiveHub hub;
  auto a = hub.Subscribe();
  std::thread waiter([&] { EXPECT_FALSE(a->Next(absl::Hours(1)).has_value()); });
  hub.CloseAll();
  waiter.join();
  EXPECT_TRUE(a->closed());
}

TEST(PkceTest, ChallengeIsRfc7636AppendixB) {
  EXPECT_EQ(OidcRelyingParty::Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  const std::string a = OidcRelyingParty::RandomToken();
  EXPECT_EQ(a.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_NE(a, OidcRelyingParty::RandomToken());
}

class SessionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = common::OpenSqliteStore(":memory:");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate("console", SessionStore::Migrations()).ok());
    sessions_ = std::make_unique<SessionStore>(*store_, clock_, absl::Hours(12));
  }
  TokenSet Tokens(const std::string& access) {
    TokenSet t;
    t.access_token = access;
    t.refresh_token = "refresh-" + access;
    t.access_expires = clock_.Now() + absl::Minutes(10);
    t.email = "lee@demo.example";
    return t;
  }
  common::ManualClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  std::unique_ptr<common::Store> store_;
  std::unique_ptr<SessionStore> sessions_;
};

TEST_F(SessionStoreTest, ASessionIsFoundByItsIdUntilItExpires) {
  auto id = sessions_->Create("lee", Tokens("a1"));
  ASSERT_TRUE(id.ok());
  auto found = sessions_->Find(*id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((**found).person, "lee");
  EXPECT_EQ((**found).tokens.access_token, "a1");
  EXPECT_EQ((**found).tokens.email, "lee@demo.example");
  EXPECT_FALSE((**found).csrf.empty());
  EXPECT_NE((**found).key, *id);  // stored by hash, never by the id itself
  auto other = sessions_->Find(*id + "x");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());

  clock_.Advance(absl::Hours(12));
  found = sessions_->Find(*id);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(SessionStoreTest, RenewedTokensReplaceTheOldAndDeleteEndsTheSession) {
  auto id = sessions_->Create("lee", Tokens("a1"));
  ASSERT_TRUE(id.ok());
  auto found = sessions_->Find(*id);
  ASSERT_TRUE(found.ok() && found->has_value());
  ASSERT_TRUE(sessions_->UpdateTokens((**found).key, Tokens("a2")).ok());
  auto renewed = sessions_->Find(*id);
  ASSERT_TRUE(renewed.ok() && renewed->has_value());
  EXPECT_EQ((**renewed).tokens.access_token, "a2");
  EXPECT_EQ((**renewed).csrf, (**found).csrf);
  ASSERT_TRUE(sessions_->Delete((**found).key).ok());
  auto gone = sessions_->Find(*id);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST_F(SessionStoreTest, APendingSignInIsTakenOnceWithinTenMinutes) {
  PendingLogin login{"state-1", "verifier-1", "nonce-1", "https://idp/authorize"};
  ASSERT_TRUE(sessions_->SaveLogin(login, "/ack/abc").ok());
  auto taken = sessions_->TakeLogin("state-1");
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ((**taken).verifier, "verifier-1");
  EXPECT_EQ((**taken).nonce, "nonce-1");
  EXPECT_EQ((**taken).return_to, "/ack/abc");
  auto again = sessions_->TakeLogin("state-1");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());

  ASSERT_TRUE(sessions_->SaveLogin({"state-2", "v", "n", ""}, "/").ok());
  clock_.Advance(SessionStore::kLoginTtl);
  auto late = sessions_->TakeLogin("state-2");
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->has_value());
}

TEST_F(SessionStoreTest, SweepRemovesWhatExpired) {
  ASSERT_TRUE(sessions_->Create("lee", Tokens("a1")).ok());
  ASSERT_TRUE(sessions_->SaveLogin({"state-1", "v", "n", ""}, "/").ok());
  auto none = sessions_->Sweep();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  clock_.Advance(absl::Hours(13));
  auto swept = sessions_->Sweep();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 2);
}

}  // namespace
}  // namespace recovery::console
