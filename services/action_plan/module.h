// ActionPlanModule: the action-plan service as the runtime builds it (main.cc and the tests):
// its table, the ActionPlan gRPC service, the consumer of CaseOpened / CaseAcknowledged /
// OwnerAssigned (each validated first; a malformed one is logged, counted and parked in
// dead_letters, never planned), and SIGHUP reload of the --config YAML (playbooks, wording
// rules, calendars, role owners), swapped whole through common::Reloadable.
//
// --config YAML (optional; relative paths resolve against the file's directory):
//   playbooks_dir: playbooks            # default: the shipped services/action_plan/playbooks
//   wording_rules: wording_rules.yaml   # default: the shipped services/action_plan/wording_rules.yaml
//   calendars: [...]                    # recovery_calendar shape, keyed by id
//   role_owners: {account_lead: lee}    # playbook owner_role -> person id (not case_owner)
// Thread-safety: Init and Reload on the main thread, OnEvent on the consumer's; the app is
// thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/action_plan/app.h"
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
  absl::Status Reload(const YAML::Node& yaml) override;

  // After Init.
  ActionPlanApp& app() { return *app_; }

 private:
  // A consumed event that fails validation: logged, counted, parked; the transaction commits
  // the dead letter with the processed mark, and nothing else happens.

  std::string config_file_;
  std::unique_ptr<ActionPlanApp> app_;
  std::unique_ptr<ActionPlanService> grpc_;
};

// The shipped defaults (compiled in as the source tree's folder).
std::string DefaultPlaybooksDir();
std::string DefaultWordingRulesFile();

// `node` is the --config YAML (null: all defaults); `config_file` its path, for resolving
// relative paths ("" when there is none). Errors start with the key ("playbooks_dir: ...").
absl::StatusOr<ActionPlanSettings> LoadSettings(const YAML::Node& node, const std::string& config_file);

// Every *.yaml in `dir`, parsed; categories must be unique and a generic playbook must exist.
absl::StatusOr<std::vector<Playbook>> LoadPlaybooksDir(const std::string& dir);

}  // namespace recovery::action_plan
