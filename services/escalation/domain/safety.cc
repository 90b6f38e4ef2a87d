// Safety checks over an escalation configuration and dry-run shift differences (see safety.h).
#include "services/escalation/domain/safety.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/yaml_fields.h"
#include "services/escalation/domain/escalation.h"
#include "services/escalation/domain/routing.h"

namespace recovery::escalation {
namespace {

using calendar::Interval;
using yaml_fields::Index;
using yaml_fields::Key;

// How many gap intervals (or paging sources) a message spells out before counting the rest.
constexpr std::size_t kListedInMessage = 3;

// Routing cases a shadowing check may enumerate for one rule; beyond it the rule is not judged
// (configurations hold tens of rules with a few values each, far below this).
constexpr std::size_t kMaxRoutingCells = 50000;

std::string Instant(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

std::string Quote(absl::string_view s) { return absl::StrCat("'", s, "'"); }

// "A to B, C to D, E to F and 2 more".
std::string DescribeIntervals(const std::vector<Interval>& intervals) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < intervals.size() && i < kListedInMessage; ++i) {
    parts.push_back(absl::StrCat(Instant(intervals[i].start), " to ", Instant(intervals[i].end)));
  }
  std::string out = absl::StrJoin(parts, ", ");
  if (intervals.size() > kListedInMessage) absl::StrAppend(&out, " and ", intervals.size() - kListedInMessage, " more");
  return out;
}

std::string DescribeTargets(const std::vector<Target>& targets) {
  std::vector<std::string> parts;
  for (const Target& t : targets) parts.push_back(absl::StrCat(TargetKindName(t.kind), " ", Quote(t.id)));
  return absl::StrJoin(parts, ", ");
}

// Appends [start, end) to sorted, disjoint `out`, merging with a touching last interval.
void AppendMerged(std::vector<Interval>& out, absl::Time start, absl::Time end) {
  if (!(start < end)) return;
  if (!out.empty() && out.back().end == start) {
    out.back().end = end;
    return;
  }
  out.push_back({start, end});
}

// Both sorted, disjoint, merged.
std::vector<Interval> Intersect(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::vector<Interval> out;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    AppendMerged(out, std::max(a[i].start, b[j].start), std::min(a[i].end, b[j].end));
    if (a[i].end < b[j].end) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

// a minus b; both sorted, disjoint, merged.
std::vector<Interval> Subtract(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::vector<Interval> out;
  std::size_t j = 0;
  for (const Interval& x : a) {
    absl::Time cursor = x.start;
    while (j < b.size() && b[j].end <= cursor) ++j;
    for (std::size_t k = j; k < b.size() && b[k].start < x.end; ++k) {
      AppendMerged(out, cursor, std::min(b[k].start, x.end));
      cursor = std::max(cursor, b[k].end);
    }
    AppendMerged(out, cursor, x.end);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Coverage.

class Coverage {
 public:
  Coverage(const EscalationConfig& config, absl::Time from, absl::Time to) : config_(config), from_(from), to_(to) {
    for (const Schedule& s : config.schedules) shifts_[s.id] = ListShifts(s, from, to);
  }

  // Merged stretches of [from, to) in which ResolveTargets(targets) is empty. Between two
  // consecutive shift boundaries of the schedules the targets reach, nobody's on-call status
  // changes, so resolving once per stretch (at its start) is exact.
  std::vector<Interval> NobodyIntervals(const std::vector<Target>& targets) const {
    std::vector<absl::Time> cuts = {from_, to_};
    for (const Target& t : targets) {
      std::string schedule_id;
      if (t.kind == TargetKind::kSchedule) schedule_id = t.id;
      if (t.kind == TargetKind::kTeam) {
        if (const Team* team = config_.FindTeam(t.id)) schedule_id = team->schedule_id;
      }
      const auto it = shifts_.find(schedule_id);
      if (it == shifts_.end()) continue;
      for (const Shift& s : it->second) {
        cuts.push_back(s.start);
        cuts.push_back(s.end);
      }
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::vector<Interval> gaps;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      if (cuts[i] < from_ || cuts[i + 1] > to_) continue;
      if (ResolveTargets(config_, targets, cuts[i]).empty()) AppendMerged(gaps, cuts[i], cuts[i + 1]);
    }
    return gaps;
  }

 private:
  const EscalationConfig& config_;
  absl::Time from_;
  absl::Time to_;
  std::map<std::string, std::vector<Shift>> shifts_;
};

void CheckPolicies(const EscalationConfig& config, const Coverage& coverage, SafetyReport& report) {
  for (std::size_t i = 0; i < config.policies.size(); ++i) {
    const EscalationPolicy& policy = config.policies[i];
    const std::string path = Index("policies", i);
    std::vector<std::vector<Interval>> tier_gaps;
    std::optional<std::vector<Interval>> policy_gaps;
    for (const Tier& tier : policy.tiers) {
      tier_gaps.push_back(coverage.NobodyIntervals(tier.targets));
      policy_gaps = policy_gaps ? Intersect(*policy_gaps, tier_gaps.back()) : tier_gaps.back();
    }
    const bool has_fallback = !policy.fallback_person_id.empty();
    if (policy_gaps && !policy_gaps->empty()) {
      SafetyProblem p{kCoverageGap, path, "", *policy_gaps};
      if (has_fallback) {
        p.message =
            absl::StrCat("policy ", Quote(policy.id), " reaches only its fallback ", Quote(policy.fallback_person_id),
                         " from ", DescribeIntervals(*policy_gaps), ": every tier resolves to nobody then");
        report.warnings.push_back(std::move(p));
      } else {
        p.message = absl::StrCat("policy ", Quote(policy.id), " pages nobody from ", DescribeIntervals(*policy_gaps),
                                 ": every tier resolves to nobody then and there is no fallback, so a case routed "
                                 "to it is not paged");
        report.blocking.push_back(std::move(p));
      }
    }
    for (std::size_t t = 0; t < tier_gaps.size(); ++t) {
      // Where every tier is empty the policy-level problem says it; here only the stretches
      // where this tier is skipped while another pages.
      std::vector<Interval> skipped = Subtract(tier_gaps[t], policy_gaps ? *policy_gaps : std::vector<Interval>{});
      if (skipped.empty()) continue;
      report.warnings.push_back(
          SafetyProblem{kTierGap, Index(Key(path, "tiers"), t),
                        absl::StrCat("tier ", t, " of policy ", Quote(policy.id), " (",
                                     DescribeTargets(policy.tiers[t].targets), ") resolves to nobody from ",
                                     DescribeIntervals(skipped), ": escalation skips it at once (no one to page)"),
                        std::move(skipped)});
    }
    if (!has_fallback) {
      report.warnings.push_back(SafetyProblem{
          kNoFallback,
          path,
          absl::StrCat("policy ", Quote(policy.id),
                       " has no fallback: when every pass goes unacknowledged the escalation ends with nobody "
                       "else paged"),
          {}});
    }
  }
}

// Schedules a team or a tier uses (a team's schedule, schedule targets of tiers and owners).
std::set<std::string> UsedSchedules(const EscalationConfig& config) {
  std::set<std::string> used;
  auto add_targets = [&](const std::vector<Target>& targets) {
    for (const Target& t : targets) {
      if (t.kind == TargetKind::kSchedule) used.insert(t.id);
    }
  };
  for (const EscalationPolicy& policy : config.policies) {
    for (const Tier& tier : policy.tiers) add_targets(tier.targets);
  }
  for (const Team& team : config.teams) {
    if (!team.schedule_id.empty()) used.insert(team.schedule_id);
    add_targets(team.owners);
  }
  return used;
}

void CheckSchedules(const EscalationConfig& config, absl::Time from, absl::Time to, SafetyReport& report) {
  const std::set<std::string> used = UsedSchedules(config);
  for (std::size_t i = 0; i < config.schedules.size(); ++i) {
    const Schedule& s = config.schedules[i];
    if (!used.contains(s.id)) continue;
    std::vector<Interval> gaps = FindCoverageGaps(s, from, to);
    if (gaps.empty()) continue;
    report.warnings.push_back(SafetyProblem{
        kScheduleGap, Index("schedules", i),
        absl::StrCat("schedule ", Quote(s.id), " has nobody on call from ", DescribeIntervals(gaps)), std::move(gaps)});
  }
}

// ---------------------------------------------------------------------------------------------
// Reachability.

// Person id -> how they can be paged ("policies[0].tiers[1].targets[0] (schedule 'x')"), in
// the order found.
class PageableSet {
 public:
  PageableSet(const EscalationConfig& config, absl::Time now) : config_(config), now_(now) {}

  void AddTargets(const std::vector<Target>& targets, const std::string& path) {
    for (std::size_t k = 0; k < targets.size(); ++k) {
      const Target& t = targets[k];
      const std::string via = absl::StrCat(Index(path, k), " (", TargetKindName(t.kind), " ", Quote(t.id), ")");
      switch (t.kind) {
        case TargetKind::kPerson:
          Add(t.id, via);
          break;
        case TargetKind::kSchedule:
          AddSchedule(t.id, via);
          break;
        case TargetKind::kTeam:
          if (const Team* team = config_.FindTeam(t.id)) {
            // As ResolveTargets: the team's schedule if it has one (that exists), else its members.
            if (!team->schedule_id.empty() && config_.FindSchedule(team->schedule_id) != nullptr) {
              AddSchedule(team->schedule_id, via);
            } else {
              for (const std::string& m : team->members) Add(m, via);
            }
          }
          break;
      }
    }
  }

  void Add(const std::string& person_id, const std::string& via) {
    std::vector<std::string>& ways = via_[person_id];
    if (std::find(ways.begin(), ways.end(), via) == ways.end()) ways.push_back(via);
  }

  bool Contains(const std::string& person_id) const { return via_.contains(person_id); }
  const std::vector<std::string>& via(const std::string& person_id) const { return via_.at(person_id); }

 private:
  void AddSchedule(const std::string& schedule_id, const std::string& via) {
    const Schedule* s = config_.FindSchedule(schedule_id);
    if (s == nullptr) return;
    for (const RotationLayer& layer : s->layers) {
      for (const std::string& p : layer.participants) Add(p, via);
    }
    for (const Override& o : s->overrides) {
      if (o.end > now_) Add(o.person_id, via);
    }
  }

  const EscalationConfig& config_;
  absl::Time now_;
  std::map<std::string, std::vector<std::string>> via_;
};

// The contact methods a page to `person` reaches, as the state machine expands them: each
// notification rule (or, with none, every method at once) reaches the methods of its channel.
std::vector<const ContactMethod*> ReachedMethods(const Person& person) {
  std::vector<Channel> channels;
  for (const NotificationRule& r : person.notification_rules) channels.push_back(r.channel);
  if (person.notification_rules.empty()) {
    for (const ContactMethod& m : person.contact_methods) channels.push_back(m.channel);
  }
  std::vector<const ContactMethod*> out;
  for (Channel c : channels) {
    for (const ContactMethod& m : person.contact_methods) {
      if (m.channel == c && std::find(out.begin(), out.end(), &m) == out.end()) out.push_back(&m);
    }
  }
  return out;
}

std::string DescribeVia(const std::vector<std::string>& via) {
  std::vector<std::string> listed(via.begin(), via.begin() + std::min(via.size(), kListedInMessage));
  std::string out = absl::StrCat("paged via ", absl::StrJoin(listed, ", "));
  if (via.size() > kListedInMessage) absl::StrAppend(&out, " and ", via.size() - kListedInMessage, " more");
  return out;
}

void CheckPeople(const EscalationConfig& config, absl::Time now, SafetyReport& report) {
  PageableSet pageable(config, now);
  for (std::size_t i = 0; i < config.policies.size(); ++i) {
    const EscalationPolicy& policy = config.policies[i];
    const std::string path = Index("policies", i);
    for (std::size_t t = 0; t < policy.tiers.size(); ++t) {
      pageable.AddTargets(policy.tiers[t].targets, Key(Index(Key(path, "tiers"), t), "targets"));
    }
    if (!policy.fallback_person_id.empty()) pageable.Add(policy.fallback_person_id, Key(path, "fallback"));
  }
  for (std::size_t i = 0; i < config.teams.size(); ++i) {
    pageable.AddTargets(config.teams[i].owners, Key(Index("teams", i), "owners"));
  }
  // People nobody can page are not judged; unknown ids (which ResolveTargets skips) never show.
  for (std::size_t i = 0; i < config.people.size(); ++i) {
    const Person& person = config.people[i];
    const std::string& id = person.id;
    if (!pageable.Contains(id)) continue;
    const std::string path = Index("people", i);
    const std::string via = DescribeVia(pageable.via(id));
    const std::vector<const ContactMethod*> reached = ReachedMethods(person);
    std::vector<const ContactMethod*> deliverable;
    for (const ContactMethod* m : reached) {
      if (!m->target.empty()) deliverable.push_back(m);
    }
    if (deliverable.empty()) {
      std::string why;
      if (person.contact_methods.empty()) {
        why = "has no contact methods";
      } else if (reached.empty()) {
        std::vector<std::string> named;
        for (const NotificationRule& r : person.notification_rules) {
          const std::string c(ChannelName(r.channel));
          if (std::find(named.begin(), named.end(), c) == named.end()) named.push_back(c);
        }
        why = absl::StrCat("has notification rules only for ", absl::StrJoin(named, ", "),
                           ", for which there is no contact method");
      } else {
        why = "has only contact methods with an empty target among those the notification rules reach";
      }
      report.blocking.push_back(
          SafetyProblem{kUnreachablePerson,
                        path,
                        absl::StrCat("person ", Quote(id), " cannot be reached: ", why, " (", via,
                                     "); a page to them reaches no one and their tier waits out its ack timeout"),
                        {}});
      continue;
    }
    if (std::all_of(deliverable.begin(), deliverable.end(),
                    [](const ContactMethod* m) { return m->channel == Channel::kLog; })) {
      report.warnings.push_back(SafetyProblem{
          kLogOnly,
          path,
          absl::StrCat("person ", Quote(id), " is paged only on the log channel, which notifies nobody (", via, ")"),
          {}});
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Routing.
//
// Whether a rule matches depends, per dimension, only on whether the case's value is one the
// rule names (or the rule names none). So for a set of rules, the values they name plus one
// value none of them names stand for every case: a finite set of representative cases
// ("cells") on which RuleMatches decides exactly what it decides on all cases.

const Severity kSeverities[] = {recovery::v1::SEVERITY_P1, recovery::v1::SEVERITY_P2, recovery::v1::SEVERITY_P3,
                                recovery::v1::SEVERITY_P4};

enum class Dim { kCategory, kClientTier, kClientId };

const std::vector<std::string>& Values(const RoutingRule& r, Dim d) {
  switch (d) {
    case Dim::kCategory:
      return r.categories;
    case Dim::kClientTier:
      return r.client_tiers;
    case Dim::kClientId:
      return r.client_ids;
  }
  return r.categories;
}

// A value of `d` that no rule names.
std::string UnnamedValue(const std::vector<RoutingRule>& rules, Dim d) {
  std::string v = "(unnamed)";
  auto named = [&](const std::string& x) {
    return std::any_of(rules.begin(), rules.end(), [&](const RoutingRule& r) {
      const std::vector<std::string>& vs = Values(r, d);
      return std::find(vs.begin(), vs.end(), x) != vs.end();
    });
  };
  while (named(v)) v += "'";
  return v;
}

struct Cells {
  std::vector<std::string> values[3];  // by Dim
  std::string unnamed[3];

  std::size_t Count() const { return 4 * values[0].size() * values[1].size() * values[2].size(); }

  template <typename Visit>  // bool(const CaseFacts&): false stops
  void ForEach(Visit visit) const {
    CaseFacts f;
    for (Severity s : kSeverities) {
      f.severity = s;
      for (const std::string& c : values[0]) {
        f.category = c;
        for (const std::string& t : values[1]) {
          f.client_tier = t;
          for (const std::string& id : values[2]) {
            f.client_id = id;
            if (!visit(f)) return;
          }
        }
      }
    }
  }
};

// Cells for the cases `rule` may match, as far as rules [0, end) can tell them apart.
Cells CellsOf(const std::vector<RoutingRule>& rules, std::size_t end, const RoutingRule* rule) {
  Cells cells;
  for (Dim d : {Dim::kCategory, Dim::kClientTier, Dim::kClientId}) {
    const int k = static_cast<int>(d);
    cells.unnamed[k] = UnnamedValue(rules, d);
    std::vector<std::string> named;  // by rules [0, end), first-seen order
    for (std::size_t r = 0; r < end; ++r) {
      for (const std::string& v : Values(rules[r], d)) {
        if (std::find(named.begin(), named.end(), v) == named.end()) named.push_back(v);
      }
    }
    const std::vector<std::string>* own = rule == nullptr ? nullptr : &Values(*rule, d);
    if (own == nullptr || own->empty()) {
      cells.values[k] = named;
      cells.values[k].push_back(cells.unnamed[k]);
      continue;
    }
    // The rule's own values: those earlier rules name stand for themselves, the rest behave
    // alike for rules [0, end) and one of them stands for all.
    bool other_added = false;
    for (const std::string& v : *own) {
      const bool earlier = std::find(named.begin(), named.end(), v) != named.end();
      if (earlier) {
        if (std::find(cells.values[k].begin(), cells.values[k].end(), v) == cells.values[k].end()) {
          cells.values[k].push_back(v);
        }
      } else if (!other_added) {
        cells.values[k].push_back(v);
        other_added = true;
      }
    }
  }
  return cells;
}

std::string RuleName(const std::vector<RoutingRule>& rules, std::size_t i) {
  return absl::StrCat("routing rule ", Quote(rules[i].id), " (", Index("routing_rules", i), ")");
}

void CheckRoutingRules(const EscalationConfig& config, SafetyReport& report) {
  const std::vector<RoutingRule>& rules = config.routing_rules;
  for (std::size_t j = 0; j < rules.size(); ++j) {
    const Cells cells = CellsOf(rules, j, &rules[j]);
    if (cells.Count() > kMaxRoutingCells) continue;
    bool matches_some = false;
    bool covered = true;
    std::vector<bool> covers_all(j, true);  // earlier rule k matches every case rule j matches
    std::vector<bool> covers_some(j, false);
    cells.ForEach([&](const CaseFacts& f) {
      if (!RuleMatches(rules[j], f)) return true;
      matches_some = true;
      bool any = false;
      for (std::size_t k = 0; k < j; ++k) {
        const bool m = RuleMatches(rules[k], f);
        covers_all[k] = covers_all[k] && m;
        covers_some[k] = covers_some[k] || m;
        any = any || m;
      }
      covered = covered && any;
      return true;
    });
    const std::string path = Index("routing_rules", j);
    if (!matches_some) {
      report.warnings.push_back(SafetyProblem{
          kUnmatchableRule,
          path,
          absl::StrCat("routing rule ", Quote(rules[j].id),
                       " matches no case: its severities and max_severity leave no severity from P1 to P4"),
          {}});
      continue;
    }
    if (!covered) continue;
    std::string by;
    const auto single = std::find(covers_all.begin(), covers_all.end(), true);
    if (single != covers_all.end()) {
      by = RuleName(rules, static_cast<std::size_t>(single - covers_all.begin()));
    } else {
      std::vector<std::string> names;
      for (std::size_t k = 0; k < j; ++k) {
        if (covers_some[k]) names.push_back(RuleName(rules, k));
      }
      by = absl::StrCat(absl::StrJoin(names, ", "), " together");
    }
    report.warnings.push_back(
        SafetyProblem{kShadowedRule,
                      path,
                      absl::StrCat("routing rule ", Quote(rules[j].id),
                                   " never applies: every case it matches is matched first by ", by),
                      {}});
  }

  // Cases no rule matches.
  const bool catch_all = std::any_of(rules.begin(), rules.end(), [](const RoutingRule& r) {
    return r.categories.empty() && r.severities.empty() && r.client_tiers.empty() && r.client_ids.empty() &&
           (!r.max_severity || *r.max_severity == recovery::v1::SEVERITY_P4);
  });
  if (catch_all) return;
  const Cells cells = CellsOf(rules, rules.size(), nullptr);
  if (cells.Count() > kMaxRoutingCells) return;
  std::optional<CaseFacts> unrouted;
  cells.ForEach([&](const CaseFacts& f) {
    if (std::any_of(rules.begin(), rules.end(), [&](const RoutingRule& r) { return RuleMatches(r, f); })) return true;
    unrouted = f;
    return false;
  });
  if (!unrouted) return;
  auto describe = [&](const std::string& v, Dim d) {
    return v == cells.unnamed[static_cast<int>(d)] ? std::string("any no rule names") : Quote(v);
  };
  report.warnings.push_back(
      SafetyProblem{kUnroutedCases,
                    "routing_rules",
                    absl::StrCat("some cases match no routing rule and are never paged, e.g. severity ",
                                 common::SeverityName(unrouted->severity), ", category ",
                                 describe(unrouted->category, Dim::kCategory), ", client tier ",
                                 describe(unrouted->client_tier, Dim::kClientTier), ", client id ",
                                 describe(unrouted->client_id, Dim::kClientId)),
                    {}});
}

// ---------------------------------------------------------------------------------------------
// Shift differences.

// People on call at `t` from a ListShifts answer, walking `at` forward (t never decreases).
std::vector<std::string> PeopleAt(const std::vector<Shift>& shifts, std::size_t& at, absl::Time t) {
  while (at < shifts.size() && shifts[at].end <= t) ++at;
  if (at < shifts.size() && shifts[at].start <= t) return {shifts[at].person_id};
  return {};
}

void DiffSchedule(const std::string& id, const Schedule* before, const Schedule* after, absl::Time from, absl::Time to,
                  std::vector<ShiftDifference>& out) {
  const std::vector<Shift> b = before != nullptr ? ListShifts(*before, from, to) : std::vector<Shift>{};
  const std::vector<Shift> a = after != nullptr ? ListShifts(*after, from, to) : std::vector<Shift>{};
  std::vector<absl::Time> cuts = {from, to};
  for (const std::vector<Shift>* list : {&b, &a}) {
    for (const Shift& s : *list) {
      cuts.push_back(s.start);
      cuts.push_back(s.end);
    }
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::size_t bi = 0, ai = 0;
  const std::size_t first = out.size();
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    std::vector<std::string> was = PeopleAt(b, bi, cuts[i]);
    std::vector<std::string> is = PeopleAt(a, ai, cuts[i]);
    if (was == is) continue;
    if (out.size() > first && out.back().end == cuts[i] && out.back().before_people == was &&
        out.back().after_people == is) {
      out.back().end = cuts[i + 1];
      continue;
    }
    out.push_back(ShiftDifference{id, cuts[i], cuts[i + 1], std::move(was), std::move(is)});
  }
}

}  // namespace

SafetyReport CheckSafety(const EscalationConfig& config, absl::Time now, absl::Duration horizon) {
  SafetyReport report;
  const absl::Time end = now + std::max(horizon, absl::ZeroDuration());
  const Coverage coverage(config, now, end);
  CheckPolicies(config, coverage, report);
  CheckSchedules(config, now, end, report);
  CheckPeople(config, now, report);
  CheckRoutingRules(config, report);
  return report;
}

absl::Status BlockingStatus(const SafetyReport& report) {
  if (report.blocking.empty()) return absl::OkStatus();
  std::string message = absl::StrCat("the configuration is unsafe (", report.blocking.size(), " blocking problem",
                                     report.blocking.size() == 1 ? "" : "s", "):");
  for (const SafetyProblem& p : report.blocking)
    absl::StrAppend(&message, "\n", p.path, ": ", p.message, " [", p.code, "]");
  return absl::FailedPreconditionError(message);
}

std::vector<ShiftDifference> DiffShifts(const EscalationConfig& before, const EscalationConfig& after, absl::Time from,
                                        absl::Time to) {
  std::vector<ShiftDifference> out;
  if (!(from < to)) return out;
  for (const Schedule& s : before.schedules) DiffSchedule(s.id, &s, after.FindSchedule(s.id), from, to, out);
  for (const Schedule& s : after.schedules) {
    if (before.FindSchedule(s.id) == nullptr) DiffSchedule(s.id, nullptr, &s, from, to, out);
  }
  return out;
}

}  // namespace recovery::escalation
