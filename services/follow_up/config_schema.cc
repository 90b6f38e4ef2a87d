// The follow-up configuration's kinds and installation (config_schema.h).
#include "services/follow_up/config_schema.h"

namespace recovery::follow_up {

using common::ConfigKind;

std::vector<ConfigKind> FollowUpConfigSchema::ConfigKinds() const {
  using Shape = ConfigKind::Shape;
  return {
      ConfigKind::Of(Shape::kMap, "sla_policy", "sla"),
      ConfigKind::Settings("settings", {"reminders", "written_follow_up_after", "satisfaction", "default_calendar"}),
      ConfigKind::Of(Shape::kMap, "manager", "managers"),
      ConfigKind::Of(Shape::kList, "calendar", "calendars"),
  };
}

absl::Status FollowUpConfigSchema::ValidateConfig(const YAML::Node& document) const {
  return ParseConfig(document).status();
}

absl::Status FollowUpConfigSchema::InstallConfig(const YAML::Node& document) {
  common::Reloadable<FollowUpConfig>* config = config_();
  if (config == nullptr) return absl::FailedPreconditionError("follow-up is not initialised");
  absl::StatusOr<FollowUpConfig> next = ParseConfig(document);
  if (!next.ok()) return next.status();
  config->Set(*std::move(next));
  return absl::OkStatus();
}

}  // namespace recovery::follow_up
