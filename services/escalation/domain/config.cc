// Loading and validating the escalation configuration from YAML (shape documented in config.h).
#include "services/escalation/domain/config.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"
#include "services/common/yaml_fields.h"
#include "yaml-cpp/yaml.h"

namespace recovery::escalation {
namespace {

using yaml_fields::Error;
using yaml_fields::Index;
using yaml_fields::Key;

template <typename T>
const T* FindById(const std::vector<T>& items, absl::string_view id) {
  for (const T& item : items) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

// An IANA zone name only: no file paths, "..", "localtime" (common::IsIanaTimeZone).
absl::Status CheckZone(const std::string& zone, absl::string_view path) {
  if (!common::IsIanaTimeZone(zone)) {
    return Error(Key(path, "time_zone"), absl::StrCat("unknown time zone ", common::QuoteForMessage(zone),
                                                      " (an IANA name such as Europe/London)"));
  }
  return absl::OkStatus();
}

// Applies `parse` to each element of the sequence at map[key] (absent = empty).
template <typename T, typename Parse>
absl::StatusOr<std::vector<T>> ParseList(const YAML::Node& map, absl::string_view path, absl::string_view key,
                                         Parse parse) {
  const std::string p = Key(path, key);
  const YAML::Node node = map[std::string(key)];
  RETURN_IF_ERROR(yaml_fields::ExpectSequence(node, p, /*optional=*/true));
  std::vector<T> out;
  if (!node.IsDefined() || !node.IsSequence()) return out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    ASSIGN_OR_RETURN(T item, parse(node[i], Index(p, i)));
    out.push_back(std::move(item));
  }
  return out;
}

absl::StatusOr<absl::Duration> DurationOr(const YAML::Node& map, absl::string_view path, absl::string_view key,
                                          std::optional<absl::Duration> fallback) {
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) {
    if (fallback) return *fallback;
    return Error(Key(path, key), "required");
  }
  return yaml_fields::ParseDurationField(node, Key(path, key));
}

absl::StatusOr<Target> ParseTarget(const YAML::Node& node, absl::string_view path) {
  RETURN_IF_ERROR(yaml_fields::ExpectMap(node, path, {"person", "schedule", "team"}));
  if (node.size() != 1) return Error(path, "give exactly one of person, schedule, team");
  const std::string kind = node.begin()->first.Scalar();
  ASSIGN_OR_RETURN(auto id, yaml_fields::RequiredString(node, path, kind));
  Target t;
  t.kind = kind == "person" ? TargetKind::kPerson : kind == "schedule" ? TargetKind::kSchedule : TargetKind::kTeam;
  t.id = std::move(id);
  return t;
}

absl::StatusOr<Person> ParsePerson(const YAML::Node& node, absl::string_view path) {
  RETURN_IF_ERROR(yaml_fields::ExpectMap(
      node, path, {"id", "name", "time_zone", "contact_methods", "notification_rules", "handoff_reminder"}));
  Person p;
  ASSIGN_OR_RETURN(auto id, yaml_fields::RequiredString(node, path, "id"));
  ASSIGN_OR_RETURN(auto name, yaml_fields::OptionalString(node, path, "name"));
  ASSIGN_OR_RETURN(auto zone, yaml_fields::RequiredString(node, path, "time_zone"));
  RETURN_IF_ERROR(CheckZone(zone, path));
  p.id = std::move(id);
  p.name = std::move(name);
  p.time_zone = std::move(zone);
  auto parse_method = [](const YAML::Node& n, absl::string_view at) -> absl::StatusOr<ContactMethod> {
    RETURN_IF_ERROR(yaml_fields::ExpectMap(n, at, {"channel", "target"}));
    ASSIGN_OR_RETURN(auto channel, yaml_fields::RequiredString(n, at, "channel"));
    std::optional<Channel> c = ParseChannel(channel);
    if (!c) return Error(Key(at, "channel"), absl::StrCat("unknown channel '", channel, "' (webhook, email, log)"));
    ASSIGN_OR_RETURN(auto target, yaml_fields::RequiredString(n, at, "target"));
    return ContactMethod{*c, std::move(target)};
  };
  ASSIGN_OR_RETURN(auto methods, ParseList<ContactMethod>(node, path, "contact_methods", parse_method));
  if (methods.empty()) return Error(Key(path, "contact_methods"), "at least one contact method is required");
  p.contact_methods = std::move(methods);
  auto parse_rule = [&p](const YAML::Node& n, absl::string_view at) -> absl::StatusOr<NotificationRule> {
    RETURN_IF_ERROR(yaml_fields::ExpectMap(n, at, {"channel", "delay"}));
    ASSIGN_OR_RETURN(auto channel, yaml_fields::RequiredString(n, at, "channel"));
    std::optional<Channel> c = ParseChannel(channel);
    if (!c) return Error(Key(at, "channel"), absl::StrCat("unknown channel '", channel, "' (webhook, email, log)"));
    if (std::none_of(p.contact_methods.begin(), p.contact_methods.end(),
                     [&](const ContactMethod& m) { return m.channel == *c; })) {
      return Error(Key(at, "channel"), absl::StrCat("no contact method for channel '", channel, "'"));
    }
    ASSIGN_OR_RETURN(auto delay, DurationOr(n, at, "delay", absl::ZeroDuration()));
    if (delay < absl::ZeroDuration()) return Error(Key(at, "delay"), "must not be negative");
    return NotificationRule{*c, delay};
  };
  ASSIGN_OR_RETURN(auto rules, ParseList<NotificationRule>(node, path, "notification_rules", parse_rule));
  p.notification_rules = std::move(rules);
  return p;
}

absl::StatusOr<RotationLayer> ParseLayer(const YAML::Node& node, absl::string_view path) {
  RETURN_IF_ERROR(yaml_fields::ExpectMap(
      node, path, {"name", "participants", "rotation", "start_date", "handoff_time", "restrictions"}));
  RotationLayer layer;
  ASSIGN_OR_RETURN(auto name, yaml_fields::OptionalString(node, path, "name"));
  layer.name = std::move(name);
  ASSIGN_OR_RETURN(auto participants, yaml_fields::StringList(node, path, "participants"));
  if (participants.empty()) return Error(Key(path, "participants"), "at least one participant is required");
  layer.participants = std::move(participants);
  ASSIGN_OR_RETURN(auto rotation, yaml_fields::RequiredString(node, path, "rotation"));
  {
    const char unit = rotation.back();
    long long n = 0;
    if (!absl::SimpleAtoi(absl::string_view(rotation).substr(0, rotation.size() - 1), &n) || n <= 0 || n > 100000 ||
        (unit != 'h' && unit != 'd' && unit != 'w')) {
      return Error(Key(path, "rotation"), absl::StrCat("invalid rotation '", rotation, "' (use e.g. 12h, 1d, 1w)"));
    }
    layer.length = static_cast<int>(n);
    layer.unit = unit == 'h' ? RotationUnit::kHours : unit == 'd' ? RotationUnit::kDays : RotationUnit::kWeeks;
  }
  if (!node["start_date"].IsDefined()) return Error(Key(path, "start_date"), "required");
  ASSIGN_OR_RETURN(auto day, yaml_fields::ParseDateField(node["start_date"], Key(path, "start_date")));
  ASSIGN_OR_RETURN(auto handoff, yaml_fields::OptionalString(node, path, "handoff_time", "00:00"));
  // Reuse the window parser for "HH:MM" so the accepted syntax is the calendar's.
  absl::StatusOr<calendar::DailyWindow> w =
      calendar::ParseDailyWindow(absl::StrCat(handoff, "-24:00"), Key(path, "handoff_time"));
  if (!w.ok()) return Error(Key(path, "handoff_time"), absl::StrCat("invalid local time '", handoff, "' (use HH:MM)"));
  layer.start = absl::CivilSecond(day) + absl::ToInt64Seconds(w->start);
  if (node["restrictions"].IsDefined() && !node["restrictions"].IsNull()) {
    ASSIGN_OR_RETURN(auto weekly, calendar::ParseWeeklyHours(node["restrictions"], Key(path, "restrictions")));
    layer.restrictions = std::move(weekly);
  }
  return layer;
}

absl::StatusOr<Schedule> ParseSchedule(const YAML::Node& node, absl::string_view path) {
  RETURN_IF_ERROR(yaml_fields::ExpectMap(node, path, {"id", "name", "time_zone", "layers", "overrides"}));
  ASSIGN_OR_RETURN(auto id, yaml_fields::RequiredString(node, path, "id"));
  ASSIGN_OR_RETURN(auto name, yaml_fields::OptionalString(node, path, "name"));
  ASSIGN_OR_RETURN(auto zone, yaml_fields::RequiredString(node, path, "time_zone"));
  RETURN_IF_ERROR(CheckZone(zone, path));
  ASSIGN_OR_RETURN(auto layers, ParseList<RotationLayer>(node, path, "layers", ParseLayer));
  auto parse_override = [](const YAML::Node& n, absl::string_view at) -> absl::StatusOr<Override> {
    RETURN_IF_ERROR(yaml_fields::ExpectMap(n, at, {"person", "from", "to"}));
    ASSIGN_OR_RETURN(auto person, yaml_fields::RequiredString(n, at, "person"));
    if (!n["from"].IsDefined()) return Error(Key(at, "from"), "required");
    if (!n["to"].IsDefined()) return Error(Key(at, "to"), "required");
    ASSIGN_OR_RETURN(auto from, yaml_fields::ParseInstantField(n["from"], Key(at, "from")));
    ASSIGN_OR_RETURN(auto to, yaml_fields::ParseInstantField(n["to"], Key(at, "to")));
    if (to <= from) return Error(Key(at, "to"), "must be after 'from'");
    return Override{std::move(person), from, to};
  };
  ASSIGN_OR_RETURN(auto overrides, ParseList<Override>(node, path, "overrides", parse_override));
  if (layers.empty() && overrides.empty()) return Error(Key(path, "layers"), "at least one layer is required");
  absl::StatusOr<Schedule> s =
      MakeSchedule(std::move(id), std::move(name), std::move(zone), std::move(layers), std::move(overrides));
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ".", s.status().message()));
  return s;
}

