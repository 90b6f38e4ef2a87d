// srctl's operations commands (recovery.v1.Operations, served by every service on its own
// port): what the runtime set aside instead of dropping (events parked in dead_letters, timers
// whose handler kept failing) and re-arming a failed timer. --service picks the service; its
// address comes from the stack directory or --<service>, like every other command.
#include <ostream>

#include "absl/strings/str_cat.h"
#include "recovery/v1/operations.grpc.pb.h"
#include "services/common/status_macros.h"
#include "tools/srctl/command.h"
#include "tools/srctl/flag_parsing.h"
#include "tools/srctl/printer.h"

namespace recovery::srctl {
namespace {

using google::protobuf::Message;
using recovery::v1::Operations;

// A failed timer is named "<kind>/<key>": kinds are ids (no '/'), keys often hold '/'.
std::string TimerName(const recovery::v1::FailedTimerEntry& t) { return absl::StrCat(t.kind(), "/", t.key()); }

void AddServiceFlag(CLI::App& cmd, std::string* service) {
  cmd.add_option("--service", *service, "intake|escalation|action_plan|follow_up|audit")->required();
}

class DeadLettersCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    AddServiceFlag(cmd, &service_);
    cmd.add_option("--origin", origin_, "consumer|outbox (default: both)");
    cmd.add_option("--limit", limit_, "at most this many, newest first (default 100, at most 1000)");
  }

  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const std::string service, ParseServiceName("--service", service_));
    ASSIGN_OR_RETURN(const std::string address, session.AddressOf(service));
    recovery::v1::ListDeadLettersRequest req;
    req.set_origin(origin_);
    req.set_limit(limit_);
    return session.Show(session.CallAt<Operations>(address, &Operations::Stub::ListDeadLetters, req),
                        [&](const recovery::v1::ListDeadLettersResponse& m, std::ostream& out) {
                          if (m.dead_letters().empty()) {
                            out << service << ": no dead letters\n";
                            return;
                          }
                          out << Table(
                              RepeatedMessages(m, "dead_letters"),
                              {"id", "parked_at", "origin", "type", "case_id", "event_id", "attempts", "reason"});
                        });
  }

 private:
  std::string service_, origin_;
  int limit_ = 0;
};

class FailedTimersCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    AddServiceFlag(cmd, &service_);
    cmd.add_option("--kind", kind_, "only timers of this kind");
    cmd.add_option("--limit", limit_, "at most this many, most recently failed first (default 100, at most 1000)");
  }

  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const std::string service, ParseServiceName("--service", service_));
    ASSIGN_OR_RETURN(const std::string address, session.AddressOf(service));
    recovery::v1::ListFailedTimersRequest req;
    req.set_kind(kind_);
    req.set_limit(limit_);
    return session.Show(session.CallAt<Operations>(address, &Operations::Stub::ListFailedTimers, req),
                        [&](const recovery::v1::ListFailedTimersResponse& m, std::ostream& out) {
                          if (m.timers().empty()) {
                            out << service << ": no failed timers\n";
                            return;
                          }
                          std::vector<std::vector<std::string>> rows;
                          for (const recovery::v1::FailedTimerEntry& t : m.timers())
                            rows.push_back({TimerName(t), FieldText(t, "attempts"), FieldText(t, "due"),
                                            FieldText(t, "failed_at"), t.last_error()});
                          out << TextTable({"TIMER", "ATTEMPTS", "DUE", "FAILED_AT", "LAST_ERROR"}, rows);
                        });
  }

 private:
  std::string service_, kind_;
  int limit_ = 0;
};

class RetryTimerCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    AddServiceFlag(cmd, &service_);
    cmd.add_option("timer", timer_, "<kind>/<key>, as failed-timers lists it")->required();
  }

  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const std::string service, ParseServiceName("--service", service_));
    const size_t slash = timer_.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == timer_.size())
      return absl::InvalidArgumentError("timer: expected <kind>/<key>, as failed-timers lists it");
    ASSIGN_OR_RETURN(const std::string address, session.AddressOf(service));
    recovery::v1::RetryFailedTimerRequest req;
    req.set_kind(timer_.substr(0, slash));
    req.set_key(timer_.substr(slash + 1));
    return session.Show(session.CallAt<Operations>(address, &Operations::Stub::RetryFailedTimer, req),
                        [&](const recovery::v1::RetryFailedTimerResponse& m, std::ostream& out) {
                          if (m.rearmed()) {
                            out << "re-armed " << EscapeForTerminal(timer_) << ", due " << DisplayText(m, "due")
                                << "\n";
                          } else {
                            out << EscapeForTerminal(timer_)
                                << " was armed again by the service meanwhile: that timer is kept, the failed "
                                   "record removed\n";
                          }
                        });
  }

 private:
  std::string service_, timer_;
};

}  // namespace

std::vector<Command> OperationsCommands() {
  return {
      MakeCommand<DeadLettersCommand>("dead-letters",
                                      "events a service parked instead of dropping (operations.ListDeadLetters)"),
      MakeCommand<FailedTimersCommand>("failed-timers",
                                       "timers whose handler kept failing (operations.ListFailedTimers)"),
      MakeCommand<RetryTimerCommand>("retry-timer", "re-arm a failed timer, due now (operations.RetryFailedTimer)"),
  };
}

}  // namespace recovery::srctl
