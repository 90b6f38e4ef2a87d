// The srctl binary as a client that authenticates: against a tiny in-process gRPC server (an
// Audit service recording each call's metadata) it sends `authorization: Bearer <token>` from
// --token, RECOVERY_TOKEN or the login cache, in that order, on unary, streaming and generic
// calls, and none without a token (with a hint when refused); --as is refused; TLS with the
// CA bundle (--tls-ca or the stack's tls/ca.pem) and mTLS with a client certificate. Against
// a fake issuer (tests/srctl/fake_oidc_provider.py, python3) it refreshes an expiring cached
// token, and logs in with the device flow. `token create` prints a token whose SHA-256 is the
// entry's, checked with python3's hashlib.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/security/server_credentials.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "tests/support/process.h"
#include "tools/srctl/token_cache.h"

namespace recovery::srctl {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::TempDir;

constexpr char kNoAuthorization[] = "<none>";

struct SrctlRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// An Audit service that records the authorization metadata of every call and, when told to,
// refuses calls without one, as the real services do.
class RecordingAudit final : public v1::Audit::Service {
 public:
  grpc::Status GetStats(grpc::ServerContext* ctx, const v1::GetStatsRequest*, v1::GetStatsResponse*) override {
    return Record(*ctx);
  }
  grpc::Status ExportEvents(grpc::ServerContext* ctx, const v1::ExportEventsRequest*,
                            grpc::ServerWriter<v1::ExportEventsResponse>* writer) override {
    const grpc::Status status = Record(*ctx);
    if (!status.ok()) return status;
    v1::ExportEventsResponse line;
    line.set_json_line(R"({"event":"one"})");
    writer->Write(line);
    return grpc::Status::OK;
  }

  std::vector<std::string> authorizations() {
    std::lock_guard<std::mutex> lock(mu_);
    return authorizations_;
  }

 private:
  grpc::Status Record(const grpc::ServerContext& ctx) {
    const auto& metadata = ctx.client_metadata();
    auto it = metadata.find("authorization");
    const std::string value =
        it == metadata.end() ? kNoAuthorization : std::string(it->second.data(), it->second.size());
    std::lock_guard<std::mutex> lock(mu_);
    authorizations_.push_back(value);
    if (value == kNoAuthorization) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no credential");
    return grpc::Status::OK;
  }

  std::mutex mu_;
  std::vector<std::string> authorizations_;
};

class SrctlAuthTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(system(("mkdir -p " + dir_.File("stack")).c_str()), 0); }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now());
  }

  void StartServer(const std::shared_ptr<grpc::ServerCredentials>& credentials = grpc::InsecureServerCredentials()) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", credentials, &port_);
    builder.RegisterService(&audit_);
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_ != nullptr);
    ASSERT_GT(port_, 0);
  }

  std::string CachePath() const { return dir_.File("cache/token.json"); }

  // srctl with a clean environment of its own variables (plus `env`), the recording server as
  // --audit, and a stack directory with nothing in it unless a test puts something there.
  SrctlRun Srctl(const std::string& args, const std::map<std::string, std::string>& env = {}) {
    std::string command =
        "env -u RECOVERY_TOKEN -u RECOVERY_TLS_CA -u RECOVERY_TLS_CERT -u RECOVERY_TLS_KEY "
        "-u RECOVERY_TLS_SERVER_NAME -u RECOVERY_ISSUER -u RECOVERY_STACK_DIR";
    std::map<std::string, std::string> all = {{"RECOVERY_TOKEN_CACHE", CachePath()}};
    for (const auto& [k, v] : env) all[k] = v;
    for (const auto& [k, v] : all) absl::StrAppend(&command, " ", k, "=", Quote(v));
    const std::string err_file = dir_.File("srctl.err");
    absl::StrAppend(&command, " ", recovery::testing::BinaryPath("tools/srctl/srctl"), " --stack ", stack_dir_,
                    " --audit 127.0.0.1:", port_, " ", args, " 2>", err_file);
    SrctlRun run;
    run.out = recovery::testing::RunCommand(command, &run.exit_code);
    run.err = ReadFile(err_file);
    return run;
  }

  std::string LastAuthorization() {
    const auto all = audit_.authorizations();
    return all.empty() ? "<no call>" : all.back();
  }

  TempDir dir_;
  std::string stack_dir_ = dir_.File("stack");
  RecordingAudit audit_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(SrctlAuthTest, TheTokenFlagWinsOverTheEnvironmentWhichWinsOverTheCache) {
  StartServer();
  ASSERT_TRUE(
      SaveTokenCache(CachePath(), CachedToken{.access_token = "from-cache", .expires_at = absl::Now() + absl::Hours(1)})
          .ok());
  SrctlRun flag = Srctl("--token from-flag stats", {{"RECOVERY_TOKEN", "from-env"}});
  EXPECT_EQ(flag.exit_code, 0) << flag.err;
  EXPECT_EQ(LastAuthorization(), "Bearer from-flag");

  SrctlRun env = Srctl("stats", {{"RECOVERY_TOKEN", "from-env"}});
  EXPECT_EQ(env.exit_code, 0) << env.err;
  EXPECT_EQ(LastAuthorization(), "Bearer from-env");

  SrctlRun cache = Srctl("stats");
  EXPECT_EQ(cache.exit_code, 0) << cache.err;
  EXPECT_EQ(LastAuthorization(), "Bearer from-cache");
}

