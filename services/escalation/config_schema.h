// The escalation configuration as state (services/common/config_state): its resource kinds
// (people, teams, calendars, schedules, policies, routing rules), the file-only delivery
// settings, validation by ParseSettings (the same parser as the --config load), the safety
// checks of domain/safety.h on every change, and who may change what:
//   person        people.edit; a person may change their own contact_methods,
//                 notification_rules and time_zone with config.write alone (self-service)
//   schedule      schedules.edit for a schedule of a team the caller is a member of (and to
//                 create one), schedules.edit_any for every schedule
//   the others    config.edit
// Thread-safety: as ConfigSchema (const methods read the app's thread-safe snapshots).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "services/common/config_state/config_state.h"

namespace recovery::escalation {

class EscalationApp;

class EscalationConfigSchema final : public common::ConfigSchema {
 public:
  // `app` returns the app once the module is initialised (null before): installs go to it,
  // and the safety checks see its stored overrides.
  explicit EscalationConfigSchema(std::function<EscalationApp*()> app) : app_(std::move(app)) {}

  std::vector<common::ConfigKind> ConfigKinds() const override;
  std::vector<std::string> FileOnlySections() const override;
  absl::Status ValidateConfig(const YAML::Node& document) const override;
  absl::Status InstallConfig(const YAML::Node& document) override;
  common::ConfigCheck CheckConfig(const YAML::Node& before, const YAML::Node& after, absl::Time now) const override;
  absl::Status AuthorizeEdit(const common::Caller& caller, const common::ConfigEdit& edit,
                             const YAML::Node& live) const override;

 private:
  std::function<EscalationApp*()> app_;
};

}  // namespace recovery::escalation
