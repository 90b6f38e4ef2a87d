// Trends on a generated data set, checked against a direct computation.
#include "services/follow_up/domain/trends.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <set>

namespace recovery::follow_up {
namespace {

const absl::Time kFrom = absl::FromCivil(absl::CivilSecond(2026, 1, 1, 0, 0, 0), absl::UTCTimeZone());
const absl::Time kTo = absl::FromCivil(absl::CivilSecond(2026, 4, 1, 0, 0, 0), absl::UTCTimeZone());

std::vector<CaseState> Generate(int n, unsigned seed) {
  std::mt19937 rng(seed);
  const std::vector<std::string> categories = {"billing_error", "missed_deadline", "unreachable", ""};
  const std::vector<std::string> themes = {"handover", "tooling", "communication", "capacity"};
  const std::vector<std::string> causes = {"process", "people", "system", ""};
  std::vector<CaseState> out;
  for (int i = 0; i < n; ++i) {
    CaseState c;
    c.known = true;
    c.case_id = "case-" + std::to_string(i);
    c.category = categories[rng() % categories.size()];
    c.client_id = "client-" + std::to_string(rng() % 15);
    // Some cases fall outside the period on either side.
    c.opened_at = kFrom - absl::Hours(24 * 10) + absl::Minutes(rng() % (60 * 24 * 110));
    if (rng() % 4 != 0) c.acked_at = *c.opened_at + absl::Minutes(1 + rng() % 300);
    if (rng() % 3 != 0) c.resolved_at = *c.opened_at + absl::Hours(1 + rng() % 100);
    c.breaches = rng() % 5 == 0 ? 1 + rng() % 2 : 0;
    if (rng() % 2 == 0) c.satisfaction = 1 + rng() % 5;
    for (const auto& t : themes)
      if (rng() % 3 == 0) c.themes.push_back(t);
    c.root_cause = causes[rng() % causes.size()];
    out.push_back(std::move(c));
  }
  return out;
}

// The straightforward definition, one group at a time.
TrendGroup Direct(const std::vector<CaseState>& cases, const std::string& key,
                  const std::function<bool(const CaseState&)>& in_group) {
  TrendGroup g;
  g.key = key;
  double ack_s = 0, res_s = 0, sat = 0;
  std::map<std::string, int> per_client;
  for (const auto& c : cases) {
    if (*c.opened_at < kFrom || *c.opened_at >= kTo || !in_group(c)) continue;
    g.cases++;
    if (c.breaches > 0) g.breached_cases++;
    if (c.acked_at) g.acknowledged++, ack_s += absl::ToDoubleSeconds(*c.acked_at - *c.opened_at);
    if (c.resolved_at) g.resolved++, res_s += absl::ToDoubleSeconds(*c.resolved_at - *c.opened_at);
    if (c.satisfaction) g.satisfaction_count++, sat += *c.satisfaction;
    per_client[c.client_id]++;
  }
  if (g.acknowledged) g.mean_time_to_acknowledge = absl::Seconds(ack_s / g.acknowledged);
  if (g.resolved) g.mean_time_to_resolve = absl::Seconds(res_s / g.resolved);
  if (g.satisfaction_count) g.satisfaction_average = sat / g.satisfaction_count;
  for (const auto& [client, n] : per_client)
    if (n >= 2) g.repeat_offenders.push_back(client);
  return g;
}

void ExpectSame(const TrendGroup& got, const TrendGroup& want) {
  SCOPED_TRACE(want.key);
  EXPECT_EQ(got.cases, want.cases);
  EXPECT_EQ(got.breached_cases, want.breached_cases);
  EXPECT_DOUBLE_EQ(got.breach_rate(), static_cast<double>(want.breached_cases) / want.cases);
  EXPECT_EQ(got.acknowledged, want.acknowledged);
  EXPECT_EQ(got.resolved, want.resolved);
  EXPECT_LE(absl::AbsDuration(got.mean_time_to_acknowledge - want.mean_time_to_acknowledge), absl::Milliseconds(1));
  EXPECT_LE(absl::AbsDuration(got.mean_time_to_resolve - want.mean_time_to_resolve), absl::Milliseconds(1));
  EXPECT_EQ(got.satisfaction_count, want.satisfaction_count);
  EXPECT_NEAR(got.satisfaction_average, want.satisfaction_average, 1e-9);
  EXPECT_EQ(got.repeat_offenders, want.repeat_offenders);
}

TEST(TrendsTest, GroupsByCategoryMatchTheDirectComputation) {
  const auto cases = Generate(500, 7);
  const Trends t = ComputeTrends(cases, kFrom, kTo, TrendGroupBy::kCategory);
  int total = 0;
  for (const auto& g : t.groups) {
    const std::string cat = g.key == kNoGroup ? "" : g.key;
    ExpectSame(g, Direct(cases, g.key, [&](const CaseState& c) { return c.category == cat; }));
    total += g.cases;
  }
  EXPECT_EQ(t.groups.size(), 4u);
  EXPECT_EQ(total, t.total_cases);
  EXPECT_EQ(t.total_cases, Direct(cases, "all", [](const CaseState&) { return true; }).cases);
  EXPECT_LT(t.total_cases, 500);  // some fell outside the period
  for (size_t i = 1; i < t.groups.size(); ++i) EXPECT_GE(t.groups[i - 1].cases, t.groups[i].cases);
}

TEST(TrendsTest, GroupsByClientAndRootCauseMatchTheDirectComputation) {
  const auto cases = Generate(300, 11);
  for (const auto& g : ComputeTrends(cases, kFrom, kTo, TrendGroupBy::kClient).groups)
    ExpectSame(g, Direct(cases, g.key, [&](const CaseState& c) { return c.client_id == g.key; }));
  for (const auto& g : ComputeTrends(cases, kFrom, kTo, TrendGroupBy::kRootCause).groups) {
    const std::string cause = g.key == kNoGroup ? "" : g.key;
    ExpectSame(g, Direct(cases, g.key, [&](const CaseState& c) { return c.root_cause == cause; }));
  }
}

TEST(TrendsTest, ACaseCountsUnderEachOfItsThemes) {
  const auto cases = Generate(300, 13);
  const Trends t = ComputeTrends(cases, kFrom, kTo, TrendGroupBy::kTheme);
  for (const auto& g : t.groups) {
    ExpectSame(g, Direct(cases, g.key, [&](const CaseState& c) {
                 if (g.key == kNoGroup) return c.themes.empty();
                 return std::find(c.themes.begin(), c.themes.end(), g.key) != c.themes.end();
               }));
  }
  const auto all = Direct(cases, "all", [](const CaseState&) { return true; });
  EXPECT_EQ(t.repeat_offenders, all.repeat_offenders);
}

TEST(TrendsTest, RepeatOffendersNeedTwoCasesInThePeriod) {
  std::vector<CaseState> cases(3);
  for (int i = 0; i < 3; ++i) {
    cases[i].case_id = std::to_string(i);
    cases[i].client_id = i < 2 ? "acme" : "globex";
    cases[i].category = "billing_error";
    cases[i].opened_at = kFrom + absl::Hours(i);
  }
  cases[1].opened_at = kTo;  // outside [from, to)
  EXPECT_TRUE(ComputeTrends(cases, kFrom, kTo, TrendGroupBy::kCategory).repeat_offenders.empty());
  cases[1].opened_at = kTo - absl::Seconds(1);
  EXPECT_EQ(ComputeTrends(cases, kFrom, kTo, TrendGroupBy::kCategory).repeat_offenders,
            std::vector<std::string>{"acme"});
}

}  // namespace
}  // namespace recovery::follow_up
