// Business-hours calendar: civil-time windows resolved to instants through absl::TimeZone.
#include "services/common/calendar/calendar.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/yaml_fields.h"
#include "yaml-cpp/yaml.h"

namespace recovery::calendar {
namespace {

using yaml_fields::Error;
using yaml_fields::Index;
using yaml_fields::Key;

// Far enough to see past any realistic run of holidays; bounds every search.
constexpr int kHorizonDays = 5 * 366 + 2;

constexpr std::array<absl::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

absl::CivilSecond At(absl::CivilDay day, absl::Duration offset) {
  return absl::CivilSecond(day) + absl::ToInt64Seconds(offset);
}

absl::StatusOr<absl::Duration> ParseClock(absl::string_view text, absl::string_view path, bool allow_24) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  int h = 0;
  int m = 0;
  if (parts.size() != 2 || parts[0].size() != 2 || parts[1].size() != 2 || !absl::SimpleAtoi(parts[0], &h) ||
      !absl::SimpleAtoi(parts[1], &m) || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24))) {
    return Error(path, absl::StrCat("invalid local time '", text, "' (use HH:MM, 00:00-23:59, or 24:00 as an end)"));
  }
  return absl::Hours(h) + absl::Minutes(m);
}

}  // namespace

absl::Time ResolveCivil(absl::CivilSecond civil, const absl::TimeZone& tz) {
  const absl::TimeZone::TimeInfo info = tz.At(civil);
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::SKIPPED:
      return info.trans;
    case absl::TimeZone::TimeInfo::UNIQUE:
    case absl::TimeZone::TimeInfo::REPEATED:
      return info.pre;
  }
  return info.pre;
}

absl::StatusOr<DailyWindow> ParseDailyWindow(absl::string_view text, absl::string_view path) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  if (parts.size() != 2) return Error(path, absl::StrCat("invalid window '", text, "' (use HH:MM-HH:MM)"));
  absl::StatusOr<absl::Duration> start = ParseClock(parts[0], path, /*allow_24=*/false);
  if (!start.ok()) return start.status();
  absl::StatusOr<absl::Duration> end = ParseClock(parts[1], path, /*allow_24=*/true);
  if (!end.ok()) return end.status();
  if (*end <= *start) {
    return Error(path,
                 absl::StrCat("end before start in '", text, "' (a window cannot cross midnight: split it at 24:00)"));
  }
  return DailyWindow{*start, *end};
}

absl::Status NormalizeWeeklyHours(WeeklyHours& weekly, absl::string_view path) {
  for (std::size_t d = 0; d < weekly.size(); ++d) {
    std::vector<std::pair<DailyWindow, std::size_t>> indexed;
    for (std::size_t i = 0; i < weekly[d].size(); ++i) {
      const DailyWindow& w = weekly[d][i];
      const std::string p = Index(Key(path, kDayNames[d]), i);
      if (w.start < absl::ZeroDuration() || w.end > absl::Hours(24) || w.end <= w.start) {
        return Error(p, "end before start or outside 00:00-24:00");
      }
      indexed.emplace_back(w, i);
    }
    std::sort(indexed.begin(), indexed.end(),
              [](const auto& a, const auto& b) { return a.first.start < b.first.start; });
    for (std::size_t i = 1; i < indexed.size(); ++i) {
      if (indexed[i].first.start < indexed[i - 1].first.end) {
        return Error(Index(Key(path, kDayNames[d]), indexed[i].second),
                     absl::StrCat("overlaps window ", indexed[i - 1].second));
      }
    }
    weekly[d].clear();
    for (const auto& [w, i] : indexed) weekly[d].push_back(w);
  }
  return absl::OkStatus();
}

absl::StatusOr<Calendar> Calendar::Create(std::string id, std::string time_zone_name, WeeklyHours weekly,
                                          std::vector<Holiday> holidays) {
  if (id.empty()) return Error("id", "must not be empty");
  Calendar cal;
  if (time_zone_name.empty() || !absl::LoadTimeZone(time_zone_name, &cal.zone_)) {
    return Error("time_zone", absl::StrCat("unknown time zone '", time_zone_name, "'"));
  }
  if (absl::Status s = NormalizeWeeklyHours(weekly, "weekly"); !s.ok()) return s;
  for (std::size_t i = 0; i < holidays.size(); ++i) {
    if (holidays[i].last < holidays[i].first) return Error(Index("holidays", i), "'to' is before 'from'");
  }
  cal.id_ = std::move(id);
  cal.zone_name_ = std::move(time_zone_name);
  cal.weekly_ = std::move(weekly);
  cal.holidays_ = std::move(holidays);
  return cal;
}

