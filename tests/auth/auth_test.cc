// Credentials and the policy table: JwtVerifier against a provider's discovery and JWKS
// documents (served by a fake HTTP getter, on a manual clock), forged and broken tokens, API
// tokens, identity mapping, limits, reloads, and the policy's coverage of every RPC.
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "google/protobuf/descriptor.h"
#include "recovery/v1/action_plan.grpc.pb.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "recovery/v1/follow_up.grpc.pb.h"
#include "recovery/v1/intake.grpc.pb.h"
#include "recovery/v1/operations.grpc.pb.h"
#include "recovery/v1/testing.grpc.pb.h"
#include "services/common/auth/access_control.h"
#include "services/common/auth/jwt_verifier.h"
#include "services/common/auth/policy.h"
#include "services/common/clock.h"
#include "tests/support/test_identity.h"

namespace recovery::common {
namespace {

using recovery::testing::JwksOf;
using recovery::testing::SigningKey;
using recovery::testing::TokenSpec;

constexpr char kIssuer[] = "https://idp.example";
constexpr char kAudience[] = "urn:recovery:api";
const absl::Time kStart = absl::FromUnixSeconds(1800000000);

// The identity provider's two documents, as its HTTP endpoints would serve them.
struct FakeProvider {
  std::string jwks;
  bool down = false;
  int gets = 0;
  HttpGet Getter() {
    return [this](const std::string& url) -> absl::StatusOr<std::string> {
      ++gets;
      if (down) return absl::UnavailableError("connection refused");
      if (url == std::string(kIssuer) + "/.well-known/openid-configuration")
        return std::string(R"({"issuer": "https://idp.example", "jwks_uri": "https://idp.example/jwks"})");
      if (url == std::string(kIssuer) + "/jwks") return jwks;
      return absl::UnavailableError("HTTP 404");
    };
  }
};

OidcSettings Settings() {
  OidcSettings o;
  o.issuer = kIssuer;
  o.audience = kAudience;
  return o;
}

TokenSpec Spec(const std::string& sub, absl::Time now = kStart) {
  TokenSpec s;
  s.sub = sub;
  s.issuer = kIssuer;
  s.audience = kAudience;
  s.now = now;
  s.lifetime = absl::Minutes(10);
  s.groups = {"responders"};
  return s;
}

std::string B64(const std::string& s) { return absl::WebSafeBase64Escape(s); }

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() : clock_(kStart), key_(SigningKey::Ec("k1")) {
    provider_.jwks = JwksOf({key_.PublicJwk()});
    verifier_ = std::make_unique<JwtVerifier>(Settings(), clock_, provider_.Getter());
  }
  void ExpectRefused(const std::string& token, const std::string& why) {
    auto r = verifier_->Verify(token);
    ASSERT_FALSE(r.ok()) << "accepted a token that should be refused for: " << why;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated) << r.status();
    EXPECT_TRUE(absl::StrContains(r.status().message(), why)) << r.status();
  }
  ManualClock clock_;
  SigningKey key_;
  FakeProvider provider_;
  std::unique_ptr<JwtVerifier> verifier_;
};

TEST_F(VerifierTest, ValidEs256TokenVerifiesWithKeysFromDiscovery) {
  auto claims = verifier_->Verify(key_.Sign(Spec("lee")));
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->subject, "lee");
  EXPECT_EQ(claims->groups, std::vector<std::string>{"responders"});
  EXPECT_EQ(claims->expires, kStart + absl::Minutes(10));
}

TEST_F(VerifierTest, ValidRs256TokenVerifies) {
  SigningKey rsa = SigningKey::Rsa("r1");
  provider_.jwks = JwksOf({key_.PublicJwk(), rsa.PublicJwk()});
  TokenSpec s = Spec("lee");
  s.alg = "RS256";
  auto claims = verifier_->Verify(rsa.Sign(s));
  EXPECT_TRUE(claims.ok()) << claims.status();
}

