// The intake configuration as state (services/common/config_state): its resource kinds and
// their validation by ParseIntakeConfig, the same parser as the --config load:
//   category      `categories:`, a list of names
//   signal_rule   `signal_rules:`, ordered (the first match wins); a rule written without an
//                 `id` gets "rule-<n>" (its 1-based place) when the file is imported
//   settings      `dedup_window:` (the repeat-report window)
// Every kind needs config.edit. Installing a document swaps the app's configuration.
// Thread-safety: as ConfigSchema (the app's configuration is a common::Reloadable).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "services/common/config_state/config_state.h"

namespace recovery::intake {

class IntakeApp;

class IntakeConfigSchema final : public common::ConfigSchema {
 public:
  // `app` returns the app once the module is initialised (null before).
  explicit IntakeConfigSchema(std::function<IntakeApp*()> app) : app_(std::move(app)) {}

  std::vector<common::ConfigKind> ConfigKinds() const override;
  absl::StatusOr<YAML::Node> FromFile(const YAML::Node& file, const std::string& path) const override;
  absl::Status ValidateConfig(const YAML::Node& document) const override;
  absl::Status InstallConfig(const YAML::Node& document) override;

 private:
  std::function<IntakeApp*()> app_;
};

}  // namespace recovery::intake
