// Shared helpers for the action-plan domain tests: time zones, instants and the
// shipped YAML files (found via RECOVERY_SOURCE_DIR).
#ifndef RECOVERY_TESTS_ACTION_PLAN_TEST_UTIL_H_
#define RECOVERY_TESTS_ACTION_PLAN_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace recovery::action_plan::testing {

inline absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << "time zone data missing for " << name;
  return tz;
}

inline absl::Time At(const std::string& zone, int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), Zone(zone));
}

inline std::string SourcePath(const std::string& relative) { return std::string(RECOVERY_SOURCE_DIR) + "/" + relative; }

inline std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace recovery::action_plan::testing

#endif  // RECOVERY_TESTS_ACTION_PLAN_TEST_UTIL_H_