TEST_F(SrctlAuthTest, StreamingAndGenericCallsCarryTheTokenToo) {
  StartServer();
  SrctlRun exported = Srctl("--token t1 export");
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.out, "{\"event\":\"one\"}\n");
  EXPECT_EQ(LastAuthorization(), "Bearer t1");

  SrctlRun rpc = Srctl("--token t2 rpc Audit.GetStats '{}'");
  EXPECT_EQ(rpc.exit_code, 0) << rpc.err;
  EXPECT_EQ(LastAuthorization(), "Bearer t2");
}

TEST_F(SrctlAuthTest, WithoutATokenTheCallGoesWithoutOneAndTheRefusalSaysHowToLogIn) {
  StartServer();
  SrctlRun run = Srctl("stats");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(LastAuthorization(), kNoAuthorization);
  EXPECT_TRUE(absl::StrContains(run.err, "error: UNAUTHENTICATED")) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "run srctl login or pass --token")) << run.err;
}

TEST_F(SrctlAuthTest, AsIsRefusedWithWhyAndNothingIsCalled) {
  StartServer();
  SrctlRun run = Srctl("--as lee --token t stats");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(
      run.err, "--as is gone: the actor is whoever the token names; use srctl login --user ... or --token"))
      << run.err;
  EXPECT_TRUE(audit_.authorizations().empty());
}

TEST_F(SrctlAuthTest, FlagsThatNamedTheActingPersonAreRefused) {
  SrctlRun ack = Srctl("--token t ack case-1 --message hello --by lee");
  EXPECT_NE(ack.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(ack.err, "--by is gone")) << ack.err;
  SrctlRun ack_page = Srctl("--token t ack-page --escalation e-1 --person lee");
  EXPECT_NE(ack_page.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(ack_page.err, "--person is gone")) << ack_page.err;
}

