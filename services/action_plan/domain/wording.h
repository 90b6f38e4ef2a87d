// Review of outgoing wording against rules kept as data (wording_rules.yaml):
// over-apologising, accepting liability, over-promising, blaming the client,
// defensiveness and a missing ownership / next-step statement.
//
// Rule shape (YAML, one entry of `rules:`):
//   id: <unique id>            category: <see WordingCategory>
//   severity: info|warning|error
//   reason: <shown to the writer>
//   trigger: any | more_than | absent   (default any)
//     any:       every match is a finding
//     more_than: count all matches; each match past `max` is a finding
//     absent:    one finding without a span when nothing matches
//   max: <n>                   (more_than only)
//   unless: commitment_recorded  (optional: skip when the caller says a recorded
//                                 commitment backs the deadline in the message)
//   patterns: [{phrase: "..."} | {regex: "..."}]
// Phrases match case-insensitively as whole words (ASCII); regexes are ECMAScript
// (std::regex), compiled case-insensitive once at load time.
// Thread-safety: a loaded WordingRules is immutable and may be shared for reading.
#ifndef RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_WORDING_H_
#define RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_WORDING_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace YAML {
class Node;
}

namespace recovery::action_plan {

enum class WordingCategory {
  kOverApologising,
  kAcceptingLiability,
  kOverPromising,
  kBlamingClient,
  kDefensiveness,
  kMissingNextStep,
};
absl::string_view ToString(WordingCategory category);

enum class Severity { kInfo, kWarning, kError };
absl::string_view ToString(Severity severity);

// Opaque compiled form (std::regex) so that <regex> stays out of this header.
struct CompiledPattern;

struct WordingPattern {
  std::string source;  // as written in the rules file
  bool is_regex = false;
  std::shared_ptr<const CompiledPattern> compiled;  // regex only; compiled once, cheap to copy
};

struct WordingRule {
  enum class Trigger { kAny, kMoreThan, kAbsent };
  std::string id;
  WordingCategory category = WordingCategory::kOverPromising;
  Severity severity = Severity::kWarning;
  std::string reason;
  Trigger trigger = Trigger::kAny;
  int max = 0;
  bool unless_commitment_recorded = false;
  std::vector<WordingPattern> patterns;
};

struct WordingRules {
  std::vector<WordingRule> rules;
};

// Errors name the source and key path, e.g. "wording_rules.yaml: rules[3].patterns[0].regex: ...".
absl::StatusOr<WordingRules> ParseWordingRules(absl::string_view yaml_text, absl::string_view source);
// The same checks on the list of rules inside a larger document (`rules` is the list, `path`
// its key): errors start with the path ("wording_rules[3].patterns[0].regex: ...").
absl::StatusOr<WordingRules> ParseWordingRuleList(const YAML::Node& rules, const std::string& path);

struct Finding {
  static constexpr size_t kNoSpan = static_cast<size_t>(-1);
  std::string rule_id;
  WordingCategory category = WordingCategory::kOverPromising;
  Severity severity = Severity::kWarning;
  size_t begin = kNoSpan;  // byte offsets into the reviewed text; kNoSpan for "absent" rules
  size_t end = kNoSpan;
  std::string excerpt;  // the matched text; empty without a span
  std::string reason;

  bool has_span() const { return begin != kNoSpan; }
};

// What the caller knows beyond the text.
struct ReviewContext {
  // True when the plan holds a live commitment that backs a deadline in the text.
  bool commitment_recorded = false;
};

// Findings ordered by position; span-less findings last, in rule order.
std::vector<Finding> ReviewMessage(absl::string_view text, const WordingRules& rules,
                                   const ReviewContext& context = {});

}  // namespace recovery::action_plan

#endif  // RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_WORDING_H_
