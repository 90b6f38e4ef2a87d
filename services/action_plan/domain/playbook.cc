// Playbook parsing (YAML edge) and instantiation into draft plan items.
#include "services/action_plan/domain/playbook.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/action_plan/domain/errors.h"
#include "services/action_plan/domain/yaml_source.h"
#include "services/common/yaml_fields.h"

namespace recovery::action_plan {
namespace {

constexpr int kMaxDays = 366;
constexpr int kMaxHours = kMaxDays * 24;

// Lower-case identifiers: stable keys that other services and files refer to.
bool IsIdentifier(absl::string_view s, bool allow_dots_and_dashes = false) {
  if (s.empty() || !absl::ascii_islower(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    return absl::ascii_islower(u) || absl::ascii_isdigit(u) || c == '_' ||
           (allow_dots_and_dashes && (c == '.' || c == '-'));
  });
}

bool IsWeekday(absl::CivilDay day) {
  const absl::Weekday wd = absl::GetWeekday(day);
  return wd != absl::Weekday::saturday && wd != absl::Weekday::sunday;
}

absl::StatusOr<PlaybookItem> ParseItem(const YAML::Node& node, const std::string& path) {
  if (absl::Status s = yaml_fields::ExpectMap(
          node, path, {"id", "what", "why", "how", "where", "owner_role", "due", "client_visible"});
      !s.ok()) {
    return s;
  }
  PlaybookItem item;
  for (auto [key, field] :
       {std::pair{"id", &item.id}, std::pair{"what", &item.what}, std::pair{"why", &item.why},
        std::pair{"how", &item.how}, std::pair{"where", &item.where}, std::pair{"owner_role", &item.owner_role}}) {
    absl::StatusOr<std::string> v = yaml_fields::RequiredString(node, path, key);
    if (!v.ok()) return v.status();
    *field = *std::move(v);
  }
  if (!IsIdentifier(item.id, /*allow_dots_and_dashes=*/true)) {
    return yaml_fields::Error(yaml_fields::Key(path, "id"),
                              absl::StrCat("'", item.id, "' must be a lower-case identifier"));
  }
  if (!IsIdentifier(item.owner_role)) {
    return yaml_fields::Error(yaml_fields::Key(path, "owner_role"),
                              absl::StrCat("'", item.owner_role, "' must be a lower-case role like case_owner"));
  }
  absl::StatusOr<std::optional<std::string>> due = OptionalScalar(node, path, "due");
  if (!due.ok()) return due.status();
  if (due->has_value()) {
    absl::StatusOr<RelativeDue> parsed = ParseRelativeDue(**due);
    if (!parsed.ok()) return yaml_fields::Error(yaml_fields::Key(path, "due"), parsed.status().message());
    item.due = *std::move(parsed);
  }
  absl::StatusOr<bool> visible = yaml_fields::OptionalBool(node, path, "client_visible", false);
  if (!visible.ok()) return visible.status();
  item.client_visible = *visible;
  return item;
}

}  // namespace

absl::StatusOr<RelativeDue> ParseRelativeDue(absl::string_view text) {
  RelativeDue due;
  due.text = std::string(absl::StripAsciiWhitespace(text));
  const std::string lower = absl::AsciiStrToLower(due.text);
  absl::string_view rest = lower;
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot parse due '", due.text, "': ", why,
                     " (expected e.g. \"30m\", \"2h\", \"1d\" or \"next business day 10:00\")"));
  };
  if (absl::ConsumePrefix(&rest, "next business day")) {
    rest = absl::StripAsciiWhitespace(rest);
    int hour = -1;
    int minute = -1;
    const size_t colon = rest.find(':');
    if (colon == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, colon), &hour) ||
        rest.substr(colon + 1).size() != 2 || !absl::SimpleAtoi(rest.substr(colon + 1), &minute)) {
      return bad("the time must be HH:MM");
    }
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return bad("the time is out of range");
    due.kind = RelativeDue::Kind::kNextBusinessDayAt;
    due.hour = hour;
    due.minute = minute;
    return due;
  }
  if (rest.size() < 2) return bad("too short");
  const char unit = rest.back();
  int n = 0;
  const absl::string_view digits = rest.substr(0, rest.size() - 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return absl::ascii_isdigit(c); }) ||
      !absl::SimpleAtoi(digits, &n)) {
    return bad("the amount must be a whole number");
  }
  if (n <= 0) return bad("the amount must be positive");
  switch (unit) {
    case 'm':
      if (n > kMaxHours * 60) return bad("too far ahead");
      due.kind = RelativeDue::Kind::kDuration;
      due.duration = absl::Minutes(n);
      return due;
    case 'h':
      if (n > kMaxHours) return bad("too far ahead");
      due.kind = RelativeDue::Kind::kDuration;
      due.duration = absl::Hours(n);
      return due;
    case 'd':
      if (n > kMaxDays) return bad("too far ahead");
      due.kind = RelativeDue::Kind::kCalendarDays;
      due.days = n;
      return due;
    default:
      return bad("the unit must be m, h or d");
  }
}

namespace {

absl::StatusOr<Playbook> PlaybookFromYaml(const YAML::Node& root) { return ParsePlaybookNode(root, ""); }

}  // namespace