TEST_F(VerifierTest, ForgedAndBrokenTokensAreRefused) {
  // Another key claiming the provider's kid.
  ExpectRefused(SigningKey::Ec("k1").Sign(Spec("lee")), "signature does not verify");
  // alg none: a header and claims with an empty signature.
  const std::string claims_json =
      R"({"iss":"https://idp.example","aud":"urn:recovery:api","sub":"lee","exp":1900000000})";
  ExpectRefused(B64(R"({"alg":"none","kid":"k1"})") + "." + B64(claims_json) + ".", "algorithm 'none'");
  // HS256 "signed" with the public key's JWK text as the HMAC secret.
  TokenSpec hs = Spec("lee");
  hs.alg = "HS256";
  hs.kid = "k1";
  ExpectRefused(SigningKey::Hmac(key_.PublicJwk(), "k1").Sign(hs), "algorithm 'HS256'");
  // Time and audience.
  ExpectRefused(key_.Sign(Spec("lee", kStart - absl::Minutes(20))), "expired");
  TokenSpec early = Spec("lee");
  early.not_before = kStart + absl::Minutes(5);
  ExpectRefused(key_.Sign(early), "not valid yet");
  TokenSpec iss = Spec("lee");
  iss.issuer = "https://evil.example";
  ExpectRefused(key_.Sign(iss), "issuer");
  TokenSpec aud = Spec("lee");
  aud.audience = "urn:other:api";
  ExpectRefused(key_.Sign(aud), "audience");
  ExpectRefused(SigningKey::Ec("k-unknown").Sign(Spec("lee")), "unknown signing key");
  ExpectRefused("not-a-token", "three dot-separated parts");
  // Tampered claims with the original signature.
  const std::string good = key_.Sign(Spec("lee"));
  const auto dot1 = good.find('.'), dot2 = good.rfind('.');
  const std::string tampered =
      good.substr(0, dot1 + 1) +
      B64(R"({"iss":"https://idp.example","aud":"urn:recovery:api","sub":"mia","exp":1900000000})") + good.substr(dot2);
  ExpectRefused(tampered, "signature does not verify");
}

TEST_F(VerifierTest, SmallClockSkewIsTolerated) {
  // Expired 20 s ago, within the 30 s leeway.
  TokenSpec s = Spec("lee", kStart - absl::Minutes(10) - absl::Seconds(20));
  EXPECT_TRUE(verifier_->Verify(key_.Sign(s)).ok());
}

TEST_F(VerifierTest, KeyRotationIsPickedUpWithoutRestart) {
  ASSERT_TRUE(verifier_->Verify(key_.Sign(Spec("lee"))).ok());
  const int before = provider_.gets;
  SigningKey next = SigningKey::Ec("k2");
  provider_.jwks = JwksOf({next.PublicJwk(), key_.PublicJwk()});
  clock_.Advance(absl::Seconds(11));  // past min_refetch
  auto claims = verifier_->Verify(next.Sign(Spec("lee", clock_.Now())));
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(provider_.gets, before + 1) << "an unknown kid fetches the JWKS once (discovery is remembered)";
  EXPECT_TRUE(verifier_->Verify(key_.Sign(Spec("lee", clock_.Now()))).ok()) << "the old key stays valid";
}

TEST_F(VerifierTest, UnknownKidsDoNotMakeTheProviderAFloodTarget) {
  ASSERT_TRUE(verifier_->Verify(key_.Sign(Spec("lee"))).ok());
  const int before = provider_.gets;
  for (int i = 0; i < 50; ++i) ExpectRefused(SigningKey::Ec("k-" + std::to_string(i)).Sign(Spec("lee")), "unknown");
  EXPECT_LE(provider_.gets - before, 1) << "at most one fetch per min_refetch";
}

TEST_F(VerifierTest, ProviderDownCachedKeysWorkUntilTheyAreTooOld) {
  ASSERT_TRUE(verifier_->Verify(key_.Sign(Spec("lee"))).ok());
  provider_.down = true;
  clock_.Advance(absl::Hours(2));  // past refresh: a refetch is tried, fails, the cache stays
  EXPECT_TRUE(verifier_->Verify(key_.Sign(Spec("lee", clock_.Now()))).ok());
  clock_.Advance(absl::Hours(23));  // past max_key_age (24 h) since the last good fetch
  auto r = verifier_->Verify(key_.Sign(Spec("lee", clock_.Now())));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  provider_.down = false;
  clock_.Advance(absl::Seconds(11));
  EXPECT_TRUE(verifier_->Verify(key_.Sign(Spec("lee", clock_.Now()))).ok()) << "recovers once the provider is back";
}

TEST_F(VerifierTest, DiscoveryNamingAnotherIssuerIsRefused) {
  OidcSettings s = Settings();
  s.issuer = "https://idp.example/other";
  JwtVerifier v(s, clock_, provider_.Getter());
  EXPECT_FALSE(v.Refresh().ok());
}

// --- AccessControl: which principal a credential is, and limits.

constexpr char kApiToken[] = "srk_integration_token_for_tests_0001";

AccessConfig Config(const std::string& extra_yaml = "") {
  const std::string yaml = std::string(R"(
oidc:
  issuer: https://idp.example
  audience: urn:recovery:api
  group_roles: {responders: [responder], case-managers: [case-manager]}
  clients: {monitoring: {integration: monitoring, roles: [integration]}}
people:
  - {subject: lee, person: lee}
  - {subject: mia, person: mia, roles: [admin]}
api_tokens:
  - {name: survey, sha256: )") +
                           ApiTokenHash(kApiToken) + R"(, roles: [integration]}
  - {name: old, sha256: )" +
                           ApiTokenHash("srk_old") + R"(, roles: [integration], revoked: true}
  - {name: expired, sha256: )" +
                           ApiTokenHash("srk_expired") + R"(, roles: [integration], expires: 2020-01-01T00:00:00Z}
limits:
  default: {rate: 1000, burst: 1000, in_flight: 100}
  principals:
    "integration:survey": {rate: 1, burst: 3, in_flight: 2}
)" + extra_yaml;
  auto c = AccessConfig::Parse(YAML::Load(yaml), "auth-config", "");
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : AccessConfig{};
}

class AccessTest : public ::testing::Test {
 protected:
  AccessTest() : clock_(kStart), key_(SigningKey::Ec("k1")) {
    provider_.jwks = JwksOf({key_.PublicJwk()});
    auto ac = AccessControl::Create(Config(), clock_, nullptr, provider_.Getter());
    EXPECT_TRUE(ac.ok());
    access_ = std::move(*ac);
  }
  std::string Bearer(const std::string& token) { return "Bearer " + token; }
  ManualClock clock_;
  SigningKey key_;
  FakeProvider provider_;
  std::unique_ptr<AccessControl> access_;
};

TEST_F(AccessTest, PersonRolesComeFromGroupsAndTheDirectory) {
  auto lee = access_->Authenticate(Bearer(key_.Sign(Spec("lee"))), nullptr);
  ASSERT_TRUE(lee.ok()) << lee.status();
  EXPECT_EQ(lee->Actor(), "person:lee");
  EXPECT_EQ(lee->roles, (std::set<std::string>{"responder"}));
  TokenSpec m = Spec("mia");
  m.groups = {"case-managers", "unmapped-group"};
  auto mia = access_->Authenticate(Bearer(key_.Sign(m)), nullptr);
  ASSERT_TRUE(mia.ok());
  EXPECT_EQ(mia->roles, (std::set<std::string>{"admin", "case-manager"}));
}

TEST_F(AccessTest, UnknownPersonAndMissingOrMalformedCredentialsAreUnauthenticated) {
  for (const std::string& auth : {Bearer(key_.Sign(Spec("stranger"))), std::string(), std::string("Basic abc"),
                                  std::string("Bearer "), Bearer("srk_never_issued")}) {
    auto r = access_->Authenticate(auth, nullptr);
    ASSERT_FALSE(r.ok()) << auth;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated) << r.status();
  }
}

