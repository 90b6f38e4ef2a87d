// srctl's configuration commands (recovery.v1.Configuration, served by every service that has
// configuration): the GitOps flow (export a directory of <service>.yaml files, diff it against
// the live configuration, apply it) and single resources (get, list, create, update, delete,
// history). A kind names its service when only one service holds it; --service decides
// otherwise (calendars live in three services).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "recovery/v1/config.grpc.pb.h"
#include "services/common/config_state/yaml_value.h"
#include "services/common/status_macros.h"
#include "tools/srctl/command.h"
#include "tools/srctl/flag_parsing.h"
#include "tools/srctl/printer.h"

namespace recovery::srctl {
namespace {

namespace fs = std::filesystem;
namespace v1 = recovery::v1;
using v1::Configuration;

// The services that hold configuration, in the order commands visit them.
const std::vector<std::string>& ConfiguredServices() {
  static const std::vector<std::string> names = {"escalation", "intake", "action_plan", "follow_up"};
  return names;
}

// The spec of a resource from --file (YAML or JSON) or --spec (JSON or YAML text).
absl::StatusOr<google::protobuf::Value> SpecFrom(const std::string& file, const std::string& text) {
  if (file.empty() == text.empty()) return absl::InvalidArgumentError("give exactly one of --file and --spec");
  std::string source = text;
  const std::string flag = file.empty() ? "--spec" : "--file";
  if (!file.empty()) {
    ASSIGN_OR_RETURN(source, ReadFlagFile("--file", file));
  }
  try {
    return common::YamlToValue(YAML::Load(source));  // YAML is a superset of JSON
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": line ", e.mark.line + 1, ": ", e.msg));
  }
}

// The service holding `kind`: --service when given, else the only service that lists it.
absl::StatusOr<std::string> ServiceOfKind(Session& session, const std::string& service_flag, const std::string& kind) {
  if (!service_flag.empty()) return ParseServiceName("--service", service_flag);
  std::vector<std::string> holders;
  for (const std::string& service : ConfiguredServices()) {
    absl::StatusOr<std::string> address = session.AddressOf(service);
    if (!address.ok()) continue;
    absl::StatusOr<v1::ListKindsResponse> kinds =
        session.CallAt<Configuration>(*address, &Configuration::Stub::ListKinds, v1::ListKindsRequest());
    if (!kinds.ok()) {
      if (kinds.status().code() == absl::StatusCode::kUnimplemented) continue;
      return kinds.status();
    }
    for (const auto& k : kinds->kinds())
      if (k.kind() == kind) holders.push_back(service);
  }
  if (holders.size() == 1) return holders[0];
  if (holders.empty()) return absl::InvalidArgumentError(absl::StrCat("kind: no service holds kind '", kind, "'"));
  return absl::InvalidArgumentError(
      absl::StrCat("kind: '", kind, "' is held by ", absl::StrJoin(holders, ", "), ": pick one with --service"));
}

std::string ChangeSymbol(v1::ConfigChangeType type) {
  switch (type) {
    case v1::CONFIG_CHANGE_TYPE_CREATED:
      return "+";
    case v1::CONFIG_CHANGE_TYPE_DELETED:
      return "-";
    default:
      return "~";
  }
}

// One change as a few lines: the resource, then each top-level key that differs.
void PrintChange(const std::string& service, const v1::ResourceChange& c, std::ostream& out) {
  out << ChangeSymbol(c.type()) << " " << service << " " << c.kind() << " " << c.id() << " (version " << c.version()
      << ")";
  if (c.position_before() != c.position_after() && c.position_before() != 0 && c.position_after() != 0)
    out << " moved " << c.position_before() << " -> " << c.position_after();
  out << "\n";
  if (c.type() != v1::CONFIG_CHANGE_TYPE_UPDATED) return;
  std::set<std::string> keys;
  for (const auto* v : {&c.before(), &c.after()})
    if (v->has_struct_value())
      for (const auto& [k, unused] : v->struct_value().fields()) keys.insert(k);
  for (const std::string& k : keys) {
    auto text = [&](const google::protobuf::Value& v) -> std::string {
      if (!v.has_struct_value()) return "";
      auto it = v.struct_value().fields().find(k);
      return it == v.struct_value().fields().end() ? "" : common::CanonicalJson(it->second);
    };
    const std::string b = text(c.before()), a = text(c.after());
    if (a == b) continue;
    if (!b.empty()) out << "    - " << k << ": " << b << "\n";
    if (!a.empty()) out << "    + " << k << ": " << a << "\n";
  }
  if (!c.before().has_struct_value() && !c.after().has_struct_value() &&
      common::CanonicalJson(c.before()) != common::CanonicalJson(c.after()))
    out << "    - " << common::CanonicalJson(c.before()) << "\n    + " << common::CanonicalJson(c.after()) << "\n";
}

