// srctl's cover and calendar commands against the real recovery-escalation binary (SQLite, a
// manual clock, no broker), each run with the token of the person acting: alice asks bob to
// cover with `cover request`, bob finds it with `cover list --to-me` and takes it with
// `cover accept`, after which `oncall` names bob for that stretch; `cover decline` and
// `cover cancel` answer; `calendar create|list|revoke` manage a feed; bad flags name the flag.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"
#include "tests/support/test_identity.h"

namespace recovery::srctl {
namespace {

using recovery::testing::TempDir;

constexpr char kYaml[] = R"(
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}]}
  - {id: bob, name: Bob, time_zone: UTC, contact_methods: [{channel: log, target: bob}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    name: On call
    time_zone: UTC
    layers:
      - {name: primary, participants: [alice], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}]}
teams:
  - {id: ops, name: Ops, members: [alice, bob], calendar: office, schedule: oncall, policy: p}
routing_rules:
  - {id: all, team: ops}
)";

struct SrctlRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The first UUID in `text`.
std::string FirstId(const std::string& text) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"))) {
    return m[0];
  }
  return "";
}

class SrctlCoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.File("escalation.yaml")) << kYaml;
    service_ = std::make_unique<recovery::testing::ServiceProcess>(
        "services/escalation/recovery-escalation", dir_, "escalation",
        recovery::testing::ServiceFlags{.db = dir_.File("escalation.db"),
                                        .config = dir_.File("escalation.yaml"),
                                        .manual_clock = recovery::testing::kManualClockStart});
    ASSERT_TRUE(service_->started());
  }

  // srctl as `person`, with the escalation service's address and an empty stack dir.
  SrctlRun Srctl(const std::string& person, const std::string& args) {
    SrctlRun run;
    const std::string err_file = dir_.File("srctl.err");
    run.out = recovery::testing::RunCommand(
        absl::StrCat(recovery::testing::BinaryPath("tools/srctl/srctl"), " --token ",
                     recovery::testing::TestIdentity::Shared().PersonToken(person), " --stack ", dir_.File("no-stack"),
                     " --escalation ", service_->address(), " ", args, " 2>", err_file),
        &run.exit_code);
    std::ifstream in(err_file);
    std::stringstream err;
    err << in.rdbuf();
    run.err = err.str();
    return run;
  }

  // The manual clock's start plus `d`, as srctl takes instants.
  static std::string At(absl::Duration d) {
    return absl::FormatTime(absl::RFC3339_sec, recovery::testing::ManualClockStart() + d, absl::UTCTimeZone());
  }

  TempDir dir_;
  std::unique_ptr<recovery::testing::ServiceProcess> service_;
};

TEST_F(SrctlCoverTest, AliceAsksBobBobAcceptsAndIsThenOnCall) {
  const SrctlRun asked =
      Srctl("alice", absl::StrCat("cover request --schedule oncall --person bob --from ", At(absl::Hours(1)), " --to ",
                                  At(absl::Hours(3)), " --reason 'school play'"));
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_TRUE(absl::StrContains(asked.out, ": PENDING")) << asked.out;
  const std::string id = FirstId(asked.out);
  ASSERT_FALSE(id.empty()) << asked.out;

  const SrctlRun listed = Srctl("bob", "cover list --to-me --status pending");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(absl::StartsWith(listed.out, "COVER_REQUEST_ID")) << listed.out;
  EXPECT_TRUE(absl::StrContains(listed.out, id)) << listed.out;
  EXPECT_FALSE(absl::StrContains(Srctl("alice", "cover list --to-me").out, id)) << "alice is not asked";

  const SrctlRun not_hers = Srctl("alice", "cover accept " + id);
  EXPECT_EQ(not_hers.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(not_hers.err, "error: PERMISSION_DENIED: schedules.override: cover request"))
      << not_hers.err;

  const SrctlRun accepted = Srctl("bob", "cover accept " + id);
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_TRUE(absl::StrContains(accepted.out, ": ACCEPTED")) << accepted.out;
  EXPECT_TRUE(absl::StrContains(accepted.out, "override_id: ")) << accepted.out;

  const SrctlRun during = Srctl("alice", "--json oncall --schedule oncall --at " + At(absl::Hours(2)));
  ASSERT_EQ(during.exit_code, 0) << during.err;
  EXPECT_TRUE(absl::StrContains(during.out, "\"person_ids\":[\"bob\"]")) << during.out;
  const SrctlRun after = Srctl("alice", "--json oncall --schedule oncall --at " + At(absl::Hours(4)));
  EXPECT_TRUE(absl::StrContains(after.out, "\"person_ids\":[\"alice\"]")) << after.out;
}