const Holiday* Calendar::HolidayOn(absl::CivilDay day) const {
  for (const Holiday& h : holidays_) {
    if (h.first <= day && day <= h.last) return &h;
  }
  return nullptr;
}

std::vector<Interval> Calendar::DayIntervals(absl::CivilDay day) const {
  std::vector<Interval> out;
  if (HolidayOn(day) != nullptr) return out;
  for (const DailyWindow& w : weekly_[static_cast<int>(absl::GetWeekday(day))]) {
    const absl::Time s = ResolveCivil(At(day, w.start), zone_);
    const absl::Time e = ResolveCivil(At(day, w.end), zone_);
    if (s < e) out.push_back({s, e});  // a window wholly inside a DST gap has no instants
  }
  return out;
}

template <typename Visit>
void Calendar::ForEachMergedInterval(absl::Time t, Visit visit) const {
  // Start a day early: a previous local day's window can reach t only through a DST overlap at
  // midnight, but starting early is cheap and makes that case impossible to miss.
  const absl::CivilDay first = absl::CivilDay(zone_.At(t).cs) - 1;
  std::optional<Interval> pending;
  for (int i = 0; i <= kHorizonDays; ++i) {
    for (const Interval& iv : DayIntervals(first + i)) {
      if (pending && iv.start <= pending->end) {
        pending->end = std::max(pending->end, iv.end);
        continue;
      }
      if (pending && !visit(*pending)) return;
      pending = iv;
    }
  }
  if (pending) visit(*pending);
}

bool Calendar::IsOpen(absl::Time t) const {
  const absl::CivilDay day(zone_.At(t).cs);
  for (int d = -1; d <= 1; ++d) {
    for (const Interval& iv : DayIntervals(day + d)) {
      if (iv.start <= t && t < iv.end) return true;
    }
  }
  return false;
}

absl::Time Calendar::NextChange(absl::Time t) const {
  absl::Time result = absl::InfiniteFuture();
  ForEachMergedInterval(t, [&](const Interval& iv) {
    if (iv.end <= t) return true;
    result = iv.start > t ? iv.start : iv.end;
    return false;
  });
  return result;
}

absl::Time Calendar::NextOpen(absl::Time t) const {
  absl::Time result = absl::InfiniteFuture();
  ForEachMergedInterval(t, [&](const Interval& iv) {
    if (iv.end <= t) return true;
    result = std::max(iv.start, t);
    return false;
  });
  return result;
}

absl::Time Calendar::AddBusinessDuration(absl::Time start, absl::Duration d) const {
  if (d <= absl::ZeroDuration()) return start;
  absl::Duration remaining = d;
  absl::Time result = absl::InfiniteFuture();
  ForEachMergedInterval(start, [&](const Interval& iv) {
    if (iv.end <= start) return true;
    const absl::Time from = std::max(iv.start, start);
    const absl::Duration available = iv.end - from;
    if (remaining <= available) {
      result = from + remaining;
      return false;
    }
    remaining -= available;
    return true;
  });
  return result;
}

absl::Time Calendar::NextBusinessDayStart(absl::Time t) const {
  const absl::CivilDay today(zone_.At(t).cs);
  for (int i = 1; i <= kHorizonDays; ++i) {
    std::vector<Interval> ivs = DayIntervals(today + i);
    if (!ivs.empty()) return ivs.front().start;
  }
  return absl::InfiniteFuture();
}

std::vector<Interval> Calendar::OpenIntervals(absl::Time from, absl::Time to) const {
  std::vector<Interval> out;
  ForEachMergedInterval(from, [&](const Interval& iv) {
    if (iv.start >= to) return false;
    if (iv.end > from) out.push_back(iv);
    return true;
  });
  return out;
}

absl::StatusOr<WeeklyHours> ParseWeeklyHours(const YAML::Node& node, absl::string_view path) {
  WeeklyHours weekly;
  if (!node.IsDefined() || node.IsNull()) return weekly;
  if (absl::Status s = yaml_fields::ExpectMap(node, path, {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}); !s.ok()) {
    return s;
  }
  for (std::size_t d = 0; d < kDayNames.size(); ++d) {
    absl::StatusOr<std::vector<std::string>> texts = yaml_fields::StringList(node, path, kDayNames[d]);
    if (!texts.ok()) return texts.status();
    for (std::size_t i = 0; i < texts->size(); ++i) {
      absl::StatusOr<DailyWindow> w = ParseDailyWindow((*texts)[i], Index(Key(path, kDayNames[d]), i));
      if (!w.ok()) return w.status();
      weekly[d].push_back(*w);
    }
  }
  if (absl::Status s = NormalizeWeeklyHours(weekly, path); !s.ok()) return s;
  return weekly;
}

