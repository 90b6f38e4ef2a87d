// The action-plan configuration's kinds, file normalisation and installation (config_schema.h).
#include "services/action_plan/config_schema.h"

#include "services/action_plan/app.h"
#include "services/action_plan/module.h"

namespace recovery::action_plan {

using common::ConfigKind;

std::vector<ConfigKind> ActionPlanConfigSchema::ConfigKinds() const {
  using Shape = ConfigKind::Shape;
  return {
      ConfigKind::Of(Shape::kList, "playbook", "playbooks", "plans.configure"),
      ConfigKind::Of(Shape::kList, "wording_rule", "wording_rules", "plans.configure").Ordered(),
      ConfigKind::Of(Shape::kList, "calendar", "calendars"),
      ConfigKind::Of(Shape::kMap, "role_owner", "role_owners"),
  };
}

absl::StatusOr<YAML::Node> ActionPlanConfigSchema::FromFile(const YAML::Node& file, const std::string& path) const {
  // Without a --config the shipped playbooks and wording rules are the file: stored on the
  // first start like any import, so what runs is what Export shows and an API change applies.
  if (!file.IsDefined() || file.IsNull()) return CanonicalConfig(YAML::Node(YAML::NodeType::Map), path);
  return CanonicalConfig(file, path);
}

absl::Status ActionPlanConfigSchema::ValidateConfig(const YAML::Node& document) const {
  return ParseSettings(document).status();
}

absl::Status ActionPlanConfigSchema::InstallConfig(const YAML::Node& document) {
  ActionPlanApp* app = app_();
  if (app == nullptr) return absl::FailedPreconditionError("action-plan is not initialised");
  absl::StatusOr<ActionPlanSettings> settings = ParseSettings(document);
  if (!settings.ok()) return settings.status();
  app->SetSettings(*std::move(settings));
  return absl::OkStatus();
}

}  // namespace recovery::action_plan
