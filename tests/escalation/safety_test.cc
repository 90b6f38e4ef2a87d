// Unit tests for the configuration safety checks and dry-run shift differences.
#include "services/escalation/domain/safety.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/escalation/test_util.h"
#include "yaml-cpp/yaml.h"

namespace recovery::escalation {
namespace {

using calendar::Interval;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using testing_util::Utc;

// A configuration with nothing to report: a London weekly rotation that always has someone on
// call, a fallback, people with webhook or e-mail, one catch-all rule.
constexpr const char* kClean = R"(
people:
  - id: alice
    time_zone: Europe/London
    contact_methods: [{channel: webhook, target: "https://h/alice"}]
  - id: bob
    time_zone: Europe/London
    contact_methods: [{channel: webhook, target: "https://h/bob"}, {channel: email, target: bob@example.com}]
    notification_rules: [{channel: webhook, delay: 0s}, {channel: email, delay: 2m}]
  - id: erin
    time_zone: Europe/London
    contact_methods: [{channel: email, target: erin@example.com}]
  - id: zed
    time_zone: Europe/London
    contact_methods: [{channel: webhook, target: "https://h/zed"}]
calendars:
  - {id: cal, time_zone: Europe/London, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    time_zone: Europe/London
    layers: [{participants: [alice, bob], rotation: 1w, start_date: 2027-01-04, handoff_time: "09:00"}]
  - id: day
    time_zone: UTC
    layers:
      - participants: [alice]
        rotation: 1d
        start_date: 2027-01-04
        handoff_time: "00:00"
        restrictions: {mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-17:00"], sat: ["09:00-17:00"], sun: ["09:00-17:00"]}
  - id: evening
    time_zone: UTC
    layers:
      - participants: [bob]
        rotation: 1d
        start_date: 2027-01-04
        handoff_time: "00:00"
        restrictions: {mon: ["17:00-21:00"], tue: ["17:00-21:00"], wed: ["17:00-21:00"], thu: ["17:00-21:00"], fri: ["17:00-21:00"], sat: ["17:00-21:00"], sun: ["17:00-21:00"]}
policies:
  - id: pol
    tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}]
    fallback: erin
teams:
  - {id: team, calendar: cal, schedule: oncall, policy: pol}
routing_rules:
  - {id: all, team: team}
)";

// A Monday, in GMT.
const absl::Time kNow = Utc(2027, 3, 15);

// Replaces each `from` (first occurrence, in order) in `doc`; fails the test if one is absent.
std::string Edit(std::string doc, const std::vector<std::pair<std::string, std::string>>& edits) {
  for (const auto& [from, to] : edits) {
    const std::size_t at = doc.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) doc.replace(at, from.size(), to);
  }
  return doc;
}

EscalationConfig Parse(const std::string& doc) {
  absl::StatusOr<EscalationConfig> c = ParseEscalationConfig(YAML::Load(doc), common::HostResolver());
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *std::move(c) : EscalationConfig{};
}

EscalationConfig CleanWith(const std::vector<std::pair<std::string, std::string>>& edits) {
  return Parse(Edit(kClean, edits));
}

// "code path" of each problem, for compact assertions on what was found.
std::vector<std::string> Codes(const std::vector<SafetyProblem>& problems) {
  std::vector<std::string> out;
  for (const SafetyProblem& p : problems) out.push_back(absl::StrCat(p.code, " ", p.path));
  return out;
}

const SafetyProblem* Find(const std::vector<SafetyProblem>& problems, const std::string& code,
                          const std::string& path) {
  for (const SafetyProblem& p : problems) {
    if (p.code == code && p.path == path) return &p;
  }
  return nullptr;
}

Interval Iv(absl::Time a, absl::Time b) { return {a, b}; }

// Policy `pol` with the given tiers YAML, instead of the clean one.
std::pair<std::string, std::string> Tiers(const std::string& tiers) {
  return {"tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}]", absl::StrCat("tiers: ", tiers)};
}
const std::pair<std::string, std::string> kNoFallbackEdit = {"    fallback: erin\n", ""};

TEST(SafetyTest, CleanConfigurationHasNoProblems) {
  const SafetyReport r = CheckSafety(Parse(kClean), kNow);
  EXPECT_THAT(Codes(r.blocking), IsEmpty());
  EXPECT_THAT(Codes(r.warnings), IsEmpty());
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(BlockingStatus(r).ok());
}

TEST(SafetyTest, ExampleConfigurationOnlyWarnsAboutItsLogOnlyFallback) {
  const YAML::Node root = YAML::LoadFile(std::string(RECOVERY_SOURCE_DIR) + "/services/escalation/domain/example.yaml");
  const absl::StatusOr<EscalationConfig> c = ParseEscalationConfig(root, common::HostResolver());
  ASSERT_TRUE(c.ok()) << c.status();
  const SafetyReport r = CheckSafety(*c, Utc(2026, 3, 23));
  EXPECT_THAT(Codes(r.blocking), IsEmpty());
  EXPECT_THAT(Codes(r.warnings), ElementsAre("log_only people[4]"));
}

// --- Coverage ---

