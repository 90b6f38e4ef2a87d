// Routing rules and business-hours decisions for new cases.
#include "services/escalation/domain/routing.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/escalation/domain/config.h"

namespace recovery::escalation {
namespace {

template <typename T>
bool AnyOrContains(const std::vector<T>& allowed, const T& value) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

// Bounds the alternation between two calendars; each step moves to a later window.
constexpr int kMaxJointSteps = 4096;

}  // namespace

bool RuleMatches(const RoutingRule& rule, const CaseFacts& facts) {
  if (!AnyOrContains(rule.categories, facts.category)) return false;
  if (!AnyOrContains(rule.severities, facts.severity)) return false;
  if (rule.max_severity && common::MoreUrgent(*rule.max_severity, facts.severity)) return false;
  if (!AnyOrContains(rule.client_tiers, facts.client_tier)) return false;
  if (!AnyOrContains(rule.client_ids, facts.client_id)) return false;
  return true;
}

absl::Time NextJointOpen(const calendar::Calendar& a, const calendar::Calendar* b, absl::Time t) {
  for (int i = 0; i < kMaxJointSteps && t != absl::InfiniteFuture(); ++i) {
    t = a.NextOpen(t);
    if (b == nullptr || t == absl::InfiniteFuture()) return t;
    const absl::Time tb = b->NextOpen(t);
    if (tb == t) return t;  // b open at t, and a is open at t
    t = tb;
  }
  return absl::InfiniteFuture();
}

absl::StatusOr<RoutingDecision> Route(const std::vector<RoutingRule>& rules, const std::vector<Team>& teams,
                                      const std::vector<calendar::Calendar>& calendars, const CaseFacts& facts,
                                      const calendar::Calendar* client_calendar, absl::Time now) {
  const auto rule =
      std::find_if(rules.begin(), rules.end(), [&](const RoutingRule& r) { return RuleMatches(r, facts); });
  if (rule == rules.end()) {
    return absl::NotFoundError(absl::StrCat("no routing rule matches case '", facts.case_id, "'"));
  }
  const auto team = std::find_if(teams.begin(), teams.end(), [&](const Team& t) { return t.id == rule->team_id; });
  if (team == teams.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("routing rule '", rule->id, "' names unknown team '", rule->team_id, "'"));
  }
  const auto cal = std::find_if(calendars.begin(), calendars.end(),
                                [&](const calendar::Calendar& c) { return c.id() == team->calendar_id; });
  if (cal == calendars.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("team '", team->id, "' names unknown calendar '", team->calendar_id, "'"));
  }

  RoutingDecision d;
  d.rule_id = rule->id;
  d.team_id = team->id;
  d.policy_id = team->policy_id;
  d.business_hours = cal->IsOpen(now) && (client_calendar == nullptr || client_calendar->IsOpen(now));
  if (d.business_hours) {
    d.mode = PageMode::kOwners;
    return d;
  }
  d.mode = PageMode::kOnCall;
  if (rule->hold_until_business_hours && facts.severity != recovery::v1::SEVERITY_P1) {
    const absl::Time until = NextJointOpen(*cal, client_calendar, now);
    if (until != absl::InfiniteFuture()) {
      d.mode = PageMode::kHold;
      d.hold_until = until;
    }
  }
  return d;
}

absl::StatusOr<EscalationPlan> BuildPlan(const EscalationConfig& config, const RoutingDecision& decision) {
  const Team* team = config.FindTeam(decision.team_id);
  if (team == nullptr) return absl::NotFoundError(absl::StrCat("unknown team '", decision.team_id, "'"));
  const EscalationPolicy* policy = config.FindPolicy(team->policy_id);
  if (policy == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("team '", team->id, "' names unknown policy '", team->policy_id, "'"));
  }
  EscalationPlan plan;
  plan.policy_id = policy->id;
  plan.repeats = policy->repeats;
  plan.fallback_person_id = policy->fallback_person_id;
  if (decision.mode != PageMode::kOnCall && !team->owners.empty()) {
    plan.tiers.push_back(Tier{team->owners, team->owner_ack_timeout});
  }
  plan.tiers.insert(plan.tiers.end(), policy->tiers.begin(), policy->tiers.end());
  return plan;
}

}  // namespace recovery::escalation
