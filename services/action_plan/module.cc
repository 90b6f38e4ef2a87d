// The action-plan ServiceModule and the loading of its --config YAML.
#include "services/action_plan/module.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/action_plan/shipped.h"
#include "services/action_plan/store.h"
#include "services/action_plan/validation.h"
#include "services/common/config.h"
#include "services/common/consumer.h"
#include "services/common/events.h"
#include "services/common/logging.h"
#include "services/common/metrics.h"
#include "services/common/status_macros.h"
#include "services/common/yaml_fields.h"

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

// The path `key` names (the caller checked it is there), resolved against the config file.
absl::StatusOr<std::string> PathField(const YAML::Node& node, const std::string& key, const std::string& config_file) {
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

namespace {

// Playbook files (name, text), parsed (errors name the file); categories and ids must be
// unique and a generic playbook must exist (`where` names the missing one's place). Sorted by
// category; `documents` (when given) receives each file's YAML in the same order.
absl::StatusOr<std::vector<Playbook>> ParsePlaybookFiles(const std::vector<ShippedFile>& files,
                                                         const std::string& where, std::vector<YAML::Node>* documents) {
  std::vector<std::pair<Playbook, YAML::Node>> read;
  std::set<std::string> categories, ids;
  for (const ShippedFile& file : files) {
    absl::StatusOr<Playbook> playbook = ParsePlaybook(file.text, file.name);
    if (!playbook.ok()) return yaml_fields::Error("playbooks_dir", playbook.status().message());
    if (!categories.insert(playbook->category).second) {
      return yaml_fields::Error("playbooks_dir",
                                absl::StrCat(file.name, ": category '", playbook->category, "' has two playbooks"));
    }
    if (!ids.insert(playbook->id).second) {
      return yaml_fields::Error("playbooks_dir", absl::StrCat(file.name, ": duplicate id '", playbook->id, "'"));
    }
    YAML::Node document;
    if (documents != nullptr) document = YAML::Load(file.text);  // parsed once above: cannot throw
    read.emplace_back(*std::move(playbook), std::move(document));
  }
  if (!categories.count(std::string(kGenericCategory))) {
    return yaml_fields::Error("playbooks_dir",
                              absl::StrCat(where, " has no '", std::string(kGenericCategory), "' playbook"));
  }
  std::sort(read.begin(), read.end(), [](const auto& a, const auto& b) { return a.first.category < b.first.category; });
  std::vector<Playbook> playbooks;
  for (auto& [playbook, document] : read) {
    playbooks.push_back(std::move(playbook));
    if (documents != nullptr) documents->push_back(std::move(document));
  }
  return playbooks;
}

// Every *.yaml in `dir`, as ParsePlaybookFiles reads them.
absl::StatusOr<std::vector<Playbook>> ReadPlaybooksDir(const std::string& dir, std::vector<YAML::Node>* documents) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return yaml_fields::Error("playbooks_dir", absl::StrCat("'", dir, "' is not a directory"));
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<ShippedFile> files;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(path, "playbooks_dir"));
    files.push_back({path, std::move(text)});
  }
  return ParsePlaybookFiles(files, absl::StrCat("'", dir, "'"), documents);
}

absl::StatusOr<std::vector<Playbook>> ShippedPlaybookList(std::vector<YAML::Node>* documents) {
  return ParsePlaybookFiles(ShippedPlaybooks(), "the shipped playbooks", documents);
}

// A wording-rules file's text, checked (errors start with "wording_rules: <file>: ").
absl::StatusOr<WordingRules> WordingRulesText(const ShippedFile& file) {
  absl::StatusOr<WordingRules> rules = ParseWordingRules(file.text, file.name);
  if (!rules.ok()) return yaml_fields::Error("wording_rules", rules.status().message());
  return rules;
}

// The file's `rules:` list, checked (errors start with "wording_rules: <file>: ").
absl::StatusOr<YAML::Node> WordingRulesList(const ShippedFile& file) {
  RETURN_IF_ERROR(WordingRulesText(file).status());
  return YAML::Load(file.text)["rules"];  // parsed once above: cannot throw
}

// `playbooks:` of a canonical document: each checked as a playbook file is, categories and
// ids unique, a generic one present; sorted by category.
absl::StatusOr<std::vector<Playbook>> PlaybookList(const YAML::Node& list) {
  RETURN_IF_ERROR(yaml_fields::ExpectSequence(list, "playbooks", /*optional=*/false));
  std::vector<Playbook> playbooks;
  std::set<std::string> categories, ids;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = yaml_fields::Index("playbooks", i);
    ASSIGN_OR_RETURN(Playbook playbook, ParsePlaybookNode(list[i], path));
    if (!ids.insert(playbook.id).second)
      return yaml_fields::Error(yaml_fields::Key(path, "id"), absl::StrCat("duplicate id '", playbook.id, "'"));
    if (!categories.insert(playbook.category).second)
      return yaml_fields::Error(yaml_fields::Key(path, "category"),
                                absl::StrCat("category '", playbook.category, "' has two playbooks"));
    playbooks.push_back(std::move(playbook));
  }
  if (!categories.count(std::string(kGenericCategory))) {
    return yaml_fields::Error("playbooks", absl::StrCat("no '", std::string(kGenericCategory),
                                                        "' playbook (the one used for every other category)"));
  }
  std::sort(playbooks.begin(), playbooks.end(),
            [](const Playbook& a, const Playbook& b) { return a.category < b.category; });
  return playbooks;
}