TEST(SafetyTest, PolicyWithoutFallbackWhoseOnlyTierHasGapsBlocksWithTheExactIntervals) {
  const EscalationConfig c = CleanWith({Tiers("[{targets: [{schedule: day}], ack_timeout: 5m}]"), kNoFallbackEdit});
  const SafetyReport r = CheckSafety(c, kNow, absl::Hours(48));
  ASSERT_THAT(Codes(r.blocking), ElementsAre("coverage_gap policies[0]"));
  const SafetyProblem& p = r.blocking[0];
  EXPECT_THAT(p.intervals,
              ElementsAre(Iv(Utc(2027, 3, 15, 0), Utc(2027, 3, 15, 9)), Iv(Utc(2027, 3, 15, 17), Utc(2027, 3, 16, 9)),
                          Iv(Utc(2027, 3, 16, 17), Utc(2027, 3, 17, 0))));
  EXPECT_THAT(p.message, HasSubstr("policy 'pol' pages nobody from 2027-03-15T00:00:00Z to 2027-03-15T09:00:00Z, "
                                   "2027-03-15T17:00:00Z to 2027-03-16T09:00:00Z, "
                                   "2027-03-16T17:00:00Z to 2027-03-17T00:00:00Z"));
  EXPECT_THAT(p.message, HasSubstr("no fallback"));
  // The schedule itself is reported too, as a warning with the same stretches.
  const SafetyProblem* s = Find(r.warnings, "schedule_gap", "schedules[1]");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->intervals, p.intervals);
  EXPECT_THAT(s->message, HasSubstr("schedule 'day' has nobody on call from 2027-03-15T00:00:00Z"));
}

TEST(SafetyTest, PolicyGapWithAFallbackIsAWarning) {
  const EscalationConfig c = CleanWith({Tiers("[{targets: [{schedule: day}], ack_timeout: 5m}]")});
  const SafetyReport r = CheckSafety(c, kNow, absl::Hours(48));
  EXPECT_THAT(Codes(r.blocking), IsEmpty());
  const SafetyProblem* p = Find(r.warnings, "coverage_gap", "policies[0]");
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(p->intervals, SizeIs(3));
  EXPECT_THAT(p->message, HasSubstr("reaches only its fallback 'erin' from 2027-03-15T00:00:00Z"));
}

TEST(SafetyTest, FullyCoveredPolicyWithoutFallbackHasNoGap) {
  const SafetyReport r = CheckSafety(CleanWith({kNoFallbackEdit}), kNow);
  EXPECT_THAT(Codes(r.blocking), IsEmpty());
  EXPECT_THAT(Codes(r.warnings), ElementsAre("no_fallback policies[0]"));
}

TEST(SafetyTest, PolicyGapIsWhereEveryTierIsEmptyAndEachTierReportsWhereItAloneIsSkipped) {
  // Day 09-17 on tier 0, evening 17-21 on tier 1: nobody at all from 21:00 to 09:00.
  const EscalationConfig c =
      CleanWith({Tiers("[{targets: [{schedule: day}], ack_timeout: 5m}, {targets: [{schedule: evening}], "
                       "ack_timeout: 5m}]"),
                 kNoFallbackEdit});
  const SafetyReport r = CheckSafety(c, kNow, absl::Hours(48));
  ASSERT_THAT(Codes(r.blocking), ElementsAre("coverage_gap policies[0]"));
  EXPECT_THAT(r.blocking[0].intervals,
              ElementsAre(Iv(Utc(2027, 3, 15, 0), Utc(2027, 3, 15, 9)), Iv(Utc(2027, 3, 15, 21), Utc(2027, 3, 16, 9)),
                          Iv(Utc(2027, 3, 16, 21), Utc(2027, 3, 17, 0))));
  const SafetyProblem* t0 = Find(r.warnings, "tier_gap", "policies[0].tiers[0]");
  const SafetyProblem* t1 = Find(r.warnings, "tier_gap", "policies[0].tiers[1]");
  ASSERT_NE(t0, nullptr);
  ASSERT_NE(t1, nullptr);
  EXPECT_THAT(t0->intervals, ElementsAre(Iv(Utc(2027, 3, 15, 17), Utc(2027, 3, 15, 21)),
                                         Iv(Utc(2027, 3, 16, 17), Utc(2027, 3, 16, 21))));
  EXPECT_THAT(t1->intervals, ElementsAre(Iv(Utc(2027, 3, 15, 9), Utc(2027, 3, 15, 17)),
                                         Iv(Utc(2027, 3, 16, 9), Utc(2027, 3, 16, 17))));
  EXPECT_THAT(t0->message, HasSubstr("tier 0 of policy 'pol' (schedule 'day') resolves to nobody from "
                                     "2027-03-15T17:00:00Z to 2027-03-15T21:00:00Z"));
}

TEST(SafetyTest, TierWithGapsBehindACoveringTierIsOnlyAWarning) {
  // The engine skips an empty tier at once, so the person tier still gets the page.
  const EscalationConfig c =
      CleanWith({Tiers("[{targets: [{schedule: day}], ack_timeout: 5m}, {targets: [{person: zed}], ack_timeout: 5m}]"),
                 kNoFallbackEdit});
  const SafetyReport r = CheckSafety(c, kNow, absl::Hours(48));
  EXPECT_THAT(Codes(r.blocking), IsEmpty());
  EXPECT_THAT(Codes(r.warnings),
              ElementsAre("tier_gap policies[0].tiers[0]", "no_fallback policies[0]", "schedule_gap schedules[1]"));
}

TEST(SafetyTest, TargetsOfOneTierCoverEachOther) {
  const EscalationConfig c =
      CleanWith({Tiers("[{targets: [{schedule: day}, {schedule: evening}, {person: zed}], ack_timeout: 5m}]")});
  const SafetyReport r = CheckSafety(c, kNow, absl::Hours(48));
  EXPECT_EQ(Find(r.warnings, "coverage_gap", "policies[0]"), nullptr);
  EXPECT_EQ(Find(r.warnings, "tier_gap", "policies[0].tiers[0]"), nullptr);
}

