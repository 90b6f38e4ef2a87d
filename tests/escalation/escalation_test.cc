// Unit tests for the escalation state machine: tiers, timeouts, repeats, fallback, ack, resolve.
#include "services/escalation/domain/escalation.h"

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/escalation/fixture.h"

namespace recovery::escalation {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_util::Local;
using testing_util::MakeFixture;

template <typename T>
std::vector<T> All(const std::vector<Effect>& effects) {
  std::vector<T> out;
  for (const Effect& e : effects) {
    if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
  }
  return out;
}

std::vector<std::string> PagedPeople(const std::vector<Effect>& effects) {
  std::vector<std::string> out;
  for (const PageTarget& p : All<PageTarget>(effects)) {
    if (std::find(out.begin(), out.end(), p.person_id) == out.end()) out.push_back(p.person_id);
  }
  return out;
}

class EscalationTest : public ::testing::Test {
 protected:
  EscalationState NewAfterHours() {
    return NewEscalation("esc-1", "case-1",
                         EscalationPlan{"default", config_.policies[0].tiers, config_.policies[0].repeats,
                                        config_.policies[0].fallback_person_id});
  }
  StepResult Run(const EscalationState& s, const Input& in) { return Step(config_, s, in, now_); }

  EscalationConfig config_ = MakeFixture();
  // Monday 2026-01-05 20:00 London: alice holds the on-call schedule.
  absl::Time now_ = Local("Europe/London", 2026, 1, 5, 20);
};

TEST_F(EscalationTest, StartPagesFirstTierOnEveryNotificationRuleAndArmsTimer) {
  const StepResult r = Run(NewAfterHours(), Start{});
  EXPECT_FALSE(r.ignored);
  EXPECT_EQ(r.state.status, EscalationStatus::kPaging);
  EXPECT_EQ(All<EscalationStarted>(r.effects).size(), 1u);
  EXPECT_THAT(PagedPeople(r.effects), ElementsAre("alice"));
  const std::vector<PageTarget> pages = All<PageTarget>(r.effects);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].channel, Channel::kWebhook);
  EXPECT_EQ(pages[0].not_before, now_);
  EXPECT_EQ(pages[1].channel, Channel::kEmail);
  EXPECT_EQ(pages[1].target, "alice@example.com");
  EXPECT_EQ(pages[1].not_before, now_ + absl::Minutes(2));
  EXPECT_NE(pages[0].idempotency_key, pages[1].idempotency_key);
  const std::vector<ArmAckTimer> timers = All<ArmAckTimer>(r.effects);
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].due, now_ + absl::Minutes(5));
  EXPECT_EQ(timers[0].tier, 0);
  EXPECT_EQ(timers[0].round, 0);
}

TEST_F(EscalationTest, AckTimeoutAdvancesToNextTier) {
  StepResult r = Run(NewAfterHours(), Start{});
  now_ += absl::Minutes(5);
  r = Run(r.state, AckTimeout{0, 0});
  EXPECT_EQ(r.state.tier, 1);
  EXPECT_EQ(r.state.round, 0);
  EXPECT_THAT(PagedPeople(r.effects), ElementsAre("dave"));
  ASSERT_EQ(All<TierAdvanced>(r.effects).size(), 1u);
  EXPECT_EQ(All<TierAdvanced>(r.effects)[0].to_tier, 1);
  EXPECT_EQ(All<ArmAckTimer>(r.effects)[0].due, now_ + absl::Minutes(10));
}

TEST_F(EscalationTest, AfterLastTierThePolicyRepeats) {
  StepResult r = Run(NewAfterHours(), Start{});
  r = Run(r.state, AckTimeout{0, 0});
  r = Run(r.state, AckTimeout{1, 0});
  EXPECT_EQ(r.state.tier, 0);
  EXPECT_EQ(r.state.round, 1);
  EXPECT_EQ(r.state.status, EscalationStatus::kPaging);
  EXPECT_THAT(PagedPeople(r.effects), ElementsAre("alice"));
  EXPECT_EQ(All<PageTarget>(r.effects)[0].round, 1);
}

