// srctl clock: moves (or shows) the manual clock of every service of a stack started with
// --manual-clock (recovery.v1.TestClock), so a story plays the same at any hour.
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "recovery/v1/testing.grpc.pb.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "tools/srctl/command.h"
#include "tools/srctl/flag_parsing.h"
#include "tools/srctl/printer.h"

namespace recovery::srctl {
namespace {

using recovery::v1::TestClock;

class ClockCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("action", action_, "advance|set|show")->required()->check(CLI::IsMember({"advance", "set", "show"}));
    cmd.add_option("amount", amount_, "duration (advance, e.g. 5m) or RFC3339 instant (set)");
  }

  // Prints "clock: <now>" (never JSON: tools/stack.sh reads this line even under --json).
  absl::Status Run(Session& session) const {
    recovery::v1::AdvanceTimeRequest advance;
    recovery::v1::SetTimeRequest set;
    if (action_ == "advance") {
      absl::Duration by;
      if (!absl::ParseDuration(amount_, &by))
        return absl::InvalidArgumentError("amount: expected a duration like 90s, 15m, 2h");
      *advance.mutable_by() = common::ToProtoDuration(by);
    } else if (action_ == "set") {
      ASSIGN_OR_RETURN(*set.mutable_time(), ParseTimestamp("amount", amount_));
    }
    std::string shown;
    const Stack stack = session.LoadStack();
    for (const auto& [service, address] : stack.all()) {
      if (service == "broker" || service == "webhook") continue;
      absl::StatusOr<recovery::v1::TimeResponse> now;
      if (action_ == "advance") {
        now = session.CallAt<TestClock>(address, &TestClock::Stub::AdvanceTime, advance);
      } else if (action_ == "set") {
        now = session.CallAt<TestClock>(address, &TestClock::Stub::SetTime, set);
      } else {
        now = session.CallAt<TestClock>(address, &TestClock::Stub::GetTime, recovery::v1::GetTimeRequest());
      }
      if (!now.ok()) return absl::Status(now.status().code(), absl::StrCat(service, ": ", now.status().message()));
      shown = FieldText(*now, "now");
    }
    session.PrintText(absl::StrCat("clock: ", shown, "\n"));
    return absl::OkStatus();
  }

 private:
  std::string action_, amount_;
};

}  // namespace

std::vector<Command> ClockCommands() {
  return {MakeCommand<ClockCommand>("clock",
                                    "move the manual clock of every service (stacks started with --manual-clock)")};
}

}  // namespace recovery::srctl
