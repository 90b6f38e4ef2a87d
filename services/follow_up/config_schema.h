// The follow-up configuration as state (services/common/config_state): its resource kinds
// and their validation by ParseConfig, the same parser as the --config load:
//   sla_policy   `sla:`, a map severity (P1..P4) -> {acknowledge, resolve}
//   settings     `reminders:`, `written_follow_up_after:`, `satisfaction:`, `default_calendar:`
//   manager      `managers:`, a map person -> manager
//   calendar     `calendars:`, a list by id
// Every kind needs config.edit. The YAML holds no secret and no network target, so no
// section is file-only. Installing a document swaps the running FollowUpConfig: new targets
// apply to what happens next; timers already armed keep their due times.
// Thread-safety: as ConfigSchema (the configuration is a common::Reloadable).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "services/common/config.h"
#include "services/common/config_state/config_state.h"
#include "services/follow_up/domain/config.h"

namespace recovery::follow_up {

class FollowUpConfigSchema final : public common::ConfigSchema {
 public:
  // `config` returns the running configuration once the module is initialised (null before).
  explicit FollowUpConfigSchema(std::function<common::Reloadable<FollowUpConfig>*()> config)
      : config_(std::move(config)) {}

  std::vector<common::ConfigKind> ConfigKinds() const override;
  absl::Status ValidateConfig(const YAML::Node& document) const override;
  absl::Status InstallConfig(const YAML::Node& document) override;

 private:
  std::function<common::Reloadable<FollowUpConfig>*()> config_;
};

}  // namespace recovery::follow_up