TEST_F(EscalationTest, ExhaustedAfterRepeatsPagesFallbackAndStops) {
  StepResult r = Run(NewAfterHours(), Start{});
  r = Run(r.state, AckTimeout{0, 0});
  r = Run(r.state, AckTimeout{1, 0});
  r = Run(r.state, AckTimeout{0, 1});
  r = Run(r.state, AckTimeout{1, 1});
  EXPECT_EQ(r.state.status, EscalationStatus::kExhausted);
  EXPECT_THAT(PagedPeople(r.effects), ElementsAre("erin"));
  EXPECT_EQ(All<PageTarget>(r.effects)[0].tier, kFallbackTier);
  ASSERT_EQ(All<EscalationExhausted>(r.effects).size(), 1u);
  EXPECT_EQ(All<EscalationExhausted>(r.effects)[0].fallback_person_id, "erin");
  EXPECT_THAT(All<ArmAckTimer>(r.effects), IsEmpty());
  // Nothing more pages after exhaustion, even if the last timer fires again.
  const StepResult again = Run(r.state, AckTimeout{1, 1});
  EXPECT_TRUE(again.ignored);
  EXPECT_THAT(again.effects, IsEmpty());
}

TEST_F(EscalationTest, AckStopsFurtherPages) {
  StepResult r = Run(NewAfterHours(), Start{});
  r = Run(r.state, Acknowledge{"alice"});
  EXPECT_EQ(r.state.status, EscalationStatus::kAcknowledged);
  EXPECT_EQ(r.state.acknowledged_by, "alice");
  EXPECT_EQ(All<CancelAckTimer>(r.effects).size(), 1u);
  EXPECT_EQ(All<CancelPendingPages>(r.effects).size(), 1u);  // alice's 2m email must not go out
  ASSERT_EQ(All<EscalationAcknowledged>(r.effects).size(), 1u);
  EXPECT_EQ(All<EscalationAcknowledged>(r.effects)[0].person_id, "alice");
  EXPECT_THAT(All<PageTarget>(r.effects), IsEmpty());
  // The tier-0 timer firing after the ack (a race the runtime can lose) pages nobody.
  const StepResult late = Run(r.state, AckTimeout{0, 0});
  EXPECT_TRUE(late.ignored);
  EXPECT_THAT(late.effects, IsEmpty());
  EXPECT_EQ(late.state.status, EscalationStatus::kAcknowledged);
}

TEST_F(EscalationTest, StaleTimeoutIsIgnoredSoDuplicatesPageOnce) {
  StepResult r = Run(NewAfterHours(), Start{});
  const StepResult first = Run(r.state, AckTimeout{0, 0});
  EXPECT_THAT(PagedPeople(first.effects), ElementsAre("dave"));
  const StepResult duplicate = Run(first.state, AckTimeout{0, 0});
  EXPECT_TRUE(duplicate.ignored);
  EXPECT_THAT(duplicate.effects, IsEmpty());
  EXPECT_EQ(duplicate.state.tier, 1);
  // A timeout for a tier not reached yet is stale too.
  EXPECT_TRUE(Run(first.state, AckTimeout{0, 1}).ignored);
}

TEST_F(EscalationTest, SecondAckIsIgnored) {
  StepResult r = Run(NewAfterHours(), Start{});
  r = Run(r.state, Acknowledge{"alice"});
  const StepResult again = Run(r.state, Acknowledge{"bob"});
  EXPECT_TRUE(again.ignored);
  EXPECT_EQ(again.state.acknowledged_by, "alice");
}

TEST_F(EscalationTest, ResolveStopsEverything) {
  StepResult r = Run(NewAfterHours(), Start{});
  r = Run(r.state, AckTimeout{0, 0});
  r = Run(r.state, Resolve{"intake"});
  EXPECT_EQ(r.state.status, EscalationStatus::kResolved);
  EXPECT_EQ(All<CancelAckTimer>(r.effects).size(), 1u);
  EXPECT_EQ(All<CancelPendingPages>(r.effects).size(), 1u);
  EXPECT_EQ(All<EscalationResolved>(r.effects).size(), 1u);
  EXPECT_TRUE(Run(r.state, AckTimeout{1, 0}).ignored);
  EXPECT_TRUE(Run(r.state, Resolve{"intake"}).ignored);
  EXPECT_TRUE(Run(r.state, Acknowledge{"dave"}).ignored);
}

TEST_F(EscalationTest, ResolveAfterAckEndsWithoutPaging) {
  StepResult r = Run(NewAfterHours(), Start{});
  r = Run(r.state, Acknowledge{"alice"});
  r = Run(r.state, Resolve{"alice"});
  EXPECT_EQ(r.state.status, EscalationStatus::kResolved);
  EXPECT_THAT(All<PageTarget>(r.effects), IsEmpty());
  EXPECT_EQ(All<EscalationResolved>(r.effects).size(), 1u);
}

