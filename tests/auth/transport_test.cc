// Transport security and load protection on a real service (intake, in process): TLS with
// certificates from tools/make_certs.sh (openssl), mTLS that requires a client certificate
// and maps it to a service principal, and an integration flooding OpenCase that is held to
// its limit while a person's calls in the same run go through.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "recovery/v1/intake.grpc.pb.h"
#include "recovery/v1/operations.grpc.pb.h"
#include "services/common/grpc_util.h"
#include "services/intake/module.h"
#include "tests/intake/requests.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_identity.h"

namespace recovery::testing {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Certificates {
 public:
  static const Certificates& Get() {
    static const Certificates* c = new Certificates();
    return *c;
  }
  std::string File(const std::string& name) const { return dir_.File(name); }
  std::string Pem(const std::string& name) const { return Read(File(name)); }
  bool ok() const { return ok_; }

 private:
  Certificates() {
    const std::string cmd =
        std::string(RECOVERY_SOURCE_DIR) + "/tools/make_certs.sh " + dir_.path() + " >/dev/null 2>&1";
    ok_ = std::system(cmd.c_str()) == 0 && !Read(File("ca.pem")).empty();
  }
  TempDir dir_;
  bool ok_ = false;
};

grpc::Status ListDeadLetters(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = recovery::v1::Operations::NewStub(channel);
  auto ctx = common::ContextWithDeadline(absl::Seconds(5));
  recovery::v1::ListDeadLettersResponse out;
  return stub->ListDeadLetters(ctx.get(), {}, &out);
}

// The shared test access configuration plus lines of YAML, in a file of its own.
std::string AuthConfigWith(const TempDir& dir, const std::string& extra) {
  const std::string path = dir.File("access.yaml");
  std::string base = Read(TestIdentity::Shared().auth_config_path());
  // The shared file's relative jwks_file resolves against its own directory.
  base = absl::StrReplaceAll(base, {{"jwks_file: jwks.json", "jwks_file: " + TestIdentity::Shared().jwks_path()}});
  std::ofstream(path) << base << extra;
  return path;
}

class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Certificates::Get().ok()) << "tools/make_certs.sh failed (openssl)"; }
  const Certificates& certs_ = Certificates::Get();
  intake::IntakeModule module_;
  TempDir dir_;
};

TEST_F(TransportTest, TlsServesClientsThatTrustTheCaAndRefusesPlaintext) {
  FixtureOptions options;
  options.adjust = [&](common::ServiceConfig& cfg) {
    cfg.tls_cert = certs_.File("server.pem");
    cfg.tls_key = certs_.File("server-key.pem");
  };
  ServiceFixture fx(module_, options);
  ASSERT_TRUE(fx.ok());
  const std::string address = "127.0.0.1:" + std::to_string(fx.port());
  common::ChannelCredentialsSpec tls;
  tls.bearer_token = TestIdentity::Shared().PersonToken(kTestPerson);
  tls.ca_pem = certs_.Pem("ca.pem");
  EXPECT_TRUE(ListDeadLetters(common::MakeChannel(address, tls)).ok());

  const grpc::Status plaintext = ListDeadLetters(fx.channel());  // the fixture's channel is plaintext
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE) << plaintext.error_message();

  common::ChannelCredentialsSpec untrusted = tls;
  untrusted.ca_pem = certs_.Pem("client.pem");  // not the CA that signed the server's certificate
  EXPECT_FALSE(ListDeadLetters(common::MakeChannel(address, untrusted)).ok());

  tls.bearer_token.clear();
  const grpc::Status anonymous = ListDeadLetters(common::MakeChannel(address, tls));
  EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED) << "TLS alone is not a credential";
}