void PrintFindings(const std::string& service, const google::protobuf::RepeatedPtrField<v1::SafetyFinding>& warnings,
                   const google::protobuf::RepeatedPtrField<v1::ShiftDifference>& shifts, std::ostream& out) {
  for (const auto& w : warnings)
    out << "  warning: " << service << " " << w.code() << " at " << w.path() << ": " << w.message() << "\n";
  for (const auto& s : shifts) {
    out << "  on call differently: " << s.schedule_id() << " " << DisplayText(s, "start") << " .. "
        << DisplayText(s, "end") << ": " << (s.before().empty() ? "nobody" : absl::StrJoin(s.before(), ", ")) << " -> "
        << (s.after().empty() ? "nobody" : absl::StrJoin(s.after(), ", ")) << "\n";
  }
}

class KindsCommand {
 public:
  void AddFlags(CLI::App& cmd) { cmd.add_option("--service", service_, "one service (default: every one)"); }

  absl::Status Run(Session& session) const {
    std::vector<std::string> services = ConfiguredServices();
    if (!service_.empty()) {
      ASSIGN_OR_RETURN(const std::string s, ParseServiceName("--service", service_));
      services = {s};
    }
    std::vector<std::vector<std::string>> rows;
    for (const std::string& service : services) {
      ASSIGN_OR_RETURN(const std::string address, session.AddressOf(service));
      ASSIGN_OR_RETURN(const auto kinds,
                       session.CallAt<Configuration>(address, &Configuration::Stub::ListKinds, v1::ListKindsRequest()));
      if (session.json()) {
        session.Print(kinds, nullptr);
        continue;
      }
      for (const auto& k : kinds.kinds())
        rows.push_back({service, k.kind(), k.section(), k.shape(), k.write_permission(), k.ordered() ? "yes" : ""});
    }
    if (!session.json())
      session.PrintText(TextTable({"service", "kind", "section", "shape", "permission", "ordered"}, rows));
    return absl::OkStatus();
  }

 private:
  std::string service_;
};

class ExportCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("-o,--output", dir_, "write <dir>/<service>.yaml (default: print to stdout)");
    cmd.add_option("--service", service_, "one service (default: every one)");
  }

  absl::Status Run(Session& session) const {
    std::vector<std::string> services = ConfiguredServices();
    if (!service_.empty()) {
      ASSIGN_OR_RETURN(const std::string s, ParseServiceName("--service", service_));
      services = {s};
    }
    if (!dir_.empty()) fs::create_directories(dir_);
    for (const std::string& service : services) {
      absl::StatusOr<std::string> where = session.AddressOf(service);
      if (!where.ok() && service_.empty()) {  // not in this stack: the others still export
        std::cerr << service << ": no address (skipped)\n";
        continue;
      }
      ASSIGN_OR_RETURN(const std::string address, where);
      ASSIGN_OR_RETURN(const auto exported,
                       session.CallAt<Configuration>(address, &Configuration::Stub::ExportConfiguration,
                                                     v1::ExportConfigurationRequest()));
      if (dir_.empty()) {
        session.Print(exported, [&](std::ostream& out) { out << "--- # " << service << ".yaml\n" << exported.yaml(); });
        continue;
      }
      const std::string path = (fs::path(dir_) / (service + ".yaml")).string();
      std::ofstream(path) << exported.yaml();
      session.Print(exported, [&](std::ostream& out) {
        out << "wrote " << path << " (generation " << exported.generation() << ")\n";
      });
    }
    return absl::OkStatus();
  }

 private:
  std::string dir_, service_;
};