TEST(SafetyTest, TeamTargetWithoutScheduleOrMembersResolvesToNobodyForTheWholeHorizon) {
  const EscalationConfig c = CleanWith({Tiers("[{targets: [{team: empty}], ack_timeout: 5m}]"),
                                        kNoFallbackEdit,
                                        {"teams:\n", "teams:\n  - {id: empty, calendar: cal, policy: pol}\n"}});
  const SafetyReport r = CheckSafety(c, kNow);  // the default horizon: 14 days
  ASSERT_THAT(Codes(r.blocking), ElementsAre("coverage_gap policies[0]"));
  EXPECT_THAT(r.blocking[0].intervals, ElementsAre(Iv(kNow, Utc(2027, 3, 29))));
}

TEST(SafetyTest, TeamTargetWithMembersAndNoScheduleIsCovered) {
  const EscalationConfig c =
      CleanWith({Tiers("[{targets: [{team: ops}], ack_timeout: 5m}]"),
                 kNoFallbackEdit,
                 {"teams:\n", "teams:\n  - {id: ops, calendar: cal, policy: pol, members: [zed]}\n"}});
  const SafetyReport r = CheckSafety(c, kNow);
  EXPECT_THAT(Codes(r.blocking), IsEmpty());
}

TEST(SafetyTest, TeamTargetWithAScheduleFollowsTheScheduleNotTheMembers) {
  // As ResolveTargets: a team with a schedule pages its on-call, never its members.
  const EscalationConfig c =
      CleanWith({Tiers("[{targets: [{team: ops}], ack_timeout: 5m}]"),
                 kNoFallbackEdit,
                 {"teams:\n", "teams:\n  - {id: ops, calendar: cal, policy: pol, members: [zed], schedule: day}\n"}});
  const SafetyReport r = CheckSafety(c, kNow, absl::Hours(24));
  ASSERT_THAT(Codes(r.blocking), ElementsAre("coverage_gap policies[0]"));
  EXPECT_THAT(r.blocking[0].intervals,
              ElementsAre(Iv(Utc(2027, 3, 15, 0), Utc(2027, 3, 15, 9)), Iv(Utc(2027, 3, 15, 17), Utc(2027, 3, 16, 0))));
}

TEST(SafetyTest, RotationStartingAfterSpringForwardLeavesAGapEndingAtTheBstHandoff) {
  // London goes to BST on 2027-03-28; the first handoff, 09:00 BST on 2027-03-29, is 08:00Z.
  const EscalationConfig c =
      CleanWith({{"start_date: 2027-01-04, handoff_time: \"09:00\"", "start_date: 2027-03-29, handoff_time: \"09:00\""},
                 kNoFallbackEdit});
  const SafetyReport r = CheckSafety(c, Utc(2027, 3, 22));
  ASSERT_THAT(Codes(r.blocking), ElementsAre("coverage_gap policies[0]"));
  EXPECT_THAT(r.blocking[0].intervals, ElementsAre(Iv(Utc(2027, 3, 22), Utc(2027, 3, 29, 8))));
  EXPECT_THAT(r.blocking[0].message, HasSubstr("from 2027-03-22T00:00:00Z to 2027-03-29T08:00:00Z"));
  EXPECT_NE(Find(r.warnings, "schedule_gap", "schedules[0]"), nullptr);
}

TEST(SafetyTest, OverrideFillsAGapAndOnlyTheHorizonIsChecked) {
  // An override-only schedule covering [now - 1d, now + 14d): covered over the default horizon,
  // a one-day gap when checking 15 days.
  const std::string covered = Edit(kClean, {{"  - id: day\n", R"(  - id: cover
    time_zone: UTC
    overrides: [{person: zed, from: "2027-03-14T00:00:00Z", to: "2027-03-29T00:00:00Z"}]
  - id: day
)"},
                                            Tiers("[{targets: [{schedule: cover}], ack_timeout: 5m}]"),
                                            kNoFallbackEdit});
  EXPECT_THAT(Codes(CheckSafety(Parse(covered), kNow).blocking), IsEmpty());
  const SafetyReport r = CheckSafety(Parse(covered), kNow, absl::Hours(24 * 15));
  ASSERT_THAT(Codes(r.blocking), ElementsAre("coverage_gap policies[0]"));
  EXPECT_THAT(r.blocking[0].intervals, ElementsAre(Iv(Utc(2027, 3, 29), Utc(2027, 3, 30))));
}

TEST(SafetyTest, GapMessageListsTheFirstThreeStretchesAndCountsTheRest) {
  const EscalationConfig c = CleanWith({Tiers("[{targets: [{schedule: day}], ack_timeout: 5m}]"), kNoFallbackEdit});
  const SafetyReport r = CheckSafety(c, kNow);
  ASSERT_THAT(Codes(r.blocking), ElementsAre("coverage_gap policies[0]"));
  EXPECT_THAT(r.blocking[0].intervals, SizeIs(15));  // 00-09 on day one, then 17-09 each night
  EXPECT_THAT(r.blocking[0].message, HasSubstr("2027-03-16T17:00:00Z to 2027-03-17T09:00:00Z and 12 more"));
}

