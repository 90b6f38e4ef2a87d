// `srctl escalations` against the escalation service in process (ServiceFixture: SQLite,
// manual clock, a real gRPC server on loopback): without a case it lists every case's
// escalations newest first with a case column, --active / --team / --status filter, a page of
// --page-size ends with the --page-token of the next; with a case, that case's; a bad
// --status is INVALID_ARGUMENT naming the flag, a bad --page-size the service's field.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/events.h"
#include "services/escalation/module.h"
#include "tests/support/process.h"
#include "tests/support/service_fixture.h"
#include "tests/support/service_process.h"
#include "tests/support/test_identity.h"

namespace recovery::srctl {
namespace {

namespace v1 = recovery::v1;

constexpr char kYaml[] = R"(
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}]}
  - {id: sam, name: Sam, time_zone: UTC, contact_methods: [{channel: log, target: sam}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
policies:
  - {id: to-alice, name: Alice, tiers: [{targets: [{person: alice}], ack_timeout: 5m}]}
  - {id: to-sam, name: Sam, tiers: [{targets: [{person: sam}], ack_timeout: 5m}]}
teams:
  - {id: ops, name: Ops, members: [alice], calendar: office, policy: to-alice}
  - {id: billing, name: Billing, members: [sam], calendar: office, policy: to-sam}
routing_rules:
  - {id: money, categories: [billing_error], team: billing}
  - {id: all, team: ops}
)";

struct SrctlRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

recovery::testing::FixtureOptions WithConfig(const std::string& yaml) {
  recovery::testing::FixtureOptions options;
  options.config_yaml = yaml;
  return options;
}

// Lines of `out` holding `needle`, in order.
std::vector<std::string> LinesWith(const std::string& out, const std::string& needle) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (absl::StrContains(line, needle)) lines.push_back(line);
  }
  return lines;
}

class SrctlEscalationsTest : public ::testing::Test {
 protected:
  // Cases in this order: case-ops-1, case-billing-1, case-ops-2 (all paging).
  void SetUp() override {
    ASSERT_TRUE(fx_.ok());
    Open("case-ops-1", "outage");
    Open("case-billing-1", "billing_error");
    Open("case-ops-2", "outage");
  }

  void Open(const std::string& case_id, const std::string& category) {
    v1::Event e = common::NewEvent(fx_.clock().Now(), case_id, "intake", "tester", "req-" + case_id);
    e.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
    e.mutable_case_opened()->set_category(category);
    e.mutable_case_opened()->set_summary("down");
    ASSERT_TRUE(fx_.Deliver(e).ok());
    fx_.Quiesce();
  }

  SrctlRun Srctl(const std::string& args) {
    SrctlRun run;
    const std::string err_file = dir_.File("srctl.err");
    run.out = recovery::testing::RunCommand(
        absl::StrCat(recovery::testing::BinaryPath("tools/srctl/srctl"), " --token ",
                     recovery::testing::TestIdentity::Shared().PersonToken(recovery::testing::kTestPerson), " --stack ",
                     dir_.File("no-stack"), " --escalation 127.0.0.1:", fx_.port(), " ", args, " 2>", err_file),
        &run.exit_code);
    std::ifstream in(err_file);
    std::stringstream err;
    err << in.rdbuf();
    run.err = err.str();
    return run;
  }

  recovery::testing::TempDir dir_;
  escalation::EscalationModule module_{escalation::EscalationModule::Options{.start_delivery_worker = false}};
  recovery::testing::ServiceFixture fx_{module_, WithConfig(kYaml)};
};

TEST_F(SrctlEscalationsTest, WithoutACaseEveryCasesEscalationsAreListedNewestFirstWithTheirCase) {
  const SrctlRun run = Srctl("escalations --active");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<std::string> rows = LinesWith(run.out, "case-");
  ASSERT_EQ(rows.size(), 3u) << run.out;
  EXPECT_TRUE(absl::StrContains(rows[0], "case-ops-2")) << run.out;
  EXPECT_TRUE(absl::StrContains(rows[1], "case-billing-1")) << run.out;
  EXPECT_TRUE(absl::StrContains(rows[2], "case-ops-1")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "CASE_ID")) << "a case column when listing across cases: " << run.out;
  EXPECT_FALSE(absl::StrContains(run.out, "more:")) << run.out;
}

TEST_F(SrctlEscalationsTest, TeamAndStatusFlagsFilter) {
  const SrctlRun billing = Srctl("escalations --team billing --status paging --status held");
  ASSERT_EQ(billing.exit_code, 0) << billing.err;
  EXPECT_EQ(LinesWith(billing.out, "case-").size(), 1u) << billing.out;
  EXPECT_TRUE(absl::StrContains(billing.out, "case-billing-1")) << billing.out;

  const SrctlRun acknowledged = Srctl("escalations --status acknowledged");
  ASSERT_EQ(acknowledged.exit_code, 0) << acknowledged.err;
  EXPECT_TRUE(LinesWith(acknowledged.out, "case-").empty()) << acknowledged.out;
}

TEST_F(SrctlEscalationsTest, APagePrintsTheTokenOfTheNextAndTheLastPageNone) {
  const SrctlRun first = Srctl("escalations --page-size 2");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(LinesWith(first.out, "case-").size(), 2u) << first.out;
  const std::vector<std::string> more = LinesWith(first.out, "more: --page-token ");
  ASSERT_EQ(more.size(), 1u) << first.out;
  const std::string token = more[0].substr(more[0].rfind(' ') + 1);

  const SrctlRun second = Srctl("escalations --page-size 2 --page-token " + token);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const std::vector<std::string> rows = LinesWith(second.out, "case-");
  ASSERT_EQ(rows.size(), 1u) << second.out;
  EXPECT_TRUE(absl::StrContains(rows[0], "case-ops-1")) << second.out;
  EXPECT_FALSE(absl::StrContains(second.out, "more:")) << second.out;

  const SrctlRun json = Srctl("--json escalations --page-size 1");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(absl::StrContains(json.out, "\"next_page_token\":\"")) << json.out;
}

TEST_F(SrctlEscalationsTest, WithACaseOnlyThatCasesEscalationsAreListed) {
  const SrctlRun run = Srctl("escalations case-billing-1");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(LinesWith(run.out, "PAGING").size(), 1u) << run.out;
  EXPECT_FALSE(absl::StrContains(run.out, "case-ops")) << run.out;
}

TEST_F(SrctlEscalationsTest, BadFlagsAreInvalidArgumentNamingTheFlagOrField) {
  const SrctlRun status = Srctl("escalations --status sleeping");
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(status.err, "error: INVALID_ARGUMENT: --status: unknown value \"sleeping\""))
      << status.err;
  const SrctlRun size = Srctl("escalations --page-size 501");
  EXPECT_EQ(size.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(size.err, "error: INVALID_ARGUMENT: page_size: must be between 0 and 500")) << size.err;
}

}  // namespace
}  // namespace recovery::srctl
