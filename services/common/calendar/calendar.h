// Business-hours calendars: an IANA time zone, weekly local opening windows and holidays, with
// business-time arithmetic that is exact across daylight-saving transitions.
//
// Everything is defined in local civil time and turned into instants only through absl's
// TimeZone lookup (never a hand-made offset). ResolveCivil() is the one rule used for that:
//   * a civil time that exists once maps to that instant;
//   * a civil time skipped by a spring-forward gap maps to `trans`, the instant the clocks jump
//     (e.g. 02:30 on New York's spring-forward day -> 03:00 EDT), the first instant at which the
//     local clock has reached or passed it;
//   * a civil time repeated by a fall-back overlap maps to `pre`, its first occurrence.
// The mapping is monotone (never decreasing), so consecutive civil boundaries give contiguous
// intervals: a window 01:30-03:00 on a spring-forward day is 30 minutes long, the same window on
// a fall-back day is 2.5 hours long, and nothing overlaps or leaves a hole.
//
// Thread-safety: a Calendar is an immutable value after Create(); all methods are const and
// safe to call concurrently. No method reads the clock; pass `now` in.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace YAML {
class Node;
}

namespace recovery::calendar {

// The instant a local civil time denotes in `tz` (see the rule in the file comment).
absl::Time ResolveCivil(absl::CivilSecond civil, const absl::TimeZone& tz);

// A window within one local day: [start, end) as offsets from local midnight (civil time, so
// 09:00 is always 9h even on a DST day). 0 <= start < end <= 24h; "24:00" closes at midnight.
struct DailyWindow {
  absl::Duration start;
  absl::Duration end;
  friend bool operator==(const DailyWindow&, const DailyWindow&) = default;
};

// Indexed by absl::Weekday (monday = 0 ... sunday = 6). Windows within a day are kept sorted
// and never overlap.
using WeeklyHours = std::array<std::vector<DailyWindow>, 7>;

// Closed on every local day from `first` to `last` inclusive (a single date has first == last).
struct Holiday {
  absl::CivilDay first;
  absl::CivilDay last;
  std::string name;
};

// Half-open [start, end).
struct Interval {
  absl::Time start;
  absl::Time end;
  friend bool operator==(const Interval&, const Interval&) = default;
};

class Calendar {
 public:
  // Validates and builds a calendar. Errors (InvalidArgument) name the offending field:
  // "time_zone: unknown time zone 'Mars/Olympus'", "weekly.mon[1]: overlaps ...".
  static absl::StatusOr<Calendar> Create(std::string id, std::string time_zone_name, WeeklyHours weekly,
                                         std::vector<Holiday> holidays);

  const std::string& id() const { return id_; }
  const std::string& time_zone_name() const { return zone_name_; }
  const absl::TimeZone& time_zone() const { return zone_; }
  const WeeklyHours& weekly() const { return weekly_; }
  const std::vector<Holiday>& holidays() const { return holidays_; }

  // The holiday covering this local date, if any.
  const Holiday* HolidayOn(absl::CivilDay day) const;

  // True iff `t` lies inside a business window.
  bool IsOpen(absl::Time t) const;

  // The first instant after `t` at which IsOpen changes value (windows that touch, e.g. Mon
  // 00:00-24:00 and Tue 00:00-12:00, count as one). InfiniteFuture() if it never changes within
  // the search horizon (about five years).
  absl::Time NextChange(absl::Time t) const;

  // `t` if open, else the start of the next business window (InfiniteFuture() if none).
  absl::Time NextOpen(absl::Time t) const;

  // The earliest instant T >= start such that the business time in [start, T] equals `d`
  // ("8 business hours from now"). d <= 0 returns `start`; InfiniteFuture() if the calendar
  // never accumulates enough business time within the horizon.
  absl::Time AddBusinessDuration(absl::Time start, absl::Duration d) const;

  // The opening instant of the first business day strictly after t's local date (a day with at
  // least one window that is not a holiday). InfiniteFuture() if none within the horizon.
  absl::Time NextBusinessDayStart(absl::Time t) const;

  // Merged open intervals overlapping [from, to), in order, not clipped.
  std::vector<Interval> OpenIntervals(absl::Time from, absl::Time to) const;

 private:
  Calendar() = default;
  // Unmerged windows of one local day as instants, sorted; empty on holidays.
  std::vector<Interval> DayIntervals(absl::CivilDay day) const;
  // Calls `visit` for each merged interval, in order, starting with those that may contain `t`;
  // stops when `visit` returns false or at the horizon.
  template <typename Visit>
  void ForEachMergedInterval(absl::Time t, Visit visit) const;

  std::string id_;
  std::string zone_name_;
  absl::TimeZone zone_;
  WeeklyHours weekly_;
  std::vector<Holiday> holidays_;
};

// YAML shape of one calendar (keys other than these are rejected):
//
//   id: london-office                  # required, unique
//   time_zone: Europe/London           # required, IANA name
//   weekly:                            # days left out are closed all day
//     mon: ["09:00-12:30", "13:30-17:30"]   # HH:MM-HH:MM local, end may be 24:00
//     tue: ["09:00-17:30"]
//     ...                              # mon tue wed thu fri sat sun
//   holidays:                          # optional
//     - {date: 2026-12-25, name: Christmas Day}
//     - {from: 2026-12-24, to: 2026-12-31, name: Year-end shutdown}   # inclusive
//
// `path` prefixes every error message, e.g. "calendars[1].weekly.mon[0]: end before start".
// yaml-cpp exceptions never escape.
absl::StatusOr<Calendar> ParseCalendar(const YAML::Node& node, absl::string_view path = "calendar");

// A sequence of calendars (the value of a `calendars:` key); ids must be unique. An absent or
// null node is an empty list.
absl::StatusOr<std::vector<Calendar>> ParseCalendarList(const YAML::Node& node, absl::string_view path = "calendars");

// Parses "HH:MM-HH:MM" into a window; exposed for other configs that need weekly windows.
absl::StatusOr<DailyWindow> ParseDailyWindow(absl::string_view text, absl::string_view path);
// Parses a `weekly:` map as above (absent/null -> all closed).
absl::StatusOr<WeeklyHours> ParseWeeklyHours(const YAML::Node& node, absl::string_view path);
// Sorts each day's windows and rejects overlaps; error paths are "<path>.<day>[i]".
absl::Status NormalizeWeeklyHours(WeeklyHours& weekly, absl::string_view path);

}  // namespace recovery::calendar
