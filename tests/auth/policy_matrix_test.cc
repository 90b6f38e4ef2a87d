// The policy over every RPC of every service, on the real services (built through their
// modules on real gRPC servers, the deploy/config configuration): with no credential each
// answers UNAUTHENTICATED, with a role that lacks the method's permission PERMISSION_DENIED
// naming it, and with a role that holds it the call reaches the service. No handler may run
// for a refused call (the interceptor counts one that did).
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "recovery/v1/action_plan.pb.h"
#include "recovery/v1/audit.pb.h"
#include "recovery/v1/config.pb.h"
#include "recovery/v1/escalation.pb.h"
#include "recovery/v1/follow_up.pb.h"
#include "recovery/v1/intake.pb.h"
#include "recovery/v1/operations.pb.h"
#include "services/action_plan/module.h"
#include "services/audit/module.h"
#include "services/common/auth/policy.h"
#include "services/escalation/module.h"
#include "services/follow_up/module.h"
#include "services/intake/module.h"
#include "tests/support/deploy_config.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_identity.h"

namespace recovery::testing {
namespace {

// The group of the test provider that carries each role (test_identity.cc's access config).
const std::map<std::string, std::string>& GroupOfRole() {
  static const auto* m = new std::map<std::string, std::string>{
      {"viewer", "viewers"},       {"responder", "responders"}, {"case-manager", "case-managers"},
      {"scheduler", "schedulers"}, {"admin", "admins"},         {"auditor", "auditors"}};
  return *m;
}

// A credential carrying exactly `role`.
std::string TokenWithRole(const std::string& role) {
  if (role == "integration") return kIntegrationToken;
  TokenSpec spec;
  spec.sub = "matrix-" + role;
  spec.groups = {GroupOfRole().at(role)};
  return TestIdentity::Shared().Mint(spec);
}

grpc::Status CallRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice empty;
  grpc::ByteBuffer request(&empty, 1), response;  // an empty request message: every field at its default
  grpc::Status status;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
    std::lock_guard lock(mu);
    status = std::move(s);
    done = true;
    cv.notify_one();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  return status;
}

struct ServiceCase {
  std::string name;
  std::function<std::unique_ptr<common::ServiceModule>()> make;
  std::vector<const google::protobuf::ServiceDescriptor*> apis;
};

class PolicyMatrixTest : public ::testing::TestWithParam<std::string> {};

std::vector<ServiceCase> Services() {
  using google::protobuf::ServiceDescriptor;
  const ServiceDescriptor* ops = recovery::v1::ListDeadLettersRequest::descriptor()->file()->service(0);
  const ServiceDescriptor* config = recovery::v1::ListKindsRequest::descriptor()->file()->service(0);
  return {
      {"intake",
       [] { return std::make_unique<intake::IntakeModule>(); },
       {recovery::v1::OpenCaseRequest::descriptor()->file()->service(0), ops, config}},
      {"escalation",
       [] { return std::make_unique<escalation::EscalationModule>(); },
       {recovery::v1::AcknowledgePageRequest::descriptor()->file()->service(0), ops, config}},
      {"action_plan",
       [] { return std::make_unique<action_plan::ActionPlanModule>(); },
       {recovery::v1::GetPlanRequest::descriptor()->file()->service(0), ops, config}},
      {"follow_up",
       [] { return std::make_unique<follow_up::FollowUpModule>(); },
       {recovery::v1::ListRemindersRequest::descriptor()->file()->service(0), ops, config}},
      {"audit",
       [] { return std::make_unique<audit::AuditModule>(); },
       {recovery::v1::GetTimelineRequest::descriptor()->file()->service(0), ops}},
  };
}

TEST_P(PolicyMatrixTest, EveryRpcRefusesWithoutTheRightCredentialAndAdmitsWithIt) {
  const std::string name = GetParam();
  ServiceCase sc;
  for (auto& s : Services())
    if (s.name == name) sc = s;
  auto module = sc.make();
  FixtureOptions options;
  options.config_yaml = DeployConfig(name);
  ServiceFixture fx(*module, options);
  ASSERT_TRUE(fx.ok());
  // The start imported --config into the configuration state (one ConfigChanged per resource).
  fx.Quiesce();
  fx.ClearPublished();
  const common::Policy& policy = common::Policy::Default();
  const std::vector<std::string> roles = {"viewer", "responder", "case-manager", "scheduler",
                                          "admin",  "auditor",   "integration"};
  int checked = 0;
  for (const auto* api : sc.apis) {
    for (int i = 0; i < api->method_count(); ++i) {
      const std::string method = "/" + api->full_name() + "/" + api->method(i)->name();
      SCOPED_TRACE(method);
      auto permission = policy.PermissionFor(method);
      ASSERT_TRUE(permission.ok()) << permission.status();

      const grpc::Status none = CallRaw(fx.ChannelWithToken(""), method);
      EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED) << none.error_message();
      TokenSpec forged_spec;  // the provider's kid, another key
      forged_spec.sub = "mia";
      const grpc::Status forged =
          CallRaw(fx.ChannelWithToken(SigningKey::Ec("test-es256-1").Sign(forged_spec)), method);
      EXPECT_EQ(forged.error_code(), grpc::StatusCode::UNAUTHENTICATED) << forged.error_message();

      std::string lacking, holding;
      for (const auto& role : roles) {
        common::Principal p;
        p.roles = {role};
        const bool grants = policy.Grants(p, *permission);
        if (!grants && lacking.empty()) lacking = role;
        if (grants && holding.empty()) holding = role;
      }
      ASSERT_FALSE(holding.empty()) << "no role may call " << method;
      if (!lacking.empty()) {
        const grpc::Status denied = CallRaw(fx.ChannelWithToken(TokenWithRole(lacking)), method);
        EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << lacking << ": " << denied.error_message();
        EXPECT_TRUE(absl::StrContains(denied.error_message(), *permission)) << denied.error_message();
      }
      // Admitted: the request (empty) reaches the service, which judges it on its merits.
      const grpc::Status admitted = CallRaw(fx.ChannelWithToken(TokenWithRole(holding)), method);
      EXPECT_NE(admitted.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << holding << ": " << admitted.error_message();
      EXPECT_NE(admitted.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << holding << ": " << admitted.error_message();
      ++checked;
    }
  }
  EXPECT_GE(checked, 6);
  fx.Quiesce();
  EXPECT_TRUE(fx.published().empty()) << "an empty or refused request published an event";
  EXPECT_FALSE(absl::StrContains(fx.runtime().metrics().Render(), "auth_unchecked_handlers_total"))
      << "a handler ran for a refused call:\n"
      << fx.runtime().metrics().Render();
}

INSTANTIATE_TEST_SUITE_P(AllServices, PolicyMatrixTest,
                         ::testing::Values("intake", "escalation", "action_plan", "follow_up", "audit"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace recovery::testing