TEST_F(AccessTest, ApiTokensAreCheckedByHashAndCanBeRevokedOrExpire) {
  auto survey = access_->Authenticate(Bearer(kApiToken), nullptr);
  ASSERT_TRUE(survey.ok()) << survey.status();
  EXPECT_EQ(survey->Actor(), "integration:survey");
  auto old = access_->Authenticate(Bearer("srk_old"), nullptr);
  EXPECT_TRUE(!old.ok() && absl::StrContains(old.status().message(), "revoked")) << old.status();
  auto expired = access_->Authenticate(Bearer("srk_expired"), nullptr);
  EXPECT_TRUE(!expired.ok() && absl::StrContains(expired.status().message(), "expired")) << expired.status();
}

TEST_F(AccessTest, ClientCredentialsTokensAreIntegrations) {
  TokenSpec s = Spec("monitoring");
  s.client_id = "monitoring";
  s.groups = {};
  auto p = access_->Authenticate(Bearer(key_.Sign(s)), nullptr);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->Actor(), "integration:monitoring");
  s.sub = s.client_id = "unknown-client";
  EXPECT_FALSE(access_->Authenticate(Bearer(key_.Sign(s)), nullptr).ok());
}

TEST_F(AccessTest, ReloadRevokesACachedToken) {
  ASSERT_TRUE(access_->Authenticate(Bearer(kApiToken), nullptr).ok());
  AccessConfig next = Config();
  next.api_tokens[0].revoked = true;
  ASSERT_TRUE(access_->Reload(next).ok());
  EXPECT_FALSE(access_->Authenticate(Bearer(kApiToken), nullptr).ok());
}