TEST(SafetyTest, ScheduleGapsAreReportedOnlyForSchedulesInUse) {
  // `day` and `evening` have gaps but nothing uses them.
  EXPECT_EQ(Find(CheckSafety(Parse(kClean), kNow).warnings, "schedule_gap", "schedules[1]"), nullptr);
  // Used as a team's schedule, or by a team's owners, they are reported.
  const SafetyReport r =
      CheckSafety(CleanWith({{"teams:\n",
                              "teams:\n  - {id: ops, calendar: cal, policy: pol, schedule: day, owners: "
                              "[{schedule: evening}]}\n"}}),
                  kNow);
  EXPECT_THAT(Codes(r.warnings), ElementsAre("schedule_gap schedules[1]", "schedule_gap schedules[2]"));
  EXPECT_THAT(Codes(r.blocking), IsEmpty());
}

TEST(SafetyTest, ZeroHorizonChecksNoCoverage) {
  const EscalationConfig c = CleanWith({Tiers("[{targets: [{schedule: day}], ack_timeout: 5m}]"), kNoFallbackEdit});
  EXPECT_THAT(Codes(CheckSafety(c, kNow, absl::ZeroDuration()).blocking), IsEmpty());
}

// --- Reachability ---

// `zed` made pageable through one route each; with no contact method each must block.
struct PageRoute {
  std::string name;
  std::vector<std::pair<std::string, std::string>> edits;
  std::string via;  // expected in the message
};

std::vector<PageRoute> PageableRoutes() {
  return {
      {"tier person target",
       {Tiers("[{targets: [{schedule: oncall}], ack_timeout: 5m}, {targets: [{person: zed}], ack_timeout: 5m}]")},
       "policies[0].tiers[1].targets[0] (person 'zed')"},
      {"schedule participant",
       {{"participants: [alice, bob], rotation: 1w", "participants: [alice, bob, zed], rotation: 1w"}},
       "policies[0].tiers[0].targets[0] (schedule 'oncall')"},
      {"current override",
       {{"layers: [{participants: [alice, bob], rotation: 1w",
         "overrides: [{person: zed, from: \"2027-03-10T00:00:00Z\", to: \"2027-03-16T00:00:00Z\"}]\n"
         "    layers: [{participants: [alice, bob], rotation: 1w"}},
       "policies[0].tiers[0].targets[0] (schedule 'oncall')"},
      {"member of a team without schedule",
       {Tiers("[{targets: [{team: ops}], ack_timeout: 5m}]"),
        {"teams:\n", "teams:\n  - {id: ops, calendar: cal, policy: pol, members: [zed]}\n"}},
       "policies[0].tiers[0].targets[0] (team 'ops')"},
      {"team owner",
       {{"schedule: oncall, policy: pol}", "schedule: oncall, policy: pol, owners: [{person: zed}]}"}},
       "teams[0].owners[0] (person 'zed')"},
      {"fallback", {{"fallback: erin", "fallback: zed"}}, "policies[0].fallback"},
  };
}

EscalationConfig WithoutContactMethods(EscalationConfig c, const std::string& person) {
  for (Person& p : c.people) {
    if (p.id == person) {
      p.contact_methods.clear();
      p.notification_rules.clear();
    }
  }
  return c;
}

TEST(SafetyTest, PageablePersonWithoutContactMethodsBlocksOnEveryRoute) {
  for (const PageRoute& route : PageableRoutes()) {
    SCOPED_TRACE(route.name);
    const EscalationConfig c = CleanWith(route.edits);
    EXPECT_THAT(Codes(CheckSafety(c, kNow).blocking), IsEmpty());  // zed has a webhook
    const SafetyReport r = CheckSafety(WithoutContactMethods(c, "zed"), kNow);
    ASSERT_THAT(Codes(r.blocking), ElementsAre("unreachable_person people[3]"));
    EXPECT_THAT(r.blocking[0].message, HasSubstr("person 'zed' cannot be reached: has no contact methods"));
    EXPECT_THAT(r.blocking[0].message, HasSubstr(absl::StrCat("paged via ", route.via)));
  }
}

TEST(SafetyTest, PersonWhoCannotBePagedNeedsNoContactMethod) {
  const std::vector<std::vector<std::pair<std::string, std::string>>> not_pageable = {
      {},  // in no schedule, policy or team
      // A member of a team with a schedule: the team target pages the schedule's on-call.
      {Tiers("[{targets: [{team: ops}], ack_timeout: 5m}]"),
       {"teams:\n", "teams:\n  - {id: ops, calendar: cal, policy: pol, members: [zed], schedule: oncall}\n"}},
      // An override that ended before now.
      {{"layers: [{participants: [alice, bob], rotation: 1w",
        "overrides: [{person: zed, from: \"2027-03-10T00:00:00Z\", to: \"2027-03-14T00:00:00Z\"}]\n"
        "    layers: [{participants: [alice, bob], rotation: 1w"}},
      // A participant of a schedule nothing pages.
      {{"participants: [alice]\n", "participants: [alice, zed]\n"}},
  };
  for (std::size_t i = 0; i < not_pageable.size(); ++i) {
    SCOPED_TRACE(i);
    const SafetyReport r = CheckSafety(WithoutContactMethods(CleanWith(not_pageable[i]), "zed"), kNow);
    EXPECT_THAT(Codes(r.blocking), IsEmpty());
  }
}

TEST(SafetyTest, NotificationRulesThatReachNoContactMethodBlock) {
  // Validation of YAML rejects this; a configuration built through the API need not have been.
  EscalationConfig c = Parse(kClean);
  c.people[1].notification_rules = {{Channel::kLog, absl::ZeroDuration()}};  // bob: webhook and email only
  const SafetyReport r = CheckSafety(c, kNow);
  ASSERT_THAT(Codes(r.blocking), ElementsAre("unreachable_person people[1]"));
  EXPECT_THAT(r.blocking[0].message,
              HasSubstr("person 'bob' cannot be reached: has notification rules only for log, for which there is "
                        "no contact method"));
}

