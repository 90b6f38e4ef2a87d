// The RFC 5545 rendering of on-call shifts (domain/ical.h): CRLF lines folded at 75 octets
// without splitting a UTF-8 sequence, TEXT escaping, UTC date-times, one VEVENT per shift with
// a UID that stays the same whenever the shift is fetched, and the summaries of person and
// schedule feeds.
#include "services/escalation/domain/ical.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "tests/escalation/test_util.h"

namespace recovery::escalation {
namespace {

using testing_util::Utc;

// The document's lines (split at CRLF; the text ends with one).
std::vector<std::string> Lines(const std::string& text) {
  EXPECT_TRUE(absl::EndsWith(text, "\r\n"));
  std::vector<std::string> lines = absl::StrSplit(text, "\r\n");
  lines.pop_back();
  return lines;
}

// RFC 5545 3.1 unfolding: a CRLF followed by one space or tab is removed.
std::vector<std::string> Unfolded(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& line : Lines(text)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      out.back() += line.substr(1);
    } else {
      out.push_back(line);
    }
  }
  return out;
}

FeedShift Shift(const std::string& person, absl::Time start, absl::Time end) {
  return FeedShift{"oncall", "On call", person, person == "alice" ? "Alice" : "Bob", start, end, "primary"};
}

TEST(IcalTextTest, EscapesBackslashSemicolonCommaAndNewlineAndDropsOtherControls) {
  EXPECT_EQ(EscapeText("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
  EXPECT_EQ(EscapeText("tab\tkept, bell\a and CR\r dropped"), "tab\tkept\\, bell and CR dropped");
  EXPECT_EQ(EscapeText("Zoë: ok"), "Zoë: ok");  // colons need no escape in TEXT
}

TEST(IcalTextTest, LongLinesFoldAt75OctetsAndUnfoldToTheOriginal) {
  const std::string line = "DESCRIPTION:" + std::string(200, 'x');
  const std::string folded = FoldLine(line);
  for (const std::string& l : Lines(folded)) EXPECT_LE(l.size(), 75u) << l;
  EXPECT_EQ(Lines(folded)[0].size(), 75u);
  EXPECT_EQ(Lines(folded)[1][0], ' ');
  EXPECT_EQ(Unfolded(folded), std::vector<std::string>{line});
  EXPECT_EQ(FoldLine("SHORT:x"), "SHORT:x\r\n");
  EXPECT_EQ(FoldLine(std::string(75, 'y')), std::string(75, 'y') + "\r\n");  // exactly 75: no fold
}

TEST(IcalTextTest, FoldingNeverSplitsAUtf8Sequence) {
  // "é" is two octets: a fold at octet 75 would fall inside one.
  std::string line = "SUMMARY:";
  while (line.size() < 300) line += "é";
  const std::string folded = FoldLine(line);
  for (const std::string& l : Lines(folded)) {
    EXPECT_LE(l.size(), 75u);
    const std::string content = l[0] == ' ' ? l.substr(1) : l;
    EXPECT_NE(static_cast<unsigned char>(content[0]) & 0xC0, 0x80) << "a line starts inside a UTF-8 sequence";
  }
  EXPECT_EQ(Unfolded(folded), std::vector<std::string>{line});
}

TEST(IcalTextTest, DateTimesAreUtcWithAZ) {
  EXPECT_EQ(IcalUtc(Utc(2026, 11, 24, 22, 5) + absl::Seconds(7) + absl::Milliseconds(900)), "20261124T220507Z");
}

TEST(IcalDocumentTest, APersonFeedHasOneEventPerShiftNamedAfterItsSchedule) {
  const absl::Time now = Utc(2026, 11, 24, 22);
  CalendarDocument doc = OnCallCalendar(FeedKind::kPerson, "Alice",
                                        {Shift("alice", Utc(2026, 11, 25, 9), Utc(2026, 11, 26, 9)),
                                         Shift("alice", Utc(2026, 11, 27, 9), Utc(2026, 11, 28, 9))},
                                        now);
  const std::vector<std::string> lines = Unfolded(RenderICalendar(doc));
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  const std::set<std::string> all(lines.begin(), lines.end());
  EXPECT_TRUE(all.count("VERSION:2.0"));
  EXPECT_TRUE(all.count(std::string("PRODID:") + kCalendarProdId));
  EXPECT_TRUE(all.count("X-WR-CALNAME:On call: Alice"));
  int events = 0, summaries = 0;
  for (const std::string& l : lines) {
    events += l == "BEGIN:VEVENT";
    summaries += l == "SUMMARY:On call: On call";
  }
  EXPECT_EQ(events, 2);
  EXPECT_EQ(summaries, 2);
  EXPECT_TRUE(all.count("DTSTART:20261125T090000Z"));
  EXPECT_TRUE(all.count("DTEND:20261126T090000Z"));
  EXPECT_TRUE(all.count("DTSTAMP:20261124T220000Z"));
}

TEST(IcalDocumentTest, AScheduleFeedNamesThePersonAndEscapesTheirName) {
  FeedShift s = Shift("bob", Utc(2026, 11, 25, 9), Utc(2026, 11, 26, 9));
  s.person_name = "Bob, Jr.; the \\ one";
  const std::string text = RenderICalendar(OnCallCalendar(FeedKind::kSchedule, "On call", {s}, Utc(2026, 11, 24)));
  const std::vector<std::string> lines = Unfolded(text);
  const std::set<std::string> all(lines.begin(), lines.end());
  EXPECT_TRUE(all.count("SUMMARY:Bob\\, Jr.\\; the \\\\ one on call")) << text;
  EXPECT_TRUE(all.count("X-WR-CALNAME:On call on call"));
  for (const std::string& l : Lines(text)) EXPECT_LE(l.size(), 75u) << l;
  EXPECT_FALSE(absl::StrContains(absl::StrReplaceAll(text, {{"\r\n", ""}}), "\n")) << "a bare LF";
}

TEST(IcalDocumentTest, AShiftsUidStaysTheSameWhicheverWindowItIsFetchedIn) {
  const FeedShift a = Shift("alice", Utc(2026, 11, 25, 9), Utc(2026, 11, 26, 9));
  EXPECT_EQ(ShiftUid(a), ShiftUid(a));
  EXPECT_TRUE(absl::EndsWith(ShiftUid(a), "@recovery-escalation"));
  FeedShift other_person = a;
  other_person.person_id = "bob";
  FeedShift later = a;
  later.start += absl::Hours(24);
  FeedShift other_schedule = a;
  other_schedule.schedule_id = "nights";
  const std::set<std::string> uids = {ShiftUid(a), ShiftUid(other_person), ShiftUid(later), ShiftUid(other_schedule)};
  EXPECT_EQ(uids.size(), 4u);
  // Cut at the window's start, a shift is known by its end, so a window moving with now keeps it.
  FeedShift cut_early = a, cut_later = a;
  cut_early.open_start = cut_later.open_start = true;
  cut_early.start = Utc(2026, 11, 1);
  cut_later.start = Utc(2026, 11, 2);
  EXPECT_EQ(ShiftUid(cut_early), ShiftUid(cut_later));
  cut_early.open_end = cut_later.open_end = true;
  cut_later.end += absl::Hours(24);
  EXPECT_EQ(ShiftUid(cut_early), ShiftUid(cut_later));
}

}  // namespace
}  // namespace recovery::escalation
