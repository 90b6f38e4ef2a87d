// The case state machine: every status x every transition, legal or FAILED_PRECONDITION.
#include "services/intake/domain/case_state.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

namespace recovery::intake {
namespace {

namespace v1 = recovery::v1;
using S = v1::CaseStatus;

constexpr S kOpen = v1::CASE_STATUS_OPEN, kAck = v1::CASE_STATUS_ACKNOWLEDGED, kPlanned = v1::CASE_STATUS_PLANNED,
            kResolved = v1::CASE_STATUS_RESOLVED, kClosed = v1::CASE_STATUS_CLOSED,
            kReopened = v1::CASE_STATUS_REOPENED, kNone = v1::CASE_STATUS_UNSPECIFIED;

// The whole legal table; every pair not in it must be refused.
const std::map<std::pair<S, Transition>, S>& Legal() {
  static const auto* table = new std::map<std::pair<S, Transition>, S>{
      {{kNone, Transition::kOpen}, kOpen},           {{kOpen, Transition::kAcknowledge}, kAck},
      {{kReopened, Transition::kAcknowledge}, kAck}, {{kAck, Transition::kPlan}, kPlanned},
      {{kReopened, Transition::kPlan}, kPlanned},    {{kAck, Transition::kResolve}, kResolved},
      {{kPlanned, Transition::kResolve}, kResolved}, {{kReopened, Transition::kResolve}, kResolved},
      {{kResolved, Transition::kClose}, kClosed},    {{kResolved, Transition::kReopen}, kReopened},
      {{kClosed, Transition::kReopen}, kReopened},
  };
  return *table;
}

class EveryStatusAndTransition : public ::testing::TestWithParam<std::tuple<S, Transition>> {};

TEST_P(EveryStatusAndTransition, IsLegalExactlyWhenTheTableSaysSo) {
  const auto [status, transition] = GetParam();
  auto result = ApplyTransition(status, transition);
  auto it = Legal().find({status, transition});
  if (it != Legal().end()) {
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(*result, it->second);
  } else {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
    const std::string msg(result.status().message());
    EXPECT_EQ(msg.rfind("status: case is " + StatusName(status) + "; " + TransitionName(transition) + " needs ", 0), 0u)
        << msg;
  }
}

INSTANTIATE_TEST_SUITE_P(AllPairs, EveryStatusAndTransition,
                         ::testing::Combine(::testing::Values(kNone, kOpen, kAck, kPlanned, kResolved, kClosed,
                                                              kReopened),
                                            ::testing::ValuesIn(kAllTransitions)));

TEST(CaseStateTest, ResolveFromClosedNamesCurrentStatusAndWhatItNeeds) {
  auto r = ApplyTransition(kClosed, Transition::kResolve);
  EXPECT_EQ(r.status().message(), "status: case is CLOSED; ResolveCase needs ACKNOWLEDGED, PLANNED or REOPENED");
}

TEST(CaseStateTest, ReopenedCaseCanBeAcknowledgedAgainThenResolved) {
  auto ack = ApplyTransition(kReopened, Transition::kAcknowledge);
  ASSERT_TRUE(ack.ok());
  auto resolved = ApplyTransition(*ack, Transition::kResolve);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(*resolved, kResolved);
}

TEST(CaseStateTest, OnlyResolvedAndClosedAreInactive) {
  for (S s : {kOpen, kAck, kPlanned, kReopened}) EXPECT_TRUE(IsActive(s)) << StatusName(s);
  for (S s : {kResolved, kClosed}) EXPECT_FALSE(IsActive(s)) << StatusName(s);
}

TEST(CaseStateTest, EditsAreRefusedOnlyOnClosedCases) {
  for (S s : {kOpen, kAck, kPlanned, kResolved, kReopened}) EXPECT_TRUE(CheckEditable(s, "UpdateCase").ok());
  auto s = CheckEditable(kClosed, "UpdateCase");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::string(s.message()).rfind("status: case is CLOSED; UpdateCase", 0), 0u) << s;
}

}  // namespace
}  // namespace recovery::intake
