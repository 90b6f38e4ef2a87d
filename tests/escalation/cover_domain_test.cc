// Cover request decisions (domain/cover.h), pure: who counts as a teammate, what each answer
// writes (the request's state, the override, the event, the expiry timer), that a request is
// answerable only while pending and before its start, and that a reader sees a pending
// request past its start as expired even before the expiry timer fired.
#include <gtest/gtest.h>

#include "services/escalation/domain/cover.h"
#include "tests/escalation/fixture.h"

namespace recovery::escalation {
namespace {

using common::TimerOp;
using testing_util::MakeFixture;
using testing_util::Utc;

const absl::Time kNow = Utc(2026, 11, 24, 22);

CoverAsk AliceAsksBob() {
  return CoverAsk{"oncall", "alice", "bob", kNow + absl::Hours(1), kNow + absl::Hours(3), "dentist"};
}

CoverRequest Pending() {
  auto decided = RequestCover(MakeFixture(), AliceAsksBob(), Cause{"req-1", "person:alice", "", ""}, kNow);
  return std::get<CoverOutcome>(decided).rows.request;
}

TEST(CoverDomainTest, TeammatesAreTheSchedulesParticipantsAndTheMembersOfItsTeams) {
  EscalationConfig dir = MakeFixture();  // oncall: alice, bob; team platform: alice, bob
  EXPECT_TRUE(IsTeammate(dir, "oncall", "bob"));
  EXPECT_FALSE(IsTeammate(dir, "oncall", "dave"));
  dir.teams[0].members.push_back("dave");
  EXPECT_TRUE(IsTeammate(dir, "oncall", "dave"));
  EXPECT_FALSE(IsTeammate(dir, "nowhere", "bob"));
}

TEST(CoverDomainTest, ARequestIsPendingAnnouncedAndExpiresAtItsStart) {
  auto decided = RequestCover(MakeFixture(), AliceAsksBob(), Cause{"req-1", "person:alice", "", ""}, kNow);
  ASSERT_TRUE(std::holds_alternative<CoverOutcome>(decided));
  const CoverOutcome& out = std::get<CoverOutcome>(decided);
  EXPECT_TRUE(out.rows.inserted);
  EXPECT_EQ(out.rows.request.status, CoverStatus::kPending);
  EXPECT_EQ(out.rows.request.requested_by, "person:alice");
  EXPECT_FALSE(out.rows.add_override.has_value());
  ASSERT_EQ(out.timers.size(), 1u);
  EXPECT_EQ(out.timers[0], TimerOp::Arm(kCoverTimer, out.rows.request.cover_request_id, kNow + absl::Hours(1)));
  ASSERT_EQ(out.events.size(), 1u);
  const auto& e = out.events[0];
  EXPECT_EQ(e.case_id(), "schedule:oncall");
  EXPECT_EQ(e.actor(), "person:alice");
  EXPECT_EQ(e.causation_id(), "req-1");
  EXPECT_EQ(e.cover_requested().request().person_id(), "bob");
}

TEST(CoverDomainTest, SomeoneOutsideTheScheduleOrTheRequesterThemselvesCannotBeAsked) {
  CoverAsk ask = AliceAsksBob();
  ask.person_id = "dave";
  auto decided = RequestCover(MakeFixture(), ask, Cause{}, kNow);
  ASSERT_TRUE(std::holds_alternative<Refusal>(decided));
  EXPECT_EQ(std::get<Refusal>(decided).error, EscalationError::kNotATeammate);
  ask.person_id = "alice";
  decided = RequestCover(MakeFixture(), ask, Cause{}, kNow);
  ASSERT_TRUE(std::holds_alternative<Refusal>(decided));
  EXPECT_EQ(std::get<Refusal>(decided).error, EscalationError::kNotATeammate);
}

TEST(CoverDomainTest, AcceptingAddsAnOverrideByTheRequesterApprovedByTheTeammate) {
  const CoverRequest r = Pending();
  auto decided = AcceptCover(r, Cause{"acc-1", "person:bob", "", ""}, kNow + absl::Minutes(10));
  ASSERT_TRUE(std::holds_alternative<CoverOutcome>(decided));
  const CoverOutcome& out = std::get<CoverOutcome>(decided);
  EXPECT_EQ(out.rows.request.status, CoverStatus::kAccepted);
  ASSERT_TRUE(out.rows.add_override.has_value());
  const CoverOverride& o = *out.rows.add_override;
  EXPECT_EQ(o.override_id, out.rows.request.override_id);
  EXPECT_EQ(o.person_id, "bob");
  EXPECT_EQ(o.start, r.start);
  EXPECT_EQ(o.end, r.end);
  EXPECT_EQ(o.created_by, "person:alice");
  EXPECT_EQ(o.approved_by, "person:bob");
  EXPECT_EQ(o.cover_request_id, r.cover_request_id);
  EXPECT_EQ(out.timers, std::vector<TimerOp>{TimerOp::Cancel(kCoverTimer, r.cover_request_id)});
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].cover_accepted().override_id(), o.override_id);
  EXPECT_EQ(out.events[0].actor(), "person:bob");
}

