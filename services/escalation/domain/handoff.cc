// Handoff reminders from the shifts paging uses (handoff.h).
#include "services/escalation/domain/handoff.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/escalation/domain/schedule.h"

namespace recovery::escalation {

std::vector<HandoffReminder> UpcomingHandoffReminders(const EscalationConfig& directory, absl::Time now,
                                                      absl::Duration horizon) {
  std::vector<HandoffReminder> out;
  if (directory.handoff_reminders.empty()) return out;
  absl::Duration longest = absl::ZeroDuration();
  for (const auto& [person, lead] : directory.handoff_reminders) longest = std::max(longest, lead);
  for (const Schedule& schedule : directory.schedules) {
    // Shifts starting up to `longest` after the window still have their reminder in it.
    const std::vector<Shift> shifts = ListShifts(schedule, now, now + horizon + longest);
    for (size_t i = 0; i < shifts.size(); ++i) {
      const Shift& s = shifts[i];
      auto lead = directory.handoff_reminders.find(s.person_id);
      if (lead == directory.handoff_reminders.end()) continue;
      if (s.start <= now) continue;  // under way (or clipped to the window's start)
      // Continuing a stretch they already hold (another layer, an override ending) is no handoff.
      const bool continued = i > 0 ? shifts[i - 1].person_id == s.person_id && shifts[i - 1].end == s.start
                                   : !WhoIsOnCallAt(schedule, s.start - absl::Seconds(1)).empty() &&
                                         WhoIsOnCallAt(schedule, s.start - absl::Seconds(1))[0] == s.person_id;
      if (continued) continue;
      const absl::Time due = s.start - lead->second;
      if (due < now || due >= now + horizon) continue;
      out.push_back({schedule.id, s.person_id, s.start, due});
    }
  }
  std::sort(out.begin(), out.end(), [](const HandoffReminder& a, const HandoffReminder& b) {
    return a.due != b.due ? a.due < b.due : a.schedule_id < b.schedule_id;
  });
  return out;
}

std::string HandoffTimerKey(const HandoffReminder& r) {
  return absl::StrCat(r.schedule_id, "|", r.person_id, "|", absl::ToUnixSeconds(r.shift_start), "|",
                      absl::ToUnixSeconds(r.due));
}

std::string HandoffTimerPayload(const HandoffReminder& r) {
  return absl::StrCat(r.schedule_id, "\n", r.person_id, "\n", absl::ToUnixSeconds(r.shift_start), "\n",
                      absl::ToUnixSeconds(r.due));
}

bool ParseHandoffTimerPayload(const std::string& payload, HandoffReminder* out) {
  const std::vector<std::string> parts = absl::StrSplit(payload, '\n');
  int64_t start = 0, due = 0;
  if (parts.size() != 4 || parts[0].empty() || parts[1].empty() || !absl::SimpleAtoi(parts[2], &start) ||
      !absl::SimpleAtoi(parts[3], &due))
    return false;
  *out = {parts[0], parts[1], absl::FromUnixSeconds(start), absl::FromUnixSeconds(due)};
  return true;
}

std::string HandoffReminderText(const EscalationConfig& directory, const HandoffReminder& r) {
  const Schedule* schedule = directory.FindSchedule(r.schedule_id);
  const Person* person = directory.FindPerson(r.person_id);
  absl::TimeZone zone = absl::UTCTimeZone();
  if (person != nullptr) (void)absl::LoadTimeZone(person->time_zone, &zone);
  const std::string name = schedule != nullptr && !schedule->name.empty() ? schedule->name : r.schedule_id;
  return absl::StrCat("Your on-call shift on ", name, " starts at ",
                      absl::FormatTime("%a %d %b %H:%M %Z", r.shift_start, zone), " (",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", r.shift_start, absl::UTCTimeZone()), ")");
}

}  // namespace recovery::escalation
