// srctl's operations commands against a real service binary (follow-up on SQLite, the dev
// broker, a manual clock): dead-letters lists an event the consumer parked, with the hostile
// text in it escaped in both the table and the JSON; failed-timers lists a timer the runtime
// set aside and retry-timer re-arms it; bad input is INVALID_ARGUMENT naming the flag.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/common/events.h"
#include "services/common/store.h"
#include "services/common/timers.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"
#include "tests/support/test_identity.h"

namespace recovery::srctl {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::DevBroker;
using recovery::testing::TempDir;

// A timer of a kind no handler serves: the runtime sets it aside in failed_timers at once.
constexpr char kOrphanKind[] = "test.orphan";
constexpr char kOrphanKey[] = "case-7/reminder-1";
constexpr char kOrphanTimer[] = "test.orphan/case-7/reminder-1";

struct SrctlRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// True when `text` holds a byte a terminal acts on: a C0 control other than \n, DEL, or a C1
// control in UTF-8.
bool HasRawControl(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xE0) == 0x80) return true;
  }
  return false;
}

class SrctlOperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SeedOrphanTimer(dir_.File("follow_up.db")));
    service_ = std::make_unique<recovery::testing::ServiceProcess>(
        "services/follow_up/recovery-follow-up", dir_, "follow_up",
        recovery::testing::ServiceFlags{.db = dir_.File("follow_up.db"),
                                        .brokers = broker_.bootstrap(),
                                        .config = recovery::testing::SourcePath("services/follow_up/example.yaml"),
                                        .manual_clock = recovery::testing::kManualClockStart});
    ASSERT_TRUE(service_->started());
  }

  // Before the service first opens its database: one armed timer, due before the manual clock.
  static void SeedOrphanTimer(const std::string& db) {
    auto store = common::OpenStore(db);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(common::TimerService::Migrate(**store).ok());
    common::ManualClock clock(recovery::testing::ManualClockStart());
    common::TimerService timers(**store, clock);
    ASSERT_TRUE(common::InTransaction(**store, [&](common::Tx& tx) {
                  return timers.Schedule(tx, kOrphanKind, kOrphanKey, clock.Now() - absl::Minutes(1));
                }).ok());
  }

  // Runs srctl with the follow-up service's address (as --follow_up) and an empty stack dir.
  SrctlRun Srctl(const std::string& args) {
    SrctlRun run;
    const std::string err_file = dir_.File("srctl.err");
    run.out = recovery::testing::RunCommand(
        absl::StrCat(recovery::testing::BinaryPath("tools/srctl/srctl"), " --token ",
                     recovery::testing::TestIdentity::Shared().PersonToken(recovery::testing::kTestPerson), " --stack ",
                     dir_.File("no-stack"), " --follow_up ", service_->address(), " ", args, " 2>", err_file),
        &run.exit_code);
    std::ifstream in(err_file);
    std::stringstream err;
    err << in.rdbuf();
    run.err = err.str();
    return run;
  }

  // Polls `args` until its stdout contains `needle`; the last run.
  SrctlRun SrctlUntil(const std::string& args, const std::string& needle) {
    SrctlRun run;
    recovery::testing::PollUntil(
        [&] {
          run = Srctl(args);
          return run.exit_code == 0 && absl::StrContains(run.out, needle);
        },
        absl::Seconds(40));
    return run;
  }

  TempDir dir_;
  DevBroker broker_;
  std::unique_ptr<recovery::testing::ServiceProcess> service_;
};