// The <service>.yaml files of a directory; any other .yaml file is named and skipped.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ReadDirectory(const std::string& dir) {
  if (!fs::is_directory(dir)) return absl::InvalidArgumentError(absl::StrCat("-f: '", dir, "' is not a directory"));
  std::vector<std::pair<std::string, std::string>> files;
  for (const std::string& service : ConfiguredServices()) {
    for (const std::string& name : {service, absl::StrReplaceAll(service, {{"_", "-"}})}) {
      const fs::path path = fs::path(dir) / (name + ".yaml");
      if (!fs::exists(path)) continue;
      ASSIGN_OR_RETURN(std::string text, ReadFlagFile("-f", path.string()));
      files.emplace_back(service, std::move(text));
      break;
    }
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string stem = entry.path().stem().string();
    if (entry.path().extension() != ".yaml") continue;
    bool known = false;
    for (const std::string& service : ConfiguredServices())
      known |= stem == service || stem == absl::StrReplaceAll(service, {{"_", "-"}});
    if (!known) std::cerr << entry.path().string() << ": not a service's configuration (skipped)\n";
  }
  if (files.empty())
    return absl::InvalidArgumentError(
        absl::StrCat("-f: '", dir, "' holds none of escalation.yaml, intake.yaml, action_plan.yaml, follow_up.yaml"));
  return files;
}

// diff and apply: every file is checked (validate_only) before anything is applied, so a
// mistake in one service's file changes no service.
class ApplyCommand {
 public:
  explicit ApplyCommand(bool apply) : apply_(apply) {}
  void AddFlags(CLI::App& cmd) {
    cmd.add_option("-f,--file", dir_, "directory of <service>.yaml files (as config export writes them)")->required();
    if (apply_) cmd.add_option("--reason", reason_, "why (recorded with every version and ConfigChanged event)");
  }

  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const auto files, ReadDirectory(dir_));
    std::vector<std::pair<std::string, v1::ApplyConfigurationResponse>> dry;
    int changes = 0;
    for (const auto& [service, yaml] : files) {
      ASSIGN_OR_RETURN(const std::string address, session.AddressOf(service));
      v1::ApplyConfigurationRequest req;
      req.set_yaml(yaml);
      req.set_validate_only(true);
      req.set_reason(reason_);
      absl::StatusOr<v1::ApplyConfigurationResponse> r =
          session.CallAt<Configuration>(address, &Configuration::Stub::ApplyConfiguration, req);
      if (!r.ok()) return absl::Status(r.status().code(), absl::StrCat(service, ".yaml: ", r.status().message()));
      changes += r->changes_size();
      dry.emplace_back(service, *r);
    }
    for (const auto& [service, r] : dry) {
      session.Print(r, [&, service = service, r = r](std::ostream& out) {
        for (const auto& c : r.changes()) PrintChange(service, c, out);
        PrintFindings(service, r.warnings(), r.shift_differences(), out);
      });
    }
    if (!apply_) {
      if (!session.json()) session.PrintText(absl::StrCat(changes, " change(s) would be made\n"));
      if (changes > 0) session.set_exit_code(2);  // like diff(1): 0 same, 2 here (1 is an error)
      return absl::OkStatus();
    }
    for (const auto& [service, yaml] : files) {
      ASSIGN_OR_RETURN(const std::string address, session.AddressOf(service));
      v1::ApplyConfigurationRequest req;
      req.set_yaml(yaml);
      req.set_reason(reason_);
      ASSIGN_OR_RETURN(const auto r,
                       session.CallAt<Configuration>(address, &Configuration::Stub::ApplyConfiguration, req));
      if (!session.json())
        session.PrintText(
            absl::StrCat(service, ": ", r.changes_size(), " change(s) applied, generation ", r.generation(), "\n"));
    }
    return absl::OkStatus();
  }

 private:
  bool apply_;
  std::string dir_, reason_;
};

class DiffCommand : public ApplyCommand {
 public:
  DiffCommand() : ApplyCommand(false) {}
};
class ApplyDirCommand : public ApplyCommand {
 public:
  ApplyDirCommand() : ApplyCommand(true) {}
};

// The flags every single-resource command shares.
struct ResourceFlags {
  std::string kind, id, service;
  void Add(CLI::App& cmd, bool with_id = true) {
    cmd.add_option("kind", kind, "person, schedule, policy, routing_rule, playbook, ... (config kinds)")->required();
    if (with_id) cmd.add_option("id", id)->required();
    cmd.add_option("--service", service, "the service holding the kind (when more than one does)");
  }
};

void PrintResource(const v1::Resource& r, std::ostream& out) {
  out << r.kind() << " " << r.id() << "  version " << r.version() << "  etag " << r.etag() << "\n"
      << "updated by " << r.updated_by() << " at " << DisplayText(r, "update_time") << " (" << r.origin() << ")";
  if (!r.reason().empty()) out << ": " << r.reason();
  out << "\n" << common::EmitYaml(common::ValueToYaml(r.spec()));
}

