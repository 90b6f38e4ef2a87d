// The action-plan ServiceModule and the loading of its --config YAML.
#include "services/action_plan/module.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/action_plan/store.h"
#include "services/action_plan/validation.h"
#include "services/common/config.h"
#include "services/common/consumer.h"
#include "services/common/events.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"
#include "services/common/status_macros.h"
#include "services/common/yaml_fields.h"

#ifndef RECOVERY_ACTION_PLAN_DATA_DIR
#define RECOVERY_ACTION_PLAN_DATA_DIR "services/action_plan"
#endif

namespace recovery::action_plan {
namespace {

namespace fs = std::filesystem;
namespace v1 = recovery::v1;
using recovery::common::Tx;

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
  if (!v.IsScalar() || v.Scalar().empty()) return yaml_fields::Error(key, "must be a path");
  return Resolve(v.Scalar(), config_file);
}

absl::StatusOr<std::map<std::string, std::string>> RoleOwners(const YAML::Node& roles) {
  std::map<std::string, std::string> out;
  if (!roles) return out;
  if (!roles.IsMap()) return yaml_fields::Error("role_owners", "expected a map of role to person id");
  for (const auto& kv : roles) {
    const std::string role = kv.first.as<std::string>("");
    const std::string path = yaml_fields::Key("role_owners", role);
    if (role == kCaseOwnerRole) return yaml_fields::Error(path, "follows the case owner; it cannot be configured");
    ASSIGN_OR_RETURN(out[role], yaml_fields::RequiredString(roles, "role_owners", role));
  }
  return out;
}

}  // namespace

std::string DefaultPlaybooksDir() { return std::string(RECOVERY_ACTION_PLAN_DATA_DIR) + "/playbooks"; }
std::string DefaultWordingRulesFile() { return std::string(RECOVERY_ACTION_PLAN_DATA_DIR) + "/wording_rules.yaml"; }

absl::StatusOr<std::vector<Playbook>> LoadPlaybooksDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return yaml_fields::Error("playbooks_dir", absl::StrCat("'", dir, "' is not a directory"));
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<Playbook> playbooks;
  std::set<std::string> categories, ids;
  for (const auto& file : files) {
    ASSIGN_OR_RETURN(const std::string text, ReadFile(file, "playbooks_dir"));
    absl::StatusOr<Playbook> playbook = ParsePlaybook(text, file);
    if (!playbook.ok()) return yaml_fields::Error("playbooks_dir", playbook.status().message());
    if (!categories.insert(playbook->category).second) {
      return yaml_fields::Error("playbooks_dir",
                                absl::StrCat(file, ": category '", playbook->category, "' has two playbooks"));
    }
    if (!ids.insert(playbook->id).second) {
      return yaml_fields::Error("playbooks_dir", absl::StrCat(file, ": duplicate id '", playbook->id, "'"));
    }
    playbooks.push_back(*std::move(playbook));
  }
  if (!categories.count(std::string(kGenericCategory))) {
    return yaml_fields::Error("playbooks_dir",
                              absl::StrCat("'", dir, "' has no '", std::string(kGenericCategory), "' playbook"));
  }
  std::sort(playbooks.begin(), playbooks.end(),
            [](const Playbook& a, const Playbook& b) { return a.category < b.category; });
  return playbooks;
}

absl::StatusOr<ActionPlanSettings> LoadSettings(const YAML::Node& node, const std::string& config_file) {
  if (node && !node.IsNull()) {
    if (!node.IsMap()) return yaml_fields::Error("config", "must be a map");
    RETURN_IF_ERROR(yaml_fields::ExpectMap(node, "", {"playbooks_dir", "wording_rules", "calendars", "role_owners"}));
  }
  ActionPlanSettings settings;
  ASSIGN_OR_RETURN(const std::string dir, PathField(node, "playbooks_dir", config_file, DefaultPlaybooksDir()));
  ASSIGN_OR_RETURN(settings.playbooks, LoadPlaybooksDir(dir));

  ASSIGN_OR_RETURN(const std::string rules_file,
                   PathField(node, "wording_rules", config_file, DefaultWordingRulesFile()));
  ASSIGN_OR_RETURN(const std::string text, ReadFile(rules_file, "wording_rules"));
  absl::StatusOr<WordingRules> rules = ParseWordingRules(text, rules_file);
  if (!rules.ok()) return yaml_fields::Error("wording_rules", rules.status().message());
  settings.wording_rules = *std::move(rules);

  if (node.IsMap() && node["calendars"]) {
    ASSIGN_OR_RETURN(auto calendars, recovery::calendar::ParseCalendarList(node["calendars"], "calendars"));
    for (auto& cal : calendars) settings.calendars.emplace(cal.id(), std::move(cal));
  }
  if (node.IsMap()) {
    ASSIGN_OR_RETURN(settings.role_owners, RoleOwners(node["role_owners"]));
  }
  return settings;
}

std::vector<std::string> ActionPlanModule::Migrations() const { return ActionPlanMigrations(); }

absl::Status ActionPlanModule::Init(const recovery::common::ServiceContext& ctx) {
  config_file_ = ctx.config.config_file;
  absl::StatusOr<ActionPlanSettings> settings = LoadSettings(ctx.domain_config, config_file_);
  if (!settings.ok()) return absl::InvalidArgumentError(absl::StrCat("--config: ", settings.status().message()));
  app_ = std::make_unique<ActionPlanApp>(ctx.store, ctx.outbox, ctx.timers, ctx.clock, *std::move(settings));
  grpc_ = std::make_unique<ActionPlanService>(*app_);
  return absl::OkStatus();
}

absl::Status ActionPlanModule::Reload(const YAML::Node& yaml) {
  ASSIGN_OR_RETURN(ActionPlanSettings settings, LoadSettings(yaml, config_file_));
  app_->SetSettings(std::move(settings));
  return absl::OkStatus();
}

absl::Status ActionPlanModule::OnEvent(Tx& tx, const v1::Event& event) {
  switch (event.body_case()) {
    case v1::Event::kCaseOpened:
      if (auto valid = ValidateCaseOpened(event); !valid.ok()) return valid;
      return app_->OnCaseOpened(tx, event);
    case v1::Event::kCaseAcknowledged:
      if (auto valid = ValidateOwnerEvent(event); !valid.ok()) return valid;
      return app_->OnCaseAcknowledged(tx, event);
    case v1::Event::kOwnerAssigned:
      if (auto valid = ValidateOwnerEvent(event); !valid.ok()) return valid;
      return app_->OnOwnerAssigned(tx, event);
    default:
      return absl::OkStatus();
  }
}

}  // namespace recovery::action_plan