TEST_F(AccessTest, AdmitAppliesThePolicyNamingTheMissingPermission) {
  auto denied = access_->Admit("/recovery.v1.Audit/ExportEvents", Bearer(key_.Sign(Spec("lee"))), nullptr);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(denied.status().message(), "audit.export")) << denied.status();
  auto unlisted = access_->Admit("/recovery.v1.Intake/DropAllCases", Bearer(key_.Sign(Spec("mia"))), nullptr);
  EXPECT_EQ(unlisted.status().code(), absl::StatusCode::kPermissionDenied) << "a method with no entry is denied";
  auto open = access_->Admit("/grpc.health.v1.Health/Check", "", nullptr);
  EXPECT_TRUE(open.ok()) << "health probes need no credential";
  auto ok = access_->Admit("/recovery.v1.Intake/GetCase", Bearer(key_.Sign(Spec("lee"))), nullptr);
  ASSERT_TRUE(ok.ok()) << ok.status();
  access_->Release(*ok);
}

TEST_F(AccessTest, AnIntegrationOverItsRateIsExhaustedWhilePeopleAreNot) {
  const std::string method = "/recovery.v1.Intake/OpenCase";
  int admitted = 0, exhausted = 0;
  std::string message;
  for (int i = 0; i < 10; ++i) {
    auto c = access_->Admit(method, Bearer(kApiToken), nullptr);
    if (c.ok()) {
      ++admitted;
      access_->Release(*c);
    } else if (c.status().code() == absl::StatusCode::kResourceExhausted) {
      ++exhausted;
      message = std::string(c.status().message());
    }
  }
  EXPECT_EQ(admitted, 3) << "the burst";
  EXPECT_EQ(exhausted, 7);
  EXPECT_TRUE(absl::StrContains(message, "retry after")) << message;
  auto person = access_->Admit(method, Bearer(key_.Sign(Spec("lee"))), nullptr);
  EXPECT_TRUE(person.ok()) << person.status();
  clock_.Advance(absl::Seconds(1));  // one token refilled
  EXPECT_TRUE(access_->Admit(method, Bearer(kApiToken), nullptr).ok());
}

