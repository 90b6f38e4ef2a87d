// Intake domain configuration parsing and signal-rule matching.
#include "services/intake/domain/config.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/intake/domain/case_state.h"

namespace recovery::intake {
namespace {

using recovery::v1::Severity;
using recovery::v1::SignalKind;

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

absl::StatusOr<std::string> Scalar(const YAML::Node& node, const std::string& path) {
  if (!node || !node.IsScalar()) return Invalid(path, "expected a string");
  return node.as<std::string>();
}

absl::StatusOr<SignalRule> ParseRule(const YAML::Node& node, const std::string& path,
                                     const std::vector<std::string>& categories) {
  if (!node.IsMap()) return Invalid(path, "expected a map with kind, severity, category");
  SignalRule rule;
  auto kind = Scalar(node["kind"], path + ".kind");
  if (!kind.ok()) return kind.status();
  auto parsed_kind = ParseSignalKind(*kind);
  if (!parsed_kind)
    return Invalid(path + ".kind", absl::StrCat("unknown signal kind '", *kind,
                                                "' (survey_score, missed_deadline, "
                                                "negative_sentiment, low_satisfaction)"));
  rule.kind = *parsed_kind;
  if (node["max_score"]) {
    try {
      rule.max_score = node["max_score"].as<double>();
    } catch (const YAML::Exception&) {
      return Invalid(path + ".max_score", "expected a number");
    }
  }
  auto severity = Scalar(node["severity"], path + ".severity");
  if (!severity.ok()) return severity.status();
  auto parsed_severity = ParseSeverity(*severity);
  if (!parsed_severity) return Invalid(path + ".severity", absl::StrCat("unknown severity '", *severity, "' (P1..P4)"));
  rule.severity = *parsed_severity;
  auto category = Scalar(node["category"], path + ".category");
  if (!category.ok()) return category.status();
  if (std::find(categories.begin(), categories.end(), *category) == categories.end())
    return Invalid(path + ".category", absl::StrCat("unknown category '", *category, "'"));
  rule.category = *category;
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
      {recovery::v1::SIGNAL_KIND_SURVEY_SCORE, 2.0, recovery::v1::SEVERITY_P3, "communication"},
      {recovery::v1::SIGNAL_KIND_MISSED_DEADLINE, std::nullopt, recovery::v1::SEVERITY_P2, "missed_deadline"},
      {recovery::v1::SIGNAL_KIND_LOW_SATISFACTION, std::nullopt, recovery::v1::SEVERITY_P3, "communication"},
  };
  return c;
}

absl::StatusOr<IntakeConfig> ParseIntakeConfig(const YAML::Node& root) {
  IntakeConfig c = DefaultIntakeConfig();
  if (!root || root.IsNull()) return c;
  if (!root.IsMap()) return Invalid("config", "expected a map");
  if (const YAML::Node cats = root["categories"]) {
    if (!cats.IsSequence() || cats.size() == 0) return Invalid("categories", "expected a non-empty list");
    c.categories.clear();
    for (size_t i = 0; i < cats.size(); ++i) {
      const std::string path = absl::StrCat("categories[", i, "]");
      auto name = Scalar(cats[i], path);
      if (!name.ok()) return name.status();
      if (name->empty() || name->size() > 64) return Invalid(path, "must be 1..64 characters");
      if (c.HasCategory(*name)) return Invalid(path, absl::StrCat("duplicate category '", *name, "'"));
      c.categories.push_back(*name);
    }
    // Default rules only survive when their category is still configured.
    std::erase_if(c.signal_rules, [&](const SignalRule& r) { return !c.HasCategory(r.category); });
  }
  if (const YAML::Node window = root["dedup_window"]) {
    absl::Duration d;
    if (!window.IsScalar() || !absl::ParseDuration(window.as<std::string>(), &d) || d < absl::ZeroDuration())
      return Invalid("dedup_window", "expected a duration like 24h or 90m");
    c.dedup_window = d;
  }
  if (const YAML::Node rules = root["signal_rules"]) {
    if (!rules.IsSequence()) return Invalid("signal_rules", "expected a list");
    c.signal_rules.clear();
    for (size_t i = 0; i < rules.size(); ++i) {
      auto rule = ParseRule(rules[i], absl::StrCat("signal_rules[", i, "]"), c.categories);
      if (!rule.ok()) return rule.status();
      c.signal_rules.push_back(*rule);
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

std::optional<Severity> ParseSeverity(const std::string& s) {
  const std::string u = absl::AsciiStrToUpper(s);
  if (u == "P1") return recovery::v1::SEVERITY_P1;
  if (u == "P2") return recovery::v1::SEVERITY_P2;
  if (u == "P3") return recovery::v1::SEVERITY_P3;
  if (u == "P4") return recovery::v1::SEVERITY_P4;
  return std::nullopt;
}

std::optional<SignalKind> ParseSignalKind(const std::string& s) {
  SignalKind kind;
  if (recovery::v1::SignalKind_Parse(absl::StrCat("SIGNAL_KIND_", absl::AsciiStrToUpper(s)), &kind) &&
      kind != recovery::v1::SIGNAL_KIND_UNSPECIFIED)
    return kind;
  return std::nullopt;
}

}  // namespace recovery::intake