TEST(CoverDomainTest, AnAnswerAtOrAfterTheStartIsRefusedAsExpired) {
  const CoverRequest r = Pending();
  for (auto decided : {AcceptCover(r, Cause{}, r.start), DeclineCover(r, "", Cause{}, r.start),
                       CancelCover(r, "", Cause{}, r.start + absl::Hours(1))}) {
    ASSERT_TRUE(std::holds_alternative<Refusal>(decided));
    EXPECT_EQ(std::get<Refusal>(decided).error, EscalationError::kCoverExpired);
  }
}

TEST(CoverDomainTest, OnlyAPendingRequestIsAnsweredOrExpires) {
  CoverRequest r = Pending();
  auto declined = DeclineCover(r, "away", Cause{"d", "person:bob", "", ""}, kNow);
  ASSERT_TRUE(std::holds_alternative<CoverOutcome>(declined));
  const CoverRequest answered = std::get<CoverOutcome>(declined).rows.request;
  EXPECT_EQ(answered.status, CoverStatus::kDeclined);
  EXPECT_EQ(answered.answer_reason, "away");
  for (auto decided : {AcceptCover(answered, Cause{}, kNow), CancelCover(answered, "", Cause{}, kNow),
                       ExpireCover(answered, Cause{}, answered.start)}) {
    ASSERT_TRUE(std::holds_alternative<Refusal>(decided));
    EXPECT_EQ(std::get<Refusal>(decided).error, EscalationError::kCoverNotPending);
  }
  auto expired = ExpireCover(r, Cause{"timer:cover:x", kServiceActor, "", ""}, r.start);
  ASSERT_TRUE(std::holds_alternative<CoverOutcome>(expired));
  EXPECT_EQ(std::get<CoverOutcome>(expired).rows.request.status, CoverStatus::kExpired);
  EXPECT_EQ(std::get<CoverOutcome>(expired).events[0].actor(), kServiceActor);
  EXPECT_TRUE(std::get<CoverOutcome>(expired).events[0].has_cover_expired());
}

TEST(CoverDomainTest, APendingRequestPastItsStartReadsAsExpiredBeforeItsTimerFires) {
  const CoverRequest r = Pending();
  EXPECT_EQ(EffectiveStatus(r, r.start - absl::Seconds(1)), CoverStatus::kPending);
  EXPECT_EQ(EffectiveStatus(r, r.start), CoverStatus::kExpired);
  CoverRequest accepted = r;
  accepted.status = CoverStatus::kAccepted;
  EXPECT_EQ(EffectiveStatus(accepted, r.end + absl::Hours(1)), CoverStatus::kAccepted);
}

TEST(CoverDomainTest, StatusNamesRoundTrip) {
  for (CoverStatus s : {CoverStatus::kPending, CoverStatus::kAccepted, CoverStatus::kDeclined, CoverStatus::kCancelled,
                        CoverStatus::kExpired}) {
    EXPECT_EQ(ParseCoverStatus(CoverStatusName(s)), s);
  }
  EXPECT_EQ(ParseCoverStatus("maybe"), std::nullopt);
}

}  // namespace
}  // namespace recovery::escalation