class GetCommand {
 public:
  void AddFlags(CLI::App& cmd) { flags_.Add(cmd); }
  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const std::string service, ServiceOfKind(session, flags_.service, flags_.kind));
    ASSIGN_OR_RETURN(const std::string address, session.AddressOf(service));
    v1::GetResourceRequest req;
    req.set_kind(flags_.kind);
    req.set_id(flags_.id);
    return session.Show(session.CallAt<Configuration>(address, &Configuration::Stub::GetResource, req),
                        [](const v1::Resource& r, std::ostream& out) { PrintResource(r, out); });
  }

 private:
  ResourceFlags flags_;
};

class ListCommand {
 public:
  void AddFlags(CLI::App& cmd) {
    flags_.Add(cmd, /*with_id=*/false);
    cmd.add_option("--page-size", page_size_, "per call (default 100)");
  }
  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const std::string service, ServiceOfKind(session, flags_.service, flags_.kind));
    ASSIGN_OR_RETURN(const std::string address, session.AddressOf(service));
    v1::ListResourcesRequest req;
    req.set_kind(flags_.kind);
    req.set_page_size(page_size_);
    std::vector<std::vector<std::string>> rows;
    for (;;) {
      ASSIGN_OR_RETURN(const auto page,
                       session.CallAt<Configuration>(address, &Configuration::Stub::ListResources, req));
      if (session.json()) session.Print(page, nullptr);
      for (const auto& r : page.resources())
        rows.push_back({absl::StrCat(r.position()), r.id(), absl::StrCat(r.version()), r.updated_by(),
                        DisplayText(r, "update_time"), r.origin()});
      if (page.next_page_token().empty()) break;
      req.set_page_token(page.next_page_token());
    }
    if (!session.json()) session.PrintText(TextTable({"#", "id", "version", "updated_by", "updated", "origin"}, rows));
    return absl::OkStatus();
  }

 private:
  ResourceFlags flags_;
  int page_size_ = 0;
};

void PrintChangeResult(const std::string& service, const v1::ChangeResult& r, std::ostream& out) {
  if (r.has_change()) {
    PrintChange(service, r.change(), out);
  } else {
    out << "unchanged: " << r.resource().kind() << " " << r.resource().id() << " already is so\n";
  }
  PrintFindings(service, r.warnings(), r.shift_differences(), out);
  if (r.validate_only()) {
    out << "(dry run: nothing was changed)\n";
  } else {
    out << "etag " << r.resource().etag() << "\n";
  }
}

// create, update and delete.
class ChangeCommand {
 public:
  enum class Verb { kCreate, kUpdate, kDelete };
  explicit ChangeCommand(Verb verb) : verb_(verb) {}
  void AddFlags(CLI::App& cmd) {
    flags_.Add(cmd);
    if (verb_ != Verb::kDelete) {
      cmd.add_option("-f,--file", file_, "the spec as YAML (the entry as the service's YAML holds it)");
      cmd.add_option("--spec", spec_, "the spec as JSON or YAML text");
    }
    if (verb_ == Verb::kCreate) cmd.add_option("--position", position_, "1-based place (ordered kinds; default last)");
    if (verb_ == Verb::kUpdate) {
      cmd.add_option("--mask", mask_, "comma-separated keys to replace (default: the whole spec); 'position' moves")
          ->delimiter(',');
      cmd.add_option("--position", position_, "with --mask position: the new 1-based place");
    }
    if (verb_ != Verb::kCreate) cmd.add_option("--etag", etag_, "fail (ABORTED) unless the resource is still this");
    cmd.add_option("--reason", reason_, "why (recorded with the version and the ConfigChanged event)");
    cmd.add_flag("--dry-run", dry_run_, "check and show what would change (validate_only)");
  }

  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const std::string service, ServiceOfKind(session, flags_.service, flags_.kind));
    ASSIGN_OR_RETURN(const std::string address, session.AddressOf(service));
    auto show = [&](const absl::StatusOr<v1::ChangeResult>& r) {
      return session.Show(r, [&](const v1::ChangeResult& m, std::ostream& out) { PrintChangeResult(service, m, out); });
    };
    if (verb_ == Verb::kDelete) {
      v1::DeleteResourceRequest req;
      req.set_kind(flags_.kind);
      req.set_id(flags_.id);
      req.set_etag(etag_);
      req.set_reason(reason_);
      req.set_validate_only(dry_run_);
      return show(session.CallAt<Configuration>(address, &Configuration::Stub::DeleteResource, req));
    }
    v1::Resource resource;
    resource.set_kind(flags_.kind);
    resource.set_id(flags_.id);
    resource.set_position(position_);
    resource.set_etag(etag_);
    const bool only_position = mask_.size() == 1 && mask_[0] == "position";
    if (!only_position) {
      ASSIGN_OR_RETURN(*resource.mutable_spec(), SpecFrom(file_, spec_));
    }
    if (verb_ == Verb::kCreate) {
      v1::CreateResourceRequest req;
      *req.mutable_resource() = resource;
      req.set_reason(reason_);
      req.set_validate_only(dry_run_);
      return show(session.CallAt<Configuration>(address, &Configuration::Stub::CreateResource, req));
    }
    v1::UpdateResourceRequest req;
    *req.mutable_resource() = resource;
    for (const std::string& p : mask_) req.mutable_update_mask()->add_paths(p);
    req.set_reason(reason_);
    req.set_validate_only(dry_run_);
    return show(session.CallAt<Configuration>(address, &Configuration::Stub::UpdateResource, req));
  }

 private:
  Verb verb_;
  ResourceFlags flags_;
  std::string file_, spec_, etag_, reason_;
  std::vector<std::string> mask_;
  int position_ = 0;
  bool dry_run_ = false;
};

