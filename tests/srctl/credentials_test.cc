// srctl's credentials without a server: which token wins (--token, RECOVERY_TOKEN, the login
// cache), the cache file's mode and round trip, API tokens (shape, SHA-256, configuration
// entry), and the display-only decoding of a JWT.
#include "tools/srctl/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/escaping.h"
#include "tests/support/process.h"
#include "tools/srctl/api_token.h"
#include "tools/srctl/oidc_client.h"
#include "tools/srctl/token_cache.h"

namespace recovery::srctl {
namespace {

using recovery::testing::TempDir;

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

CachedToken LongLivedToken(const std::string& access) {
  return CachedToken{.access_token = access, .expires_at = kNow + absl::Hours(1), .issuer = "http://127.0.0.1:1"};
}

TEST(ResolveTokenTest, FlagWinsOverEnvironmentWhichWinsOverTheCache) {
  TempDir dir;
  const std::string cache = dir.File("token.json");
  ASSERT_TRUE(SaveTokenCache(cache, LongLivedToken("cached")).ok());
  common::ManualClock clock(kNow);
  std::ostringstream warnings;

  auto flag = ResolveToken({.flag = "flag", .environment = "env", .cache_path = cache}, clock, warnings);
  ASSERT_TRUE(flag.ok()) << flag.status();
  EXPECT_EQ(flag->value, "flag");
  EXPECT_EQ(flag->origin, TokenOrigin::kFlag);

  auto env = ResolveToken({.environment = "env", .cache_path = cache}, clock, warnings);
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->value, "env");
  EXPECT_EQ(env->origin, TokenOrigin::kEnvironment);

  auto cached = ResolveToken({.cache_path = cache}, clock, warnings);
  ASSERT_TRUE(cached.ok()) << cached.status();
  EXPECT_EQ(cached->value, "cached");
  EXPECT_EQ(cached->origin, TokenOrigin::kCache);
  EXPECT_EQ(warnings.str(), "");
}

TEST(ResolveTokenTest, NoTokenAnywhereMeansCallsGoWithoutOne) {
  TempDir dir;
  common::ManualClock clock(kNow);
  std::ostringstream warnings;
  auto none = ResolveToken({.cache_path = dir.File("absent.json")}, clock, warnings);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->value, "");
  EXPECT_EQ(none->origin, TokenOrigin::kNone);
}

TEST(ResolveTokenTest, AnUnreadableCacheIsAnErrorNamingTheFile) {
  TempDir dir;
  const std::string cache = dir.File("token.json");
  std::ofstream(cache) << "not json";
  common::ManualClock clock(kNow);
  std::ostringstream warnings;
  auto broken = ResolveToken({.cache_path = cache}, clock, warnings);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find(cache), std::string::npos) << broken.status();
}

TEST(ResolveTokenTest, AnExpiringTokenWithoutARefreshTokenIsSentAsItIs) {
  TempDir dir;
  const std::string cache = dir.File("token.json");
  CachedToken token = LongLivedToken("old");
  token.expires_at = kNow + absl::Seconds(5);
  ASSERT_TRUE(SaveTokenCache(cache, token).ok());
  common::ManualClock clock(kNow);
  std::ostringstream warnings;
  auto resolved = ResolveToken({.cache_path = cache}, clock, warnings);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->value, "old");
}

TEST(TokenCacheTest, IsWrittenOwnerOnlyAndReadsBack) {
  TempDir dir;
  const std::string cache = dir.File("new/recovery/token.json");
  const CachedToken token{.access_token = "a",
                          .refresh_token = "r",
                          .expires_at = absl::FromUnixSeconds(1800000123),
                          .issuer = "https://idp.example",
                          .client_id = "srctl",
                          .token_endpoint = "https://idp.example/token"};
  ASSERT_TRUE(SaveTokenCache(cache, token).ok());
  EXPECT_EQ(ModeOf(cache), 0600u);
  EXPECT_EQ(ModeOf(dir.File("new/recovery")), 0700u);
  auto loaded = LoadTokenCache(cache);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->access_token, "a");
  EXPECT_EQ(loaded->refresh_token, "r");
  EXPECT_EQ(loaded->expires_at, token.expires_at);
  EXPECT_EQ(loaded->issuer, token.issuer);
  EXPECT_EQ(loaded->client_id, "srctl");
  EXPECT_EQ(loaded->token_endpoint, token.token_endpoint);
}

