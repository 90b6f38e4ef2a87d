// Shared helpers for escalation domain tests: civil-time instants and small fixtures.
#pragma once

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/common/calendar/calendar.h"

namespace recovery::escalation::testing_util {

inline absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(name, &tz)) return absl::UTCTimeZone();
  return tz;
}

inline absl::Time Local(const std::string& zone, int y, int mo, int d, int h = 0, int mi = 0) {
  return calendar::ResolveCivil(absl::CivilSecond(y, mo, d, h, mi, 0), Zone(zone));
}

inline absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

inline calendar::DailyWindow W(int h1, int m1, int h2, int m2) {
  return {absl::Hours(h1) + absl::Minutes(m1), absl::Hours(h2) + absl::Minutes(m2)};
}

}  // namespace recovery::escalation::testing_util
