// Wording review: rules loaded from YAML, applied to outgoing text.
#include "services/action_plan/domain/wording.h"

#include <algorithm>
#include <optional>
#include <regex>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/action_plan/domain/yaml_source.h"
#include "services/common/yaml_fields.h"

namespace recovery::action_plan {

struct CompiledPattern {
  std::regex regex;
};

namespace {

struct Span {
  size_t begin;
  size_t end;
};

bool IsWordChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  // Bytes of multi-byte UTF-8 sequences count as word characters, so "sorry" does
  // not match inside a word that continues with a non-ASCII letter.
  return absl::ascii_isalnum(u) || c == '_' || u >= 0x80;
}

void FindPhrase(absl::string_view text, absl::string_view phrase, std::vector<Span>& out) {
  if (phrase.empty() || phrase.size() > text.size()) return;
  const bool check_front = IsWordChar(phrase.front());
  const bool check_back = IsWordChar(phrase.back());
  for (size_t i = 0; i + phrase.size() <= text.size(); ++i) {
    if (!absl::EqualsIgnoreCase(text.substr(i, phrase.size()), phrase)) continue;
    const size_t end = i + phrase.size();
    if (check_front && i > 0 && IsWordChar(text[i - 1])) continue;
    if (check_back && end < text.size() && IsWordChar(text[end])) continue;
    out.push_back({i, end});
  }
}

void FindRegex(absl::string_view text, const std::regex& re, std::vector<Span>& out) {
  const char* first = text.data();
  for (std::cregex_iterator it(first, first + text.size(), re), last; it != last; ++it) {
    if (it->length(0) == 0) continue;
    const auto begin = static_cast<size_t>(it->position(0));
    out.push_back({begin, begin + static_cast<size_t>(it->length(0))});
  }
}

// All matches of a rule, in order, with overlaps removed so that one word is never
// counted twice by two patterns ("apologies" and "apolog\w+").
std::vector<Span> MatchRule(absl::string_view text, const WordingRule& rule) {
  std::vector<Span> spans;
  for (const WordingPattern& p : rule.patterns) {
    if (p.is_regex) {
      FindRegex(text, p.compiled->regex, spans);
    } else {
      FindPhrase(text, p.source, spans);
    }
  }
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin != b.begin ? a.begin < b.begin : a.end > b.end; });
  std::vector<Span> merged;
  for (const Span& s : spans) {
    if (!merged.empty() && s.begin < merged.back().end) continue;
    merged.push_back(s);
  }
  return merged;
}

absl::StatusOr<WordingCategory> ParseCategory(absl::string_view s) {
  for (WordingCategory c :
       {WordingCategory::kOverApologising, WordingCategory::kAcceptingLiability, WordingCategory::kOverPromising,
        WordingCategory::kBlamingClient, WordingCategory::kDefensiveness, WordingCategory::kMissingNextStep}) {
    if (ToString(c) == s) return c;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown category '", s,
                   "' (over_apologising, accepting_liability, over_promising, blaming_client, defensiveness, "
                   "missing_next_step)"));
}

absl::StatusOr<WordingPattern> ParsePattern(const YAML::Node& node, const std::string& path) {
  if (absl::Status s = yaml_fields::ExpectMap(node, path, {"phrase", "regex"}); !s.ok()) return s;
  absl::StatusOr<std::optional<std::string>> phrase = OptionalScalar(node, path, "phrase");
  if (!phrase.ok()) return phrase.status();
  absl::StatusOr<std::optional<std::string>> regex = OptionalScalar(node, path, "regex");
  if (!regex.ok()) return regex.status();
  if (phrase->has_value() == regex->has_value()) return yaml_fields::Error(path, "give exactly one of phrase or regex");
  WordingPattern pattern;
  if (phrase->has_value()) {
    pattern.source = std::string(absl::StripAsciiWhitespace(**phrase));
    if (pattern.source.empty()) return yaml_fields::Error(yaml_fields::Key(path, "phrase"), "must not be empty");
    return pattern;
  }
  pattern.source = **regex;
  pattern.is_regex = true;
  if (pattern.source.empty()) return yaml_fields::Error(yaml_fields::Key(path, "regex"), "must not be empty");
  try {
    auto compiled = std::make_shared<CompiledPattern>();
    compiled->regex = std::regex(pattern.source, std::regex::ECMAScript | std::regex::icase);
    pattern.compiled = std::move(compiled);
  } catch (const std::regex_error& e) {
    return yaml_fields::Error(yaml_fields::Key(path, "regex"), absl::StrCat("invalid regular expression: ", e.what()));
  }
  return pattern;
}

