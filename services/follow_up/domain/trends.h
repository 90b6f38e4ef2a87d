// Trends over the per-case facts: complaints seen as patterns, not anomalies. Pure.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/follow_up/domain/follow_up.h"

namespace recovery::follow_up {

enum class TrendGroupBy { kCategory, kClient, kTheme, kRootCause };

inline constexpr char kNoGroup[] = "(none)";

struct TrendGroup {
  std::string key;
  int cases = 0;
  int breached_cases = 0;
  int acknowledged = 0;
  int resolved = 0;
  absl::Duration mean_time_to_acknowledge = absl::ZeroDuration();
  absl::Duration mean_time_to_resolve = absl::ZeroDuration();
  int satisfaction_count = 0;
  double satisfaction_average = 0;
  std::vector<std::string> repeat_offenders;  // sorted client ids with >= 2 cases in the group
  double breach_rate() const { return cases == 0 ? 0.0 : static_cast<double>(breached_cases) / cases; }
};

struct Trends {
  std::vector<TrendGroup> groups;  // by cases desc, then key
  int total_cases = 0;
  std::vector<std::string> repeat_offenders;  // over all cases in the period
};

// Cases opened in [from, to), grouped. A case with several themes counts in each theme's group;
// a case without the grouping value counts under kNoGroup.
Trends ComputeTrends(const std::vector<CaseState>& cases, absl::Time from, absl::Time to, TrendGroupBy by);

}  // namespace recovery::follow_up