TEST_F(AccessTest, CallsInFlightAreBoundedPerPrincipal) {
  const std::string method = "/recovery.v1.Intake/OpenCase";
  auto a = access_->Admit(method, Bearer(kApiToken), nullptr);
  auto b = access_->Admit(method, Bearer(kApiToken), nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = access_->Admit(method, Bearer(kApiToken), nullptr);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(absl::StrContains(c.status().message(), "in flight")) << c.status();
  access_->Release(*a);
  EXPECT_TRUE(access_->Admit(method, Bearer(kApiToken), nullptr).ok());
}

TEST(AccessConfigTest, MistakesAreNamed) {
  for (const auto& [yaml, key] : std::vector<std::pair<std::string, std::string>>{
           {"api_tokens: [{name: x, sha256: abc, roles: [integration]}]", "api_tokens[0].sha256"},
           {"people: [{subject: a, roles: [superuser]}]\napi_tokens: []\noidc: {issuer: https://i, audience: a}",
            "unknown role superuser"},
           {"oidc: {issuer: https://i}", "oidc.audience"},
           {"oidc: {issuer: https://i, audience: a, leeway: 1h}", "oidc.leeway"},
           {"typo: 1", "typo"},
           {"people: []", "no credential is accepted"},
       }) {
    auto c = AccessConfig::Parse(YAML::Load(yaml), "auth-config", "");
    ASSERT_FALSE(c.ok()) << yaml;
    EXPECT_TRUE(absl::StrContains(c.status().message(), key)) << c.status();
  }
}

// Every RPC of every service (and the runtime's own) has a policy entry: a new RPC without one
// fails here before it is denied in production.
TEST(PolicyTest, TheDefaultPolicyCoversEveryRpc) {
  const Policy& policy = Policy::Default();
  int methods = 0;
  // Every service of every API file (a message of each file pulls its descriptors in).
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const auto* fd :
       {recovery::v1::OpenCaseRequest::descriptor()->file(), recovery::v1::AcknowledgePageRequest::descriptor()->file(),
        recovery::v1::GetPlanRequest::descriptor()->file(), recovery::v1::ListRemindersRequest::descriptor()->file(),
        recovery::v1::GetTimelineRequest::descriptor()->file(),
        recovery::v1::ListDeadLettersRequest::descriptor()->file(),
        recovery::v1::GetTimeRequest::descriptor()->file()}) {
    for (int i = 0; i < fd->service_count(); ++i) services.push_back(fd->service(i));
  }
  for (const auto* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string full = service->full_name() + "/" + service->method(i)->name();
      auto perm = policy.PermissionFor(full);
      EXPECT_TRUE(perm.ok()) << full << " has no entry in default_policy.yaml";
      if (perm.ok()) {
        EXPECT_NE(*perm, Policy::kOpen) << full << " must need a credential";
      }
      ++methods;
    }
  }
  EXPECT_GE(methods, 57);
  EXPECT_EQ(services.size(), 7u);
  EXPECT_EQ(*policy.PermissionFor("grpc.health.v1.Health/Check"), Policy::kOpen);
  EXPECT_NE(*policy.PermissionFor("grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"), Policy::kOpen);
}

TEST(PolicyTest, AuditorsReadAuditAndNothingElseAndIntegrationsOnlyOpenAndSignal) {
  const Policy& policy = Policy::Default();
  Principal auditor;
  auditor.roles = {"auditor"};
  Principal integration;
  integration.kind = Principal::Kind::kIntegration;
  integration.roles = {"integration"};
  for (const auto& [method, perm] : policy.methods()) {
    const bool audit = absl::StartsWith(method, "recovery.v1.Audit/");
    if (perm == Policy::kOpen || absl::StartsWith(method, "grpc.reflection")) continue;
    EXPECT_EQ(policy.Authorize(auditor, method).ok(), audit) << method;
    const bool opens = method == "recovery.v1.Intake/OpenCase" || method == "recovery.v1.Intake/RecordSignal";
    EXPECT_EQ(policy.Authorize(integration, method).ok(), opens) << method;
  }
}

}  // namespace
}  // namespace recovery::common