TEST(SafetyTest, ContactMethodsWithEmptyTargetsBlock) {
  EscalationConfig c = Parse(kClean);
  c.people[0].contact_methods[0].target.clear();  // alice
  const SafetyReport r = CheckSafety(c, kNow);
  ASSERT_THAT(Codes(r.blocking), ElementsAre("unreachable_person people[0]"));
  EXPECT_THAT(r.blocking[0].message, HasSubstr("empty target"));
}

TEST(SafetyTest, OneDeliverableRuleIsEnough) {
  EscalationConfig c = Parse(kClean);
  c.people[1].notification_rules = {{Channel::kLog, absl::ZeroDuration()}, {Channel::kEmail, absl::Minutes(1)}};
  EXPECT_THAT(Codes(CheckSafety(c, kNow).blocking), IsEmpty());
  EXPECT_THAT(Codes(CheckSafety(c, kNow).warnings), IsEmpty());
}

TEST(SafetyTest, PersonPagedOnlyOnTheLogChannelIsAWarning) {
  const EscalationConfig c = CleanWith({{"contact_methods: [{channel: webhook, target: \"https://h/alice\"}]",
                                         "contact_methods: [{channel: log, target: alice}]"}});
  const SafetyReport r = CheckSafety(c, kNow);
  EXPECT_THAT(Codes(r.blocking), IsEmpty());
  ASSERT_THAT(Codes(r.warnings), ElementsAre("log_only people[0]"));
  EXPECT_THAT(r.warnings[0].message, HasSubstr("person 'alice' is paged only on the log channel"));
}

TEST(SafetyTest, NotificationRulesReachingOnlyLogAreAWarningEvenWithOtherMethods) {
  const EscalationConfig c =
      CleanWith({{"contact_methods: [{channel: webhook, target: \"https://h/alice\"}]",
                  "contact_methods: [{channel: webhook, target: \"https://h/alice\"}, {channel: log, target: a}]\n"
                  "    notification_rules: [{channel: log, delay: 0s}]"}});
  EXPECT_THAT(Codes(CheckSafety(c, kNow).warnings), ElementsAre("log_only people[0]"));
}

TEST(SafetyTest, LogBesidesARealChannelIsFine) {
  const EscalationConfig c =
      CleanWith({{"contact_methods: [{channel: webhook, target: \"https://h/alice\"}]",
                  "contact_methods: [{channel: log, target: alice}, {channel: email, target: alice@example.com}]"}});
  EXPECT_THAT(Codes(CheckSafety(c, kNow).warnings), IsEmpty());
}

// --- Routing ---

EscalationConfig WithRules(const std::string& rules) {
  return CleanWith({{"routing_rules:\n  - {id: all, team: team}\n", absl::StrCat("routing_rules:\n", rules)}});
}

TEST(SafetyTest, RuleAfterACatchAllIsShadowed) {
  const SafetyReport r = CheckSafety(WithRules("  - {id: all, team: team}\n"
                                               "  - {id: p1, severities: [P1], categories: [outage], team: team}\n"),
                                     kNow);
  ASSERT_THAT(Codes(r.warnings), ElementsAre("shadowed_rule routing_rules[1]"));
  EXPECT_EQ(r.warnings[0].message,
            "routing rule 'p1' never applies: every case it matches is matched first by routing rule 'all' "
            "(routing_rules[0])");
}

TEST(SafetyTest, NarrowerRuleBeforeABroaderOneShadowsNothing) {
  const SafetyReport r = CheckSafety(WithRules("  - {id: p1, severities: [P1], categories: [outage], team: team}\n"
                                               "  - {id: all, team: team}\n"),
                                     kNow);
  EXPECT_THAT(Codes(r.warnings), IsEmpty());
}

TEST(SafetyTest, MaxSeverityCoversTheSeveritiesUpToIt) {
  // max_severity P2 = P1 or P2.
  EXPECT_THAT(Codes(CheckSafety(WithRules("  - {id: a, max_severity: P2, team: team}\n"
                                          "  - {id: b, severities: [P1, P2], team: team}\n"
                                          "  - {id: all, team: team}\n"),
                                kNow)
                        .warnings),
              ElementsAre("shadowed_rule routing_rules[1]"));
  EXPECT_THAT(Codes(CheckSafety(WithRules("  - {id: a, severities: [P2, P1], team: team}\n"
                                          "  - {id: b, max_severity: P2, team: team}\n"
                                          "  - {id: all, team: team}\n"),
                                kNow)
                        .warnings),
              ElementsAre("shadowed_rule routing_rules[1]"));
  EXPECT_THAT(Codes(CheckSafety(WithRules("  - {id: a, max_severity: P2, team: team}\n"
                                          "  - {id: b, severities: [P2, P3], team: team}\n"
                                          "  - {id: all, team: team}\n"),
                                kNow)
                        .warnings),
              IsEmpty());
}