TEST_F(SrctlAuthTest, TokenCreatePrintsATokenOnceAndTheEntryWithItsSha256) {
  SrctlRun run = Srctl("token create --name monitoring --roles integration,viewer --expires 2030-01-01T00:00:00Z");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<std::string> lines = absl::StrSplit(absl::StripSuffix(run.out, "\n"), '\n');
  ASSERT_EQ(lines.size(), 2u) << run.out;
  const std::string& token = lines[0];
  EXPECT_TRUE(std::regex_match(token, std::regex("srk_[A-Za-z0-9_-]{43}"))) << token;
  std::smatch entry;
  ASSERT_TRUE(std::regex_match(lines[1], entry,
                               std::regex(R"(- \{name: monitoring, sha256: ([0-9a-f]{64}), roles: \[integration, )"
                                          R"(viewer\], expires: 2030-01-01T00:00:00Z\})")))
      << lines[1];
  // The hash computed apart from srctl, over the whole printed token.
  const std::string python_sha = recovery::testing::RunCommand(absl::StrCat(
      "python3 -c 'import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())' ", Quote(token)));
  EXPECT_EQ(entry[1].str() + "\n", python_sha);
  EXPECT_TRUE(absl::StrContains(run.err, "shown this once")) << run.err;

  SrctlRun again = Srctl("token create --name monitoring --roles integration");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(absl::StrContains(again.out, token));
  EXPECT_FALSE(absl::StrContains(again.out, "expires"));
}

// TLS: a throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with
// the openssl command as the local stack does.
class SrctlTlsTest : public SrctlAuthTest {
 protected:
  void SetUp() override {
    SrctlAuthTest::SetUp();
    if (!recovery::testing::HaveCommand("openssl")) GTEST_SKIP() << "no openssl command";
    const std::string d = dir_.path();
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string script =
        absl::StrCat("set -e; cd ", d, "; mkdir -p tls;", "openssl req -x509 ", ec,
                     " -keyout tls/ca-key.pem -out tls/ca.pem -days 1 -subj /CN=test-ca;", "openssl req ", ec,
                     " -keyout tls/server-key.pem -out server.csr -subj /CN=localhost;",
                     "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext;",
                     "openssl x509 -req -in server.csr -CA tls/ca.pem -CAkey tls/ca-key.pem -CAcreateserial -days 1 ",
                     "-extfile server.ext -out tls/server.pem;", "openssl req ", ec,
                     " -keyout tls/client-key.pem -out client.csr -subj /CN=srctl-test;",
                     "printf 'extendedKeyUsage=clientAuth\\n' > client.ext;",
                     "openssl x509 -req -in client.csr -CA tls/ca.pem -CAkey tls/ca-key.pem -CAcreateserial -days 1 ",
                     "-extfile client.ext -out tls/client.pem");
    int status = -1;
    recovery::testing::RunCommand(absl::StrCat("(", script, ") >/dev/null 2>&1"), &status);
    ASSERT_EQ(status, 0) << "openssl failed";
  }