class CreateCommand : public ChangeCommand {
 public:
  CreateCommand() : ChangeCommand(Verb::kCreate) {}
};
class UpdateCommand : public ChangeCommand {
 public:
  UpdateCommand() : ChangeCommand(Verb::kUpdate) {}
};
class DeleteCommand : public ChangeCommand {
 public:
  DeleteCommand() : ChangeCommand(Verb::kDelete) {}
};

class HistoryCommand {
 public:
  void AddFlags(CLI::App& cmd) { flags_.Add(cmd); }
  absl::Status Run(Session& session) const {
    ASSIGN_OR_RETURN(const std::string service, ServiceOfKind(session, flags_.service, flags_.kind));
    ASSIGN_OR_RETURN(const std::string address, session.AddressOf(service));
    v1::ListResourceVersionsRequest req;
    req.set_kind(flags_.kind);
    req.set_id(flags_.id);
    return session.Show(
        session.CallAt<Configuration>(address, &Configuration::Stub::ListResourceVersions, req),
        [](const v1::ListResourceVersionsResponse& m, std::ostream& out) {
          std::vector<std::vector<std::string>> rows;
          for (const auto& v : m.versions())
            rows.push_back({absl::StrCat(v.version()), v.deleted() ? "deleted" : v.content_hash().substr(0, 12),
                            v.updated_by(), DisplayText(v, "update_time"), v.origin(), v.reason()});
          out << TextTable({"version", "content", "by", "at", "origin", "reason"}, rows);
        });
  }

 private:
  ResourceFlags flags_;
};

void AttachConfigCommands(CLI::App& cmd, Session& session) {
  cmd.require_subcommand(1);
  for (const Command& sub : {
           MakeCommand<KindsCommand>("kinds", "the kinds of resources each service holds"),
           MakeCommand<ExportCommand>("export", "the live configuration as YAML (-o DIR: one file per service)"),
           MakeCommand<DiffCommand>("diff", "what applying a directory would change (exit 2 when something would)"),
           MakeCommand<ApplyDirCommand>("apply", "make the live configuration equal a directory's files"),
           MakeCommand<GetCommand>("get", "one resource with its version and etag"),
           MakeCommand<ListCommand>("list", "the resources of one kind, in order"),
           MakeCommand<CreateCommand>("create", "add a resource (-f spec.yaml or --spec)"),
           MakeCommand<UpdateCommand>("update", "change a resource (the whole spec, or --mask keys)"),
           MakeCommand<DeleteCommand>("delete", "remove a resource"),
           MakeCommand<HistoryCommand>("history", "every version of a resource, newest first"),
       })
    sub.attach(*cmd.add_subcommand(sub.name, sub.help), session);
}

}  // namespace

std::vector<Command> ConfigCommands() {
  return {Command{"config", "configuration as state: export, diff, apply; get, list, create, update, delete, history",
                  AttachConfigCommands}};
}

}  // namespace recovery::srctl
