// Parsing of the follow-up YAML into FollowUpConfig.
#include "services/follow_up/domain/config.h"

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/common/yaml_fields.h"
#include "yaml-cpp/yaml.h"

namespace recovery::follow_up {
namespace {

namespace yf = recovery::yaml_fields;
using recovery::v1::Severity;

calendar::Calendar BuiltinCalendar() {
  calendar::WeeklyHours weekly;
  for (int d = 0; d < 5; ++d) weekly[d].push_back({absl::Hours(9), absl::Hours(17)});
  return *calendar::Calendar::Create("default", "UTC", weekly, {});
}

absl::StatusOr<absl::Duration> OptionalDuration(const YAML::Node& map, const std::string& path, const char* key,
                                                absl::Duration fallback) {
  const YAML::Node n = map[key];
  if (!n) return fallback;
  auto d = yf::ParseDurationField(n, yf::Key(path, key));
  if (!d.ok()) return d.status();
  if (*d < absl::ZeroDuration()) return yf::Error(yf::Key(path, key), "must not be negative");
  return *d;
}

absl::StatusOr<int> OptionalCount(const YAML::Node& map, const std::string& path, const char* key, int fallback,
                                  int min, int max) {
  auto v = yf::OptionalInt(map, path, key);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return fallback;
  if (**v < min || **v > max) return yf::Error(yf::Key(path, key), absl::StrCat("must be between ", min, " and ", max));
  return static_cast<int>(**v);
}

}  // namespace

const calendar::Calendar& FollowUpConfig::CalendarFor(const std::string& calendar_id) const {
  auto it = calendars.find(calendar_id);
  if (it != calendars.end()) return it->second;
  return calendars.at(default_calendar);
}

std::optional<absl::Time> FollowUpConfig::Deadline(const SlaTarget& target, absl::Time start,
                                                   const std::string& calendar_id) const {
  switch (target.mode) {
    case SlaTarget::Mode::kNone:
      return std::nullopt;
    case SlaTarget::Mode::kElapsed:
      return start + target.duration;
    case SlaTarget::Mode::kBusiness:
      return CalendarFor(calendar_id).AddBusinessDuration(start, target.duration);
    case SlaTarget::Mode::kNextBusinessDay:
      return CalendarFor(calendar_id).NextBusinessDayStart(start);
  }
  return std::nullopt;
}

FollowUpConfig DefaultConfig() {
  FollowUpConfig c;
  auto el = [](absl::Duration d) { return SlaTarget{SlaTarget::Mode::kElapsed, d}; };
  c.sla[v1::SEVERITY_P1] = {el(absl::Minutes(15)), el(absl::Hours(4))};
  c.sla[v1::SEVERITY_P2] = {el(absl::Hours(1)), el(absl::Hours(24))};
  c.sla[v1::SEVERITY_P3] = {el(absl::Hours(4)), {SlaTarget::Mode::kBusiness, absl::Hours(24)}};
  c.sla[v1::SEVERITY_P4] = {{SlaTarget::Mode::kNextBusinessDay, {}}, {SlaTarget::Mode::kBusiness, absl::Hours(40)}};
  c.default_calendar = "default";
  c.calendars.emplace("default", BuiltinCalendar());
  return c;
}

absl::StatusOr<SlaTarget> ParseSlaTarget(const std::string& text, const std::string& path) {
  if (text == "none") return SlaTarget{};
  if (text == "next_business_day") return SlaTarget{SlaTarget::Mode::kNextBusinessDay, {}};
  absl::string_view rest = text;
  SlaTarget::Mode mode = SlaTarget::Mode::kElapsed;
  if (absl::ConsumePrefix(&rest, "business ")) mode = SlaTarget::Mode::kBusiness;
  absl::Duration d;
  if (!absl::ParseDuration(std::string(rest), &d) || d <= absl::ZeroDuration()) {
    return yf::Error(path, absl::StrCat("expected a positive duration, 'next_business_day', 'business <duration>' "
                                        "or 'none', got '",
                                        text, "'"));
  }
  return SlaTarget{mode, d};
}

absl::StatusOr<FollowUpConfig> ParseConfig(const YAML::Node& root) {
  FollowUpConfig c = DefaultConfig();
  if (!root || root.IsNull()) return c;
  try {
    if (auto s = yf::ExpectMap(root, "",
                               {"sla", "reminders", "written_follow_up_after", "satisfaction", "managers",
                                "default_calendar", "calendars"});
        !s.ok())
      return s;
    if (const YAML::Node sla = root["sla"]) {
      if (auto s = yf::ExpectMap(sla, "sla", {"P1", "P2", "P3", "P4"}); !s.ok()) return s;
      const std::pair<const char*, Severity> sevs[] = {
          {"P1", v1::SEVERITY_P1}, {"P2", v1::SEVERITY_P2}, {"P3", v1::SEVERITY_P3}, {"P4", v1::SEVERITY_P4}};
      for (const auto& [name, sev] : sevs) {
        const YAML::Node n = sla[name];
        if (!n) continue;
        const std::string path = yf::Key("sla", name);
        if (auto s = yf::ExpectMap(n, path, {"acknowledge", "resolve"}); !s.ok()) return s;
        SeveritySla& target = c.sla[sev];
        for (const char* key : {"acknowledge", "resolve"}) {
          if (!n[key]) continue;
          auto text = yf::RequiredString(n, path, key);
          if (!text.ok()) return text.status();
          auto t = ParseSlaTarget(*text, yf::Key(path, key));
          if (!t.ok()) return t.status();
          (std::string(key) == "acknowledge" ? target.acknowledge : target.resolve) = *t;
        }
      }
    }
    if (const YAML::Node r = root["reminders"]) {
      const std::string path = "reminders";
      if (auto s = yf::ExpectMap(r, path, {"lead", "overdue_every", "overdue_max", "manager_after"}); !s.ok()) return s;
      auto lead = OptionalDuration(r, path, "lead", c.reminders.lead);
      if (!lead.ok()) return lead.status();
      auto every = OptionalDuration(r, path, "overdue_every", c.reminders.overdue_every);
      if (!every.ok()) return every.status();
      if (*every <= absl::ZeroDuration()) return yf::Error("reminders.overdue_every", "must be positive");
      auto max = OptionalCount(r, path, "overdue_max", c.reminders.overdue_max, 0, 1000);
      if (!max.ok()) return max.status();
      auto after = OptionalCount(r, path, "manager_after", c.reminders.manager_after, 0, 1000);
      if (!after.ok()) return after.status();
      c.reminders = {*lead, *every, *max, *after};
    }
    auto written = OptionalDuration(root, "", "written_follow_up_after", c.written_follow_up_after);
    if (!written.ok()) return written.status();
    c.written_follow_up_after = *written;
    if (const YAML::Node s = root["satisfaction"]) {
      if (auto st = yf::ExpectMap(s, "satisfaction", {"delay", "low_threshold"}); !st.ok()) return st;
      auto delay = OptionalDuration(s, "satisfaction", "delay", c.satisfaction_delay);
      if (!delay.ok()) return delay.status();
      auto low = OptionalCount(s, "satisfaction", "low_threshold", c.satisfaction_low_threshold, 0, 5);
      if (!low.ok()) return low.status();
      c.satisfaction_delay = *delay;
      c.satisfaction_low_threshold = *low;
    }
    if (const YAML::Node m = root["managers"]) {
      if (!m.IsMap()) return yf::Error("managers", "expected a map of person -> manager");
      for (const auto& kv : m) {
        const std::string person = kv.first.as<std::string>();
        const std::string path = yf::Key("managers", person);
        if (!kv.second.IsScalar() || kv.second.as<std::string>().empty())
          return yf::Error(path, "expected a person id");
        c.managers[person] = kv.second.as<std::string>();
      }
    }
    if (const YAML::Node cals = root["calendars"]) {
      auto list = calendar::ParseCalendarList(cals, "calendars");
      if (!list.ok()) return list.status();
      if (!list->empty()) {
        // Without default_calendar, the first calendar listed is the default.
        c.calendars.clear();
        c.default_calendar = list->front().id();
        for (auto& cal : *list) c.calendars.emplace(cal.id(), std::move(cal));
      }
    }
    if (root["default_calendar"]) {
      auto id = yf::RequiredString(root, "", "default_calendar");
      if (!id.ok()) return id.status();
      if (!c.calendars.count(*id)) return yf::Error("default_calendar", absl::StrCat("unknown calendar '", *id, "'"));
      c.default_calendar = *id;
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", e.what()));
  }
  return c;
}

}  // namespace recovery::follow_up
