// Case routing: which rule applies, which team owns the case, whether it is business hours for
// both the team and the client, and so whether to page the owners, the on-call chain, or hold.
// Pure functions of their arguments; `now` is passed in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/calendar/calendar.h"
#include "services/escalation/domain/model.h"

namespace recovery::escalation {

struct EscalationConfig;

enum class PageMode {
  kOwners,  // business hours: the team's owner tier first, then the policy
  kOnCall,  // after hours: the team's policy (on-call schedule first)
  kHold,    // after hours, low severity: wait until `hold_until`, then page the owners
};

struct RoutingDecision {
  std::string rule_id;
  std::string team_id;
  std::string policy_id;
  bool business_hours = false;           // team calendar open AND client calendar (if any) open
  std::optional<absl::Time> hold_until;  // set only with PageMode::kHold
  PageMode mode = PageMode::kOnCall;
};

bool RuleMatches(const RoutingRule& rule, const CaseFacts& facts);

// The first instant >= t at which `a` and (if given) `b` are both open; InfiniteFuture() if that
// never happens within the calendars' search horizon.
absl::Time NextJointOpen(const calendar::Calendar& a, const calendar::Calendar* b, absl::Time t);

// First matching rule wins. NotFound if no rule matches; FailedPrecondition if the rule's team
// or the team's calendar is missing. P1 is never held. A hold that could never end (the two
// calendars are never open together) pages on-call instead.
absl::StatusOr<RoutingDecision> Route(const std::vector<RoutingRule>& rules, const std::vector<Team>& teams,
                                      const std::vector<calendar::Calendar>& calendars, const CaseFacts& facts,
                                      const calendar::Calendar* client_calendar, absl::Time now);

// The tiers an escalation runs for a decision: the team's policy, with the owner tier in front
// in business hours (and for holds, which end in business hours).
struct EscalationPlan {
  std::string policy_id;
  std::vector<Tier> tiers;
  int repeats = 0;
  std::string fallback_person_id;
};
absl::StatusOr<EscalationPlan> BuildPlan(const EscalationConfig& config, const RoutingDecision& decision);

}  // namespace recovery::escalation