TEST_F(SrctlOperationsTest, DeadLettersListsAParkedEventWithItsControlCharactersEscaped) {
  {
    SrctlRun empty = Srctl("dead-letters --service follow_up");
    EXPECT_EQ(empty.exit_code, 0) << empty.err;
    EXPECT_EQ(empty.out, "follow_up: no dead letters\n");
  }
  // A CaseOpened with an empty body, its case id carrying a terminal escape sequence (a window
  // title) and a C1 CSI: follow-up parks it as malformed.
  recovery::testing::EventPublisher publisher(dir_.File("publisher.db"), broker_.bootstrap());
  v1::Event ghost = common::NewEvent(recovery::testing::ManualClockStart(),
                                     "ghost\x1b]0;pwned\x07\xc2\x9b"
                                     "2J",
                                     "intake", "tester", "req-ghost");
  ghost.mutable_case_opened();
  ASSERT_NO_FATAL_FAILURE(publisher.Publish(ghost));

  const SrctlRun table = SrctlUntil("dead-letters --service follow_up", ghost.event_id());
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_FALSE(HasRawControl(table.out)) << table.out;
  EXPECT_TRUE(absl::StartsWith(table.out, "ID")) << table.out;
  EXPECT_TRUE(absl::StrContains(table.out, "ghost\\x1b]0;pwned\\x07\\u009b2J")) << table.out;
  EXPECT_TRUE(absl::StrContains(table.out, "consumer")) << table.out;
  EXPECT_TRUE(absl::StrContains(table.out, "CaseOpened")) << table.out;
  EXPECT_TRUE(absl::StrContains(table.out, "malformed")) << table.out;

  const SrctlRun json = Srctl("--json dead-letters --service follow-up --origin consumer");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_FALSE(HasRawControl(json.out)) << json.out;
  std::string lower = json.out;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(absl::StrContains(lower, "ghost\\u001b]0;pwned\\u0007\\u009b2j")) << json.out;
  EXPECT_TRUE(absl::StrContains(json.out, absl::StrCat("\"event_id\":\"", ghost.event_id(), "\""))) << json.out;

  const SrctlRun outbox = Srctl("dead-letters --service follow_up --origin outbox");
  EXPECT_EQ(outbox.out, "follow_up: no dead letters\n") << "the parked event came from the consumer";
}

TEST_F(SrctlOperationsTest, FailedTimersListsASetAsideTimerAndRetryTimerRearmsIt) {
  const SrctlRun listed = SrctlUntil("failed-timers --service follow_up", kOrphanTimer);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(absl::StartsWith(listed.out, "TIMER")) << listed.out;
  EXPECT_TRUE(absl::StrContains(listed.out, "2026-11-24T21:59:00Z")) << "its due time: " << listed.out;

  const SrctlRun json = Srctl(absl::StrCat("--json failed-timers --service follow_up --kind ", kOrphanKind));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(absl::StrContains(json.out, absl::StrCat("\"key\":\"", kOrphanKey, "\""))) << json.out;

  const SrctlRun retried = Srctl(absl::StrCat("retry-timer --service follow_up ", kOrphanTimer));
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_EQ(retried.out, absl::StrCat("re-armed ", kOrphanTimer, ", due 2026-11-24T22:00:00Z\n"));

  // Still no handler for its kind: the re-armed timer fires and is set aside again, now due at
  // the time it was re-armed for.
  const SrctlRun again = SrctlUntil("failed-timers --service follow_up", "2026-11-24T22:00:00Z");
  EXPECT_TRUE(absl::StrContains(again.out, kOrphanTimer)) << again.out;
}

TEST_F(SrctlOperationsTest, BadInputIsInvalidArgumentNamingTheFlag) {
  const SrctlRun unknown = Srctl("dead-letters --service billing");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(unknown.err, "error: INVALID_ARGUMENT: --service: unknown service \"billing\""))
      << unknown.err;

  const SrctlRun no_key = Srctl("retry-timer --service follow_up test.orphan");
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(no_key.err, "error: INVALID_ARGUMENT: timer: expected <kind>/<key>")) << no_key.err;

  const SrctlRun origin = Srctl("dead-letters --service follow_up --origin elsewhere");
  EXPECT_EQ(origin.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(origin.err, "error: INVALID_ARGUMENT: origin: "))
      << "the service's own check: " << origin.err;

  const SrctlRun no_address = Srctl("failed-timers --service intake");
  EXPECT_EQ(no_address.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(no_address.err, "no address for service 'intake'")) << no_address.err;
}

}  // namespace
}  // namespace recovery::srctl