absl::StatusOr<Playbook> ParsePlaybookNode(const YAML::Node& root, const std::string& path) {
  if (absl::Status s =
          yaml_fields::ExpectMap(root, path.empty() ? "(document)" : path, {"id", "category", "title", "items"});
      !s.ok()) {
    return s;
  }
  Playbook playbook;
  for (auto [key, field] : {std::pair{"id", &playbook.id}, std::pair{"category", &playbook.category},
                            std::pair{"title", &playbook.title}}) {
    absl::StatusOr<std::string> v = yaml_fields::RequiredString(root, path, key);
    if (!v.ok()) return v.status();
    *field = *std::move(v);
  }
  if (!IsIdentifier(playbook.id, /*allow_dots_and_dashes=*/true)) {
    return yaml_fields::Error(yaml_fields::Key(path, "id"),
                              absl::StrCat("'", playbook.id, "' must be a lower-case identifier"));
  }
  if (!IsIdentifier(playbook.category)) {
    return yaml_fields::Error(yaml_fields::Key(path, "category"),
                              absl::StrCat("'", playbook.category, "' must be a lower-case identifier"));
  }
  const YAML::Node items = root["items"];
  const std::string items_path = yaml_fields::Key(path, "items");
  if (!items.IsDefined() || !items.IsSequence() || items.size() == 0) {
    return yaml_fields::Error(items_path, "required: a non-empty list of action items");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string item_path = yaml_fields::Index(items_path, i);
    absl::StatusOr<PlaybookItem> item = ParseItem(items[i], item_path);
    if (!item.ok()) return item.status();
    if (!ids.insert(item->id).second) {
      return yaml_fields::Error(yaml_fields::Key(item_path, "id"), absl::StrCat("duplicate item id '", item->id, "'"));
    }
    playbook.items.push_back(*std::move(item));
  }
  const bool any_visible = std::any_of(playbook.items.begin(), playbook.items.end(),
                                       [](const PlaybookItem& it) { return it.client_visible; });
  if (!any_visible) {
    // A plan with nothing the client sees can never complete (see IsComplete).
    return yaml_fields::Error(items_path, "at least one item must be client_visible");
  }
  return playbook;
}

absl::StatusOr<Playbook> ParsePlaybook(absl::string_view yaml_text, absl::string_view source) {
  return ParseDocument(yaml_text, source, &PlaybookFromYaml);
}

absl::StatusOr<const Playbook*> SelectPlaybook(const std::vector<Playbook>& playbooks, absl::string_view category) {
  const Playbook* generic = nullptr;
  for (const Playbook& p : playbooks) {
    if (p.category == category) return &p;
    if (p.category == kGenericCategory) generic = &p;
  }
  if (generic != nullptr) return generic;
  return Refuse(PlanError::kPlaybookNotFound,
                absl::StrCat("category: no playbook for '", category, "' and no '", kGenericCategory, "' fallback"));
}

absl::Time ResolveDue(const RelativeDue& due, absl::Time now, absl::TimeZone client_zone,
                      const BusinessDayPredicate& is_business_day) {
  switch (due.kind) {
    case RelativeDue::Kind::kDuration:
      return now + due.duration;
    case RelativeDue::Kind::kCalendarDays: {
      const absl::CivilSecond local = absl::ToCivilSecond(now, client_zone);
      // Keep sub-second precision so that "1d" from now is exactly a local day later.
      const absl::Duration fraction = now - absl::FromCivil(local, client_zone);
      const absl::CivilDay day = absl::CivilDay(local) + due.days;
      const absl::CivilSecond target(day.year(), day.month(), day.day(), local.hour(), local.minute(), local.second());
      // FromCivil: a skipped local time maps to the transition, a repeated one to its first occurrence.
      return absl::FromCivil(target, client_zone) + fraction;
    }
    case RelativeDue::Kind::kNextBusinessDayAt: {
      absl::CivilDay day = absl::ToCivilDay(now, client_zone) + 1;
      // Bounded so a predicate that never says yes cannot loop forever.
      for (int i = 0; i < 366; ++i, ++day) {
        if (is_business_day ? is_business_day(day) : IsWeekday(day)) break;
      }
      return absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), due.hour, due.minute), client_zone);
    }
  }
  return now;
}

absl::StatusOr<std::vector<ActionItem>> InstantiatePlaybook(const Playbook& playbook, const CaseFacts& facts,
                                                            absl::Time now,
                                                            const BusinessDayPredicate& is_business_day) {
  if (absl::StripAsciiWhitespace(facts.case_id).empty()) {
    return Refuse(PlanError::kInvalidInput, "case.case_id: must not be empty");
  }
  if (playbook.items.empty()) {
    return Refuse(PlanError::kInvalidInput, absl::StrCat("playbook '", playbook.id, "' has no items"));
  }
  std::vector<ActionItem> items;
  items.reserve(playbook.items.size());
  for (const PlaybookItem& p : playbook.items) {
    ActionItem item;
    item.id = p.id;
    item.what = p.what;
    item.why = p.why;
    item.how = p.how;
    item.where = p.where;
    item.owner_role = p.owner_role;
    item.client_visible = p.client_visible;
    if (p.owner_role == kCaseOwnerRole) item.owner = facts.owner;
    if (p.due.has_value()) item.due = ResolveDue(*p.due, now, facts.client_time_zone, is_business_day);
    items.push_back(std::move(item));
  }
  return items;
}

absl::StatusOr<Plan> DraftPlan(std::string plan_id, const Playbook& playbook, const CaseFacts& facts, absl::Time now,
                               const BusinessDayPredicate& is_business_day) {
  if (absl::StripAsciiWhitespace(plan_id).empty())
    return Refuse(PlanError::kInvalidInput, "plan_id: must not be empty");
  absl::StatusOr<std::vector<ActionItem>> items = InstantiatePlaybook(playbook, facts, now, is_business_day);
  if (!items.ok()) return items.status();
  Plan plan;
  plan.plan_id = std::move(plan_id);
  plan.case_id = facts.case_id;
  plan.items = *std::move(items);
  return plan;
}

}  // namespace recovery::action_plan
