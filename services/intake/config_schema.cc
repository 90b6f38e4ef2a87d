// The intake configuration's kinds and installation (config_schema.h).
#include "services/intake/config_schema.h"

#include "services/intake/app.h"
#include "services/intake/domain/config.h"

namespace recovery::intake {

using common::ConfigKind;

std::vector<ConfigKind> IntakeConfigSchema::ConfigKinds() const {
  using Shape = ConfigKind::Shape;
  return {
      ConfigKind::Of(Shape::kNames, "category", "categories"),
      ConfigKind::Of(Shape::kList, "signal_rule", "signal_rules").Ordered().AutoIds("rule-"),
      ConfigKind::Settings("settings", {"dedup_window"}),
  };
}

absl::Status IntakeConfigSchema::ValidateConfig(const YAML::Node& document) const {
  return ParseIntakeConfig(document).status();
}

absl::Status IntakeConfigSchema::InstallConfig(const YAML::Node& document) {
  IntakeApp* app = app_();
  if (app == nullptr) return absl::FailedPreconditionError("intake is not initialised");
  absl::StatusOr<IntakeConfig> config = ParseIntakeConfig(document);
  if (!config.ok()) return config.status();
  app->SetConfig(*std::move(config));
  return absl::OkStatus();
}

}  // namespace recovery::intake
