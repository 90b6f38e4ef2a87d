// The intake service's domain configuration (the --config YAML): categories, the repeat
// report dedup window and the signal rules that turn weak signals into cases.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/common.pb.h"
#include "yaml-cpp/yaml.h"

namespace recovery::intake {

// When a weak signal of `kind` (with score <= max_score, when set) opens a case.
struct SignalRule {
  // Optional in the YAML (the configuration state names a rule without one "rule-<n>", its
  // 1-based place); unique when given.
  std::string id;
  recovery::v1::SignalKind kind = recovery::v1::SIGNAL_KIND_UNSPECIFIED;
  std::optional<double> max_score;
  recovery::v1::Severity severity = recovery::v1::SEVERITY_P3;
  std::string category;
};

struct IntakeConfig {
  std::vector<std::string> categories;
  absl::Duration dedup_window = absl::Hours(24);
  std::vector<SignalRule> signal_rules;

  bool HasCategory(const std::string& category) const;
};

// missed_deadline, deliverable_quality, unreachable, billing_error, communication, other;
// 24h; survey score <= 2 -> P3 communication, missed deadline -> P2 missed_deadline,
// low satisfaction -> P3 communication.
IntakeConfig DefaultIntakeConfig();

// Reads `categories:`, `dedup_window:` and `signal_rules:` (each `{id?, kind, max_score?,
// severity, category}`); absent keys keep the defaults,
// a null node is all defaults, an unknown key is an error. Errors name the key path
// (e.g. "signal_rules[1].severity").
absl::StatusOr<IntakeConfig> ParseIntakeConfig(const YAML::Node& root);

// The first rule that matches the signal, or nullptr (the signal is only stored).
const SignalRule* MatchSignalRule(const IntakeConfig& config, recovery::v1::SignalKind kind, double score);

// A repeat report links to an existing case that is still active (not RESOLVED/CLOSED)
// and was opened no longer than `window` before `now`.
bool IsRepeatReport(recovery::v1::CaseStatus existing_status, absl::Time existing_opened_at, absl::Time now,
                    absl::Duration window);

// "survey_score", ... (case-insensitive); nullopt when unknown. Severities are
// common::ParseSeverity's.
std::optional<recovery::v1::SignalKind> ParseSignalKind(const std::string& s);

}  // namespace recovery::intake
