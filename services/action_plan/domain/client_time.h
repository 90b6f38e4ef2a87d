// How instants are shown to clients: in their own time zone, unambiguous,
// e.g. "Wed 25 Nov 2026, 10:00 GMT".
#ifndef RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_CLIENT_TIME_H_
#define RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_CLIENT_TIME_H_

#include <string>

#include "absl/time/time.h"

namespace recovery::action_plan {

// Day of month without padding, 24-hour clock, zone abbreviation of that instant
// (so summer and winter time read differently: GMT vs BST).
std::string FormatClientTime(absl::Time t, absl::TimeZone zone);

}  // namespace recovery::action_plan

#endif  // RECOVERY_SERVICES_ACTION_PLAN_DOMAIN_CLIENT_TIME_H_
