// srctl's audit commands (recovery.v1.Audit): a case's timeline, verifying the hash chain,
// exporting audited events and statistics.
#include <algorithm>
#include <ostream>

#include "absl/time/time.h"
#include "recovery/v1/audit.grpc.pb.h"
#include "services/common/grpc_util.h"
#include "services/common/status_macros.h"
#include "tools/srctl/command.h"
#include "tools/srctl/flag_parsing.h"
#include "tools/srctl/printer.h"

namespace recovery::srctl {
namespace {

using google::protobuf::Message;
using recovery::v1::Audit;

// An export reads the whole log: it may take longer than a unary call.
constexpr absl::Duration kExportTimeout = absl::Minutes(10);

class TimelineCommand {
 public:
  void AddFlags(CLI::App& cmd) { cmd.add_option("case", case_id_)->required(); }

  absl::Status Run(Session& session) const {
    recovery::v1::GetTimelineRequest req;
    req.set_case_id(case_id_);
    return session.Show(session.Call<Audit>(&Audit::Stub::GetTimeline, req), [](const Message& m, std::ostream& out) {
      out << Table(RepeatedMessages(m, "entries"), {"case_seq", "occurred_at", "source", "type", "summary"});
    });
  }

 private:
  std::string case_id_;
};

class VerifyCommand {
 public:
  void AddFlags(CLI::App&) {}

  // Exit code 3 when the chain is broken (human output; JSON callers read "ok").
  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const auto result,
                     session.Call<Audit>(&Audit::Stub::VerifyChain, recovery::v1::VerifyChainRequest()));
    if (!session.json() && !result.ok()) session.set_exit_code(3);
    session.Print(result, [&](std::ostream& out) {
      if (result.ok()) {
        out << "chain OK: " << result.records_checked() << " records, head " << DisplayText(result, "head_hash")
            << "\n";
      } else {
        out << "CHAIN BROKEN:\n" << Pretty(result, 1);
      }
    });
    return absl::OkStatus();
  }
};

class ExportCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--case", case_id_);
    cmd.add_option("--from", from_, "RFC3339, inclusive");
    cmd.add_option("--to", to_, "RFC3339, exclusive");
  }

  // One JSON line per event, as the audit service renders it (escaped for the terminal).
  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const std::string address, session.AddressOf("audit"));
    recovery::v1::ExportEventsRequest req;
    req.set_case_id(case_id_);
    // Only the bounds that were given: touching a mutable_ accessor marks a field present.
    if (!from_.empty()) {
      ASSIGN_OR_RETURN(*req.mutable_occurred_from(), ParseTimestamp("--from", from_));
    }
    if (!to_.empty()) {
      ASSIGN_OR_RETURN(*req.mutable_occurred_to(), ParseTimestamp("--to", to_));
    }
    ASSIGN_OR_RETURN(const auto channel, session.ChannelTo(address));
    ASSIGN_OR_RETURN(const auto context, session.NewContext(kExportTimeout));
    auto stub = Audit::NewStub(channel);
    auto reader = stub->ExportEvents(context.get(), req);
    recovery::v1::ExportEventsResponse line;
    while (reader->Read(&line)) session.PrintJsonText(line.json_line());
    return common::FromGrpcStatus(reader->Finish());
  }

 private:
  std::string case_id_, from_, to_;
};

class StatsCommand {
 public:
  void AddFlags(CLI::App&) {}

  absl::Status Run(Session& session) const {
    return session.Show(session.Call<Audit>(&Audit::Stub::GetStats, recovery::v1::GetStatsRequest()));
  }
};

// `srctl audit config --kind schedule --id X`: who changed a resource, when and why, from the
// audit chain (not from the service that holds it).
class ConfigChangesCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("--service", service_, "intake|escalation|action-plan|follow-up (default: every one)");
    cmd.add_option("--kind", kind_, "person, schedule, policy, ... (default: every kind)");
    cmd.add_option("--id", id_, "one resource (needs --kind)");
    cmd.add_option("--limit", limit_, "at most this many, newest first (default 100)");
  }

  absl::Status Run(Session& session) const {
    recovery::v1::ListConfigChangesRequest req;
    // The audit records a service by its event source: "action-plan", "follow-up".
    std::string service = service_;
    std::replace(service.begin(), service.end(), '_', '-');
    req.set_service(service);
    req.set_kind(kind_);
    req.set_id(id_);
    req.set_limit(limit_);
    return session.Show(session.Call<Audit>(&Audit::Stub::ListConfigChanges, req),
                        [](const Message& m, std::ostream& out) {
                          out << Table(RepeatedMessages(m, "entries"), {"seq", "occurred_at", "actor", "summary"});
                        });
  }

 private:
  std::string service_, kind_, id_;
  int limit_ = 0;
};

// `srctl audit config ...`: one command word, its queries below it.
void AttachAuditCommands(CLI::App& cmd, Session& session) {
  cmd.require_subcommand(1);
  for (const Command& sub : {MakeCommand<ConfigChangesCommand>(
           "config", "configuration changes from the audit chain, newest first (audit.ListConfigChanges)")})
    sub.attach(*cmd.add_subcommand(sub.name, sub.help), session);
}

}  // namespace

std::vector<Command> AuditCommands() {
  return {
      MakeCommand<TimelineCommand>("timeline", "a case's audit timeline (audit.GetTimeline)"),
      MakeCommand<VerifyCommand>("verify", "verify the audit hash chain (audit.VerifyChain)"),
      MakeCommand<ExportCommand>("export", "export audited events as JSON lines (audit.ExportEvents)"),
      MakeCommand<StatsCommand>("stats", "audit statistics (audit.GetStats)"),
      Command{"audit", "audit queries: audit config --kind K --id X (configuration changes from the chain)",
              AttachAuditCommands},
  };
}

}  // namespace recovery::srctl
