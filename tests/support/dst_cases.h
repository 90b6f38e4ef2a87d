// The DST matrix that calendar and schedule tests run against: one zone per kind of transition
// (Europe at 01:00 UTC, the US at 02:00 local, the southern hemisphere's reversed seasons, and a
// zone without DST), as gtest parameters named after the zone.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace recovery::testing {

struct DstCase {
  std::string zone;
  absl::CivilDay spring;  // day the clocks go forward
  absl::CivilDay fall;    // day the clocks go back
  bool has_dst;

  // How much shorter the spring day (and longer the fall day) is.
  absl::Duration Delta() const { return has_dst ? absl::Hours(1) : absl::ZeroDuration(); }
};

// Names the case by its zone in failure messages and ctest names.
inline void PrintTo(const DstCase& c, std::ostream* os) { *os << c.zone; }

// The 2026 transitions of each zone.
inline auto DstCases() {
  return ::testing::Values(DstCase{"Europe/London", absl::CivilDay(2026, 3, 29), absl::CivilDay(2026, 10, 25), true},
                           DstCase{"America/New_York", absl::CivilDay(2026, 3, 8), absl::CivilDay(2026, 11, 1), true},
                           DstCase{"Australia/Sydney", absl::CivilDay(2026, 10, 4), absl::CivilDay(2026, 4, 5), true},
                           DstCase{"Asia/Kolkata", absl::CivilDay(2026, 3, 29), absl::CivilDay(2026, 10, 25), false});
}

// Test name suffix: the zone with '/' as '_' ("Europe_London").
inline std::string DstCaseName(const ::testing::TestParamInfo<DstCase>& info) {
  std::string name = info.param.zone;
  for (char& ch : name) {
    if (ch == '/') ch = '_';
  }
  return name;
}

}  // namespace recovery::testing
