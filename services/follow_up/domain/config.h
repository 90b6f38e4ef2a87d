// The follow-up service's domain configuration (YAML): SLAs per severity, reminder leads and
// repeats, managers, written follow-up delay, satisfaction delay and threshold, calendars.
// Immutable after parsing; safe to share between threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "recovery/v1/common.pb.h"
#include "services/common/calendar/calendar.h"

namespace YAML {
class Node;
}

namespace recovery::follow_up {

// How an SLA deadline is computed from the instant the clock starts.
struct SlaTarget {
  enum class Mode { kNone, kElapsed, kBusiness, kNextBusinessDay };
  Mode mode = Mode::kNone;
  absl::Duration duration = absl::ZeroDuration();  // kElapsed: wall time; kBusiness: open hours
};

struct SeveritySla {
  SlaTarget acknowledge;
  SlaTarget resolve;
};

struct ReminderPolicy {
  absl::Duration lead = absl::Hours(1);           // "before due" reminder this long ahead
  absl::Duration overdue_every = absl::Hours(4);  // overdue repeats
  int overdue_max = 6;                            // at most this many overdue repeats
  int manager_after = 2;                          // repeats beyond this go to the owner's manager
};

struct FollowUpConfig {
  std::map<recovery::v1::Severity, SeveritySla> sla;
  ReminderPolicy reminders;
  absl::Duration written_follow_up_after = absl::Hours(24);
  absl::Duration satisfaction_delay = absl::Hours(72);
  int satisfaction_low_threshold = 2;
  std::map<std::string, std::string> managers;  // person -> manager
  std::string default_calendar;
  std::map<std::string, calendar::Calendar> calendars;

  // The client's calendar, else the default one (always present after parsing).
  const calendar::Calendar& CalendarFor(const std::string& calendar_id) const;
  // The deadline of `target` for a clock started at `start`; nullopt when no SLA applies.
  std::optional<absl::Time> Deadline(const SlaTarget& target, absl::Time start, const std::string& calendar_id) const;
};

// A working default (the values in example.yaml, a Mon-Fri 09:00-17:00 UTC calendar).
FollowUpConfig DefaultConfig();

// Parses the YAML document (a null node gives DefaultConfig()). Errors name the key path,
// e.g. "sla.P4.acknowledge: expected a duration, 'next_business_day' or 'business <duration>'".
absl::StatusOr<FollowUpConfig> ParseConfig(const YAML::Node& root);

// "15m" | "next_business_day" | "business 8h" | "none".
absl::StatusOr<SlaTarget> ParseSlaTarget(const std::string& text, const std::string& path);

}  // namespace recovery::follow_up