absl::StatusOr<Tier> ParseTier(const YAML::Node& node, absl::string_view path) {
  RETURN_IF_ERROR(yaml_fields::ExpectMap(node, path, {"targets", "ack_timeout"}));
  Tier tier;
  ASSIGN_OR_RETURN(auto targets, ParseList<Target>(node, path, "targets", ParseTarget));
  if (targets.empty()) return Error(Key(path, "targets"), "a tier needs at least one target");
  tier.targets = std::move(targets);
  ASSIGN_OR_RETURN(auto timeout, DurationOr(node, path, "ack_timeout", std::nullopt));
  if (timeout <= absl::ZeroDuration()) return Error(Key(path, "ack_timeout"), "must be positive");
  tier.ack_timeout = timeout;
  return tier;
}

absl::StatusOr<EscalationPolicy> ParsePolicy(const YAML::Node& node, absl::string_view path) {
  RETURN_IF_ERROR(yaml_fields::ExpectMap(node, path, {"id", "name", "tiers", "repeats", "fallback"}));
  EscalationPolicy policy;
  ASSIGN_OR_RETURN(auto id, yaml_fields::RequiredString(node, path, "id"));
  ASSIGN_OR_RETURN(auto name, yaml_fields::OptionalString(node, path, "name"));
  policy.id = std::move(id);
  policy.name = std::move(name);
  ASSIGN_OR_RETURN(auto tiers, ParseList<Tier>(node, path, "tiers", ParseTier));
  if (tiers.empty()) return Error(Key(path, "tiers"), "at least one tier is required");
  policy.tiers = std::move(tiers);
  ASSIGN_OR_RETURN(auto repeats, yaml_fields::OptionalInt(node, path, "repeats"));
  if (repeats && (*repeats < 0 || *repeats > 100)) return Error(Key(path, "repeats"), "must be between 0 and 100");
  policy.repeats = repeats ? static_cast<int>(*repeats) : 0;
  ASSIGN_OR_RETURN(auto fallback, yaml_fields::OptionalString(node, path, "fallback"));
  policy.fallback_person_id = std::move(fallback);
  return policy;
}

