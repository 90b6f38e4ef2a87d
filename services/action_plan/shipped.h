// The shipped playbooks and wording rules, compiled into the binary (embed_shipped.cmake
// generates the definitions from services/action_plan/playbooks/*.yaml and
// wording_rules.yaml), so an installed or containerised action-plan has its defaults without
// the source tree.
#pragma once

#include <string>
#include <vector>

namespace recovery::action_plan {

struct ShippedFile {
  std::string name;  // "playbooks/generic.yaml": what errors name
  std::string text;  // the file's YAML
};

// Sorted by name.
const std::vector<ShippedFile>& ShippedPlaybooks();
const ShippedFile& ShippedWordingRules();

}  // namespace recovery::action_plan