  std::shared_ptr<grpc::ServerCredentials> ServerTls(bool require_client_cert) {
    grpc::SslServerCredentialsOptions options(require_client_cert
                                                  ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                                  : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    options.pem_root_certs = ReadFile(Tls("ca.pem"));
    options.pem_key_cert_pairs.push_back({ReadFile(Tls("server-key.pem")), ReadFile(Tls("server.pem"))});
    return grpc::SslServerCredentials(options);
  }

  std::string Tls(const std::string& name) const { return dir_.File("tls/" + name); }
};

TEST_F(SrctlTlsTest, TheCaBundleMakesATlsChannelAndThePlaintextOneFails) {
  StartServer(ServerTls(false));
  // A stack directory with no tls/ca.pem beside it.
  stack_dir_ = dir_.File("elsewhere/stack");
  SrctlRun plain = Srctl("--token t stats");
  EXPECT_NE(plain.exit_code, 0);
  EXPECT_TRUE(audit_.authorizations().empty());

  SrctlRun tls = Srctl("--tls-ca " + Tls("ca.pem") + " --token t stats");
  EXPECT_EQ(tls.exit_code, 0) << tls.err;
  EXPECT_EQ(LastAuthorization(), "Bearer t");

  SrctlRun env = Srctl("--token t2 stats", {{"RECOVERY_TLS_CA", Tls("ca.pem")}});
  EXPECT_EQ(env.exit_code, 0) << env.err;
  EXPECT_EQ(LastAuthorization(), "Bearer t2");
}

TEST_F(SrctlTlsTest, TheStacksCaIsUsedWhenNoneIsGiven) {
  StartServer(ServerTls(false));
  // dir_/stack is the stack directory; dir_/tls/ca.pem sits beside it.
  SrctlRun run = Srctl("--token t stats");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(LastAuthorization(), "Bearer t");
}

TEST_F(SrctlTlsTest, TheServerNameOverrideIsTheNameChecked) {
  StartServer(ServerTls(false));
  SrctlRun wrong = Srctl("--tls-server-name not-the-server.example --token t stats");
  EXPECT_NE(wrong.exit_code, 0);
  SrctlRun right = Srctl("--tls-server-name localhost --token t stats");
  EXPECT_EQ(right.exit_code, 0) << right.err;
}

TEST_F(SrctlTlsTest, MutualTlsNeedsTheClientCertificate) {
  StartServer(ServerTls(true));
  SrctlRun without = Srctl("--token t stats");
  EXPECT_NE(without.exit_code, 0);
  EXPECT_TRUE(audit_.authorizations().empty());
  SrctlRun with =
      Srctl(absl::StrCat("--tls-cert ", Tls("client.pem"), " --tls-key ", Tls("client-key.pem"), " --token t stats"));
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(LastAuthorization(), "Bearer t");
  SrctlRun half = Srctl(absl::StrCat("--tls-cert ", Tls("client.pem"), " --token t stats"));
  EXPECT_NE(half.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(half.err, "--tls-key")) << half.err;
}

// A fake issuer (python3): discovery, device authorisation, a token endpoint.
class SrctlLoginTest : public SrctlAuthTest {
 protected:
  void SetUp() override {
    SrctlAuthTest::SetUp();
    if (!recovery::testing::HaveCommand("python3")) GTEST_SKIP() << "no python3";
    provider_ =
        recovery::testing::Process("/usr/bin/env",
                                   {"python3", recovery::testing::SourcePath("tests/srctl/fake_oidc_provider.py"),
                                    dir_.File("issuer.port"), dir_.File("issuer.log")},
                                   dir_.File("issuer.out"));
    const std::string port = recovery::testing::WaitForFile(dir_.File("issuer.port"));
    ASSERT_FALSE(port.empty()) << ReadFile(dir_.File("issuer.out"));
    issuer_ = "http://127.0.0.1:" + port;
  }

  // The requests the fake issuer saw, one JSON line each.
  std::string IssuerLog() { return ReadFile(dir_.File("issuer.log")); }

  CachedToken Expiring(const std::string& refresh_token) const {
    return CachedToken{.access_token = "access-1",
                       .refresh_token = refresh_token,
                       .expires_at = absl::Now() + absl::Seconds(10),
                       .issuer = issuer_,
                       .client_id = "srctl"};
  }

  recovery::testing::Process provider_;
  std::string issuer_;
};

TEST_F(SrctlLoginTest, ACachedTokenExpiringWithin30sIsRefreshedAndTheCacheRewritten) {
  ASSERT_TRUE(SaveTokenCache(CachePath(), Expiring("refresh-1")).ok());
  SrctlRun run = Srctl("token show");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "access-2\n");
  const std::string log = IssuerLog();
  EXPECT_TRUE(absl::StrContains(log, R"("grant_type": "refresh_token")")) << log;
  EXPECT_TRUE(absl::StrContains(log, R"("refresh_token": "refresh-1")")) << log;
  EXPECT_TRUE(absl::StrContains(log, R"("client_id": "srctl")")) << log;
  auto cached = LoadTokenCache(CachePath());
  ASSERT_TRUE(cached.ok()) << cached.status();
  EXPECT_EQ(cached->access_token, "access-2");
  EXPECT_EQ(cached->refresh_token, "refresh-2");
  EXPECT_GT(cached->expires_at, absl::Now() + absl::Minutes(50));
  EXPECT_EQ(cached->token_endpoint, issuer_ + "/token");
  struct stat st {};
  ASSERT_EQ(stat(CachePath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SrctlLoginTest, ATokenFarFromExpiryIsNotRefreshed) {
  CachedToken token = Expiring("refresh-1");
  token.expires_at = absl::Now() + absl::Hours(1);
  ASSERT_TRUE(SaveTokenCache(CachePath(), token).ok());
  SrctlRun run = Srctl("token show");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "access-1\n");
  EXPECT_EQ(IssuerLog(), "");
}

TEST_F(SrctlLoginTest, TheCallAfterARefreshCarriesTheNewToken) {
  StartServer();
  ASSERT_TRUE(SaveTokenCache(CachePath(), Expiring("refresh-1")).ok());
  SrctlRun run = Srctl("stats");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(LastAuthorization(), "Bearer access-2");
}

TEST_F(SrctlLoginTest, AFailedRefreshWarnsAndSendsTheCachedToken) {
  StartServer();
  ASSERT_TRUE(SaveTokenCache(CachePath(), Expiring("refresh-revoked")).ok());
  SrctlRun run = Srctl("stats");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "could not be refreshed")) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "invalid_grant")) << run.err;
  EXPECT_EQ(LastAuthorization(), "Bearer access-1");
}

