// Shared helpers for escalation domain tests: civil-time instants and small fixtures.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/common/calendar/calendar.h"
#include "services/common/network.h"

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

// A resolver that knows only `names` (host -> literal addresses); any other name is NOT_FOUND,
// as a name that does not exist. No DNS is asked.
inline common::HostResolver FakeResolver(std::map<std::string, std::vector<std::string>> names = {}) {
  return [names = std::move(names)](const std::string& host) -> absl::StatusOr<std::vector<common::IpAddress>> {
    auto it = names.find(host);
    if (it == names.end()) return absl::NotFoundError(absl::StrCat("cannot resolve ", host, ": unknown name"));
    std::vector<common::IpAddress> out;
    for (const std::string& a : it->second) out.push_back(*common::ParseIpAddress(a));
    return out;
  };
}

}  // namespace recovery::escalation::testing_util
