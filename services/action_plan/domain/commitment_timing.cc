// Business-hours checks on commitment due instants.
#include "services/action_plan/domain/commitment_timing.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/action_plan/domain/client_time.h"

namespace recovery::action_plan {
namespace {

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday wd = absl::GetWeekday(day);
  return wd == absl::Weekday::saturday || wd == absl::Weekday::sunday;
}

}  // namespace

bool IsDefaultBusinessHours(absl::Time t, absl::TimeZone zone) {
  const absl::CivilSecond local = absl::ToCivilSecond(t, zone);
  if (IsWeekend(absl::CivilDay(local))) return false;
  const int minute_of_day = local.hour() * 60 + local.minute();
  return minute_of_day >= 9 * 60 && minute_of_day < 17 * 60 + 30;
}

std::vector<TimingWarning> CheckCommitmentTiming(absl::Time due, absl::TimeZone client_time_zone,
                                                 const std::function<bool(absl::Time)>& is_business_hours) {
  std::vector<TimingWarning> warnings;
  const std::string local = FormatClientTime(due, client_time_zone);
  if (is_business_hours) {
    if (!is_business_hours(due)) {
      warnings.push_back({TimingWarning::Code::kOutsideBusinessHours,
                          absl::StrCat("due ", local, " is outside the client's business hours")});
    }
    return warnings;
  }
  if (IsWeekend(absl::ToCivilDay(due, client_time_zone))) {
    warnings.push_back(
        {TimingWarning::Code::kWeekend, absl::StrCat("due ", local, " falls on a weekend for the client")});
  } else if (!IsDefaultBusinessHours(due, client_time_zone)) {
    warnings.push_back({TimingWarning::Code::kOutsideBusinessHours,
                        absl::StrCat("due ", local, " is outside the client's business hours (Mon-Fri 09:00-17:30)")});
  }
  return warnings;
}

}  // namespace recovery::action_plan
