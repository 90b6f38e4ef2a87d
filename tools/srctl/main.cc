// srctl: the command-line client of the service recovery platform. Every command speaks gRPC
// to one service; addresses come from the local stack's directory (tools/stack.sh writes
// <service>.addr files) or --<service> flags. Every call carries a bearer token (--token,
// RECOVERY_TOKEN or the srctl login cache) and goes over TLS when a CA bundle is known
// (--tls-ca, or the stack's tls/ca.pem). Human-readable output by default, --json for
// scripts; stored text is escaped before it reaches the terminal. Errors print the gRPC status
// and the message naming the field.
//
// This file only dispatches: the commands live in one file per service (command.h), and the
// usage text lists them from those tables, grouped by service.
#include <cstdlib>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "tools/srctl/command.h"
#include "tools/srctl/flag_parsing.h"
#include "tools/srctl/session.h"
#include "tools/srctl/token_cache.h"

namespace recovery::srctl {
namespace {

struct CommandGroup {
  const char* title;  // the heading of the group in the usage text
  std::vector<Command> (*commands)();
};

constexpr CommandGroup kCommandGroups[] = {
    {"Identity", AuthCommands},
    {"Any RPC", GenericCommands},
    {"Simulated clock", ClockCommands},
    {"Intake", IntakeCommands},
    {"Escalation", EscalationCommands},
    {"Action plan", ActionPlanCommands},
    {"Follow-up", FollowUpCommands},
    {"Audit", AuditCommands},
    {"Configuration (people, schedules, policies, playbooks, SLAs, ... as versioned resources)", ConfigCommands},
    {"Operations (every service; pick one with --service)", OperationsCommands},
};

}  // namespace

int Main(int argc, char** argv) {
  GlobalOptions options;
  const char* env_dir = std::getenv("RECOVERY_STACK_DIR");
  options.stack_dir = env_dir ? env_dir : "data/stack";
  const char* env_token = std::getenv("RECOVERY_TOKEN");
  options.token_environment = env_token ? env_token : "";
  options.token_cache = DefaultTokenCachePath();
  CLI::App app{"srctl: command-line client of the service recovery platform"};
  app.require_subcommand(1);
  app.add_option("--stack", options.stack_dir, "directory with <service>.addr files (RECOVERY_STACK_DIR)");
  for (const std::string& service : ServiceNames())
    app.add_option(absl::StrCat("--", service), options.addresses[service],
                   absl::StrCat(service, " service address host:port"));
  app.add_flag("--json", options.json, "print responses as JSON");
  app.add_option("--token", options.token,
                 "bearer token (JWT or API token) for every call (RECOVERY_TOKEN; default: the srctl login cache)");
  app.add_option("--tls-ca", options.tls.ca_file,
                 "CA bundle (PEM): TLS to the services and the issuer (default: <stack>/../tls/ca.pem if present; "
                 "else plaintext)")
      ->envname("RECOVERY_TLS_CA");
  app.add_option("--tls-cert", options.tls.cert_file, "client certificate (PEM) for mTLS, with --tls-key")
      ->envname("RECOVERY_TLS_CERT");
  app.add_option("--tls-key", options.tls.key_file, "the client certificate's private key (PEM)")
      ->envname("RECOVERY_TLS_KEY");
  app.add_option("--tls-server-name", options.tls.server_name,
                 "the name to check in the server's certificate (default: the host of the address)")
      ->envname("RECOVERY_TLS_SERVER_NAME");
  // Gone: the services take the actor from the token. Still parsed for one release, so that a
  // script using it hears why instead of "unknown option" (Session::CheckOptions).
  app.add_option("--as", options.removed_as, "gone: the token names the actor")->group("");

  Session session(&options);
  for (const CommandGroup& group : kCommandGroups) {
    for (const Command& command : group.commands()) {
      CLI::App* cmd = app.add_subcommand(command.name, command.help);
      cmd->group(group.title);
      command.attach(*cmd, session);
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return session.exit_code();
}

}  // namespace recovery::srctl

int main(int argc, char** argv) { return recovery::srctl::Main(argc, argv); }
