// On-call schedules: layered civil-time rotations with weekly restrictions and overrides, and
// the pure queries over them (who is on call at an instant, the final shift list, gaps).
//
// Rotation boundaries are civil times in the schedule's zone: handoff n is at
// `start + n * length` in local wall-clock terms (a daily 09:00 handoff stays at 09:00 across
// DST; a 12h rotation hands off at 09:00 and 21:00 local). Boundaries are turned into instants
// with calendar::ResolveCivil: a handoff that falls in a spring-forward gap happens at the gap's
// transition instant (`trans`), one that falls in a fall-back overlap at its first occurrence
// (`pre`). Because that mapping is monotone, consecutive shifts always touch: a shift spanning
// the spring-forward gap is one hour shorter in absolute time, one spanning the fall-back
// overlap one hour longer, and nobody is on call twice. (Only a slot lying wholly inside a gap,
// e.g. a 1h rotation's 02:00-03:00 slot on New York's spring-forward day, has no instants.)
//
// Precedence at an instant: the last-listed active override, else the highest active layer
// (layers later in the list are higher), else nobody. A layer is active where its restrictions
// (weekly local windows, schedule zone) are open, and only from its start onwards.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/common/calendar/calendar.h"

namespace recovery::escalation {

enum class RotationUnit { kHours, kDays, kWeeks };

struct RotationLayer {
  std::string name;
  std::vector<std::string> participants;  // person ids, in rotation order
  RotationUnit unit = RotationUnit::kWeeks;
  int length = 1;           // in `unit`s, > 0
  absl::CivilSecond start;  // start date + handoff time, local civil time
  // Weekly local windows in which the layer is active; nullopt = always active.
  std::optional<calendar::WeeklyHours> restrictions;
  // Derived by MakeSchedule from `restrictions` (same zone as the schedule); do not set by hand.
  std::optional<calendar::Calendar> active_hours;
};

struct Override {
  std::string person_id;
  absl::Time start;
  absl::Time end;  // exclusive
};

struct Schedule {
  std::string id;
  std::string name;
  std::string time_zone_name;
  absl::TimeZone time_zone;
  std::vector<RotationLayer> layers;  // index 0 is the lowest layer
  std::vector<Override> overrides;
};

// Builds a validated schedule (zone loaded, layers and overrides checked). Errors name the field
// relative to the schedule ("layers[0].participants: ...").
absl::StatusOr<Schedule> MakeSchedule(std::string id, std::string name, std::string time_zone_name,
                                      std::vector<RotationLayer> layers, std::vector<Override> overrides);

// Layer value of a Shift that comes from an override.
inline constexpr int kOverrideLayer = -1;

struct Shift {
  std::string person_id;
  absl::Time start;
  absl::Time end;  // exclusive
  int layer;       // index into Schedule::layers, or kOverrideLayer
  friend bool operator==(const Shift&, const Shift&) = default;
};

// Person ids on call at `t` (at most one today; a vector so callers need not change if layers
// ever page several people). Empty when nobody covers `t`.
std::vector<std::string> WhoIsOnCallAt(const Schedule& schedule, absl::Time t);

// The final (merged) schedule over [from, to): contiguous, non-overlapping shifts clipped to the
// range, one per maximal stretch of the same person from the same layer.
std::vector<Shift> ListShifts(const Schedule& schedule, absl::Time from, absl::Time to);

// Stretches of [from, to) that nobody covers.
std::vector<calendar::Interval> FindCoverageGaps(const Schedule& schedule, absl::Time from, absl::Time to);

// The instant of handoff `n` of `layer` (n may be negative); exposed for tests and previews.
absl::Time HandoffInstant(const Schedule& schedule, const RotationLayer& layer, long long n);

}  // namespace recovery::escalation