TEST_F(TransportTest, MutualTlsRequiresAClientCertificateAndMapsItToAService) {
  const std::string auth = AuthConfigWith(dir_, R"(certificates:
  - {common_name: recovery-client, service: operator, roles: [admin]}
)");
  FixtureOptions options;
  options.adjust = [&](common::ServiceConfig& cfg) {
    cfg.tls_cert = certs_.File("server.pem");
    cfg.tls_key = certs_.File("server-key.pem");
    cfg.tls_client_ca = certs_.File("ca.pem");
    cfg.auth_config = auth;
  };
  ServiceFixture fx(module_, options);
  ASSERT_TRUE(fx.ok());
  const std::string address = "127.0.0.1:" + std::to_string(fx.port());
  common::ChannelCredentialsSpec no_cert;
  no_cert.ca_pem = certs_.Pem("ca.pem");
  no_cert.bearer_token = TestIdentity::Shared().PersonToken(kTestPerson);
  EXPECT_EQ(ListDeadLetters(common::MakeChannel(address, no_cert)).error_code(), grpc::StatusCode::UNAVAILABLE)
      << "the handshake fails without a client certificate";

  common::ChannelCredentialsSpec with_cert = no_cert;
  with_cert.bearer_token.clear();
  with_cert.client_cert_pem = certs_.Pem("client.pem");
  with_cert.client_key_pem = certs_.Pem("client-key.pem");
  EXPECT_TRUE(ListDeadLetters(common::MakeChannel(address, with_cert)).ok()) << "the certificate is the credential";

  // The certificate's principal is the actor of what it does.
  auto stub = recovery::v1::Intake::NewStub(common::MakeChannel(address, with_cert));
  auto ctx = common::ContextWithDeadline();
  recovery::v1::OpenCaseResponse out;
  ASSERT_TRUE(stub->OpenCase(ctx.get(), intake::testing::OpenRequest("tls-1"), &out).ok());
  fx.Quiesce();
  ASSERT_FALSE(fx.published().empty());
  EXPECT_EQ(fx.published().front().actor(), "service:operator");
}

TEST_F(TransportTest, AFloodingIntegrationIsHeldToItsLimitWhilePeopleWorkOn) {
  const std::string auth = AuthConfigWith(dir_, "");
  // The shared file's limits are generous; this run gives the integration a small bucket.
  std::ofstream(auth, std::ios::app) << "";
  std::string text = Read(auth);
  text = absl::StrReplaceAll(text,
                             {{"limits:\n  default: {rate: 100000, burst: 100000, in_flight: 1000}\n",
                               "limits:\n  default: {rate: 100000, burst: 100000, in_flight: 1000}\n"
                               "  principals:\n    \"integration:monitoring\": {rate: 2, burst: 5, in_flight: 2}\n"}});
  std::ofstream(auth, std::ios::trunc) << text;
  FixtureOptions options;
  options.adjust = [&](common::ServiceConfig& cfg) { cfg.auth_config = auth; };
  ServiceFixture fx(module_, options);
  ASSERT_TRUE(fx.ok());

  std::atomic<int> opened{0}, exhausted{0}, other{0};
  std::string retry_message;
  std::mutex mu;
  std::vector<std::thread> flood;
  for (int t = 0; t < 4; ++t) {
    flood.emplace_back([&, t] {
      auto stub = recovery::v1::Intake::NewStub(fx.ChannelWithToken(kIntegrationToken));
      for (int i = 0; i < 10; ++i) {
        auto ctx = common::ContextWithDeadline();
        recovery::v1::OpenCaseResponse out;
        const grpc::Status s =
            stub->OpenCase(ctx.get(), intake::testing::OpenRequest("flood-" + std::to_string(t * 10 + i)), &out);
        if (s.ok()) {
          ++opened;
        } else if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
          ++exhausted;
          std::lock_guard lock(mu);
          retry_message = s.error_message();
        } else {
          ++other;
        }
      }
    });
  }
  int person_ok = 0;
  auto person = recovery::v1::Intake::NewStub(fx.ChannelAs("lee"));
  for (int i = 0; i < 10; ++i) {
    auto ctx = common::ContextWithDeadline();
    recovery::v1::ListCasesResponse out;
    person_ok += person->ListCases(ctx.get(), {}, &out).ok();
  }
  for (auto& t : flood) t.join();
  EXPECT_GT(exhausted.load(), 0);
  EXPECT_LE(opened.load(), 5 + 2 * 5) << "the burst plus what the rate refilled during the run";
  EXPECT_EQ(other.load(), 0);
  EXPECT_TRUE(absl::StrContains(retry_message, "retry after")) << retry_message;
  EXPECT_EQ(person_ok, 10) << "a person's calls are not starved by the integration";
}

TEST_F(TransportTest, RequestsOverTheSizeLimitAreRefused) {
  FixtureOptions options;
  options.adjust = [](common::ServiceConfig& cfg) { cfg.max_request_bytes = 64 * 1024; };
  ServiceFixture fx(module_, options);
  ASSERT_TRUE(fx.ok());
  auto stub = recovery::v1::Intake::NewStub(fx.channel());
  auto request = intake::testing::OpenRequest("big");
  request.set_description(std::string(100 * 1024, 'x'));
  auto ctx = common::ContextWithDeadline();
  recovery::v1::OpenCaseResponse out;
  EXPECT_EQ(stub->OpenCase(ctx.get(), request, &out).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace recovery::testing