TEST_F(SrctlLoginTest, LoginPollsTheDeviceGrantCachesTheTokenAndLogoutForgetsIt) {
  SrctlRun login = Srctl("login --print-token --user sam", {{"RECOVERY_ISSUER", issuer_}});
  ASSERT_EQ(login.exit_code, 0) << login.err;
  EXPECT_TRUE(absl::StrContains(login.err, issuer_ + "/activate?user_code=WDJB-MJHT")) << login.err;
  EXPECT_TRUE(absl::StrContains(login.err, "WDJB-MJHT")) << login.err;
  const std::string token(absl::StripSuffix(login.out, "\n"));
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << login.out;

  const std::string log = IssuerLog();
  EXPECT_TRUE(absl::StrContains(log, R"("scope": "openid offline_access")")) << log;
  EXPECT_TRUE(absl::StrContains(log, R"("resource": "urn:recovery:api")")) << log;
  EXPECT_TRUE(absl::StrContains(log, R"("login_hint": "sam")")) << log;
  // One authorization_pending, then the grant.
  size_t polls = 0;
  for (size_t at = log.find("device_code\": \"device-1"); at != std::string::npos;
       at = log.find("device_code\": \"device-1", at + 1))
    ++polls;
  EXPECT_EQ(polls, 2u) << log;

  auto cached = LoadTokenCache(CachePath());
  ASSERT_TRUE(cached.ok()) << cached.status();
  EXPECT_EQ(cached->access_token, token);
  EXPECT_EQ(cached->refresh_token, "refresh-1");
  EXPECT_EQ(cached->issuer, issuer_);
  EXPECT_EQ(cached->client_id, "srctl");
  struct stat st {};
  ASSERT_EQ(stat(CachePath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  SrctlRun whoami = Srctl("whoami");
  ASSERT_EQ(whoami.exit_code, 0) << whoami.err;
  EXPECT_TRUE(absl::StrContains(whoami.out, "unverified")) << whoami.out;
  EXPECT_TRUE(absl::StrContains(whoami.out, "sub: sam")) << whoami.out;
  EXPECT_TRUE(absl::StrContains(whoami.out, "groups: responders")) << whoami.out;

  SrctlRun logout = Srctl("logout");
  EXPECT_EQ(logout.exit_code, 0) << logout.err;
  EXPECT_TRUE(absl::IsNotFound(LoadTokenCache(CachePath()).status()));
}

TEST_F(SrctlLoginTest, TheIssuerComesFromTheStackDirectoryWhenNotGiven) {
  std::ofstream(dir_.File("stack/issuer")) << issuer_ << "\n";
  SrctlRun login = Srctl("login --print-token");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  EXPECT_TRUE(LoadTokenCache(CachePath()).ok());
}

}  // namespace
}  // namespace recovery::srctl