absl::StatusOr<WordingRule> ParseRule(const YAML::Node& node, const std::string& path) {
  if (absl::Status s = yaml_fields::ExpectMap(
          node, path, {"id", "category", "severity", "reason", "trigger", "max", "unless", "patterns"});
      !s.ok()) {
    return s;
  }
  WordingRule rule;
  absl::StatusOr<std::string> id = yaml_fields::RequiredString(node, path, "id");
  if (!id.ok()) return id.status();
  rule.id = *std::move(id);
  absl::StatusOr<std::string> category = yaml_fields::RequiredString(node, path, "category");
  if (!category.ok()) return category.status();
  absl::StatusOr<WordingCategory> parsed_category = ParseCategory(*category);
  if (!parsed_category.ok())
    return yaml_fields::Error(yaml_fields::Key(path, "category"), parsed_category.status().message());
  rule.category = *parsed_category;
  absl::StatusOr<std::string> reason = yaml_fields::RequiredString(node, path, "reason");
  if (!reason.ok()) return reason.status();
  rule.reason = *std::move(reason);

  absl::StatusOr<std::optional<std::string>> severity = OptionalScalar(node, path, "severity");
  if (!severity.ok()) return severity.status();
  const std::string sev = severity->value_or("warning");
  if (sev == "info") {
    rule.severity = Severity::kInfo;
  } else if (sev == "warning") {
    rule.severity = Severity::kWarning;
  } else if (sev == "error") {
    rule.severity = Severity::kError;
  } else {
    return yaml_fields::Error(yaml_fields::Key(path, "severity"),
                              absl::StrCat("'", sev, "' is not info, warning or error"));
  }

  absl::StatusOr<std::optional<std::string>> trigger = OptionalScalar(node, path, "trigger");
  if (!trigger.ok()) return trigger.status();
  const std::string trig = trigger->value_or("any");
  if (trig == "any") {
    rule.trigger = WordingRule::Trigger::kAny;
  } else if (trig == "more_than") {
    rule.trigger = WordingRule::Trigger::kMoreThan;
  } else if (trig == "absent") {
    rule.trigger = WordingRule::Trigger::kAbsent;
  } else {
    return yaml_fields::Error(yaml_fields::Key(path, "trigger"),
                              absl::StrCat("'", trig, "' is not any, more_than or absent"));
  }

  absl::StatusOr<std::optional<std::string>> max = OptionalScalar(node, path, "max");
  if (!max.ok()) return max.status();
  if (rule.trigger == WordingRule::Trigger::kMoreThan) {
    if (!max->has_value() || !absl::SimpleAtoi(**max, &rule.max) || rule.max < 0) {
      return yaml_fields::Error(yaml_fields::Key(path, "max"), "trigger more_than needs a non-negative whole number");
    }
  } else if (max->has_value()) {
    return yaml_fields::Error(yaml_fields::Key(path, "max"), "only meaningful with trigger: more_than");
  }

  absl::StatusOr<std::optional<std::string>> unless = OptionalScalar(node, path, "unless");
  if (!unless.ok()) return unless.status();
  if (unless->has_value()) {
    if (**unless != "commitment_recorded") {
      return yaml_fields::Error(yaml_fields::Key(path, "unless"),
                                absl::StrCat("'", **unless, "' is not commitment_recorded"));
    }
    rule.unless_commitment_recorded = true;
  }

  const YAML::Node patterns = node["patterns"];
  const std::string patterns_path = yaml_fields::Key(path, "patterns");
  if (!patterns.IsDefined() || !patterns.IsSequence() || patterns.size() == 0) {
    return yaml_fields::Error(patterns_path, "required: a non-empty list of {phrase: ...} or {regex: ...}");
  }
  for (size_t i = 0; i < patterns.size(); ++i) {
    absl::StatusOr<WordingPattern> p = ParsePattern(patterns[i], yaml_fields::Index(patterns_path, i));
    if (!p.ok()) return p.status();
    rule.patterns.push_back(*std::move(p));
  }
  return rule;
}

}  // namespace