absl::StatusOr<Team> ParseTeam(const YAML::Node& node, absl::string_view path) {
  RETURN_IF_ERROR(yaml_fields::ExpectMap(
      node, path, {"id", "name", "members", "calendar", "schedule", "policy", "owners", "owner_ack_timeout"}));
  Team team;
  ASSIGN_OR_RETURN(auto id, yaml_fields::RequiredString(node, path, "id"));
  ASSIGN_OR_RETURN(auto name, yaml_fields::OptionalString(node, path, "name"));
  ASSIGN_OR_RETURN(auto members, yaml_fields::StringList(node, path, "members"));
  ASSIGN_OR_RETURN(auto cal, yaml_fields::RequiredString(node, path, "calendar"));
  ASSIGN_OR_RETURN(auto schedule, yaml_fields::OptionalString(node, path, "schedule"));
  ASSIGN_OR_RETURN(auto policy, yaml_fields::RequiredString(node, path, "policy"));
  ASSIGN_OR_RETURN(auto owners, ParseList<Target>(node, path, "owners", ParseTarget));
  ASSIGN_OR_RETURN(auto timeout, DurationOr(node, path, "owner_ack_timeout", absl::Minutes(15)));
  if (timeout <= absl::ZeroDuration()) return Error(Key(path, "owner_ack_timeout"), "must be positive");
  team.id = std::move(id);
  team.name = std::move(name);
  team.members = std::move(members);
  team.calendar_id = std::move(cal);
  team.schedule_id = std::move(schedule);
  team.policy_id = std::move(policy);
  team.owners = std::move(owners);
  team.owner_ack_timeout = timeout;
  return team;
}

