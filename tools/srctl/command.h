// srctl's command table: each service's file lists its commands (name, one line of help, and a
// class holding the command's flags), and main.cc adds them to the command line, grouped by
// service in the usage text.
//
// A command class has the flags as members (with their defaults), and
//   void AddFlags(CLI::App& cmd);              // declares them on its subcommand
//   absl::Status Run(Session& session) const;  // builds the typed request, calls, prints
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "tools/srctl/session.h"

namespace recovery::srctl {

struct Command {
  std::string name;
  std::string help;
  // Declares the command's flags on `cmd` and makes it run in `session` when chosen.
  std::function<void(CLI::App& cmd, Session& session)> attach;
};

template <typename C>
Command MakeCommand(std::string name, std::string help) {
  return {std::move(name), std::move(help), [](CLI::App& cmd, Session& session) {
            auto command = std::make_shared<C>();  // owned by the subcommand's callback
            command->AddFlags(cmd);
            cmd.callback([&session, command] {
              absl::Status status = session.CheckOptions();
              if (status.ok()) status = command->Run(session);
              session.Finish(status);
            });
          }};
}

// A command whose subcommands do the work ("srctl cover request ...", "srctl cover accept ..."):
// one of them is required.
inline Command MakeGroup(std::string name, std::string help, std::vector<Command> subcommands) {
  return {std::move(name), std::move(help), [subcommands = std::move(subcommands)](CLI::App& cmd, Session& session) {
            cmd.require_subcommand(1);
            for (const Command& sub : subcommands) sub.attach(*cmd.add_subcommand(sub.name, sub.help), session);
          }};
}

// The commands of each file, in the order the usage text lists them.
std::vector<Command> AuthCommands();        // auth_commands.cc: login, logout, whoami, token
std::vector<Command> GenericCommands();     // generic_commands.cc: rpc
std::vector<Command> ClockCommands();       // clock_commands.cc: clock
std::vector<Command> IntakeCommands();      // intake_commands.cc
std::vector<Command> EscalationCommands();  // escalation_commands.cc
std::vector<Command> ActionPlanCommands();  // action_plan_commands.cc
std::vector<Command> FollowUpCommands();    // follow_up_commands.cc
std::vector<Command> AuditCommands();       // audit_commands.cc
std::vector<Command> ConfigCommands();      // config_commands.cc: config export|diff|apply|get|...
std::vector<Command> OperationsCommands();  // operations_commands.cc: dead letters, failed timers

}  // namespace recovery::srctl