TEST(SafetyTest, EveryCriterionMustBeCovered) {
  const char* earlier = "  - {id: a, categories: [outage], client_tiers: [gold], team: team}\n";
  // Narrower on every criterion: shadowed.
  EXPECT_THAT(Codes(CheckSafety(WithRules(absl::StrCat(earlier,
                                                       "  - {id: b, categories: [outage], client_tiers: [gold], "
                                                       "client_ids: [acme], severities: [P1], team: team}\n"
                                                       "  - {id: all, team: team}\n")),
                                kNow)
                        .warnings),
              ElementsAre("shadowed_rule routing_rules[1]"));
  // One category the earlier rule does not name: not shadowed.
  EXPECT_THAT(Codes(CheckSafety(WithRules(absl::StrCat(earlier,
                                                       "  - {id: b, categories: [outage, billing], "
                                                       "client_tiers: [gold], team: team}\n"
                                                       "  - {id: all, team: team}\n")),
                                kNow)
                        .warnings),
              IsEmpty());
  // No client tier criterion (any tier) while the earlier one needs gold: not shadowed.
  EXPECT_THAT(Codes(CheckSafety(WithRules(absl::StrCat(earlier,
                                                       "  - {id: b, categories: [outage], team: team}\n"
                                                       "  - {id: all, team: team}\n")),
                                kNow)
                        .warnings),
              IsEmpty());
}

TEST(SafetyTest, SeveralEarlierRulesTogetherCanShadowARule) {
  const SafetyReport r = CheckSafety(WithRules("  - {id: urgent, max_severity: P2, team: team}\n"
                                               "  - {id: gold, client_tiers: [gold], team: team}\n"
                                               "  - {id: low, severities: [P3, P4], team: team}\n"
                                               "  - {id: outage, categories: [outage], team: team}\n"),
                                     kNow);
  ASSERT_THAT(Codes(r.warnings), ElementsAre("shadowed_rule routing_rules[3]"));
  EXPECT_THAT(r.warnings[0].message,
              HasSubstr("matched first by routing rule 'urgent' (routing_rules[0]), routing rule 'gold' "
                        "(routing_rules[1]), routing rule 'low' (routing_rules[2]) together"));
}

TEST(SafetyTest, RuleWhoseSeveritiesAndMaxSeverityExcludeEachOtherMatchesNothing) {
  const SafetyReport r = CheckSafety(WithRules("  - {id: odd, severities: [P4], max_severity: P2, team: team}\n"
                                               "  - {id: all, team: team}\n"),
                                     kNow);
  ASSERT_THAT(Codes(r.warnings), ElementsAre("unmatchable_rule routing_rules[0]"));
  EXPECT_THAT(r.warnings[0].message, HasSubstr("routing rule 'odd' matches no case"));
}

TEST(SafetyTest, CasesNoRuleMatchesAreReportedWithAnExample) {
  const SafetyReport r = CheckSafety(WithRules("  - {id: outage, categories: [outage], team: team}\n"
                                               "  - {id: urgent, max_severity: P3, team: team}\n"),
                                     kNow);
  ASSERT_THAT(Codes(r.warnings), ElementsAre("unrouted_cases routing_rules"));
  EXPECT_THAT(r.warnings[0].message, HasSubstr("e.g. severity P4, category any no rule names"));
  // Together the rules route everything: P4 outages by the first, the rest by the second.
  EXPECT_THAT(Codes(CheckSafety(WithRules("  - {id: outage, categories: [outage], team: team}\n"
                                          "  - {id: urgent, max_severity: P3, team: team}\n"
                                          "  - {id: low, severities: [P4], team: team}\n"),
                                kNow)
                        .warnings),
              IsEmpty());
}

TEST(SafetyTest, NoRulesAtAllLeaveEveryCaseUnrouted) {
  EscalationConfig c = Parse(kClean);
  c.routing_rules.clear();
  EXPECT_THAT(Codes(CheckSafety(c, kNow).warnings), ElementsAre("unrouted_cases routing_rules"));
}

// --- Fallback ---

TEST(SafetyTest, PolicyWithoutFallbackIsAWarning) {
  const SafetyReport r = CheckSafety(CleanWith({kNoFallbackEdit}), kNow);
  ASSERT_THAT(Codes(r.warnings), ElementsAre("no_fallback policies[0]"));
  EXPECT_THAT(r.warnings[0].message, HasSubstr("policy 'pol' has no fallback"));
  EXPECT_THAT(Codes(CheckSafety(Parse(kClean), kNow).warnings), IsEmpty());
}

// --- The blocking status ---

TEST(SafetyTest, BlockingStatusListsEachBlockingProblemOnItsOwnLine) {
  EscalationConfig c = CleanWith({Tiers("[{targets: [{schedule: day}], ack_timeout: 5m}]"), kNoFallbackEdit});
  c.people[0].contact_methods.clear();  // alice, on `day`
  const SafetyReport r = CheckSafety(c, kNow, absl::Hours(48));
  ASSERT_THAT(r.blocking, SizeIs(2));
  const absl::Status s = BlockingStatus(r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  const std::vector<std::string> lines = absl::StrSplit(s.message(), '\n');
  ASSERT_THAT(lines, SizeIs(3));
  EXPECT_EQ(lines[0], "the configuration is unsafe (2 blocking problems):");
  EXPECT_THAT(lines[1], ::testing::StartsWith("policies[0]: policy 'pol' pages nobody from "));
  EXPECT_THAT(lines[1], ::testing::EndsWith(" [coverage_gap]"));
  EXPECT_THAT(lines[2], ::testing::StartsWith("people[0]: person 'alice' cannot be reached"));
  EXPECT_THAT(lines[2], ::testing::EndsWith(" [unreachable_person]"));
}

TEST(SafetyTest, WarningsAloneDoNotBlock) {
  const SafetyReport r = CheckSafety(CleanWith({kNoFallbackEdit}), kNow);
  EXPECT_FALSE(r.warnings.empty());
  EXPECT_TRUE(BlockingStatus(r).ok());
}

// --- Shift differences ---

// One schedule `oncall` in `zone`: a weekly rotation of `participants` from `start_date` at
// `handoff` local time.
EscalationConfig Rotation(const std::string& zone, const std::string& participants, const std::string& start_date,
                          const std::string& handoff) {
  return Parse(absl::StrCat(R"(
people:
  - {id: alice, time_zone: UTC, contact_methods: [{channel: email, target: a@example.com}]}
  - {id: bob, time_zone: UTC, contact_methods: [{channel: email, target: b@example.com}]}
  - {id: carol, time_zone: UTC, contact_methods: [{channel: email, target: c@example.com}]}
calendars:
  - {id: cal, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    time_zone: )",
                            zone, R"(
    layers: [{participants: )",
                            participants, ", rotation: 1w, start_date: ", start_date, ", handoff_time: \"", handoff,
                            R"("}]
policies:
  - {id: pol, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}]}
teams:
  - {id: team, calendar: cal, schedule: oncall, policy: pol}
routing_rules:
  - {id: all, team: team}
)"));
}

