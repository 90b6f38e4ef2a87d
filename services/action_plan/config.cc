// Loading of the action-plan configuration: playbooks, wording rules, calendars.
#include "services/action_plan/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"

#ifndef RECOVERY_ACTION_PLAN_DATA_DIR
#define RECOVERY_ACTION_PLAN_DATA_DIR "services/action_plan"
#endif

namespace recovery::action_plan {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) return absl::InvalidArgumentError(absl::StrCat(key, ": cannot read '", path, "'"));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Resolve(const std::string& value, const std::string& config_file) {
  if (value.empty() || fs::path(value).is_absolute() || config_file.empty()) return value;
  return (fs::path(config_file).parent_path() / value).lexically_normal().string();
}

absl::StatusOr<std::string> PathField(const YAML::Node& node, const std::string& key, const std::string& config_file,
                                      const std::string& fallback) {
  if (!node.IsMap() || !node[key]) return fallback;
  const YAML::Node v = node[key];
  if (!v.IsScalar() || v.Scalar().empty()) return absl::InvalidArgumentError(absl::StrCat(key, ": must be a path"));
  return Resolve(v.Scalar(), config_file);
}

}  // namespace

const recovery::calendar::Calendar* ActionPlanConfig::FindCalendar(const std::string& id) const {
  auto it = calendars.find(id);
  return it == calendars.end() ? nullptr : &it->second;
}

std::string DefaultPlaybooksDir() { return std::string(RECOVERY_ACTION_PLAN_DATA_DIR) + "/playbooks"; }
std::string DefaultWordingRulesFile() { return std::string(RECOVERY_ACTION_PLAN_DATA_DIR) + "/wording_rules.yaml"; }

absl::StatusOr<std::vector<Playbook>> LoadPlaybooksDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::InvalidArgumentError(absl::StrCat("playbooks_dir: '", dir, "' is not a directory"));
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<Playbook> playbooks;
  std::set<std::string> categories, ids;
  for (const auto& file : files) {
    auto text = ReadFile(file, "playbooks_dir");
    if (!text.ok()) return text.status();
    auto playbook = ParsePlaybook(*text, file);
    if (!playbook.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("playbooks_dir: ", std::string(playbook.status().message())));
    }
    if (!categories.insert(playbook->category).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("playbooks_dir: ", file, ": category '", playbook->category, "' has two playbooks"));
    }
    if (!ids.insert(playbook->id).second) {
      return absl::InvalidArgumentError(absl::StrCat("playbooks_dir: ", file, ": duplicate id '", playbook->id, "'"));
    }
    playbooks.push_back(std::move(*playbook));
  }
  if (!categories.count(std::string(kGenericCategory))) {
    return absl::InvalidArgumentError(
        absl::StrCat("playbooks_dir: '", dir, "' has no '", std::string(kGenericCategory), "' playbook"));
  }
  std::sort(playbooks.begin(), playbooks.end(),
            [](const Playbook& a, const Playbook& b) { return a.category < b.category; });
  return playbooks;
}

absl::StatusOr<ActionPlanConfig> LoadActionPlanConfig(const YAML::Node& node, const std::string& config_file) {
  if (node && !node.IsNull() && !node.IsMap()) return absl::InvalidArgumentError("config: must be a map");
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>("");
      if (key != "playbooks_dir" && key != "wording_rules" && key != "calendars" && key != "role_owners") {
        return absl::InvalidArgumentError(absl::StrCat(key, ": unknown key"));
      }
    }
  }
  ActionPlanConfig config;
  auto dir = PathField(node, "playbooks_dir", config_file, DefaultPlaybooksDir());
  if (!dir.ok()) return dir.status();
  auto playbooks = LoadPlaybooksDir(*dir);
  if (!playbooks.ok()) return playbooks.status();
  config.playbooks = std::move(*playbooks);

  auto rules_file = PathField(node, "wording_rules", config_file, DefaultWordingRulesFile());
  if (!rules_file.ok()) return rules_file.status();
  auto text = ReadFile(*rules_file, "wording_rules");
  if (!text.ok()) return text.status();
  auto rules = ParseWordingRules(*text, *rules_file);
  if (!rules.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("wording_rules: ", std::string(rules.status().message())));
  }
  config.wording_rules = std::move(*rules);

  if (node.IsMap() && node["calendars"]) {
    auto calendars = recovery::calendar::ParseCalendarList(node["calendars"], "calendars");
    if (!calendars.ok()) return calendars.status();
    for (auto& cal : *calendars) config.calendars.emplace(cal.id(), std::move(cal));
  }
  if (node.IsMap() && node["role_owners"]) {
    const YAML::Node roles = node["role_owners"];
    if (!roles.IsMap()) return absl::InvalidArgumentError("role_owners: expected a map of role to person id");
    for (const auto& kv : roles) {
      const std::string role = kv.first.as<std::string>("");
      if (role == kCaseOwnerRole)
        return absl::InvalidArgumentError("role_owners.case_owner: follows the case owner; it cannot be configured");
      if (!kv.second.IsScalar() || kv.second.as<std::string>("").empty())
        return absl::InvalidArgumentError(absl::StrCat("role_owners.", role, ": expected a person id"));
      config.role_owners[role] = kv.second.as<std::string>();
    }
  }
  return config;
}

}  // namespace recovery::action_plan
