// Safety checks over a whole escalation configuration, run on every change and dry run before
// it takes effect, and the shift differences a dry run shows. Pure: time is a parameter.
//
// Every check follows the engine's own rules rather than a second copy of them: who a target
// pages is ResolveTargets (escalation.h) at an instant, shifts and gaps are ListShifts /
// FindCoverageGaps (schedule.h), whether a rule matches is RuleMatches (routing.h), and which
// contact methods a page reaches is the notification-rule expansion of the state machine.
//
// Paths are config key paths ("policies[0]", "policies[0].tiers[1]", "people[2]",
// "schedules[0]", "routing_rules[3]"); messages are one line, with instants in RFC3339 UTC
// ("2027-03-28T08:00:00Z"). The checks, by code:
//
// coverage_gap (policies[i]; blocking without a fallback, a warning with one): stretches of
//   [now, now + horizon) in which every tier of the policy resolves to nobody. A case starting
//   there skips every tier at once and exhausts: without a fallback nobody is paged at all,
//   with one only the fallback is. Team owners are not counted as cover: a case of a client
//   outside its business hours is paged on the policy alone.
// tier_gap (policies[i].tiers[j]; warning): stretches in which this tier resolves to nobody
//   while another tier of the policy does not. The engine skips the tier ("no one to page"),
//   so one level of escalation is missing there; it is not blocking because the page still
//   reaches someone.
// schedule_gap (schedules[i]; warning): FindCoverageGaps in the horizon, for a schedule a team
//   or tier uses (a team's schedule, a schedule target of a tier or of a team's owners).
// unreachable_person (people[i]; blocking): a pageable person (below) for whom a page reaches
//   no contact method: none configured, notification rules only for channels the person has
//   no method for, or only methods with an empty target. The engine still counts such a
//   person as someone to page, so their tier waits out its ack timeout with nobody notified.
// log_only (people[i]; warning): a pageable person whose pages reach only `log` methods.
// no_fallback (policies[i]; warning): the policy names no fallback person.
// unmatchable_rule (routing_rules[j]; warning): the rule matches no case (its severities and
//   max_severity leave no severity).
// shadowed_rule (routing_rules[j]; warning): the rule matches some case but never applies:
//   every case it matches is matched by an earlier rule, or by several earlier ones together.
// unrouted_cases (routing_rules; warning): some cases match no rule; the service logs them and
//   pages nobody. The message gives one such case.
//
// Pageable people: the targets of every policy's tiers and of every team's owners, and every
// policy's fallback, resolved as ResolveTargets does: a person target is that person; a
// schedule target every participant of its layers and every override person whose override
// has not ended by `now`; a team target its schedule's people if it has a schedule, else every
// member.
//
// Routing cases range over every category, client tier and client id (named in some rule or
// not) and severities P1..P4 (routing reads an unspecified severity as P3). Rule sets so large
// that one rule's representative cases exceed 50000 are not judged for that rule.
//
// Gap intervals are merged (maximal), half-open, clipped to [now, now + horizon); a message
// names the first three and counts the rest, SafetyProblem::intervals holds all of them. Only
// coverage depends on the horizon. Each list is ordered: per policy (coverage_gap, tier_gap,
// no_fallback), schedules, people, routing rules, unrouted_cases; within a kind by position in
// the configuration. Cross-references are assumed valid (ValidateEscalationConfig); an unknown
// id is skipped, never dereferenced.
//
// Thread-safety: pure functions over values.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/calendar/calendar.h"
#include "services/escalation/domain/config.h"

namespace recovery::escalation {

inline constexpr char kCoverageGap[] = "coverage_gap";
inline constexpr char kTierGap[] = "tier_gap";
inline constexpr char kScheduleGap[] = "schedule_gap";
inline constexpr char kUnreachablePerson[] = "unreachable_person";
inline constexpr char kLogOnly[] = "log_only";
inline constexpr char kShadowedRule[] = "shadowed_rule";
inline constexpr char kUnmatchableRule[] = "unmatchable_rule";
inline constexpr char kUnroutedCases[] = "unrouted_cases";
inline constexpr char kNoFallback[] = "no_fallback";

// How far ahead coverage is checked by default: two weeks, enough for a weekly rotation to
// hand off at least once in each direction.
inline constexpr absl::Duration kSafetyHorizon = absl::Hours(24 * 14);

struct SafetyProblem {
  std::string code;     // one of the k* codes above
  std::string path;     // config key path of the offending entry
  std::string message;  // one line, human readable
  // Coverage problems only: every gap interval in the horizon, merged, in order.
  std::vector<calendar::Interval> intervals;
};

struct SafetyReport {
  std::vector<SafetyProblem> blocking;  // the change must be refused
  std::vector<SafetyProblem> warnings;  // the change may go ahead; show these
  bool ok() const { return blocking.empty(); }
};

SafetyReport CheckSafety(const EscalationConfig& config, absl::Time now, absl::Duration horizon = kSafetyHorizon);

// OK when nothing blocks; otherwise FailedPrecondition whose message is a summary line and then
// one line per blocking problem: "<path>: <message> [<code>]".
absl::Status BlockingStatus(const SafetyReport& report);

// One stretch of a schedule where a dry run changes who is on call.
struct ShiftDifference {
  std::string schedule_id;
  absl::Time start;
  absl::Time end;                          // exclusive
  std::vector<std::string> before_people;  // on call before the change (empty = nobody)
  std::vector<std::string> after_people;   // on call after it
  friend bool operator==(const ShiftDifference&, const ShiftDifference&) = default;
};

// For every schedule in either configuration (before's order, then those only in `after`), the
// stretches of [from, to) where the people on call differ, from ListShifts of each side, merged
// into maximal stretches with the same (before, after) pair. A schedule present on one side
// only is compared against nobody. Empty when from >= to.
std::vector<ShiftDifference> DiffShifts(const EscalationConfig& before, const EscalationConfig& after, absl::Time from,
                                        absl::Time to);

}  // namespace recovery::escalation