using People = std::vector<std::string>;

ShiftDifference Diff(absl::Time start, absl::Time end, People before, People after) {
  return ShiftDifference{"oncall", start, end, std::move(before), std::move(after)};
}

TEST(DiffShiftsTest, IdenticalConfigurationsHaveNoDifferences) {
  const EscalationConfig c = Rotation("Europe/London", "[alice, bob]", "2027-10-18", "09:00");
  EXPECT_THAT(DiffShifts(c, c, Utc(2027, 10, 1), Utc(2027, 12, 1)), IsEmpty());
}

TEST(DiffShiftsTest, ParticipantOrderChangeAcrossLondonFallBack) {
  // BST ends 2027-10-31: the 25 Oct handoff is 09:00 BST = 08:00Z, the 1 Nov one 09:00 GMT = 09:00Z.
  const EscalationConfig before = Rotation("Europe/London", "[alice, bob]", "2027-10-18", "09:00");
  const EscalationConfig after = Rotation("Europe/London", "[bob, alice]", "2027-10-18", "09:00");
  EXPECT_THAT(DiffShifts(before, after, Utc(2027, 10, 24), Utc(2027, 11, 8, 12)),
              ElementsAre(Diff(Utc(2027, 10, 24), Utc(2027, 10, 25, 8), {"alice"}, {"bob"}),
                          Diff(Utc(2027, 10, 25, 8), Utc(2027, 11, 1, 9), {"bob"}, {"alice"}),
                          Diff(Utc(2027, 11, 1, 9), Utc(2027, 11, 8, 9), {"alice"}, {"bob"}),
                          Diff(Utc(2027, 11, 8, 9), Utc(2027, 11, 8, 12), {"bob"}, {"alice"})));
}

TEST(DiffShiftsTest, HandoffTimeChangeAcrossLondonFallBack) {
  // 09:00 -> 10:00 local: the hour between the two handoffs changes hands, at 08:00Z-09:00Z in
  // BST and at 09:00Z-10:00Z in GMT.
  const EscalationConfig before = Rotation("Europe/London", "[alice, bob]", "2027-10-18", "09:00");
  const EscalationConfig after = Rotation("Europe/London", "[alice, bob]", "2027-10-18", "10:00");
  EXPECT_THAT(DiffShifts(before, after, Utc(2027, 10, 24), Utc(2027, 11, 8, 12)),
              ElementsAre(Diff(Utc(2027, 10, 25, 8), Utc(2027, 10, 25, 9), {"bob"}, {"alice"}),
                          Diff(Utc(2027, 11, 1, 9), Utc(2027, 11, 1, 10), {"alice"}, {"bob"}),
                          Diff(Utc(2027, 11, 8, 9), Utc(2027, 11, 8, 10), {"bob"}, {"alice"})));
}

TEST(DiffShiftsTest, HandoffTimeChangeAcrossLondonSpringForward) {
  // BST starts 2027-03-28: 09:00 GMT = 09:00Z on 22 Mar, 09:00 BST = 08:00Z from 29 Mar. The new
  // rotation starts at 10:00 on 22 Mar, so before that nobody is on call on it.
  const EscalationConfig before = Rotation("Europe/London", "[alice, bob]", "2027-03-22", "09:00");
  const EscalationConfig after = Rotation("Europe/London", "[alice, bob]", "2027-03-22", "10:00");
  EXPECT_THAT(DiffShifts(before, after, Utc(2027, 3, 22), Utc(2027, 4, 5, 12)),
              ElementsAre(Diff(Utc(2027, 3, 22, 9), Utc(2027, 3, 22, 10), {"alice"}, {}),
                          Diff(Utc(2027, 3, 29, 8), Utc(2027, 3, 29, 9), {"bob"}, {"alice"}),
                          Diff(Utc(2027, 4, 5, 8), Utc(2027, 4, 5, 9), {"alice"}, {"bob"})));
}

TEST(DiffShiftsTest, ParticipantOrderChangeAcrossNewYorkSpringForward) {
  // EDT starts 2027-03-14: 09:00 EST = 14:00Z on 8 Mar, 09:00 EDT = 13:00Z from 15 Mar.
  const EscalationConfig before = Rotation("America/New_York", "[alice, bob]", "2027-03-08", "09:00");
  const EscalationConfig after = Rotation("America/New_York", "[bob, alice]", "2027-03-08", "09:00");
  EXPECT_THAT(DiffShifts(before, after, Utc(2027, 3, 8, 14), Utc(2027, 3, 22, 13)),
              ElementsAre(Diff(Utc(2027, 3, 8, 14), Utc(2027, 3, 15, 13), {"alice"}, {"bob"}),
                          Diff(Utc(2027, 3, 15, 13), Utc(2027, 3, 22, 13), {"bob"}, {"alice"})));
}

