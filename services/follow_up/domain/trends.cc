// Trend aggregation over case facts.
#include "services/follow_up/domain/trends.h"

#include <algorithm>
#include <map>

namespace recovery::follow_up {
namespace {

std::vector<std::string> KeysOf(const CaseState& c, TrendGroupBy by) {
  std::vector<std::string> keys;
  switch (by) {
    case TrendGroupBy::kCategory:
      keys.push_back(c.category);
      break;
    case TrendGroupBy::kClient:
      keys.push_back(c.client_id);
      break;
    case TrendGroupBy::kRootCause:
      keys.push_back(c.root_cause);
      break;
    case TrendGroupBy::kTheme:
      keys = c.themes;
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      if (keys.empty()) keys.push_back("");
      break;
  }
  for (auto& k : keys)
    if (k.empty()) k = kNoGroup;
  return keys;
}

std::vector<std::string> RepeatOffenders(const std::map<std::string, int>& per_client) {
  std::vector<std::string> out;
  for (const auto& [client, n] : per_client)
    if (!client.empty() && n >= 2) out.push_back(client);
  return out;
}

struct Acc {
  TrendGroup g;
  absl::Duration ack_sum = absl::ZeroDuration();
  absl::Duration resolve_sum = absl::ZeroDuration();
  long satisfaction_sum = 0;
  std::map<std::string, int> per_client;
};

}  // namespace

Trends ComputeTrends(const std::vector<CaseState>& cases, absl::Time from, absl::Time to, TrendGroupBy by) {
  std::map<std::string, Acc> groups;
  std::map<std::string, int> per_client;
  Trends t;
  for (const CaseState& c : cases) {
    if (!c.opened_at || *c.opened_at < from || *c.opened_at >= to) continue;
    ++t.total_cases;
    ++per_client[c.client_id];
    for (const std::string& key : KeysOf(c, by)) {
      Acc& a = groups[key];
      a.g.key = key;
      ++a.g.cases;
      if (c.breaches > 0) ++a.g.breached_cases;
      if (c.acked_at) {
        ++a.g.acknowledged;
        a.ack_sum += *c.acked_at - *c.opened_at;
      }
      if (c.resolved_at) {
        ++a.g.resolved;
        a.resolve_sum += *c.resolved_at - *c.opened_at;
      }
      if (c.satisfaction) {
        ++a.g.satisfaction_count;
        a.satisfaction_sum += *c.satisfaction;
      }
      ++a.per_client[c.client_id];
    }
  }
  for (auto& [key, a] : groups) {
    if (a.g.acknowledged > 0) a.g.mean_time_to_acknowledge = a.ack_sum / a.g.acknowledged;
    if (a.g.resolved > 0) a.g.mean_time_to_resolve = a.resolve_sum / a.g.resolved;
    if (a.g.satisfaction_count > 0)
      a.g.satisfaction_average = static_cast<double>(a.satisfaction_sum) / a.g.satisfaction_count;
    a.g.repeat_offenders = RepeatOffenders(a.per_client);
    t.groups.push_back(std::move(a.g));
  }
  std::stable_sort(t.groups.begin(), t.groups.end(),
                   [](const TrendGroup& a, const TrendGroup& b) { return a.cases > b.cases; });
  t.repeat_offenders = RepeatOffenders(per_client);
  return t;
}

}  // namespace recovery::follow_up