// A section given and not null.
bool Given(const YAML::Node& document, const char* key) {
  return document.IsMap() && document[key].IsDefined() && !document[key].IsNull();
}

}  // namespace

absl::StatusOr<std::vector<Playbook>> LoadPlaybooksDir(const std::string& dir) {
  return ReadPlaybooksDir(dir, nullptr);
}

absl::StatusOr<YAML::Node> CanonicalConfig(const YAML::Node& file, const std::string& config_file) {
  if (!file.IsDefined() || file.IsNull()) return file;
  if (!file.IsMap()) return yaml_fields::Error("config", "must be a map");
  RETURN_IF_ERROR(
      yaml_fields::ExpectMap(file, "", {"playbooks_dir", "playbooks", "wording_rules", "calendars", "role_owners"}));
  YAML::Node out(YAML::NodeType::Map);
  if (file["playbooks_dir"] && file["playbooks"])
    return yaml_fields::Error("playbooks", "give either playbooks_dir or playbooks, not both");
  if (file["playbooks"]) {
    out["playbooks"] = file["playbooks"];
  } else {
    std::vector<YAML::Node> documents;
    if (file["playbooks_dir"]) {
      ASSIGN_OR_RETURN(const std::string dir, PathField(file, "playbooks_dir", config_file));
      RETURN_IF_ERROR(ReadPlaybooksDir(dir, &documents).status());
    } else {
      RETURN_IF_ERROR(ShippedPlaybookList(&documents).status());
    }
    YAML::Node list(YAML::NodeType::Sequence);
    for (const YAML::Node& d : documents) list.push_back(d);
    out["playbooks"] = list;
  }
  if (file["wording_rules"] && file["wording_rules"].IsSequence()) {
    out["wording_rules"] = file["wording_rules"];
  } else if (file["wording_rules"]) {
    ASSIGN_OR_RETURN(const std::string path, PathField(file, "wording_rules", config_file));
    ASSIGN_OR_RETURN(std::string text, ReadFile(path, "wording_rules"));
    ASSIGN_OR_RETURN(out["wording_rules"], WordingRulesList({path, std::move(text)}));
  } else {
    ASSIGN_OR_RETURN(out["wording_rules"], WordingRulesList(ShippedWordingRules()));
  }
  for (const char* key : {"calendars", "role_owners"})
    if (file[key]) out[key] = file[key];
  return out;
}

absl::StatusOr<ActionPlanSettings> ParseSettings(const YAML::Node& document) {
  if (document.IsDefined() && !document.IsNull()) {
    if (!document.IsMap()) return yaml_fields::Error("config", "must be a map");
    RETURN_IF_ERROR(yaml_fields::ExpectMap(document, "", {"playbooks", "wording_rules", "calendars", "role_owners"}));
  }
  ActionPlanSettings settings;
  if (Given(document, "playbooks")) {
    ASSIGN_OR_RETURN(settings.playbooks, PlaybookList(document["playbooks"]));
  } else {
    ASSIGN_OR_RETURN(settings.playbooks, ShippedPlaybookList(nullptr));
  }
  if (Given(document, "wording_rules")) {
    ASSIGN_OR_RETURN(settings.wording_rules, ParseWordingRuleList(document["wording_rules"], "wording_rules"));
  } else {
    ASSIGN_OR_RETURN(settings.wording_rules, WordingRulesText(ShippedWordingRules()));
  }
  if (document.IsMap() && document["calendars"]) {
    ASSIGN_OR_RETURN(auto calendars, recovery::calendar::ParseCalendarList(document["calendars"], "calendars"));
    for (auto& cal : calendars) settings.calendars.emplace(cal.id(), std::move(cal));
  }
  if (document.IsMap()) {
    ASSIGN_OR_RETURN(settings.role_owners, RoleOwners(document["role_owners"]));
  }
  return settings;
}

absl::StatusOr<ActionPlanSettings> LoadSettings(const YAML::Node& node, const std::string& config_file) {
  ASSIGN_OR_RETURN(const YAML::Node document, CanonicalConfig(node, config_file));
  return ParseSettings(document);
}

std::vector<std::string> ActionPlanModule::Migrations() const { return ActionPlanMigrations(); }

absl::Status ActionPlanModule::Init(const recovery::common::ServiceContext& ctx) {
  config_file_ = ctx.config.config_file;
  // The live document of the configuration state (the file already made canonical).
  absl::StatusOr<ActionPlanSettings> settings = ParseSettings(ctx.domain_config);
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
