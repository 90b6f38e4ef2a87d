// Unit tests for on-call schedules: rotations, layers, restrictions, overrides, gaps, DST.
#include "services/escalation/domain/schedule.h"

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/escalation/test_util.h"
#include "tests/support/dst_cases.h"

namespace recovery::escalation {
namespace {

using recovery::testing::DstCase;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_util::Local;
using testing_util::Utc;
using testing_util::W;

RotationLayer Layer(std::vector<std::string> people, RotationUnit unit, int length, absl::CivilSecond start) {
  RotationLayer l;
  l.name = "layer";
  l.participants = std::move(people);
  l.unit = unit;
  l.length = length;
  l.start = start;
  return l;
}

Schedule Make(const std::string& zone, std::vector<RotationLayer> layers, std::vector<Override> overrides = {}) {
  absl::StatusOr<Schedule> s = MakeSchedule("sched", "Schedule", zone, std::move(layers), std::move(overrides));
  EXPECT_TRUE(s.ok()) << s.status();
  return *std::move(s);
}

std::string OnCall(const Schedule& s, absl::Time t) {
  std::vector<std::string> who = WhoIsOnCallAt(s, t);
  return who.empty() ? "" : who.front();
}

// Shifts must tile the range: contiguous, non-overlapping, no zero-length entries.
void ExpectContiguous(const std::vector<Shift>& shifts, absl::Time from, absl::Time to) {
  ASSERT_FALSE(shifts.empty());
  EXPECT_EQ(shifts.front().start, from);
  EXPECT_EQ(shifts.back().end, to);
  for (std::size_t i = 0; i < shifts.size(); ++i) {
    EXPECT_LT(shifts[i].start, shifts[i].end);
    if (i > 0) {
      EXPECT_EQ(shifts[i - 1].end, shifts[i].start) << "shift " << i;
    }
  }
}

TEST(ScheduleTest, DailyRotationCyclesThroughParticipants) {
  const Schedule s =
      Make("Europe/London",
           {Layer({"alice", "bob", "carol"}, RotationUnit::kDays, 1, absl::CivilSecond(2026, 1, 5, 9, 0, 0))});
  EXPECT_EQ(OnCall(s, Local("Europe/London", 2026, 1, 5, 9)), "alice");
  EXPECT_EQ(OnCall(s, Local("Europe/London", 2026, 1, 6, 8, 59)), "alice");
  EXPECT_EQ(OnCall(s, Local("Europe/London", 2026, 1, 6, 9)), "bob");
  EXPECT_EQ(OnCall(s, Local("Europe/London", 2026, 1, 7, 12)), "carol");
  EXPECT_EQ(OnCall(s, Local("Europe/London", 2026, 1, 8, 12)), "alice");
}

TEST(ScheduleTest, NobodyIsOnCallBeforeTheRotationStarts) {
  const Schedule s = Make("UTC", {Layer({"alice"}, RotationUnit::kDays, 1, absl::CivilSecond(2026, 1, 5, 9, 0, 0))});
  EXPECT_THAT(WhoIsOnCallAt(s, Utc(2026, 1, 5, 8, 59)), IsEmpty());
  EXPECT_THAT(WhoIsOnCallAt(s, Utc(2026, 1, 5, 9)), ElementsAre("alice"));
}

TEST(ScheduleTest, WeeklyRotationHandsOffOnTheStartWeekday) {
  // 2026-01-05 is a Monday.
  const Schedule s = Make("America/New_York",
                          {Layer({"alice", "bob"}, RotationUnit::kWeeks, 1, absl::CivilSecond(2026, 1, 5, 10, 0, 0))});
  EXPECT_EQ(OnCall(s, Local("America/New_York", 2026, 1, 11, 23)), "alice");
  EXPECT_EQ(OnCall(s, Local("America/New_York", 2026, 1, 12, 9, 59)), "alice");
  EXPECT_EQ(OnCall(s, Local("America/New_York", 2026, 1, 12, 10)), "bob");
  EXPECT_EQ(OnCall(s, Local("America/New_York", 2026, 1, 19, 10)), "alice");
}

TEST(ScheduleTest, HourRotationHandsOffEveryTwelveLocalHours) {
  const Schedule s =
      Make("Asia/Kolkata", {Layer({"day", "night"}, RotationUnit::kHours, 12, absl::CivilSecond(2026, 1, 5, 9, 0, 0))});
  const std::vector<Shift> shifts =
      ListShifts(s, Local("Asia/Kolkata", 2026, 1, 5, 9), Local("Asia/Kolkata", 2026, 1, 7, 9));
  ASSERT_EQ(shifts.size(), 4u);
  EXPECT_EQ(shifts[0].person_id, "day");
  EXPECT_EQ(shifts[1].person_id, "night");
  EXPECT_EQ(shifts[1].start, Local("Asia/Kolkata", 2026, 1, 5, 21));
  for (const Shift& sh : shifts) EXPECT_EQ(sh.end - sh.start, absl::Hours(12));
}

TEST(ScheduleTest, HigherLayerWinsOnlyWhereItsRestrictionsAreOpen) {
  RotationLayer base = Layer({"alice"}, RotationUnit::kWeeks, 1, absl::CivilSecond(2026, 1, 5, 0, 0, 0));
  RotationLayer business = Layer({"carol"}, RotationUnit::kWeeks, 1, absl::CivilSecond(2026, 1, 5, 0, 0, 0));
  calendar::WeeklyHours hours;
  for (int d = 0; d < 5; ++d) hours[d] = {W(9, 0, 17, 0)};
  business.restrictions = hours;
  const Schedule s = Make("Europe/London", {base, business});
  EXPECT_EQ(OnCall(s, Local("Europe/London", 2026, 1, 6, 10)), "carol");
  EXPECT_EQ(OnCall(s, Local("Europe/London", 2026, 1, 6, 18)), "alice");
  EXPECT_EQ(OnCall(s, Local("Europe/London", 2026, 1, 10, 10)), "alice");  // Saturday

  const absl::Time from = Local("Europe/London", 2026, 1, 6, 0);
  const absl::Time to = Local("Europe/London", 2026, 1, 7, 0);
  const std::vector<Shift> shifts = ListShifts(s, from, to);
  EXPECT_THAT(shifts, ElementsAre(Shift{"alice", from, Local("Europe/London", 2026, 1, 6, 9), 0},
                                  Shift{"carol", Local("Europe/London", 2026, 1, 6, 9),
                                        Local("Europe/London", 2026, 1, 6, 17), 1},
                                  Shift{"alice", Local("Europe/London", 2026, 1, 6, 17), to, 0}));
}

TEST(ScheduleTest, OverrideCoversItsWindowAboveAllLayers) {
  const absl::Time o_from = Utc(2026, 1, 6, 12);
  const absl::Time o_to = Utc(2026, 1, 6, 15);
  const Schedule s =
      Make("UTC", {Layer({"alice", "bob"}, RotationUnit::kDays, 1, absl::CivilSecond(2026, 1, 5, 9, 0, 0))},
           {Override{"dave", o_from, o_to}});
  EXPECT_EQ(OnCall(s, o_from - absl::Seconds(1)), "bob");
  EXPECT_EQ(OnCall(s, o_from), "dave");
  EXPECT_EQ(OnCall(s, o_to), "bob");
  const std::vector<Shift> shifts = ListShifts(s, Utc(2026, 1, 6, 9), Utc(2026, 1, 7, 9));
  EXPECT_THAT(shifts,
              ElementsAre(Shift{"bob", Utc(2026, 1, 6, 9), o_from, 0}, Shift{"dave", o_from, o_to, kOverrideLayer},
                          Shift{"bob", o_to, Utc(2026, 1, 7, 9), 0}));
}

TEST(ScheduleTest, LaterOverrideWinsWhereOverridesOverlap) {
  const Schedule s = Make("UTC", {Layer({"alice"}, RotationUnit::kDays, 1, absl::CivilSecond(2026, 1, 5, 0, 0, 0))},
                          {Override{"dave", Utc(2026, 1, 6, 0), Utc(2026, 1, 8, 0)},
                           Override{"erin", Utc(2026, 1, 7, 0), Utc(2026, 1, 7, 12)}});
  EXPECT_EQ(OnCall(s, Utc(2026, 1, 6, 12)), "dave");
  EXPECT_EQ(OnCall(s, Utc(2026, 1, 7, 6)), "erin");
  EXPECT_EQ(OnCall(s, Utc(2026, 1, 7, 13)), "dave");
}

TEST(ScheduleTest, CoverageGapsAreTheUncoveredStretches) {
  RotationLayer weekdays = Layer({"alice"}, RotationUnit::kWeeks, 1, absl::CivilSecond(2026, 1, 6, 0, 0, 0));
  calendar::WeeklyHours hours;
  for (int d = 0; d < 5; ++d) hours[d] = {W(9, 0, 17, 0)};
  weekdays.restrictions = hours;
  const Schedule s = Make("Europe/London", {weekdays});
  // From Monday 00:00: nothing before the layer starts (Tue 00:00) and nothing outside 09-17.
  const std::vector<calendar::Interval> gaps =
      FindCoverageGaps(s, Local("Europe/London", 2026, 1, 5, 0), Local("Europe/London", 2026, 1, 8, 0));
  EXPECT_THAT(
      gaps,
      ElementsAre(calendar::Interval{Local("Europe/London", 2026, 1, 5, 0), Local("Europe/London", 2026, 1, 6, 9)},
                  calendar::Interval{Local("Europe/London", 2026, 1, 6, 17), Local("Europe/London", 2026, 1, 7, 9)},
                  calendar::Interval{Local("Europe/London", 2026, 1, 7, 17), Local("Europe/London", 2026, 1, 8, 0)}));
}

TEST(ScheduleTest, FullyCoveredScheduleHasNoGaps) {
  const Schedule s =
      Make("UTC", {Layer({"alice", "bob"}, RotationUnit::kHours, 8, absl::CivilSecond(2026, 1, 1, 0, 0, 0))});
  EXPECT_THAT(FindCoverageGaps(s, Utc(2026, 2, 1), Utc(2026, 3, 1)), IsEmpty());
}

TEST(ScheduleTest, MakeScheduleRejectsBadInput) {
  EXPECT_FALSE(MakeSchedule("s", "", "Not/AZone", {}, {}).ok());
  EXPECT_FALSE(
      MakeSchedule("s", "", "UTC", {Layer({}, RotationUnit::kDays, 1, absl::CivilSecond(2026, 1, 1, 0, 0, 0))}, {})
          .ok());
  EXPECT_FALSE(
      MakeSchedule("s", "", "UTC", {Layer({"a"}, RotationUnit::kDays, 0, absl::CivilSecond(2026, 1, 1, 0, 0, 0))}, {})
          .ok());
  EXPECT_FALSE(MakeSchedule("s", "", "UTC", {}, {Override{"a", Utc(2026, 1, 2), Utc(2026, 1, 1)}}).ok());
}

// --- DST matrix -----------------------------------------------------------------------------

class ScheduleDstTest : public ::testing::TestWithParam<DstCase> {
 protected:
  absl::Time L(absl::CivilDay d, int h, int m = 0) const {
    return Local(GetParam().zone, static_cast<int>(d.year()), d.month(), d.day(), h, m);
  }
  absl::Duration DstDelta() const { return GetParam().Delta(); }
};

TEST_P(ScheduleDstTest, DailyHandoffStaysAtNineLocalAcrossSpringForward) {
  const DstCase& c = GetParam();
  const absl::CivilDay start = c.spring - 3;
  const Schedule s =
      Make(c.zone, {Layer({"a", "b", "c"}, RotationUnit::kDays, 1, absl::CivilSecond(start) + 9 * 3600)});
  const absl::Time from = L(c.spring - 2, 9);
  const absl::Time to = L(c.spring + 2, 9);
  const std::vector<Shift> shifts = ListShifts(s, from, to);
  ExpectContiguous(shifts, from, to);
  ASSERT_EQ(shifts.size(), 4u);
  absl::Duration total;
  for (const Shift& sh : shifts) {
    const absl::CivilSecond local = s.time_zone.At(sh.start).cs;
    EXPECT_EQ(local.hour(), 9);
    EXPECT_EQ(local.minute(), 0);
    total += sh.end - sh.start;
  }
  // The night into the spring-forward day is an hour short in absolute time; no other changes.
  EXPECT_EQ(shifts[1].end - shifts[1].start, absl::Hours(24) - DstDelta());
  EXPECT_EQ(shifts[2].end - shifts[2].start, absl::Hours(24));
  EXPECT_EQ(total, absl::Hours(96) - DstDelta());
  // Consecutive shifts go to different people: nobody is on call twice in a row.
  for (std::size_t i = 1; i < shifts.size(); ++i) EXPECT_NE(shifts[i].person_id, shifts[i - 1].person_id);
}

TEST_P(ScheduleDstTest, DailyHandoffStaysAtNineLocalAcrossFallBack) {
  const DstCase& c = GetParam();
  const Schedule s =
      Make(c.zone, {Layer({"a", "b"}, RotationUnit::kDays, 1, absl::CivilSecond(c.fall - 10) + 9 * 3600)});
  const absl::Time from = L(c.fall - 1, 9);
  const absl::Time to = L(c.fall + 1, 9);
  const std::vector<Shift> shifts = ListShifts(s, from, to);
  ExpectContiguous(shifts, from, to);
  ASSERT_EQ(shifts.size(), 2u);
  EXPECT_EQ(shifts[0].end, L(c.fall, 9));
  EXPECT_EQ(shifts[0].end - shifts[0].start, absl::Hours(24) + DstDelta());
  EXPECT_EQ(shifts[1].end - shifts[1].start, absl::Hours(24));
}

TEST_P(ScheduleDstTest, InstantsAroundTheTransitionsHaveExactlyOneOnCall) {
  const DstCase& c = GetParam();
  const Schedule s =
      Make(c.zone,
           {Layer({"a", "b"}, RotationUnit::kDays, 1, absl::CivilSecond(std::min(c.spring, c.fall) - 30) + 9 * 3600)});
  for (absl::CivilDay day : {c.spring, c.fall}) {
    // Every 15 minutes from 22:00 the evening before until 06:00: across the gap or overlap.
    const absl::Time night_start = L(day - 1, 22);
    const std::string expected = OnCall(s, night_start);
    ASSERT_FALSE(expected.empty());
    for (absl::Time t = night_start; t < L(day, 6); t += absl::Minutes(15)) {
      EXPECT_THAT(WhoIsOnCallAt(s, t), ElementsAre(expected)) << absl::FormatTime(t, s.time_zone);
    }
    EXPECT_NE(OnCall(s, L(day, 9)), expected);
  }
}

TEST_P(ScheduleDstTest, TwelveHourRotationHandsOffAtNineAndTwentyOneLocal) {
  const DstCase& c = GetParam();
  const Schedule s = Make(c.zone, {Layer({"day", "night"}, RotationUnit::kHours, 12,
                                         absl::CivilSecond(std::min(c.spring, c.fall) - 5) + 9 * 3600)});
  for (absl::CivilDay day : {c.spring, c.fall}) {
    const absl::Time from = L(day - 1, 9);
    const absl::Time to = L(day + 1, 9);
    const std::vector<Shift> shifts = ListShifts(s, from, to);
    ExpectContiguous(shifts, from, to);
    ASSERT_EQ(shifts.size(), 4u);
    for (const Shift& sh : shifts) EXPECT_EQ(s.time_zone.At(sh.start).cs.hour() % 12, 9);
    EXPECT_EQ(shifts[1].person_id, "night");
    const absl::Duration expected = day == c.spring ? absl::Hours(12) - DstDelta() : absl::Hours(12) + DstDelta();
    // Transitions happen at night (02:00/03:00 local) except London's 01:00: all in the night shift.
    EXPECT_EQ(shifts[1].end - shifts[1].start, expected);
    EXPECT_EQ(shifts[2].end - shifts[2].start, absl::Hours(12));
  }
}

TEST_P(ScheduleDstTest, WeeklyHandoffKeepsLocalTimeAcrossBothTransitions) {
  const DstCase& c = GetParam();
  // Start the weekly rotation on the weekday of the spring-forward day, three weeks earlier.
  const Schedule s =
      Make(c.zone, {Layer({"a", "b"}, RotationUnit::kWeeks, 1, absl::CivilSecond(c.spring - 21) + 9 * 3600)});
  const absl::Time from = L(c.spring - 7, 9);
  const absl::Time to = L(c.spring + 7, 9);
  const std::vector<Shift> shifts = ListShifts(s, from, to);
  ExpectContiguous(shifts, from, to);
  ASSERT_EQ(shifts.size(), 2u);
  EXPECT_EQ(shifts[0].end, L(c.spring, 9));
  EXPECT_EQ(shifts[0].end - shifts[0].start, absl::Hours(7 * 24) - DstDelta());
}

INSTANTIATE_TEST_SUITE_P(Zones, ScheduleDstTest, recovery::testing::DstCases(), recovery::testing::DstCaseName);

TEST(ScheduleDstEdgeTest, HandoffInsideSpringGapHappensAtTheTransition) {
  // New York 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00Z. A 02:30 handoff does not exist.
  const Schedule s =
      Make("America/New_York", {Layer({"a", "b"}, RotationUnit::kDays, 1, absl::CivilSecond(2026, 3, 1, 2, 30, 0))});
  const absl::Time handoff = HandoffInstant(s, s.layers[0], 7);
  EXPECT_EQ(handoff, Utc(2026, 3, 8, 7, 0));
  EXPECT_NE(OnCall(s, handoff - absl::Seconds(1)), OnCall(s, handoff));
  const std::vector<Shift> shifts = ListShifts(s, Utc(2026, 3, 7, 0), Utc(2026, 3, 10, 0));
  ExpectContiguous(shifts, Utc(2026, 3, 7, 0), Utc(2026, 3, 10, 0));
  // The next day's 02:30 exists again (EDT).
  EXPECT_EQ(HandoffInstant(s, s.layers[0], 8), Utc(2026, 3, 9, 6, 30));
}

TEST(ScheduleDstEdgeTest, HandoffInsideFallBackOverlapUsesFirstOccurrence) {
  // New York 2026-11-01: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
  const Schedule s =
      Make("America/New_York", {Layer({"a", "b"}, RotationUnit::kDays, 1, absl::CivilSecond(2026, 10, 31, 1, 30, 0))});
  EXPECT_EQ(HandoffInstant(s, s.layers[0], 1), Utc(2026, 11, 1, 5, 30));
  EXPECT_EQ(OnCall(s, Utc(2026, 11, 1, 5, 29)), "a");
  EXPECT_EQ(OnCall(s, Utc(2026, 11, 1, 5, 30)), "b");
  // The second pass through 01:30-02:00 local does not hand back to "a".
  EXPECT_EQ(OnCall(s, Utc(2026, 11, 1, 6, 45)), "b");
  // b's shift is 25 hours long in absolute time.
  EXPECT_EQ(HandoffInstant(s, s.layers[0], 2) - HandoffInstant(s, s.layers[0], 1), absl::Hours(25));
}

}  // namespace
}  // namespace recovery::escalation
