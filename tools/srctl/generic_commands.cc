// srctl rpc: any RPC of any service by name, with a JSON request (the escape hatch for what
// has no command of its own).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "tools/srctl/command.h"
#include "tools/srctl/flag_parsing.h"
#include "tools/srctl/rpc_client.h"

namespace recovery::srctl {
namespace {

class RpcCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("method", method_, "Service.Method")->required();
    cmd.add_option("json", body_, "request as JSON");
    cmd.add_option("--service", service_,
                   "the service to call (default: the one the method belongs to; Operations and TestClock are "
                   "served by every service)");
  }

  absl::Status Run(Session& session) const {
    std::string service;
    if (!service_.empty()) {
      ASSIGN_OR_RETURN(service, ParseServiceName("--service", service_));
    } else {
      std::string name = method_;
      if (absl::StartsWith(name, "recovery.v1.")) name = name.substr(std::string("recovery.v1.").size());
      service = ServiceKey(name.substr(0, name.find('.')));
    }
    ASSIGN_OR_RETURN(const std::string address, session.AddressOf(service));
    ASSIGN_OR_RETURN(const auto channel, session.ChannelTo(address));
    ASSIGN_OR_RETURN(const auto context, session.NewContext());
    ASSIGN_OR_RETURN(const auto response, CallJson(channel, *context, method_, body_));
    session.Print(*response, nullptr);
    return absl::OkStatus();
  }

 private:
  std::string method_, body_, service_;
};

}  // namespace

std::vector<Command> GenericCommands() {
  return {MakeCommand<RpcCommand>("rpc", "call any RPC: srctl rpc Intake.GetCase '{\"case_id\":\"...\"}'")};
}

}  // namespace recovery::srctl