namespace {

absl::StatusOr<Holiday> ParseHoliday(const YAML::Node& node, absl::string_view path) {
  if (absl::Status s = yaml_fields::ExpectMap(node, path, {"date", "from", "to", "name"}); !s.ok()) return s;
  absl::StatusOr<std::string> name = yaml_fields::OptionalString(node, path, "name");
  if (!name.ok()) return name.status();
  const bool has_date = node["date"].IsDefined();
  const bool has_range = node["from"].IsDefined() || node["to"].IsDefined();
  if (has_date == has_range) return Error(path, "give either 'date' or both 'from' and 'to'");
  Holiday h;
  h.name = *std::move(name);
  if (has_date) {
    absl::StatusOr<absl::CivilDay> day = yaml_fields::ParseDateField(node["date"], Key(path, "date"));
    if (!day.ok()) return day.status();
    h.first = h.last = *day;
    return h;
  }
  if (!node["from"].IsDefined()) return Error(Key(path, "from"), "required with 'to'");
  if (!node["to"].IsDefined()) return Error(Key(path, "to"), "required with 'from'");
  absl::StatusOr<absl::CivilDay> from = yaml_fields::ParseDateField(node["from"], Key(path, "from"));
  if (!from.ok()) return from.status();
  absl::StatusOr<absl::CivilDay> to = yaml_fields::ParseDateField(node["to"], Key(path, "to"));
  if (!to.ok()) return to.status();
  if (*to < *from) return Error(Key(path, "to"), "before 'from'");
  h.first = *from;
  h.last = *to;
  return h;
}

absl::StatusOr<Calendar> ParseCalendarImpl(const YAML::Node& node, absl::string_view path) {
  if (absl::Status s = yaml_fields::ExpectMap(node, path, {"id", "time_zone", "weekly", "holidays"}); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> id = yaml_fields::RequiredString(node, path, "id");
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> zone = yaml_fields::RequiredString(node, path, "time_zone");
  if (!zone.ok()) return zone.status();
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(*zone, &tz)) {
    return Error(Key(path, "time_zone"), absl::StrCat("unknown time zone '", *zone, "'"));
  }
  absl::StatusOr<WeeklyHours> weekly = ParseWeeklyHours(node["weekly"], Key(path, "weekly"));
  if (!weekly.ok()) return weekly.status();
  std::vector<Holiday> holidays;
  const YAML::Node hnode = node["holidays"];
  const std::string hpath = Key(path, "holidays");
  if (absl::Status s = yaml_fields::ExpectSequence(hnode, hpath, /*optional=*/true); !s.ok()) return s;
  if (hnode.IsDefined() && hnode.IsSequence()) {
    for (std::size_t i = 0; i < hnode.size(); ++i) {
      absl::StatusOr<Holiday> h = ParseHoliday(hnode[i], Index(hpath, i));
      if (!h.ok()) return h.status();
      holidays.push_back(*std::move(h));
    }
  }
  absl::StatusOr<Calendar> cal =
      Calendar::Create(*std::move(id), *std::move(zone), *std::move(weekly), std::move(holidays));
  if (!cal.ok()) {
    // Create names fields relative to the calendar; anchor them at `path`.
    return absl::InvalidArgumentError(absl::StrCat(path, ".", cal.status().message()));
  }
  return cal;
}

}  // namespace

absl::StatusOr<Calendar> ParseCalendar(const YAML::Node& node, absl::string_view path) {
  try {
    return ParseCalendarImpl(node, path);
  } catch (const YAML::Exception& e) {
    return Error(path, absl::StrCat("malformed YAML: ", e.what()));
  }
}

absl::StatusOr<std::vector<Calendar>> ParseCalendarList(const YAML::Node& node, absl::string_view path) {
  try {
    std::vector<Calendar> out;
    if (absl::Status s = yaml_fields::ExpectSequence(node, path, /*optional=*/true); !s.ok()) return s;
    if (!node.IsDefined() || !node.IsSequence()) return out;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string p = Index(path, i);
      absl::StatusOr<Calendar> cal = ParseCalendarImpl(node[i], p);
      if (!cal.ok()) return cal.status();
      for (const Calendar& other : out) {
        if (other.id() == cal->id())
          return Error(Key(p, "id"), absl::StrCat("duplicate calendar id '", cal->id(), "'"));
      }
      out.push_back(*std::move(cal));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return Error(path, absl::StrCat("malformed YAML: ", e.what()));
  }
}

}  // namespace recovery::calendar
