// `srctl config` against the escalation service in process (ServiceFixture: SQLite, manual
// clock, a real gRPC server on loopback), started with no --config at all: the whole
// directory is created by `srctl config apply -f DIR`, and a case opened afterwards pages the
// person it names; diff exits 0 when the live configuration equals the directory and 2 when
// it would change; applying twice changes nothing; single-resource commands show versions,
// dry runs change nothing, and a stale --etag is ABORTED.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "services/common/events.h"
#include "services/escalation/module.h"
#include "tests/support/process.h"
#include "tests/support/service_fixture.h"
#include "tests/support/service_process.h"
#include "tests/support/test_identity.h"

namespace recovery::srctl {
namespace {

namespace v1 = recovery::v1;

constexpr char kYaml[] = R"(people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}]}
  - {id: sam, name: Sam, time_zone: UTC, contact_methods: [{channel: log, target: sam}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
policies:
  - {id: to-alice, name: Alice, tiers: [{targets: [{person: alice}], ack_timeout: 5m}], fallback: sam}
teams:
  - {id: ops, name: Ops, members: [alice, sam], calendar: office, policy: to-alice}
routing_rules:
  - {id: all, team: ops}
)";

struct SrctlRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class SrctlConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.ok());
    std::filesystem::create_directories(dir_.File("gitops"));
    Write(kYaml);
  }

  void Write(const std::string& yaml) { std::ofstream(dir_.File("gitops/escalation.yaml")) << yaml; }

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

  std::vector<v1::PageQueued> PagesOfCase(const std::string& case_id) {
    v1::Event e = common::NewEvent(fx_.clock().Now(), case_id, "intake", "tester", "req-" + case_id);
    e.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
    e.mutable_case_opened()->set_category("outage");
    e.mutable_case_opened()->set_summary("down");
    EXPECT_TRUE(fx_.Deliver(e).ok());
    fx_.Quiesce();
    std::vector<v1::PageQueued> pages;
    for (const auto& p : fx_.PublishedOfType("PageQueued"))
      if (p.case_id() == case_id) pages.push_back(p.page_queued());
    return pages;
  }

  recovery::testing::TempDir dir_;
  escalation::EscalationModule module_{escalation::EscalationModule::Options{.start_delivery_worker = false}};
  recovery::testing::ServiceFixture fx_{module_, recovery::testing::FixtureOptions{}};  // no --config
};

TEST_F(SrctlConfigTest, TheDirectoryAppliedBySrctlIsWhatPagesAndApplyingTwiceChangesNothing) {
  EXPECT_TRUE(PagesOfCase("case-before").empty()) << "nothing is configured yet";

  const SrctlRun diff = Srctl("config diff -f " + dir_.File("gitops"));
  EXPECT_EQ(diff.exit_code, 2) << diff.err;  // something would change
  EXPECT_TRUE(absl::StrContains(diff.out, "+ escalation person alice")) << diff.out;
  EXPECT_TRUE(absl::StrContains(diff.out, "6 change(s) would be made")) << diff.out;

  const SrctlRun apply = Srctl("config apply -f " + dir_.File("gitops") + " --reason 'first rota'");
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  EXPECT_TRUE(absl::StrContains(apply.out, "escalation: 6 change(s) applied")) << apply.out;

  const std::vector<v1::PageQueued> pages = PagesOfCase("case-after");
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].person_id(), "alice");

  const SrctlRun again = Srctl("config apply -f " + dir_.File("gitops"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(absl::StrContains(again.out, "escalation: 0 change(s) applied")) << again.out;
  const SrctlRun same = Srctl("config diff -f " + dir_.File("gitops"));
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;

  // The export is the directory's format: applying it back changes nothing either.
  ASSERT_EQ(Srctl("config export -o " + dir_.File("exported")).exit_code, 0);
  const SrctlRun exported = Srctl("config diff -f " + dir_.File("exported"));
  EXPECT_EQ(exported.exit_code, 0) << exported.out << exported.err;
}

TEST_F(SrctlConfigTest, SingleResourcesShowVersionsDryRunsChangeNothingAndAStaleEtagIsAborted) {
  ASSERT_EQ(Srctl("config apply -f " + dir_.File("gitops")).exit_code, 0);
  const SrctlRun get = Srctl("config get person alice");
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_TRUE(absl::StrContains(get.out, "person alice  version 1")) << get.out;
  const std::string etag = get.out.substr(get.out.find("etag ") + 5, get.out.find('\n') - get.out.find("etag ") - 5);

  const SrctlRun dry = Srctl("config update person alice --mask name --spec '{name: Alice Smith}' --dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_TRUE(absl::StrContains(dry.out, "+ name: \"Alice Smith\"")) << dry.out;
  EXPECT_TRUE(absl::StrContains(dry.out, "dry run")) << dry.out;
  EXPECT_TRUE(absl::StrContains(Srctl("config get person alice").out, "version 1"));

  const SrctlRun update = Srctl("config update person alice --mask name --spec '{name: Alice Smith}' --etag " + etag);
  ASSERT_EQ(update.exit_code, 0) << update.err;
  const SrctlRun stale = Srctl("config update person alice --mask name --spec '{name: A}' --etag " + etag);
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(stale.err, "ABORTED")) << stale.err;

  const SrctlRun history = Srctl("config history person alice");
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_TRUE(absl::StrContains(history.out, "person:tester")) << history.out;
  const SrctlRun list = Srctl("config list routing_rule");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(absl::StrContains(list.out, "all")) << list.out;
}

}  // namespace
}  // namespace recovery::srctl
