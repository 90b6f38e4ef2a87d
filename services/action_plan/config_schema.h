// The action-plan configuration as state (services/common/config_state): its resource kinds,
// the --config file made canonical (CanonicalConfig: the playbooks and wording rules read in
// from the files it names) and validation by ParseSettings, the parser the --config load
// uses:
//   playbook      `playbooks:`, a list by playbook id        needs plans.configure
//   wording_rule  `wording_rules:`, a list by rule id,       needs plans.configure
//                 ordered (findings come in rule order)
//   calendar      `calendars:`, a list by id                 needs config.edit
//   role_owner    `role_owners:`, a map role -> person id    needs config.edit
// Installing a document swaps the app's settings.
// Thread-safety: as ConfigSchema (the app's settings are a common::Reloadable).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "services/common/config_state/config_state.h"

namespace recovery::action_plan {

class ActionPlanApp;

class ActionPlanConfigSchema final : public common::ConfigSchema {
 public:
  // `app` returns the app once the module is initialised (null before).
  explicit ActionPlanConfigSchema(std::function<ActionPlanApp*()> app) : app_(std::move(app)) {}

  std::vector<common::ConfigKind> ConfigKinds() const override;
  absl::StatusOr<YAML::Node> FromFile(const YAML::Node& file, const std::string& path) const override;
  absl::Status ValidateConfig(const YAML::Node& document) const override;
  absl::Status InstallConfig(const YAML::Node& document) override;

 private:
  std::function<ActionPlanApp*()> app_;
};

}  // namespace recovery::action_plan