absl::StatusOr<RoutingRule> ParseRule(const YAML::Node& node, absl::string_view path) {
  RETURN_IF_ERROR(yaml_fields::ExpectMap(node, path,
                                         {"id", "categories", "severities", "max_severity", "client_tiers",
                                          "client_ids", "team", "hold_until_business_hours"}));
  RoutingRule rule;
  ASSIGN_OR_RETURN(auto id, yaml_fields::RequiredString(node, path, "id"));
  rule.id = std::move(id);
  ASSIGN_OR_RETURN(auto categories, yaml_fields::StringList(node, path, "categories"));
  rule.categories = std::move(categories);
  ASSIGN_OR_RETURN(auto severities, yaml_fields::StringList(node, path, "severities"));
  for (std::size_t i = 0; i < severities.size(); ++i) {
    std::optional<Severity> s = common::ParseSeverity(severities[i]);
    if (!s)
      return Error(Index(Key(path, "severities"), i), absl::StrCat("unknown severity '", severities[i], "' (P1-P4)"));
    rule.severities.push_back(*s);
  }
  ASSIGN_OR_RETURN(auto max_sev, yaml_fields::OptionalString(node, path, "max_severity"));
  if (!max_sev.empty()) {
    rule.max_severity = common::ParseSeverity(max_sev);
    if (!rule.max_severity)
      return Error(Key(path, "max_severity"), absl::StrCat("unknown severity '", max_sev, "' (P1-P4)"));
  }
  ASSIGN_OR_RETURN(auto tiers, yaml_fields::StringList(node, path, "client_tiers"));
  rule.client_tiers = std::move(tiers);
  ASSIGN_OR_RETURN(auto clients, yaml_fields::StringList(node, path, "client_ids"));
  rule.client_ids = std::move(clients);
  ASSIGN_OR_RETURN(auto team, yaml_fields::RequiredString(node, path, "team"));
  rule.team_id = std::move(team);
  ASSIGN_OR_RETURN(auto hold, yaml_fields::OptionalBool(node, path, "hold_until_business_hours", false));
  rule.hold_until_business_hours = hold;
  return rule;
}

