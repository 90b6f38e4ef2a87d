// ActionPlanModule: the action-plan service as the runtime builds it (main.cc and the tests):
// its table, the ActionPlan gRPC service, the consumer of CaseOpened / CaseAcknowledged /
// OwnerAssigned (each validated first; a malformed one is logged, counted and parked in
// dead_letters, never planned), and its configuration (playbooks, wording rules, calendars,
// role owners) as state (config_schema.h: the runtime imports --config, applies SIGHUP and
// serves recovery.v1.Configuration), swapped whole through common::Reloadable.
//
// --config YAML (optional; relative paths resolve against the file's directory):
//   playbooks_dir: playbooks            # default: the shipped services/action_plan/playbooks
//   wording_rules: wording_rules.yaml   # default: the shipped services/action_plan/wording_rules.yaml
//   calendars: [...]                    # recovery_calendar shape, keyed by id
//   role_owners: {account_lead: lee}    # playbook owner_role -> person id (not case_owner)
// The file is read into the canonical document (CanonicalConfig), which the configuration
// state holds and exports: the playbooks and wording rules inline,
//   playbooks: [{id, category, title, items}, ...]     # each as a playbook file
//   wording_rules: [{id, category, severity, ...}, ...]  # the rules file's `rules:`
//   calendars: [...]
//   role_owners: {...}
// and a file may be written in that shape too (an export, for instance).
// Thread-safety: Init and Reload on the main thread, OnEvent on the consumer's; the app is
// thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/action_plan/app.h"
#include "services/action_plan/config_schema.h"
#include "services/action_plan/domain/settings.h"
#include "services/action_plan/grpc_service.h"
#include "services/common/module.h"
#include "yaml-cpp/yaml.h"

namespace recovery::common {
class Metrics;
}  // namespace recovery::common

namespace recovery::action_plan {

class ActionPlanModule final : public recovery::common::ServiceModule {
 public:
  std::string_view name() const override { return kEventSource; }
  std::vector<std::string> Migrations() const override;
  absl::Status Init(const recovery::common::ServiceContext& ctx) override;
  std::vector<grpc::Service*> GrpcServices() override { return {grpc_.get()}; }
  bool consumes_events() const override { return true; }
  absl::Status OnEvent(recovery::common::Tx& tx, const recovery::v1::Event& event) override;
  // Loads the file-shaped `yaml` and installs it directly: the runtime does not call it (with
  // config_schema() a SIGHUP goes through the configuration state).
  absl::Status Reload(const YAML::Node& yaml) override;
  recovery::common::ConfigSchema* config_schema() override { return &schema_; }

  // After Init.
  ActionPlanApp& app() { return *app_; }

 private:
  // A consumed event that fails validation: logged, counted, parked; the transaction commits
  // the dead letter with the processed mark, and nothing else happens.

  std::string config_file_;
  std::unique_ptr<ActionPlanApp> app_;
  std::unique_ptr<ActionPlanService> grpc_;
  ActionPlanConfigSchema schema_{[this] { return app_.get(); }};
};

// The canonical document of a --config file (`file`; `config_file` its path, for resolving
// relative paths, "" when there is none): the playbooks of playbooks_dir (else the shipped
// ones, compiled in: shipped.h) and the rules of the wording_rules file (else the shipped
// ones) read in, each file
// checked (errors start with the key and name the file: "playbooks_dir: <file>: items[1].due:
// ..."); inline playbooks / wording_rules, calendars and role_owners are kept as written. A
// null node stays null.
absl::StatusOr<YAML::Node> CanonicalConfig(const YAML::Node& file, const std::string& config_file);

// The settings of a canonical document, checked whole (errors start with the key path:
// "playbooks[2].items[0].due: ...", "wording_rules[1].patterns[0].regex: ..."). Without
// playbooks or wording_rules (a null document: no --config) the shipped ones apply.
absl::StatusOr<ActionPlanSettings> ParseSettings(const YAML::Node& document);

// ParseSettings(CanonicalConfig(node, config_file)): a --config file as the old loader read it.
absl::StatusOr<ActionPlanSettings> LoadSettings(const YAML::Node& node, const std::string& config_file);

// Every *.yaml in `dir`, parsed; categories must be unique and a generic playbook must exist.
absl::StatusOr<std::vector<Playbook>> LoadPlaybooksDir(const std::string& dir);

}  // namespace recovery::action_plan