absl::string_view ToString(WordingCategory category) {
  switch (category) {
    case WordingCategory::kOverApologising:
      return "over_apologising";
    case WordingCategory::kAcceptingLiability:
      return "accepting_liability";
    case WordingCategory::kOverPromising:
      return "over_promising";
    case WordingCategory::kBlamingClient:
      return "blaming_client";
    case WordingCategory::kDefensiveness:
      return "defensiveness";
    case WordingCategory::kMissingNextStep:
      return "missing_next_step";
  }
  return "unknown";
}

absl::string_view ToString(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "unknown";
}

namespace {

absl::StatusOr<WordingRules> RulesFromYaml(const YAML::Node& root) {
  if (absl::Status s = yaml_fields::ExpectMap(root, "(document)", {"rules"}); !s.ok()) return s;
  return ParseWordingRuleList(root["rules"], "rules");
}

}  // namespace

absl::StatusOr<WordingRules> ParseWordingRuleList(const YAML::Node& rules, const std::string& path) {
  if (!rules.IsDefined() || !rules.IsSequence() || rules.size() == 0) {
    return yaml_fields::Error(path, "required: a non-empty list of rules");
  }
  WordingRules out;
  std::set<std::string> ids;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string rule_path = yaml_fields::Index(path, i);
    absl::StatusOr<WordingRule> rule = ParseRule(rules[i], rule_path);
    if (!rule.ok()) return rule.status();
    if (!ids.insert(rule->id).second) {
      return yaml_fields::Error(yaml_fields::Key(rule_path, "id"), absl::StrCat("duplicate rule id '", rule->id, "'"));
    }
    out.rules.push_back(*std::move(rule));
  }
  return out;
}

absl::StatusOr<WordingRules> ParseWordingRules(absl::string_view yaml_text, absl::string_view source) {
  return ParseDocument(yaml_text, source, &RulesFromYaml);
}

std::vector<Finding> ReviewMessage(absl::string_view text, const WordingRules& rules, const ReviewContext& context) {
  std::vector<Finding> spanned;
  std::vector<Finding> spanless;
  for (const WordingRule& rule : rules.rules) {
    if (rule.unless_commitment_recorded && context.commitment_recorded) continue;
    const std::vector<Span> spans = MatchRule(text, rule);
    auto make = [&](std::optional<Span> span) {
      Finding f;
      f.rule_id = rule.id;
      f.category = rule.category;
      f.severity = rule.severity;
      f.reason = rule.reason;
      if (span) {
        f.begin = span->begin;
        f.end = span->end;
        f.excerpt = std::string(text.substr(span->begin, span->end - span->begin));
      }
      return f;
    };
    switch (rule.trigger) {
      case WordingRule::Trigger::kAny:
        for (const Span& s : spans) spanned.push_back(make(s));
        break;
      case WordingRule::Trigger::kMoreThan:
        for (size_t i = static_cast<size_t>(rule.max); i < spans.size(); ++i) spanned.push_back(make(spans[i]));
        break;
      case WordingRule::Trigger::kAbsent:
        if (spans.empty()) spanless.push_back(make(std::nullopt));
        break;
    }
  }
  std::stable_sort(spanned.begin(), spanned.end(),
                   [](const Finding& a, const Finding& b) { return a.begin < b.begin; });
  spanned.insert(spanned.end(), spanless.begin(), spanless.end());
  return spanned;
}

}  // namespace recovery::action_plan