TEST_F(SrctlCoverTest, DeclineAndCancelAnswerAndBadFlagsNameTheFlag) {
  const std::string first = FirstId(Srctl("alice", absl::StrCat("cover request --schedule oncall --person bob --from ",
                                                                At(absl::Hours(1)), " --to ", At(absl::Hours(2))))
                                        .out);
  const std::string second = FirstId(Srctl("alice", absl::StrCat("cover request --schedule oncall --person bob --from ",
                                                                 At(absl::Hours(5)), " --to ", At(absl::Hours(6))))
                                         .out);
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  const SrctlRun declined = Srctl("bob", "cover decline " + first + " --reason 'on leave'");
  ASSERT_EQ(declined.exit_code, 0) << declined.err;
  EXPECT_TRUE(absl::StrContains(declined.out, ": DECLINED")) << declined.out;
  const SrctlRun cancelled = Srctl("alice", "cover cancel " + second);
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_TRUE(absl::StrContains(cancelled.out, ": CANCELLED")) << cancelled.out;
  const SrctlRun mine = Srctl("alice", "--json cover list --mine");
  EXPECT_TRUE(absl::StrContains(mine.out, "COVER_REQUEST_STATUS_DECLINED")) << mine.out;
  EXPECT_TRUE(absl::StrContains(mine.out, "COVER_REQUEST_STATUS_CANCELLED")) << mine.out;

  const SrctlRun bad_time =
      Srctl("alice", "cover request --schedule oncall --person bob --from tomorrow --to " + At(absl::Hours(2)));
  EXPECT_EQ(bad_time.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(bad_time.err, "--from")) << bad_time.err;
  const SrctlRun past = Srctl("alice", absl::StrCat("cover request --schedule oncall --person bob --from ",
                                                    At(-absl::Hours(1)), " --to ", At(absl::Hours(2))));
  EXPECT_EQ(past.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(past.err, "error: INVALID_ARGUMENT: start: must be in the future")) << past.err;
  EXPECT_NE(Srctl("alice", "cover").exit_code, 0) << "a subcommand is required";
}

TEST_F(SrctlCoverTest, CalendarCreateListRevoke) {
  const SrctlRun created = Srctl("alice", "calendar create --person alice");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(created.out, m, std::regex("/calendar/[A-Za-z0-9_-]{43}\\.ics"))) << created.out;
  const std::string path = m[0];
  const std::string feed = FirstId(created.out);
  ASSERT_FALSE(feed.empty()) << created.out;

  const SrctlRun listed = Srctl("alice", "calendar list");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(absl::StrContains(listed.out, feed)) << listed.out;
  EXPECT_FALSE(absl::StrContains(listed.out, path.substr(10, 43))) << "the token is never listed";
  EXPECT_FALSE(absl::StrContains(Srctl("bob", "calendar list").out, feed)) << "not bob's";

  const SrctlRun revoked = Srctl("alice", "calendar revoke " + feed);
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_TRUE(absl::StrContains(revoked.out, "revoked_at")) << revoked.out;
  EXPECT_FALSE(absl::StrContains(Srctl("alice", "calendar list").out, feed));
  EXPECT_TRUE(absl::StrContains(Srctl("alice", "calendar list --all").out, feed));
}

}  // namespace
}  // namespace recovery::srctl
