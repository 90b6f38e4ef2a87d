// Handoff reminders: a person may ask to be told a while before each of their on-call shifts
// starts (`handoff_reminder: 15m` on the person). Which reminders are due is computed from the
// same shifts paging uses (ListShifts of the merged schedule), so a rotation, an override or
// an accepted cover request moves the reminder with the shift. Pure: time is a parameter.
// Thread-safety: pure functions over values.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/escalation/domain/config.h"

namespace recovery::escalation {

struct HandoffReminder {
  std::string schedule_id;
  std::string person_id;
  absl::Time shift_start;  // when the person goes on call (they were not just before)
  absl::Time due;          // shift_start - the person's lead
  friend bool operator==(const HandoffReminder&, const HandoffReminder&) = default;
};

// The reminders due in [now, now + horizon), ordered by due time: for every person with a
// handoff_reminder and every schedule, each shift of theirs that starts a stretch on call (a
// shift continuing one they already hold, e.g. across layers, is no handoff).
std::vector<HandoffReminder> UpcomingHandoffReminders(const EscalationConfig& directory, absl::Time now,
                                                      absl::Duration horizon);

// The durable timer of one reminder: a unique key, and the payload it is rebuilt from.
std::string HandoffTimerKey(const HandoffReminder& r);
std::string HandoffTimerPayload(const HandoffReminder& r);
bool ParseHandoffTimerPayload(const std::string& payload, HandoffReminder* out);

// What the reminder says, with the start in the person's own time zone and in UTC.
std::string HandoffReminderText(const EscalationConfig& directory, const HandoffReminder& r);

}  // namespace recovery::escalation
