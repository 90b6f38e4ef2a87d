// What the action-plan decisions read besides the plan: the playbooks, the wording rules, the
// clients' business-hours calendars and the people configured for playbook roles. Loaded
// from the --config YAML by module.cc; reloaded on SIGHUP as a whole (common::Reloadable).
// Thread-safety: immutable once loaded; shared for reading.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "services/action_plan/domain/playbook.h"
#include "services/action_plan/domain/wording.h"
#include "services/common/calendar/calendar.h"

namespace recovery::action_plan {

struct ActionPlanSettings {
  std::vector<Playbook> playbooks;  // sorted by category; always holds the generic one
  WordingRules wording_rules;
  std::map<std::string, recovery::calendar::Calendar> calendars;  // by calendar id
  std::map<std::string, std::string> role_owners;                 // owner_role -> person id

  const recovery::calendar::Calendar* FindCalendar(const std::string& id) const {
    auto it = calendars.find(id);
    return it == calendars.end() ? nullptr : &it->second;
  }
};

}  // namespace recovery::action_plan