template <typename T>
absl::Status CheckUniqueIds(const std::vector<T>& items, absl::string_view path, absl::string_view what) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!seen.insert(items[i].id).second) {
      return Error(Key(Index(path, i), "id"), absl::StrCat("duplicate ", what, " id '", items[i].id, "'"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTarget(const EscalationConfig& c, const Target& t, absl::string_view path) {
  const bool known = t.kind == TargetKind::kPerson     ? c.FindPerson(t.id) != nullptr
                     : t.kind == TargetKind::kSchedule ? c.FindSchedule(t.id) != nullptr
                                                       : c.FindTeam(t.id) != nullptr;
  if (!known)
    return Error(Key(path, TargetKindName(t.kind)), absl::StrCat("unknown ", TargetKindName(t.kind), " '", t.id, "'"));
  return absl::OkStatus();
}

absl::Status CheckPerson(const EscalationConfig& c, const std::string& id, absl::string_view path) {
  if (c.FindPerson(id) == nullptr) return Error(path, absl::StrCat("unknown person '", id, "'"));
  return absl::OkStatus();
}

absl::StatusOr<WebhookTargetPolicy> ParseDelivery(const YAML::Node& root) {
  WebhookTargetPolicy policy;
  const YAML::Node node = root["delivery"];
  if (!node.IsDefined() || node.IsNull()) return policy;
  RETURN_IF_ERROR(yaml_fields::ExpectMap(node, "delivery", {"allow_http", "allowed_networks"}));
  ASSIGN_OR_RETURN(policy.allow_http, yaml_fields::OptionalBool(node, "delivery", "allow_http", false));
  ASSIGN_OR_RETURN(auto networks, yaml_fields::StringList(node, "delivery", "allowed_networks"));
  for (std::size_t i = 0; i < networks.size(); ++i) {
    absl::StatusOr<common::IpNetwork> net = common::ParseIpNetwork(networks[i]);
    if (!net.ok()) return Error(Index("delivery.allowed_networks", i), net.status().message());
    policy.allowed_networks.push_back(*net);
  }
  return policy;
}

// Every person's contact-method targets (target_policy.h); each host name resolved once.
absl::Status CheckContactTargets(const EscalationConfig& c, const common::HostResolver& resolve) {
  std::map<std::string, absl::StatusOr<std::vector<common::IpAddress>>> resolved;
  const common::HostResolver memo = [&](const std::string& host) {
    auto it = resolved.find(host);
    if (it == resolved.end()) it = resolved.emplace(host, resolve(host)).first;
    return it->second;
  };
  for (std::size_t i = 0; i < c.people.size(); ++i) {
    const Person& p = c.people[i];
    for (std::size_t m = 0; m < p.contact_methods.size(); ++m) {
      const ContactMethod& method = p.contact_methods[m];
      const std::string at = Key(Index(Key(Index("people", i), "contact_methods"), m), "target");
      absl::Status s = absl::OkStatus();
      if (method.channel == Channel::kWebhook)
        s = CheckWebhookTarget(method.target, c.delivery, resolve ? memo : nullptr);
      if (method.channel == Channel::kEmail) s = CheckEmailTarget(method.target);
      if (!s.ok()) return Error(at, s.message());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<EscalationConfig> ParseImpl(const YAML::Node& root, const common::HostResolver& resolve) {
  RETURN_IF_ERROR(yaml_fields::ExpectMap(
      root, "(root)", {"people", "calendars", "schedules", "policies", "teams", "routing_rules", "delivery"}));
  EscalationConfig c;
  ASSIGN_OR_RETURN(auto people, ParseList<Person>(root, "", "people", ParsePerson));
  c.people = std::move(people);
  for (size_t i = 0; i < c.people.size(); ++i) {
    const YAML::Node node = root["people"][i];
    if (!node["handoff_reminder"]) continue;
    const std::string path = absl::StrCat("people[", i, "]");
    ASSIGN_OR_RETURN(auto lead, DurationOr(node, path, "handoff_reminder", std::nullopt));
    if (lead <= absl::ZeroDuration() || lead > absl::Hours(24))
      return Error(Key(path, "handoff_reminder"), "must be more than 0s and at most 24h");
    c.handoff_reminders[c.people[i].id] = lead;
  }
  ASSIGN_OR_RETURN(auto calendars, calendar::ParseCalendarList(root["calendars"], "calendars"));
  c.calendars = std::move(calendars);
  ASSIGN_OR_RETURN(auto schedules, ParseList<Schedule>(root, "", "schedules", ParseSchedule));
  c.schedules = std::move(schedules);
  ASSIGN_OR_RETURN(auto policies, ParseList<EscalationPolicy>(root, "", "policies", ParsePolicy));
  c.policies = std::move(policies);
  ASSIGN_OR_RETURN(auto teams, ParseList<Team>(root, "", "teams", ParseTeam));
  c.teams = std::move(teams);
  ASSIGN_OR_RETURN(auto rules, ParseList<RoutingRule>(root, "", "routing_rules", ParseRule));
  c.routing_rules = std::move(rules);
  ASSIGN_OR_RETURN(c.delivery, ParseDelivery(root));
  RETURN_IF_ERROR(ValidateEscalationConfig(c, resolve));
  return c;
}

}  // namespace

const Person* EscalationConfig::FindPerson(absl::string_view id) const { return FindById(people, id); }
const Schedule* EscalationConfig::FindSchedule(absl::string_view id) const { return FindById(schedules, id); }
const EscalationPolicy* EscalationConfig::FindPolicy(absl::string_view id) const { return FindById(policies, id); }
const Team* EscalationConfig::FindTeam(absl::string_view id) const { return FindById(teams, id); }
const calendar::Calendar* EscalationConfig::FindCalendar(absl::string_view id) const {
  for (const calendar::Calendar& cal : calendars) {
    if (cal.id() == id) return &cal;
  }
  return nullptr;
}

absl::Status ValidateEscalationConfig(const EscalationConfig& c, const common::HostResolver& resolve) {
  RETURN_IF_ERROR(CheckUniqueIds(c.people, "people", "person"));
  RETURN_IF_ERROR(CheckUniqueIds(c.schedules, "schedules", "schedule"));
  RETURN_IF_ERROR(CheckUniqueIds(c.policies, "policies", "policy"));
  RETURN_IF_ERROR(CheckUniqueIds(c.teams, "teams", "team"));
  RETURN_IF_ERROR(CheckUniqueIds(c.routing_rules, "routing_rules", "routing rule"));
  for (std::size_t i = 0; i < c.schedules.size(); ++i) {
    const Schedule& s = c.schedules[i];
    const std::string p = Index("schedules", i);
    for (std::size_t l = 0; l < s.layers.size(); ++l) {
      for (std::size_t j = 0; j < s.layers[l].participants.size(); ++j) {
        RETURN_IF_ERROR(
            CheckPerson(c, s.layers[l].participants[j], Index(Key(Index(Key(p, "layers"), l), "participants"), j)));
      }
    }
    for (std::size_t o = 0; o < s.overrides.size(); ++o) {
      RETURN_IF_ERROR(CheckPerson(c, s.overrides[o].person_id, Key(Index(Key(p, "overrides"), o), "person")));
    }
  }
  for (std::size_t i = 0; i < c.policies.size(); ++i) {
    const EscalationPolicy& pol = c.policies[i];
    const std::string p = Index("policies", i);
    if (pol.tiers.empty()) return Error(Key(p, "tiers"), "at least one tier is required");
    if (pol.repeats < 0) return Error(Key(p, "repeats"), "must not be negative");
    for (std::size_t t = 0; t < pol.tiers.size(); ++t) {
      const std::string tp = Index(Key(p, "tiers"), t);
      if (pol.tiers[t].targets.empty()) return Error(Key(tp, "targets"), "a tier needs at least one target");
      if (pol.tiers[t].ack_timeout <= absl::ZeroDuration()) return Error(Key(tp, "ack_timeout"), "must be positive");
      for (std::size_t k = 0; k < pol.tiers[t].targets.size(); ++k) {
        RETURN_IF_ERROR(CheckTarget(c, pol.tiers[t].targets[k], Index(Key(tp, "targets"), k)));
      }
    }
    if (!pol.fallback_person_id.empty()) RETURN_IF_ERROR(CheckPerson(c, pol.fallback_person_id, Key(p, "fallback")));
  }
  for (std::size_t i = 0; i < c.teams.size(); ++i) {
    const Team& team = c.teams[i];
    const std::string p = Index("teams", i);
    for (std::size_t m = 0; m < team.members.size(); ++m) {
      RETURN_IF_ERROR(CheckPerson(c, team.members[m], Index(Key(p, "members"), m)));
    }
    if (c.FindCalendar(team.calendar_id) == nullptr) {
      return Error(Key(p, "calendar"), absl::StrCat("unknown calendar '", team.calendar_id, "'"));
    }
    if (!team.schedule_id.empty() && c.FindSchedule(team.schedule_id) == nullptr) {
      return Error(Key(p, "schedule"), absl::StrCat("unknown schedule '", team.schedule_id, "'"));
    }
    if (c.FindPolicy(team.policy_id) == nullptr) {
      return Error(Key(p, "policy"), absl::StrCat("unknown policy '", team.policy_id, "'"));
    }
    for (std::size_t k = 0; k < team.owners.size(); ++k) {
      RETURN_IF_ERROR(CheckTarget(c, team.owners[k], Index(Key(p, "owners"), k)));
    }
  }
  for (std::size_t i = 0; i < c.routing_rules.size(); ++i) {
    const RoutingRule& rule = c.routing_rules[i];
    if (c.FindTeam(rule.team_id) == nullptr) {
      return Error(Key(Index("routing_rules", i), "team"), absl::StrCat("unknown team '", rule.team_id, "'"));
    }
  }
  return CheckContactTargets(c, resolve);
}

absl::StatusOr<EscalationConfig> ParseEscalationConfig(const YAML::Node& root, const common::HostResolver& resolve) {
  try {
    return ParseImpl(root, resolve);
  } catch (const YAML::Exception& e) {
    return Error("(root)", absl::StrCat("malformed YAML: ", e.what()));
  }
}

}  // namespace recovery::escalation
