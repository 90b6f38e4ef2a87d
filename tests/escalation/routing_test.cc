// Unit tests for routing: first match, business hours for team and client, holds, P1.
#include "services/escalation/domain/routing.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/escalation/fixture.h"

namespace recovery::escalation {
namespace {

using testing_util::Local;
using testing_util::MakeFixture;
using testing_util::Utc;

RoutingRule Rule(std::string id, std::string team) {
  RoutingRule r;
  r.id = std::move(id);
  r.team_id = std::move(team);
  return r;
}

CaseFacts Facts(Severity sev, std::string category = "outage", std::string tier = "gold", std::string client = "acme") {
  return CaseFacts{"case-1", std::move(category), sev, std::move(tier), std::move(client), "", ""};
}

class RoutingTest : public ::testing::Test {
 protected:
  EscalationConfig config_ = MakeFixture();
  // Monday 2026-01-05 10:00 London (in hours) and 20:00 London (after hours).
  absl::Time in_hours_ = Local("Europe/London", 2026, 1, 5, 10);
  absl::Time after_hours_ = Local("Europe/London", 2026, 1, 5, 20);
};

TEST_F(RoutingTest, FirstMatchingRuleWins) {
  RoutingRule billing = Rule("billing", "other");
  billing.categories = {"billing"};
  RoutingRule gold = Rule("gold", "platform");
  gold.client_tiers = {"gold"};
  RoutingRule any = Rule("any", "other");
  absl::StatusOr<RoutingDecision> d = Route({billing, gold, any}, config_.teams, config_.calendars,
                                            Facts(recovery::v1::SEVERITY_P3), nullptr, in_hours_);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->rule_id, "gold");
  EXPECT_EQ(d->team_id, "platform");
  EXPECT_EQ(d->policy_id, "default");
}

TEST_F(RoutingTest, RuleCriteriaMatchSetsMaxSeverityTiersAndClients) {
  RoutingRule r = Rule("r", "platform");
  EXPECT_TRUE(RuleMatches(r, Facts(recovery::v1::SEVERITY_P4)));  // empty = any
  r.max_severity = recovery::v1::SEVERITY_P2;
  EXPECT_TRUE(RuleMatches(r, Facts(recovery::v1::SEVERITY_P1)));
  EXPECT_TRUE(RuleMatches(r, Facts(recovery::v1::SEVERITY_P2)));
  EXPECT_FALSE(RuleMatches(r, Facts(recovery::v1::SEVERITY_P3)));
  r.max_severity.reset();
  r.severities = {recovery::v1::SEVERITY_P3, recovery::v1::SEVERITY_P4};
  EXPECT_FALSE(RuleMatches(r, Facts(recovery::v1::SEVERITY_P1)));
  EXPECT_TRUE(RuleMatches(r, Facts(recovery::v1::SEVERITY_P4)));
  r.client_ids = {"globex"};
  EXPECT_FALSE(RuleMatches(r, Facts(recovery::v1::SEVERITY_P4)));
  EXPECT_TRUE(RuleMatches(r, Facts(recovery::v1::SEVERITY_P4, "outage", "gold", "globex")));
  r.client_tiers = {"silver"};
  EXPECT_FALSE(RuleMatches(r, Facts(recovery::v1::SEVERITY_P4, "outage", "gold", "globex")));
}

TEST_F(RoutingTest, NoMatchingRuleIsNotFound) {
  RoutingRule r = Rule("r", "platform");
  r.categories = {"billing"};
  absl::StatusOr<RoutingDecision> d =
      Route({r}, config_.teams, config_.calendars, Facts(recovery::v1::SEVERITY_P1), nullptr, in_hours_);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RoutingTest, InBusinessHoursPagesTheOwnerTier) {
  absl::StatusOr<RoutingDecision> d = Route({Rule("r", "platform")}, config_.teams, config_.calendars,
                                            Facts(recovery::v1::SEVERITY_P3), nullptr, in_hours_);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->business_hours);
  EXPECT_EQ(d->mode, PageMode::kOwners);
  EXPECT_FALSE(d->hold_until.has_value());
  absl::StatusOr<EscalationPlan> plan = BuildPlan(config_, *d);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->tiers.size(), 3u);  // owners, then the policy's two tiers
  EXPECT_EQ(plan->tiers[0].targets, (std::vector<Target>{{TargetKind::kPerson, "dave"}}));
  EXPECT_EQ(plan->tiers[0].ack_timeout, absl::Minutes(15));
}