TEST(TokenCacheTest, RewritingAWorldReadableFileLeavesItOwnerOnly) {
  TempDir dir;
  const std::string cache = dir.File("token.json");
  std::ofstream(cache) << "{}";
  ASSERT_EQ(chmod(cache.c_str(), 0644), 0);
  ASSERT_TRUE(SaveTokenCache(cache, LongLivedToken("a")).ok());
  EXPECT_EQ(ModeOf(cache), 0600u);
}

TEST(TokenCacheTest, DeleteReportsWhetherThereWasOne) {
  TempDir dir;
  const std::string cache = dir.File("token.json");
  ASSERT_TRUE(SaveTokenCache(cache, LongLivedToken("a")).ok());
  EXPECT_TRUE(DeleteTokenCache(cache).ok());
  EXPECT_TRUE(absl::IsNotFound(DeleteTokenCache(cache)));
  EXPECT_TRUE(absl::IsNotFound(LoadTokenCache(cache).status()));
}

TEST(ApiTokenTest, IsSrkAndBase64urlOf32BytesWithoutPadding) {
  auto a = NewApiToken();
  auto b = NewApiToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(std::regex_match(*a, std::regex("srk_[A-Za-z0-9_-]{43}"))) << *a;
  std::string bytes;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(a->substr(4), &bytes));
  EXPECT_EQ(bytes.size(), 32u);
  EXPECT_NE(*a, *b);
}

TEST(ApiTokenTest, Sha256HexMatchesTheStandardVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiTokenTest, EntryIsOneYamlFlowMapping) {
  auto entry = ApiTokenEntry("monitoring", "ab12", {"integration", "viewer"}, absl::FromUnixSeconds(1798761600));
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(*entry, "- {name: monitoring, sha256: ab12, roles: [integration, viewer], expires: 2027-01-01T00:00:00Z}");
  auto forever = ApiTokenEntry("survey-tool", "cd34", {"integration"}, std::nullopt);
  ASSERT_TRUE(forever.ok());
  EXPECT_EQ(*forever, "- {name: survey-tool, sha256: cd34, roles: [integration]}");
}

TEST(ApiTokenTest, NamesAndRolesThatWouldNeedQuotingAreRefused) {
  EXPECT_TRUE(absl::IsInvalidArgument(ApiTokenEntry("a, admin: true", "x", {"integration"}, std::nullopt).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ApiTokenEntry("ok", "x", {"integration]"}, std::nullopt).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ApiTokenEntry("ok", "x", {}, std::nullopt).status()));
}

TEST(UnverifiedJwtClaimsTest, DecodesThePayloadOfAJwtAndRefusesAnApiToken) {
  const std::string payload = absl::WebSafeBase64Escape(R"({"sub":"sam","groups":["responders"],"exp":1800000000})");
  auto claims = UnverifiedJwtClaims("eyJhbGciOiJFUzI1NiJ9." + payload + ".c2ln");
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(StringMember(*claims, "sub"), "sam");
  EXPECT_TRUE(absl::IsInvalidArgument(UnverifiedJwtClaims("srk_abcdef").status()));
}

TEST(StackCaFileTest, FindsTheStacksCaNextToItsAddressDirectory) {
  TempDir dir;
  ASSERT_EQ(system(("mkdir -p " + dir.File("stack") + " " + dir.File("tls")).c_str()), 0);
  EXPECT_EQ(StackCaFile(dir.File("stack")), "");
  std::ofstream(dir.File("tls/ca.pem")) << "pem";
  EXPECT_EQ(StackCaFile(dir.File("stack")), dir.File("tls/ca.pem"));
}

}  // namespace
}  // namespace recovery::srctl
