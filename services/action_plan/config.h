// Configuration of the action-plan service (--config YAML): where the playbooks and the
// wording rules live, and the clients' business-hours calendars.
//
//   playbooks_dir: playbooks            # default: the shipped services/action_plan/playbooks
//   wording_rules: wording_rules.yaml   # default: the shipped services/action_plan/wording_rules.yaml
//   calendars:                          # optional; recovery_calendar shape, keyed by id
//     - {id: acme-london, time_zone: Europe/London, weekly: {mon: ["09:00-17:30"]}}
//   role_owners:                        # optional; playbook owner_role -> person id, so items
//     account_lead: lee                 # owned by a role get a person when the plan is drafted
//                                       # (case_owner always follows the case's owner)
//
// Relative paths resolve against the directory of the YAML file. Errors name the key.
// Thread-safety: an ActionPlanConfig is immutable after loading and may be shared.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/action_plan/domain/playbook.h"
#include "services/action_plan/domain/wording.h"
#include "services/common/calendar/calendar.h"
#include "yaml-cpp/yaml.h"

namespace recovery::action_plan {

struct ActionPlanConfig {
  std::vector<Playbook> playbooks;  // sorted by category; always holds the generic one
  WordingRules wording_rules;
  std::map<std::string, recovery::calendar::Calendar> calendars;  // by calendar id
  std::map<std::string, std::string> role_owners;                  // owner_role -> person id

  const recovery::calendar::Calendar* FindCalendar(const std::string& id) const;
};

// The shipped defaults (compiled in as the source tree's folder).
std::string DefaultPlaybooksDir();
std::string DefaultWordingRulesFile();

// `node` is the --config YAML (null: all defaults); `config_file` its path, for resolving
// relative paths ("" when there is none).
absl::StatusOr<ActionPlanConfig> LoadActionPlanConfig(const YAML::Node& node, const std::string& config_file);

// Every *.yaml in `dir`, parsed; categories must be unique and a generic playbook must exist.
absl::StatusOr<std::vector<Playbook>> LoadPlaybooksDir(const std::string& dir);

}  // namespace recovery::action_plan
