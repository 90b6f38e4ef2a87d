// Intake domain configuration parsing (on recovery::yaml_fields) and signal-rule matching.
#include "services/intake/domain/config.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/severity.h"
#include "services/common/status_macros.h"
#include "services/common/yaml_fields.h"
#include "services/intake/domain/case_state.h"

namespace recovery::intake {
namespace {

namespace yf = recovery::yaml_fields;
using recovery::v1::SignalKind;

absl::StatusOr<SignalRule> ParseRule(const YAML::Node& node, const std::string& path,
                                     const std::vector<std::string>& categories) {
  RETURN_IF_ERROR(yf::ExpectMap(node, path, {"id", "kind", "max_score", "severity", "category"}));
  SignalRule rule;
  if (const YAML::Node id = node["id"]; id.IsDefined()) {
    if (!id.IsScalar() || id.Scalar().empty()) return yf::Error(yf::Key(path, "id"), "expected a non-empty name");
    rule.id = id.Scalar();
  }
  ASSIGN_OR_RETURN(const std::string kind, yf::RequiredString(node, path, "kind"));
  const std::optional<SignalKind> parsed_kind = ParseSignalKind(kind);
  if (!parsed_kind)
    return yf::Error(yf::Key(path, "kind"), absl::StrCat("unknown signal kind '", kind,
                                                         "' (survey_score, missed_deadline, "
                                                         "negative_sentiment, low_satisfaction)"));
  rule.kind = *parsed_kind;
  if (const YAML::Node max = node["max_score"]; max.IsDefined() && !max.IsNull()) {
    double score = 0;
    if (!max.IsScalar() || !YAML::convert<double>::decode(max, score))
      return yf::Error(yf::Key(path, "max_score"), "expected a number");
    rule.max_score = score;
  }
  ASSIGN_OR_RETURN(const std::string severity, yf::RequiredString(node, path, "severity"));
  const std::optional<recovery::v1::Severity> parsed_severity = recovery::common::ParseSeverity(severity);
  if (!parsed_severity)
    return yf::Error(yf::Key(path, "severity"), absl::StrCat("unknown severity '", severity, "' (P1..P4)"));
  rule.severity = *parsed_severity;
  ASSIGN_OR_RETURN(rule.category, yf::RequiredString(node, path, "category"));
  if (std::find(categories.begin(), categories.end(), rule.category) == categories.end())
    return yf::Error(yf::Key(path, "category"), absl::StrCat("unknown category '", rule.category, "'"));
  return rule;
}

}  // namespace

bool IntakeConfig::HasCategory(const std::string& category) const {
  return std::find(categories.begin(), categories.end(), category) != categories.end();
}

IntakeConfig DefaultIntakeConfig() {
  IntakeConfig c;
  c.categories = {"missed_deadline", "deliverable_quality", "unreachable", "billing_error", "communication", "other"};
  c.dedup_window = absl::Hours(24);
  c.signal_rules = {
      {"", recovery::v1::SIGNAL_KIND_SURVEY_SCORE, 2.0, recovery::v1::SEVERITY_P3, "communication"},
      {"", recovery::v1::SIGNAL_KIND_MISSED_DEADLINE, std::nullopt, recovery::v1::SEVERITY_P2, "missed_deadline"},
      {"", recovery::v1::SIGNAL_KIND_LOW_SATISFACTION, std::nullopt, recovery::v1::SEVERITY_P3, "communication"},
  };
  return c;
}

absl::StatusOr<IntakeConfig> ParseIntakeConfig(const YAML::Node& root) {
  IntakeConfig c = DefaultIntakeConfig();
  if (!root || root.IsNull()) return c;
  if (!root.IsMap()) return yf::Error("config", "expected a map");
  RETURN_IF_ERROR(yf::ExpectMap(root, "", {"categories", "dedup_window", "signal_rules"}));
  if (root["categories"]) {
    RETURN_IF_ERROR(yf::ExpectSequence(root["categories"], "categories", /*optional=*/false));
    ASSIGN_OR_RETURN(const std::vector<std::string> names, yf::StringList(root, "", "categories"));
    if (names.empty()) return yf::Error("categories", "expected a non-empty list");
    c.categories.clear();
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string path = yf::Index("categories", i);
      if (names[i].size() > 64) return yf::Error(path, "must be 1..64 characters");
      if (c.HasCategory(names[i])) return yf::Error(path, absl::StrCat("duplicate category '", names[i], "'"));
      c.categories.push_back(names[i]);
    }
    // Default rules only survive when their category is still configured.
    std::erase_if(c.signal_rules, [&](const SignalRule& r) { return !c.HasCategory(r.category); });
  }
  if (const YAML::Node window = root["dedup_window"]) {
    ASSIGN_OR_RETURN(c.dedup_window, yf::ParseDurationField(window, "dedup_window"));
    if (c.dedup_window < absl::ZeroDuration()) return yf::Error("dedup_window", "must not be negative");
  }
  if (const YAML::Node rules = root["signal_rules"]) {
    RETURN_IF_ERROR(yf::ExpectSequence(rules, "signal_rules", /*optional=*/false));
    c.signal_rules.clear();
    for (size_t i = 0; i < rules.size(); ++i) {
      const std::string path = yf::Index("signal_rules", i);
      ASSIGN_OR_RETURN(SignalRule rule, ParseRule(rules[i], path, c.categories));
      if (!rule.id.empty() && std::any_of(c.signal_rules.begin(), c.signal_rules.end(),
                                          [&](const SignalRule& r) { return r.id == rule.id; }))
        return yf::Error(yf::Key(path, "id"), absl::StrCat("duplicate id '", rule.id, "'"));
      c.signal_rules.push_back(std::move(rule));
    }
  }
  return c;
}

const SignalRule* MatchSignalRule(const IntakeConfig& config, recovery::v1::SignalKind kind, double score) {
  for (const SignalRule& rule : config.signal_rules) {
    if (rule.kind != kind) continue;
    if (rule.max_score && score > *rule.max_score) continue;
    return &rule;
  }
  return nullptr;
}

bool IsRepeatReport(recovery::v1::CaseStatus existing_status, absl::Time existing_opened_at, absl::Time now,
                    absl::Duration window) {
  return IsActive(existing_status) && now - existing_opened_at <= window;
}

std::optional<SignalKind> ParseSignalKind(const std::string& s) {
  SignalKind kind;
  if (recovery::v1::SignalKind_Parse(absl::StrCat("SIGNAL_KIND_", absl::AsciiStrToUpper(s)), &kind) &&
      kind != recovery::v1::SIGNAL_KIND_UNSPECIFIED)
    return kind;
  return std::nullopt;
}

}  // namespace recovery::intake
