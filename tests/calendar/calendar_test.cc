// Unit tests for business-hours calendars: windows, holidays, business-time arithmetic, DST.
#include "services/common/calendar/calendar.h"

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/dst_cases.h"
#include "yaml-cpp/yaml.h"

namespace recovery::calendar {
namespace {

using ::testing::HasSubstr;

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << name;
  return tz;
}

absl::Time Local(const std::string& zone, int y, int mo, int d, int h = 0, int mi = 0) {
  return ResolveCivil(absl::CivilSecond(y, mo, d, h, mi, 0), Zone(zone));
}

absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

DailyWindow W(int h1, int m1, int h2, int m2) {
  return {absl::Hours(h1) + absl::Minutes(m1), absl::Hours(h2) + absl::Minutes(m2)};
}

WeeklyHours Weekdays(std::vector<DailyWindow> windows) {
  WeeklyHours w;
  for (int d = 0; d < 5; ++d) w[d] = windows;
  return w;
}

WeeklyHours EveryDay(std::vector<DailyWindow> windows) {
  WeeklyHours w;
  for (int d = 0; d < 7; ++d) w[d] = windows;
  return w;
}

Calendar Make(const std::string& zone, WeeklyHours weekly, std::vector<Holiday> holidays = {}) {
  absl::StatusOr<Calendar> cal = Calendar::Create("cal", zone, std::move(weekly), std::move(holidays));
  EXPECT_TRUE(cal.ok()) << cal.status();
  return *std::move(cal);
}

absl::Duration OpenTimeBetween(const Calendar& cal, absl::Time from, absl::Time to) {
  absl::Duration total;
  for (const Interval& iv : cal.OpenIntervals(from, to)) total += std::min(iv.end, to) - std::max(iv.start, from);
  return total;
}

// 2026-03-02 is a Monday.
TEST(CalendarTest, SplitWindowsOpenAndCloseAtLocalTimes) {
  const Calendar cal = Make("Europe/London", Weekdays({W(9, 0, 12, 30), W(13, 30, 17, 30)}));
  EXPECT_FALSE(cal.IsOpen(Local("Europe/London", 2026, 3, 2, 8, 59)));
  EXPECT_TRUE(cal.IsOpen(Local("Europe/London", 2026, 3, 2, 9, 0)));
  EXPECT_TRUE(cal.IsOpen(Local("Europe/London", 2026, 3, 2, 12, 29)));
  EXPECT_FALSE(cal.IsOpen(Local("Europe/London", 2026, 3, 2, 12, 30)));
  EXPECT_TRUE(cal.IsOpen(Local("Europe/London", 2026, 3, 2, 13, 30)));
  EXPECT_FALSE(cal.IsOpen(Local("Europe/London", 2026, 3, 2, 17, 30)));
  EXPECT_FALSE(cal.IsOpen(Local("Europe/London", 2026, 3, 7, 10, 0)));  // Saturday
}

TEST(CalendarTest, SameLocalHoursMeanDifferentInstantsPerZone) {
  const Calendar ny = Make("America/New_York", Weekdays({W(9, 0, 17, 0)}));
  const Calendar kolkata = Make("Asia/Kolkata", Weekdays({W(9, 0, 17, 0)}));
  // New York is UTC-5 in January, Kolkata UTC+5:30 all year.
  EXPECT_FALSE(ny.IsOpen(Utc(2026, 1, 5, 13, 59)));
  EXPECT_TRUE(ny.IsOpen(Utc(2026, 1, 5, 14, 0)));
  EXPECT_FALSE(kolkata.IsOpen(Utc(2026, 1, 5, 3, 29)));
  EXPECT_TRUE(kolkata.IsOpen(Utc(2026, 1, 5, 3, 30)));
  EXPECT_FALSE(kolkata.IsOpen(Utc(2026, 1, 5, 11, 30)));
}

TEST(CalendarTest, SingleDateHolidayClosesTheWholeDay) {
  const Calendar cal = Make("Europe/London", Weekdays({W(9, 0, 17, 0)}),
                            {{absl::CivilDay(2026, 12, 25), absl::CivilDay(2026, 12, 25), "Christmas Day"}});
  EXPECT_FALSE(cal.IsOpen(Local("Europe/London", 2026, 12, 25, 10)));  // Friday
  EXPECT_TRUE(cal.IsOpen(Local("Europe/London", 2026, 12, 24, 10)));
  ASSERT_NE(cal.HolidayOn(absl::CivilDay(2026, 12, 25)), nullptr);
  EXPECT_EQ(cal.HolidayOn(absl::CivilDay(2026, 12, 25))->name, "Christmas Day");
}

TEST(CalendarTest, HolidayRangeIsInclusiveAndNextOpenSkipsIt) {
  const Calendar cal = Make("America/New_York", Weekdays({W(9, 0, 17, 0)}),
                            {{absl::CivilDay(2026, 12, 24), absl::CivilDay(2026, 12, 31), "Year-end shutdown"}});
  EXPECT_FALSE(cal.IsOpen(Local("America/New_York", 2026, 12, 24, 10)));
  EXPECT_FALSE(cal.IsOpen(Local("America/New_York", 2026, 12, 31, 10)));
  EXPECT_TRUE(cal.IsOpen(Local("America/New_York", 2026, 12, 23, 10)));
  // 2027-01-01 is a Friday and not a holiday here.
  EXPECT_EQ(cal.NextOpen(Local("America/New_York", 2026, 12, 23, 18)), Local("America/New_York", 2027, 1, 1, 9));
}

TEST(CalendarTest, NextChangeFindsCloseThenNextOpenAcrossWeekend) {
  const Calendar cal = Make("Europe/London", Weekdays({W(9, 0, 17, 0)}));
  const absl::Time fri = Local("Europe/London", 2026, 3, 6, 16);
  EXPECT_EQ(cal.NextChange(fri), Local("Europe/London", 2026, 3, 6, 17));
  EXPECT_EQ(cal.NextChange(Local("Europe/London", 2026, 3, 6, 17)), Local("Europe/London", 2026, 3, 9, 9));
  EXPECT_EQ(cal.NextOpen(fri), fri);
  EXPECT_EQ(cal.NextOpen(Local("Europe/London", 2026, 3, 7, 12)), Local("Europe/London", 2026, 3, 9, 9));
}

TEST(CalendarTest, TouchingWindowsAcrossMidnightAreOneOpenStretch) {
  WeeklyHours w;
  w[0] = {W(18, 0, 24, 0)};
  w[1] = {W(0, 0, 9, 0)};
  const Calendar cal = Make("Europe/London", w);
  EXPECT_EQ(cal.NextChange(Local("Europe/London", 2026, 3, 2, 20)), Local("Europe/London", 2026, 3, 3, 9));
}

TEST(CalendarTest, AddBusinessDurationCarriesOverTheWeekend) {
  const Calendar cal = Make("Europe/London", Weekdays({W(9, 0, 17, 0)}));
  // Friday 15:00 + 8 business hours = 2h Friday + 6h Monday.
  EXPECT_EQ(cal.AddBusinessDuration(Local("Europe/London", 2026, 3, 6, 15), absl::Hours(8)),
            Local("Europe/London", 2026, 3, 9, 15));
  // Starting when closed counts from the next opening.
  EXPECT_EQ(cal.AddBusinessDuration(Local("Europe/London", 2026, 3, 7, 3), absl::Hours(1)),
            Local("Europe/London", 2026, 3, 9, 10));
  // Exactly filling a day ends at the close, not the next opening.
  EXPECT_EQ(cal.AddBusinessDuration(Local("Europe/London", 2026, 3, 9, 9), absl::Hours(8)),
            Local("Europe/London", 2026, 3, 9, 17));
  EXPECT_EQ(cal.AddBusinessDuration(Local("Europe/London", 2026, 3, 7, 3), absl::ZeroDuration()),
            Local("Europe/London", 2026, 3, 7, 3));
}

TEST(CalendarTest, AddBusinessDurationSkipsHolidaysAndLunch) {
  const Calendar cal = Make("Europe/London", Weekdays({W(9, 0, 12, 30), W(13, 30, 17, 30)}),
                            {{absl::CivilDay(2026, 12, 25), absl::CivilDay(2026, 12, 25), "Christmas"},
                             {absl::CivilDay(2026, 12, 28), absl::CivilDay(2026, 12, 28), "Boxing Day (sub)"}});
  // Thursday 24th 16:30: 1h left that day; Fri 25, Sat, Sun, Mon 28 closed; Tue 29 gives 3.5h
  // before lunch and the last 0.5h after it.
  EXPECT_EQ(cal.AddBusinessDuration(Local("Europe/London", 2026, 12, 24, 16, 30), absl::Hours(5)),
            Local("Europe/London", 2026, 12, 29, 14, 0));
}

TEST(CalendarTest, NextBusinessDayStartSkipsWeekendAndHoliday) {
  const Calendar cal = Make("America/New_York", Weekdays({W(8, 0, 18, 0)}),
                            {{absl::CivilDay(2026, 9, 7), absl::CivilDay(2026, 9, 7), "Labor Day"}});
  // Friday 2026-09-04 10:00 -> Tuesday 08:00 (Monday is Labor Day).
  EXPECT_EQ(cal.NextBusinessDayStart(Local("America/New_York", 2026, 9, 4, 10)),
            Local("America/New_York", 2026, 9, 8, 8));
}

TEST(CalendarTest, CalendarWithoutHoursNeverOpens) {
  const Calendar cal = Make("UTC", WeeklyHours{});
  EXPECT_FALSE(cal.IsOpen(Utc(2026, 1, 1)));
  EXPECT_EQ(cal.NextOpen(Utc(2026, 1, 1)), absl::InfiniteFuture());
  EXPECT_EQ(cal.AddBusinessDuration(Utc(2026, 1, 1), absl::Hours(1)), absl::InfiniteFuture());
}

// --- DST matrix -----------------------------------------------------------------------------

using recovery::testing::DstCase;

class CalendarDstTest : public ::testing::TestWithParam<DstCase> {};

TEST_P(CalendarDstTest, MorningWindowIsAnHourShorterOnSpringForwardAndLongerOnFallBack) {
  const DstCase& c = GetParam();
  const Calendar cal = Make(c.zone, EveryDay({W(0, 0, 12, 0)}));
  const absl::Duration delta = c.Delta();
  auto day_open = [&](absl::CivilDay d) {
    return OpenTimeBetween(cal, ResolveCivil(absl::CivilSecond(d), cal.time_zone()),
                           ResolveCivil(absl::CivilSecond(d + 1), cal.time_zone()));
  };
  EXPECT_EQ(day_open(c.spring - 1), absl::Hours(12));
  EXPECT_EQ(day_open(c.spring), absl::Hours(12) - delta);
  EXPECT_EQ(day_open(c.spring + 1), absl::Hours(12));
  EXPECT_EQ(day_open(c.fall), absl::Hours(12) + delta);
  EXPECT_EQ(day_open(c.fall + 1), absl::Hours(12));
}

TEST_P(CalendarDstTest, NineToFiveStaysNineToFiveLocalAroundTransitions) {
  const DstCase& c = GetParam();
  const Calendar cal = Make(c.zone, EveryDay({W(9, 0, 17, 0)}));
  for (absl::CivilDay d : {c.spring - 1, c.spring, c.spring + 1, c.fall - 1, c.fall, c.fall + 1}) {
    const absl::Time open = ResolveCivil(absl::CivilSecond(d.year(), d.month(), d.day(), 9, 0, 0), cal.time_zone());
    EXPECT_FALSE(cal.IsOpen(open - absl::Seconds(1))) << d;
    EXPECT_TRUE(cal.IsOpen(open)) << d;
    EXPECT_EQ(cal.NextChange(open), open + absl::Hours(8)) << d;  // no transition between 09 and 17
    EXPECT_EQ(cal.time_zone().At(cal.NextChange(open)).cs, absl::CivilSecond(d.year(), d.month(), d.day(), 17, 0, 0));
  }
}

TEST_P(CalendarDstTest, AddBusinessDurationAcrossTransitionCountsRealHours) {
  const DstCase& c = GetParam();
  const Calendar cal = Make(c.zone, EveryDay({W(0, 0, 24, 0)}));
  // Always open: business time equals elapsed time, so 24 business hours from midnight before
  // the spring-forward day ends at 01:00 local the next day when an hour was skipped.
  const absl::Time start = ResolveCivil(absl::CivilSecond(c.spring), cal.time_zone());
  EXPECT_EQ(cal.AddBusinessDuration(start, absl::Hours(24)), start + absl::Hours(24));
  const absl::CivilSecond local_end = cal.time_zone().At(start + absl::Hours(24)).cs;
  EXPECT_EQ(local_end, absl::CivilSecond(c.spring + 1) + (c.has_dst ? 3600 : 0));
}

INSTANTIATE_TEST_SUITE_P(Zones, CalendarDstTest, recovery::testing::DstCases(), recovery::testing::DstCaseName);

TEST(CalendarDstEdgeTest, WindowSpanningTheGapIsThirtyMinutesOnSpringForward) {
  // New York 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
  const Calendar cal = Make("America/New_York", EveryDay({W(1, 30, 3, 0)}));
  const std::vector<Interval> ivs = cal.OpenIntervals(Utc(2026, 3, 8, 0), Utc(2026, 3, 8, 12));
  ASSERT_EQ(ivs.size(), 1u);
  EXPECT_EQ(ivs[0].start, Utc(2026, 3, 8, 6, 30));  // 01:30 EST
  EXPECT_EQ(ivs[0].end, Utc(2026, 3, 8, 7, 0));     // 03:00 EDT
}

TEST(CalendarDstEdgeTest, WindowStartingInsideTheGapOpensAtTheTransition) {
  const Calendar cal = Make("America/New_York", EveryDay({W(2, 30, 4, 0)}));
  const std::vector<Interval> ivs = cal.OpenIntervals(Utc(2026, 3, 8, 0), Utc(2026, 3, 8, 12));
  ASSERT_EQ(ivs.size(), 1u);
  EXPECT_EQ(ivs[0].start, Utc(2026, 3, 8, 7, 0));  // trans: 03:00 EDT
  EXPECT_EQ(ivs[0].end, Utc(2026, 3, 8, 8, 0));    // 04:00 EDT
  EXPECT_FALSE(cal.IsOpen(Utc(2026, 3, 8, 6, 59)));
  EXPECT_TRUE(cal.IsOpen(Utc(2026, 3, 8, 7, 0)));
}

TEST(CalendarDstEdgeTest, WindowInTheOverlapOpensAtFirstOccurrenceAndIsLonger) {
  // New York 2026-11-01: 02:00 EDT falls back to 01:00 EST (06:00Z); 01:xx happens twice.
  const Calendar cal = Make("America/New_York", EveryDay({W(1, 30, 3, 0)}));
  const std::vector<Interval> ivs = cal.OpenIntervals(Utc(2026, 11, 1, 0), Utc(2026, 11, 1, 12));
  ASSERT_EQ(ivs.size(), 1u);
  EXPECT_EQ(ivs[0].start, Utc(2026, 11, 1, 5, 30));  // 01:30 EDT
  EXPECT_EQ(ivs[0].end, Utc(2026, 11, 1, 8, 0));     // 03:00 EST
  EXPECT_TRUE(cal.IsOpen(Utc(2026, 11, 1, 6, 15)));  // 01:15 EST, second pass
}

TEST(CalendarDstEdgeTest, WindowWhollyInsideTheGapDoesNotExistThatDay) {
  const Calendar cal = Make("Europe/London", EveryDay({W(1, 15, 1, 45)}));  // London gap 01:00-02:00
  EXPECT_TRUE(
      cal.OpenIntervals(Local("Europe/London", 2026, 3, 29, 0), Local("Europe/London", 2026, 3, 29, 23)).empty());
  EXPECT_EQ(cal.NextOpen(Local("Europe/London", 2026, 3, 29, 0)), Local("Europe/London", 2026, 3, 30, 1, 15));
}

// --- YAML --------------------------------------------------------------------------------------

TEST(ParseCalendarTest, ParsesWeeklyHoursAndHolidays) {
  const YAML::Node root = YAML::Load(R"(
calendars:
  - id: london-office
    time_zone: Europe/London
    weekly: {mon: ["09:00-12:30", "13:30-17:30"], tue: ["09:00-17:30"], fri: "09:00-16:00"}
    holidays:
      - {date: 2026-12-25, name: Christmas Day}
      - {from: 2026-12-24, to: 2026-12-31, name: Year-end shutdown}
  - id: ny-office
    time_zone: America/New_York
    weekly: {sat: ["10:00-24:00"]}
)");
  absl::StatusOr<std::vector<Calendar>> cals = ParseCalendarList(root["calendars"]);
  ASSERT_TRUE(cals.ok()) << cals.status();
  ASSERT_EQ(cals->size(), 2u);
  const Calendar& london = (*cals)[0];
  EXPECT_EQ(london.id(), "london-office");
  EXPECT_EQ(london.weekly()[0].size(), 2u);
  EXPECT_EQ(london.weekly()[4], std::vector<DailyWindow>{W(9, 0, 16, 0)});
  ASSERT_EQ(london.holidays().size(), 2u);
  EXPECT_EQ(london.holidays()[1].last, absl::CivilDay(2026, 12, 31));
  EXPECT_EQ((*cals)[1].weekly()[5], std::vector<DailyWindow>{W(10, 0, 24, 0)});
}

absl::Status ParseError(const std::string& yaml) {
  absl::StatusOr<std::vector<Calendar>> cals = ParseCalendarList(YAML::Load(yaml)["calendars"]);
  return cals.status();
}

TEST(ParseCalendarTest, ErrorsNameTheKeyPath) {
  EXPECT_THAT(
      ParseError(
          "calendars:\n  - {id: a, time_zone: UTC}\n  - {id: b, time_zone: UTC, weekly: {mon: [\"17:00-09:00\"]}}\n")
          .message(),
      HasSubstr("calendars[1].weekly.mon[0]: end before start"));
  EXPECT_THAT(ParseError("calendars:\n  - {id: a, time_zone: Mars/Olympus}\n").message(),
              HasSubstr("calendars[0].time_zone: unknown time zone 'Mars/Olympus'"));
  EXPECT_THAT(ParseError("calendars:\n  - {id: a, time_zone: UTC, weeky: {}}\n").message(),
              HasSubstr("calendars[0].weeky: unknown key"));
  EXPECT_THAT(ParseError("calendars:\n  - {id: a, time_zone: UTC}\n  - {id: a, time_zone: UTC}\n").message(),
              HasSubstr("calendars[1].id: duplicate calendar id 'a'"));
  EXPECT_THAT(ParseError("calendars:\n  - {id: a, time_zone: UTC, holidays: [{date: 2026-13-01}]}\n").message(),
              HasSubstr("calendars[0].holidays[0].date: invalid date"));
  EXPECT_THAT(ParseError("calendars:\n  - {id: a, time_zone: UTC, weekly: {mon: [\"09:00-12:00\", \"11:00-13:00\"]}}\n")
                  .message(),
              HasSubstr("calendars[0].weekly.mon[1]: overlaps window 0"));
  EXPECT_THAT(ParseError("calendars:\n  - {id: a, time_zone: UTC, weekly: {mon: [\"9-17\"]}}\n").message(),
              HasSubstr("calendars[0].weekly.mon[0]: invalid local time"));
  EXPECT_THAT(ParseError("calendars:\n  - {time_zone: UTC}\n").message(), HasSubstr("calendars[0].id: required"));
  EXPECT_EQ(ParseError("calendars: {a: 1}\n").code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseCalendarTest, CreateRejectsUnknownZone) {
  absl::StatusOr<Calendar> cal = Calendar::Create("x", "Nowhere/Special", WeeklyHours{}, {});
  ASSERT_FALSE(cal.ok());
  EXPECT_THAT(cal.status().message(), HasSubstr("time_zone"));
}

}  // namespace
}  // namespace recovery::calendar
