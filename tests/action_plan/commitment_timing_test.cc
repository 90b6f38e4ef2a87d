// Commitment timing: weekends and out-of-hours dues in the client's zone.
#include "services/action_plan/domain/commitment_timing.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/action_plan/test_util.h"

namespace recovery::action_plan {
namespace {

using ::recovery::action_plan::testing::At;
using ::recovery::action_plan::testing::Zone;
using ::testing::HasSubstr;

TEST(CommitmentTimingTest, WeekdayInsideBusinessHoursHasNoWarnings) {
  EXPECT_TRUE(CheckCommitmentTiming(At("Europe/London", 2026, 11, 25, 10, 0), Zone("Europe/London")).empty());
  EXPECT_TRUE(CheckCommitmentTiming(At("Europe/London", 2026, 11, 25, 9, 0), Zone("Europe/London")).empty())
      << "09:00 is inside";
}

TEST(CommitmentTimingTest, WeekendDueWarnsWithLocalTime) {
  const auto w = CheckCommitmentTiming(At("Europe/London", 2026, 11, 28, 10, 0), Zone("Europe/London"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].code, TimingWarning::Code::kWeekend);
  EXPECT_THAT(w[0].message, HasSubstr("Sat 28 Nov 2026, 10:00 GMT"));
}

TEST(CommitmentTimingTest, EveningDueWarnsOutsideBusinessHours) {
  const auto w = CheckCommitmentTiming(At("Europe/London", 2026, 11, 25, 17, 30), Zone("Europe/London"));
  ASSERT_EQ(w.size(), 1u) << "17:30 is the end, exclusive";
  EXPECT_EQ(w[0].code, TimingWarning::Code::kOutsideBusinessHours);
  EXPECT_EQ(CheckCommitmentTiming(At("Europe/London", 2026, 11, 25, 8, 59), Zone("Europe/London"))[0].code,
            TimingWarning::Code::kOutsideBusinessHours);
}

TEST(CommitmentTimingTest, TheClientsZoneDecides) {
  // Friday 16:00 in London is Saturday 01:00 in Tokyo.
  const absl::Time due = At("Europe/London", 2026, 11, 27, 16, 0);
  EXPECT_TRUE(CheckCommitmentTiming(due, Zone("Europe/London")).empty());
  const auto w = CheckCommitmentTiming(due, Zone("Asia/Tokyo"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].code, TimingWarning::Code::kWeekend);
  EXPECT_THAT(w[0].message, HasSubstr("JST"));
}

TEST(CommitmentTimingTest, CallerCalendarReplacesTheDefault) {
  const absl::TimeZone dubai = Zone("Asia/Dubai");
  // A Monday-to-Friday 08:00-20:00 calendar that treats 2026-12-02 (National Day) as a holiday.
  const auto calendar = [dubai](absl::Time t) {
    const absl::CivilMinute local = absl::ToCivilMinute(t, dubai);
    const absl::Weekday wd = absl::GetWeekday(absl::CivilDay(local));
    if (wd == absl::Weekday::saturday || wd == absl::Weekday::sunday) return false;
    if (local.month() == 12 && local.day() == 2) return false;
    return local.hour() >= 8 && local.hour() < 20;
  };
  EXPECT_TRUE(CheckCommitmentTiming(At("Asia/Dubai", 2026, 12, 1, 19, 0), dubai, calendar).empty())
      << "19:00 is inside this calendar though outside the default";
  const auto holiday = CheckCommitmentTiming(At("Asia/Dubai", 2026, 12, 2, 10, 0), dubai, calendar);
  ASSERT_EQ(holiday.size(), 1u);
  EXPECT_EQ(holiday[0].code, TimingWarning::Code::kOutsideBusinessHours);
}

TEST(IsDefaultBusinessHoursTest, MondayToFridayNineToHalfFive) {
  const absl::TimeZone ny = Zone("America/New_York");
  EXPECT_TRUE(IsDefaultBusinessHours(At("America/New_York", 2026, 11, 23, 9, 0), ny));
  EXPECT_TRUE(IsDefaultBusinessHours(At("America/New_York", 2026, 11, 27, 17, 29), ny));
  EXPECT_FALSE(IsDefaultBusinessHours(At("America/New_York", 2026, 11, 27, 17, 30), ny));
  EXPECT_FALSE(IsDefaultBusinessHours(At("America/New_York", 2026, 11, 29, 12, 0), ny));
}

}  // namespace
}  // namespace recovery::action_plan
