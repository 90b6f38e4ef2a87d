// The intake configuration's kinds and installation (config_schema.h).
#include "services/intake/config_schema.h"

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "services/intake/app.h"
#include "services/intake/domain/config.h"

namespace recovery::intake {

using common::ConfigKind;

std::vector<ConfigKind> IntakeConfigSchema::ConfigKinds() const {
  using Shape = ConfigKind::Shape;
  return {
      ConfigKind::Of(Shape::kNames, "category", "categories"),
      ConfigKind::Of(Shape::kList, "signal_rule", "signal_rules").Ordered().AutoIds("rule-"),
      ConfigKind::Settings("settings", {"dedup_window"}),
  };
}

absl::StatusOr<YAML::Node> IntakeConfigSchema::FromFile(const YAML::Node& file, const std::string& /*path*/) const {
  // The categories and signal rules the parser takes from its defaults when a file (or no
  // file) leaves them out are written in, so the store holds what runs: deleting every rule
  // then means no rules, not the defaults again.
  YAML::Node out = file.IsDefined() && !file.IsNull() ? YAML::Clone(file) : YAML::Node(YAML::NodeType::Map);
  if (!out.IsMap()) return file;
  const absl::StatusOr<IntakeConfig> effective = ParseIntakeConfig(out);
  if (!effective.ok()) return file;  // the import's validation names the mistake
  if (!out["categories"]) {
    YAML::Node names(YAML::NodeType::Sequence);
    for (const std::string& c : effective->categories) names.push_back(c);
    out["categories"] = names;
  }
  if (!out["signal_rules"]) {
    YAML::Node rules(YAML::NodeType::Sequence);
    for (const SignalRule& r : effective->signal_rules) {
      YAML::Node rule(YAML::NodeType::Map);
      rule["kind"] = absl::AsciiStrToLower(absl::string_view(recovery::v1::SignalKind_Name(r.kind)).substr(12));
      if (r.max_score) rule["max_score"] = *r.max_score;
      rule["severity"] = std::string(absl::string_view(recovery::v1::Severity_Name(r.severity)).substr(9));
      rule["category"] = r.category;
      rules.push_back(rule);
    }
    out["signal_rules"] = rules;
  }
  return out;
}

absl::Status IntakeConfigSchema::ValidateConfig(const YAML::Node& document) const {
  return ParseIntakeConfig(document).status();
}

absl::Status IntakeConfigSchema::InstallConfig(const YAML::Node& document) {
  IntakeApp* app = app_();
  if (app == nullptr) return absl::FailedPreconditionError("intake is not initialised");
  absl::StatusOr<IntakeConfig> config = ParseIntakeConfig(document);
  if (!config.ok()) return config.status();
  app->SetConfig(*std::move(config));
  return absl::OkStatus();
}

}  // namespace recovery::intake
