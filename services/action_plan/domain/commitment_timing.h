// Checks on when a promise to the client falls due: a commitment that lands at
// 03:00 or on a Sunday in the client's time zone is one nobody will be there to keep.
#ifndef RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_COMMITMENT_TIMING_H_
#define RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_COMMITMENT_TIMING_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace recovery::action_plan {

struct TimingWarning {
  enum class Code { kWeekend, kOutsideBusinessHours };
  Code code;
  std::string message;  // names the local time, e.g. "Sat 28 Nov 2026, 10:00 GMT"
};

// Default business hours: Monday to Friday, 09:00 (inclusive) to 17:30
// (exclusive), local time in `zone`.
bool IsDefaultBusinessHours(absl::Time t, absl::TimeZone zone);

// Warnings for a due instant, empty when it is fine.
// Without a predicate the default applies and yields kWeekend on Saturday/Sunday
// or kOutsideBusinessHours on a weekday outside 09:00-17:30. A caller-supplied
// predicate (e.g. the escalation service's calendar with holidays, or a Sunday to
// Thursday week) replaces the default entirely and yields kOutsideBusinessHours
// when it says no: its notion of a weekend is its own.
std::vector<TimingWarning> CheckCommitmentTiming(absl::Time due, absl::TimeZone client_time_zone,
                                                 const std::function<bool(absl::Time)>& is_business_hours = nullptr);

}  // namespace recovery::action_plan

#endif  // RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_COMMITMENT_TIMING_H_