TEST(DiffShiftsTest, HandoffTimeChangeAcrossNewYorkFallBack) {
  // EST returns 2027-11-07. Before: 09:00 local = 13:00Z (EDT, 1 Nov), 14:00Z (EST, 8 and 15
  // Nov); after: 08:00 local = 12:00Z, then 13:00Z.
  const EscalationConfig before = Rotation("America/New_York", "[alice, bob]", "2027-11-01", "09:00");
  const EscalationConfig after = Rotation("America/New_York", "[alice, bob]", "2027-11-01", "08:00");
  EXPECT_THAT(DiffShifts(before, after, Utc(2027, 11, 1, 12), Utc(2027, 11, 15, 15)),
              ElementsAre(Diff(Utc(2027, 11, 1, 12), Utc(2027, 11, 1, 13), {}, {"alice"}),
                          Diff(Utc(2027, 11, 8, 13), Utc(2027, 11, 8, 14), {"alice"}, {"bob"}),
                          Diff(Utc(2027, 11, 15, 13), Utc(2027, 11, 15, 14), {"bob"}, {"alice"})));
}

TEST(DiffShiftsTest, ScheduleOnOneSideOnlyIsComparedAgainstNobody) {
  const EscalationConfig with = Rotation("UTC", "[alice, bob]", "2027-01-04", "09:00");
  EscalationConfig without = with;
  without.schedules.clear();
  EXPECT_THAT(DiffShifts(without, with, Utc(2027, 1, 4), Utc(2027, 1, 12)),
              ElementsAre(Diff(Utc(2027, 1, 4, 9), Utc(2027, 1, 11, 9), {}, {"alice"}),
                          Diff(Utc(2027, 1, 11, 9), Utc(2027, 1, 12), {}, {"bob"})));
  EXPECT_THAT(DiffShifts(with, without, Utc(2027, 1, 4), Utc(2027, 1, 12)),
              ElementsAre(Diff(Utc(2027, 1, 4, 9), Utc(2027, 1, 11, 9), {"alice"}, {}),
                          Diff(Utc(2027, 1, 11, 9), Utc(2027, 1, 12), {"bob"}, {})));
}

TEST(DiffShiftsTest, StretchesWithTheSamePairMergeAcrossShiftsOfTheSamePerson) {
  // Before, an override of alice inside her own week splits ListShifts into three shifts; after,
  // carol covers the week: one difference.
  EscalationConfig before = Rotation("UTC", "[alice, bob]", "2027-01-04", "09:00");
  before.schedules[0].overrides.push_back(Override{"alice", Utc(2027, 1, 6), Utc(2027, 1, 7)});
  ASSERT_THAT(ListShifts(before.schedules[0], Utc(2027, 1, 4, 9), Utc(2027, 1, 11, 9)), SizeIs(3));
  const EscalationConfig after = Rotation("UTC", "[carol]", "2027-01-04", "09:00");
  EXPECT_THAT(DiffShifts(before, after, Utc(2027, 1, 4, 9), Utc(2027, 1, 11, 9)),
              ElementsAre(Diff(Utc(2027, 1, 4, 9), Utc(2027, 1, 11, 9), {"alice"}, {"carol"})));
}

TEST(DiffShiftsTest, OverrideShowsAsItsOwnStretch) {
  const EscalationConfig before = Rotation("UTC", "[alice, bob]", "2027-01-04", "09:00");
  EscalationConfig after = before;
  after.schedules[0].overrides.push_back(Override{"carol", Utc(2027, 1, 10, 22), Utc(2027, 1, 11, 12)});
  EXPECT_THAT(DiffShifts(before, after, Utc(2027, 1, 4), Utc(2027, 1, 18)),
              ElementsAre(Diff(Utc(2027, 1, 10, 22), Utc(2027, 1, 11, 9), {"alice"}, {"carol"}),
                          Diff(Utc(2027, 1, 11, 9), Utc(2027, 1, 11, 12), {"bob"}, {"carol"})));
}

TEST(DiffShiftsTest, SchedulesComeInBeforesOrderThenThoseOnlyAfter) {
  EscalationConfig before = Rotation("UTC", "[alice]", "2027-01-04", "09:00");
  EscalationConfig after = Rotation("UTC", "[bob]", "2027-01-04", "09:00");
  Schedule extra = after.schedules[0];
  extra.id = "extra";
  after.schedules.insert(after.schedules.begin(), extra);
  const std::vector<ShiftDifference> d = DiffShifts(before, after, Utc(2027, 1, 5), Utc(2027, 1, 6));
  ASSERT_THAT(d, SizeIs(2));
  EXPECT_EQ(d[0].schedule_id, "oncall");
  EXPECT_EQ(d[1].schedule_id, "extra");
  EXPECT_EQ(d[1].before_people, People{});
  EXPECT_EQ(d[1].after_people, People{"bob"});
}

TEST(DiffShiftsTest, EmptyRangeHasNoDifferences) {
  const EscalationConfig a = Rotation("UTC", "[alice]", "2027-01-04", "09:00");
  const EscalationConfig b = Rotation("UTC", "[bob]", "2027-01-04", "09:00");
  EXPECT_THAT(DiffShifts(a, b, Utc(2027, 1, 6), Utc(2027, 1, 6)), IsEmpty());
  EXPECT_THAT(DiffShifts(a, b, Utc(2027, 1, 7), Utc(2027, 1, 6)), IsEmpty());
}

}  // namespace
}  // namespace recovery::escalation
