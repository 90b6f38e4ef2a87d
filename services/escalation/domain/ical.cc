// RFC 5545 text of on-call shifts.
#include "services/escalation/domain/ical.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace recovery::escalation {
namespace {

constexpr size_t kMaxLineOctets = 75;  // excluding the CRLF

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), len));
}

void Property(std::string& out, absl::string_view name, absl::string_view value) {
  out += FoldLine(absl::StrCat(name, ":", value));
}

}  // namespace

std::string EscapeText(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += c;
        break;
      default:
        // TEXT admits no other control character (CR of a CRLF goes with it).
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) break;
        out += c;
    }
  }
  return out;
}

std::string FoldLine(absl::string_view line) {
  std::string out;
  size_t limit = kMaxLineOctets;  // the first line; continuations carry a leading space
  while (line.size() > limit) {
    size_t cut = limit;
    while (cut > 0 && IsUtf8Continuation(line[cut])) --cut;  // never inside a UTF-8 sequence
    if (cut == 0) cut = limit;                               // not UTF-8 at all: cut anyway
    absl::StrAppend(&out, line.substr(0, cut), "\r\n ");
    line.remove_prefix(cut);
    limit = kMaxLineOctets - 1;
  }
  absl::StrAppend(&out, line, "\r\n");
  return out;
}

std::string IcalUtc(absl::Time t) { return absl::FormatTime("%Y%m%dT%H%M%SZ", t, absl::UTCTimeZone()); }

std::string ShiftUid(const FeedShift& s) {
  // Lengths in front keep ("a", "bc") and ("ab", "c") apart.
  std::string key =
      absl::StrCat(s.schedule_id.size(), ":", s.schedule_id, "|", s.person_id.size(), ":", s.person_id, "|");
  if (!s.open_start) {
    absl::StrAppend(&key, "from ", absl::ToUnixSeconds(s.start));
  } else if (!s.open_end) {
    absl::StrAppend(&key, "until ", absl::ToUnixSeconds(s.end));
  } else {
    absl::StrAppend(&key, "throughout");
  }
  return absl::StrCat(Sha256Hex(key).substr(0, 32), "@recovery-escalation");
}

CalendarDocument OnCallCalendar(FeedKind kind, const std::string& title, const std::vector<FeedShift>& shifts,
                                absl::Time now) {
  CalendarDocument doc;
  doc.name = kind == FeedKind::kPerson ? absl::StrCat("On call: ", title) : absl::StrCat(title, " on call");
  doc.stamp = now;
  for (const FeedShift& s : shifts) {
    CalendarEvent e;
    e.uid = ShiftUid(s);
    e.start = s.start;
    e.end = s.end;
    e.summary = kind == FeedKind::kPerson ? absl::StrCat("On call: ", s.schedule_name)
                                          : absl::StrCat(s.person_name, " on call");
    e.description = absl::StrCat(s.person_name, " on call on ", s.schedule_name, " (schedule ", s.schedule_id, ", ",
                                 s.layer == "override" ? "an override" : absl::StrCat("layer ", s.layer), ")");
    doc.events.push_back(std::move(e));
  }
  return doc;
}

std::string RenderICalendar(const CalendarDocument& doc) {
  std::string out;
  Property(out, "BEGIN", "VCALENDAR");
  Property(out, "VERSION", "2.0");
  Property(out, "PRODID", kCalendarProdId);
  Property(out, "CALSCALE", "GREGORIAN");
  Property(out, "METHOD", "PUBLISH");
  Property(out, "X-WR-CALNAME", EscapeText(doc.name));
  const std::string stamp = IcalUtc(doc.stamp);
  for (const CalendarEvent& e : doc.events) {
    Property(out, "BEGIN", "VEVENT");
    Property(out, "UID", EscapeText(e.uid));
    Property(out, "DTSTAMP", stamp);
    Property(out, "DTSTART", IcalUtc(e.start));
    Property(out, "DTEND", IcalUtc(e.end));
    Property(out, "SUMMARY", EscapeText(e.summary));
    if (!e.description.empty()) Property(out, "DESCRIPTION", EscapeText(e.description));
    Property(out, "TRANSP", "TRANSPARENT");
    Property(out, "END", "VEVENT");
  }
  Property(out, "END", "VCALENDAR");
  return out;
}

}  // namespace recovery::escalation
