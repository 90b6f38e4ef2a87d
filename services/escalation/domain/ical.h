// iCalendar (RFC 5545) rendering of on-call shifts: what GET /calendar/<token>.ics answers.
// Pure: (title, shifts, now) -> the text of one VCALENDAR. The shifts come from the same
// escalation::ListShifts that ListShifts and paging resolve through (the app computes them);
// this file only writes them down.
//
// The text: CRLF line endings, lines folded at 75 octets (a continuation starts with one
// space; a UTF-8 sequence is never split), TEXT values escaped (backslash, semicolon, comma,
// newline; other control characters dropped), date-times in UTC ("20261124T220000Z").
// One VEVENT per shift: UID stable per shift (ShiftUid: schedule, person, start), DTSTAMP the
// feed's generation time, DTSTART/DTEND, SUMMARY, DESCRIPTION, TRANSP:TRANSPARENT (being on
// call does not make one busy).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace recovery::escalation {

// PRODID of every feed.
inline constexpr char kCalendarProdId[] = "-//Service Recovery//recovery-escalation//EN";

// One shift as a feed shows it.
struct FeedShift {
  std::string schedule_id;
  std::string schedule_name;
  std::string person_id;
  std::string person_name;
  absl::Time start;
  absl::Time end;     // exclusive
  std::string layer;  // the layer's name, or "override"
  // The shift began before the window the feed was computed over (start is the window's start)
  // / goes on past its end (end is the window's end): that edge is not the shift's own.
  bool open_start = false;
  bool open_end = false;
};

enum class FeedKind { kPerson, kSchedule };

struct CalendarEvent {
  std::string uid;
  absl::Time start;
  absl::Time end;
  std::string summary;
  std::string description;
};

struct CalendarDocument {
  std::string name;  // X-WR-CALNAME (most clients show it as the calendar's title)
  absl::Time stamp;  // DTSTAMP of every event: when the feed was generated
  std::vector<CalendarEvent> events;
};

// A person feed (`title` = the person's name) shows each shift as "On call: <schedule name>";
// a schedule feed (`title` = the schedule's name) as "<person name> on call".
CalendarDocument OnCallCalendar(FeedKind kind, const std::string& title, const std::vector<FeedShift>& shifts,
                                absl::Time now);

// The whole VCALENDAR.
std::string RenderICalendar(const CalendarDocument& doc);

// "<32 hex digits of SHA-256(schedule, person, start)>@recovery-escalation": the same shift
// always has the same UID, whenever and through whichever feed it is fetched. A shift whose
// start lies before the window is keyed by its end instead (and one spanning the whole window
// by schedule and person alone), so a window that moves with now does not change its UID.
std::string ShiftUid(const FeedShift& shift);

// RFC 5545 3.3.11 TEXT escaping.
std::string EscapeText(absl::string_view text);
// One content line folded (3.1), with its CRLF (and CRLF before every continuation).
std::string FoldLine(absl::string_view line);
// RFC 5545 UTC DATE-TIME ("20261124T220000Z"); sub-seconds are cut.
std::string IcalUtc(absl::Time t);

}  // namespace recovery::escalation