TEST_F(EscalationTest, PeopleReachedThroughSeveralTargetsArePagedOnce) {
  EscalationPlan plan{
      "p",
      {Tier{{{TargetKind::kPerson, "alice"}, {TargetKind::kSchedule, "oncall"}, {TargetKind::kTeam, "platform"}},
            absl::Minutes(5)}},
      0,
      ""};
  const StepResult r = Run(NewEscalation("esc-2", "case-2", plan), Start{});
  EXPECT_THAT(PagedPeople(r.effects), ElementsAre("alice"));
  EXPECT_EQ(All<PageTarget>(r.effects).size(), 2u);  // alice's two rules, once each
}

TEST_F(EscalationTest, TierResolvingToNobodyIsSkippedAtOnce) {
  EscalationPlan plan{"p",
                      {Tier{{{TargetKind::kPerson, "ghost"}}, absl::Minutes(5)},
                       Tier{{{TargetKind::kPerson, "bob"}}, absl::Minutes(5)}},
                      0,
                      ""};
  const StepResult r = Run(NewEscalation("esc-3", "case-3", plan), Start{});
  EXPECT_EQ(r.state.tier, 1);
  EXPECT_THAT(PagedPeople(r.effects), ElementsAre("bob"));
  ASSERT_EQ(All<TierAdvanced>(r.effects).size(), 1u);
  EXPECT_EQ(All<TierAdvanced>(r.effects)[0].reason, AdvanceReason::kNoOneToPage);
}

TEST_F(EscalationTest, PolicyWithNobodyToPageEndsExhaustedWithoutLooping) {
  EscalationPlan plan{"p", {Tier{{{TargetKind::kPerson, "ghost"}}, absl::Minutes(5)}}, 3, "erin"};
  const StepResult r = Run(NewEscalation("esc-4", "case-4", plan), Start{});
  EXPECT_EQ(r.state.status, EscalationStatus::kExhausted);
  EXPECT_THAT(PagedPeople(r.effects), ElementsAre("erin"));
}

TEST_F(EscalationTest, HeldEscalationPagesNothingUntilTheHoldElapses) {
  const absl::Time until = now_ + absl::Hours(13);
  StepResult r = Run(NewAfterHours(), Start{until});
  EXPECT_EQ(r.state.status, EscalationStatus::kHeld);
  EXPECT_THAT(All<PageTarget>(r.effects), IsEmpty());
  ASSERT_EQ(All<EscalationHeld>(r.effects).size(), 1u);
  EXPECT_EQ(All<ArmHoldTimer>(r.effects)[0].due, until);
  now_ = until;  // Tuesday 09:00 London: bob's day on the rotation
  r = Run(r.state, HoldElapsed{});
  EXPECT_EQ(r.state.status, EscalationStatus::kPaging);
  EXPECT_THAT(PagedPeople(r.effects), ElementsAre("bob"));
  EXPECT_TRUE(Run(r.state, HoldElapsed{}).ignored);
}

TEST_F(EscalationTest, AckDuringHoldCancelsTheHoldTimer) {
  StepResult r = Run(NewAfterHours(), Start{now_ + absl::Hours(1)});
  r = Run(r.state, Acknowledge{"dave"});
  EXPECT_EQ(r.state.status, EscalationStatus::kAcknowledged);
  EXPECT_EQ(All<CancelHoldTimer>(r.effects).size(), 1u);
  EXPECT_TRUE(Run(r.state, HoldElapsed{}).ignored);
}

TEST_F(EscalationTest, StartTwiceIsIgnored) {
  const StepResult r = Run(NewAfterHours(), Start{});
  const StepResult again = Run(r.state, Start{});
  EXPECT_TRUE(again.ignored);
  EXPECT_THAT(again.effects, IsEmpty());
}

TEST_F(EscalationTest, ScheduleTargetsResolveAtPageTime) {
  // Tuesday 10:00 London the rotation has handed to bob.
  now_ = Local("Europe/London", 2026, 1, 6, 10);
  const StepResult r = Run(NewAfterHours(), Start{});
  EXPECT_THAT(PagedPeople(r.effects), ElementsAre("bob"));
}

}  // namespace
}  // namespace recovery::escalation