TEST_F(RoutingTest, AfterHoursPagesOnCallPolicy) {
  absl::StatusOr<RoutingDecision> d = Route({Rule("r", "platform")}, config_.teams, config_.calendars,
                                            Facts(recovery::v1::SEVERITY_P3), nullptr, after_hours_);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->business_hours);
  EXPECT_EQ(d->mode, PageMode::kOnCall);
  absl::StatusOr<EscalationPlan> plan = BuildPlan(config_, *d);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->tiers.size(), 2u);
  EXPECT_EQ(plan->tiers[0].targets[0].kind, TargetKind::kSchedule);
}

TEST_F(RoutingTest, ClosedClientCalendarMakesItAfterHours) {
  // 10:00 London = 05:00 New York: the team is open, the client is not.
  const calendar::Calendar& ny = config_.calendars[1];
  absl::StatusOr<RoutingDecision> d = Route({Rule("r", "platform")}, config_.teams, config_.calendars,
                                            Facts(recovery::v1::SEVERITY_P3), &ny, in_hours_);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->business_hours);
  EXPECT_EQ(d->mode, PageMode::kOnCall);
  // 15:00 London = 10:00 New York: both open.
  d = Route({Rule("r", "platform")}, config_.teams, config_.calendars, Facts(recovery::v1::SEVERITY_P3), &ny,
            Local("Europe/London", 2026, 1, 5, 15));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->business_hours);
}

TEST_F(RoutingTest, LowSeverityAfterHoursIsHeldUntilBothCalendarsOpen) {
  RoutingRule r = Rule("low", "platform");
  r.hold_until_business_hours = true;
  const calendar::Calendar& ny = config_.calendars[1];
  // Saturday 2026-01-10: next joint window is Monday 09:00 New York = 14:00 London/UTC.
  absl::StatusOr<RoutingDecision> d =
      Route({r}, config_.teams, config_.calendars, Facts(recovery::v1::SEVERITY_P4), &ny, Utc(2026, 1, 10, 12));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->mode, PageMode::kHold);
  ASSERT_TRUE(d->hold_until.has_value());
  EXPECT_EQ(*d->hold_until, Utc(2026, 1, 12, 14));
  // Without a client calendar the team's own opening suffices.
  d = Route({r}, config_.teams, config_.calendars, Facts(recovery::v1::SEVERITY_P4), nullptr, Utc(2026, 1, 10, 12));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d->hold_until, Utc(2026, 1, 12, 9));
}

TEST_F(RoutingTest, P1IsNeverHeldAfterHours) {
  RoutingRule r = Rule("all", "platform");
  r.hold_until_business_hours = true;
  absl::StatusOr<RoutingDecision> d =
      Route({r}, config_.teams, config_.calendars, Facts(recovery::v1::SEVERITY_P1), nullptr, Utc(2026, 1, 10, 12));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->mode, PageMode::kOnCall);
  EXPECT_FALSE(d->hold_until.has_value());
}

TEST_F(RoutingTest, HoldRuleInBusinessHoursPagesOwnersAtOnce) {
  RoutingRule r = Rule("low", "platform");
  r.hold_until_business_hours = true;
  absl::StatusOr<RoutingDecision> d =
      Route({r}, config_.teams, config_.calendars, Facts(recovery::v1::SEVERITY_P4), nullptr, in_hours_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->mode, PageMode::kOwners);
  EXPECT_FALSE(d->hold_until.has_value());
}

TEST_F(RoutingTest, UnknownTeamIsFailedPrecondition) {
  absl::StatusOr<RoutingDecision> d = Route({Rule("r", "ghost")}, config_.teams, config_.calendars,
                                            Facts(recovery::v1::SEVERITY_P1), nullptr, in_hours_);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace recovery::escalation
