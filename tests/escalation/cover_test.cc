// Cover requests through recovery.v1.Escalation in process (EscalationModule on the real
// runtime: SQLite, durable timers, the outbox drained by Quiesce(), a manual clock): a request
// accepted by the teammate changes WhoIsOnCall for that stretch and paging follows it; a
// declined one changes nothing; only the teammate answers, only the requester cancels, only a
// stretch the requester holds can be asked for; an unanswered request expires at its start
// (CoverExpired); every event's actor is the caller and its case_id "schedule:<id>".
#include <gtest/gtest.h>

#include "grpcpp/grpcpp.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/ids.h"
#include "services/common/proto_time.h"
#include "services/escalation/module.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_identity.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;

// oncall: alice throughout (one participant); ops (alice, bob, jordan) is its team; sam is on
// nights only. The manual clock starts on a Tuesday at 22:00 UTC, after office hours, so a
// case pages whoever is on call on oncall.
constexpr char kYaml[] = R"(
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}]}
  - {id: bob, name: Bob, time_zone: UTC, contact_methods: [{channel: log, target: bob}]}
  - {id: sam, name: Sam, time_zone: UTC, contact_methods: [{channel: log, target: sam}]}
  - {id: jordan, name: Jordan, time_zone: UTC, contact_methods: [{channel: log, target: jordan}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    name: On call
    time_zone: UTC
    layers:
      - {name: primary, participants: [alice], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
  - id: nights
    name: Nights
    time_zone: UTC
    layers:
      - {name: primary, participants: [sam], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}, {targets: [{person: jordan}], ack_timeout: 10m}]}
teams:
  - {id: ops, name: Ops, members: [alice, bob, jordan], calendar: office, schedule: oncall, policy: p}
  - {id: billing, name: Billing, members: [sam], calendar: office, schedule: nights, policy: p}
routing_rules:
  - {id: all, team: ops}
)";

recovery::testing::FixtureOptions WithConfig(const std::string& yaml) {
  recovery::testing::FixtureOptions options;
  options.config_yaml = yaml;
  return options;
}

class CoverTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fx_.ok()); }

  std::unique_ptr<v1::Escalation::Stub> As(const std::string& person) {
    return v1::Escalation::NewStub(fx_.ChannelAs(person));
  }
  absl::Time Now() { return fx_.clock().Now(); }

  v1::RequestCoverRequest Ask(const std::string& schedule, const std::string& teammate, absl::Duration from,
                              absl::Duration to) {
    v1::RequestCoverRequest r;
    r.set_request_id(common::NewId(Now()));
    r.set_schedule_id(schedule);
    r.set_person_id(teammate);
    *r.mutable_start() = common::ToProto(Now() + from);
    *r.mutable_end() = common::ToProto(Now() + to);
    r.set_reason("dentist");
    return r;
  }
  grpc::Status RequestAs(const std::string& as, const v1::RequestCoverRequest& r, v1::CoverRequestInfo* out) {
    auto ctx = common::ContextWithDeadline();
    return As(as)->RequestCover(ctx.get(), r, out);
  }
  // alice asks bob to take oncall from 1h to 3h from now (that must succeed).
  v1::CoverRequestInfo AliceAsksBob() {
    v1::CoverRequestInfo out;
    grpc::Status st = RequestAs("alice", Ask("oncall", "bob", absl::Hours(1), absl::Hours(3)), &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }
  grpc::Status AcceptAs(const std::string& as, const std::string& id, v1::CoverRequestInfo* out,
                        const std::string& request_id = "") {
    v1::AcceptCoverRequest r;
    r.set_request_id(request_id.empty() ? common::NewId(Now()) : request_id);
    r.set_cover_request_id(id);
    auto ctx = common::ContextWithDeadline();
    return As(as)->AcceptCover(ctx.get(), r, out);
  }
  grpc::Status DeclineAs(const std::string& as, const std::string& id, v1::CoverRequestInfo* out) {
    v1::DeclineCoverRequest r;
    r.set_request_id(common::NewId(Now()));
    r.set_cover_request_id(id);
    r.set_reason("away, sorry");
    auto ctx = common::ContextWithDeadline();
    return As(as)->DeclineCover(ctx.get(), r, out);
  }
  grpc::Status CancelAs(const std::string& as, const std::string& id, v1::CoverRequestInfo* out) {
    v1::CancelCoverRequest r;
    r.set_request_id(common::NewId(Now()));
    r.set_cover_request_id(id);
    r.set_reason("dentist moved");
    auto ctx = common::ContextWithDeadline();
    return As(as)->CancelCover(ctx.get(), r, out);
  }
  std::vector<std::string> OnCallAt(absl::Time at) {
    v1::WhoIsOnCallRequest who;
    who.set_schedule_id("oncall");
    *who.mutable_at() = common::ToProto(at);
    v1::WhoIsOnCallResponse out;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(As("alice")->WhoIsOnCall(ctx.get(), who, &out).ok());
    return {out.person_ids().begin(), out.person_ids().end()};
  }
  v1::ListCoverRequestsResponse List(const std::string& as, const v1::ListCoverRequestsRequest& r) {
    v1::ListCoverRequestsResponse out;
    auto ctx = common::ContextWithDeadline();
    grpc::Status st = As(as)->ListCoverRequests(ctx.get(), r, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }
  // A P1 outage CaseOpened from intake, handled as the consumer would; the people paged.
  std::vector<std::string> PagedForNewCase(const std::string& case_id) {
    fx_.ClearPublished();
    v1::Event e = common::NewEvent(Now(), case_id, "intake", "person:reception", "req-" + case_id);
    e.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
    e.mutable_case_opened()->set_category("outage");
    e.mutable_case_opened()->set_summary("down");
    EXPECT_TRUE(fx_.Deliver(e).ok());
    fx_.Quiesce();
    std::vector<std::string> out;
    for (const auto& q : fx_.PublishedOfType("PageQueued")) {
      if (q.case_id() == case_id) out.push_back(q.page_queued().person_id());  // not an older case's next tier
    }
    return out;
  }

  EscalationModule module_{EscalationModule::Options{.start_delivery_worker = false}};
  recovery::testing::ServiceFixture fx_{module_, WithConfig(kYaml)};
};

void ExpectDenied(const grpc::Status& st, const std::string& prefix) {
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_EQ(st.error_message().rfind(prefix, 0), 0u) << st.error_message();
}

using Persons = std::vector<std::string>;

TEST_F(CoverTest, AnAcceptedCoverPutsTheTeammateOnCallForThatStretchAndPagingFollows) {
  const absl::Time start = Now() + absl::Hours(1);
  const v1::CoverRequestInfo asked = AliceAsksBob();
  EXPECT_EQ(asked.status(), v1::COVER_REQUEST_STATUS_PENDING);
  EXPECT_EQ(asked.requester_id(), "alice");
  EXPECT_EQ(OnCallAt(start + absl::Hours(1)), Persons{"alice"}) << "asking alone changes nothing";

  v1::CoverRequestInfo accepted;
  grpc::Status st = AcceptAs("bob", asked.cover_request_id(), &accepted);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(accepted.status(), v1::COVER_REQUEST_STATUS_ACCEPTED);
  EXPECT_FALSE(accepted.override_id().empty());
  EXPECT_EQ(accepted.answered_by(), "person:bob");

  EXPECT_EQ(OnCallAt(start - absl::Minutes(1)), Persons{"alice"});
  EXPECT_EQ(OnCallAt(start), Persons{"bob"});
  EXPECT_EQ(OnCallAt(start + absl::Minutes(119)), Persons{"bob"});
  EXPECT_EQ(OnCallAt(start + absl::Hours(2)), Persons{"alice"});

  // The override is the same kind of row AddOverride adds: in the directory, with its creator.
  v1::Directory dir;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(As("alice")->GetDirectory(ctx.get(), v1::GetDirectoryRequest(), &dir).ok());
  int overrides = 0;
  for (const auto& s : dir.schedules()) overrides += s.id() == "oncall" ? s.overrides_size() : 0;
  EXPECT_EQ(overrides, 1);

  // Paging follows: a case opened before the stretch pages alice, one opened during it bob.
  EXPECT_EQ(PagedForNewCase("case-before"), Persons{"alice"});
  fx_.clock().Advance(absl::Minutes(90));
  EXPECT_EQ(PagedForNewCase("case-during"), Persons{"bob"});
  fx_.clock().Advance(absl::Hours(2));
  EXPECT_EQ(PagedForNewCase("case-after"), Persons{"alice"});
}

TEST_F(CoverTest, TheOverrideOfAnAcceptanceRecordsRequesterAndApproverAndTheEventsCarryTheCallers) {
  const v1::CoverRequestInfo asked = AliceAsksBob();
  v1::CoverRequestInfo accepted;
  ASSERT_TRUE(AcceptAs("bob", asked.cover_request_id(), &accepted).ok());
  fx_.Quiesce();

  const auto requested = fx_.PublishedOfType("CoverRequested");
  ASSERT_EQ(requested.size(), 1u);
  EXPECT_EQ(requested[0].actor(), "person:alice");
  EXPECT_EQ(requested[0].case_id(), "schedule:oncall");
  EXPECT_EQ(requested[0].source(), "escalation");
  EXPECT_EQ(requested[0].cover_requested().request().person_id(), "bob");
  EXPECT_EQ(requested[0].cover_requested().request().reason(), "dentist");
  const auto accepts = fx_.PublishedOfType("CoverAccepted");
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_EQ(accepts[0].actor(), "person:bob");
  EXPECT_EQ(accepts[0].case_id(), "schedule:oncall");
  EXPECT_EQ(accepts[0].cover_accepted().override_id(), accepted.override_id());
  EXPECT_EQ(accepts[0].cover_accepted().request().requester_id(), "alice");

  absl::StatusOr<std::optional<StoredOverride>> stored;
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                stored = LoadOverride(tx, accepted.override_id());
                return stored.status();
              }).ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->person_id, "bob");
  EXPECT_EQ((*stored)->created_by, "person:alice");
  EXPECT_EQ((*stored)->approved_by, "person:bob");
  EXPECT_EQ((*stored)->cover_request_id, asked.cover_request_id());

  // The requester (its creator) and the teammate (it names them) may remove it as any override.
  v1::RemoveOverrideRequest rm;
  rm.set_request_id("rm-1");
  rm.set_override_id(accepted.override_id());
  v1::RemoveOverrideResponse removed;
  auto ctx = common::ContextWithDeadline();
  grpc::Status st = As("alice")->RemoveOverride(ctx.get(), rm, &removed);
  EXPECT_TRUE(st.ok()) << st.error_message();

  // CoverAccepted announced the override; only its removal is an override event, which names
  // the cover request it came from.
  fx_.Quiesce();
  EXPECT_TRUE(fx_.PublishedOfType("OverrideAdded").empty());
  const auto removals = fx_.PublishedOfType("OverrideRemoved");
  ASSERT_EQ(removals.size(), 1u);
  EXPECT_EQ(removals[0].actor(), "person:alice");
  EXPECT_EQ(removals[0].case_id(), "schedule:oncall");
  EXPECT_EQ(removals[0].override_removed().override().override_id(), accepted.override_id());
  EXPECT_EQ(removals[0].override_removed().override().cover_request_id(), asked.cover_request_id());
  EXPECT_EQ(removals[0].override_removed().override().created_by(), "person:alice");
  EXPECT_EQ(removals[0].override_removed().removed_by(), "person:alice");
}

TEST_F(CoverTest, ADeclinedRequestLeavesWhoIsOnCallUnchanged) {
  const absl::Time start = Now() + absl::Hours(1);
  const v1::CoverRequestInfo asked = AliceAsksBob();
  v1::CoverRequestInfo declined;
  grpc::Status st = DeclineAs("bob", asked.cover_request_id(), &declined);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(declined.status(), v1::COVER_REQUEST_STATUS_DECLINED);
  EXPECT_EQ(declined.answer_reason(), "away, sorry");
  EXPECT_TRUE(declined.override_id().empty());
  EXPECT_EQ(OnCallAt(start + absl::Hours(1)), Persons{"alice"});
  fx_.Quiesce();
  const auto events = fx_.PublishedOfType("CoverDeclined");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor(), "person:bob");
  EXPECT_EQ(events[0].cover_declined().reason(), "away, sorry");

  // Answered once: accepting afterwards is refused, and nothing moved.
  v1::CoverRequestInfo late;
  st = AcceptAs("bob", asked.cover_request_id(), &late);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_EQ(st.error_message(), "cover_request_id: cover request no longer pending (declined)");
  EXPECT_EQ(OnCallAt(start + absl::Hours(1)), Persons{"alice"});
  EXPECT_TRUE(fx_.PublishedOfType("CoverAccepted").empty());
}

TEST_F(CoverTest, OnlyTheAddressedTeammateMayAcceptOrDecline) {
  const absl::Time start = Now() + absl::Hours(1);
  const v1::CoverRequestInfo asked = AliceAsksBob();
  fx_.Quiesce();
  fx_.ClearPublished();
  v1::CoverRequestInfo out;
  ExpectDenied(AcceptAs("jordan", asked.cover_request_id(), &out), "schedules.override: cover request ");
  ExpectDenied(AcceptAs("alice", asked.cover_request_id(), &out), "schedules.override: cover request ");
  ExpectDenied(AcceptAs("mia", asked.cover_request_id(), &out), "schedules.override: cover request ");  // an admin
  ExpectDenied(DeclineAs("jordan", asked.cover_request_id(), &out), "schedules.override: cover request ");
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty()) << "a refused answer changed nothing";
  EXPECT_EQ(OnCallAt(start + absl::Hours(1)), Persons{"alice"});
}

TEST_F(CoverTest, OnlyTheRequesterCancelsAndACancelledRequestCannotBeAccepted) {
  const v1::CoverRequestInfo asked = AliceAsksBob();
  v1::CoverRequestInfo out;
  ExpectDenied(CancelAs("bob", asked.cover_request_id(), &out), "schedules.override: cover request ");
  grpc::Status st = CancelAs("alice", asked.cover_request_id(), &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.status(), v1::COVER_REQUEST_STATUS_CANCELLED);
  st = AcceptAs("bob", asked.cover_request_id(), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  fx_.Quiesce();
  ASSERT_EQ(fx_.PublishedOfType("CoverCancelled").size(), 1u);
  EXPECT_EQ(fx_.PublishedOfType("CoverCancelled")[0].actor(), "person:alice");
  EXPECT_EQ(fx_.runtime().timers().Pending(), 0) << "the expiry timer went with the request";
}

TEST_F(CoverTest, AShiftTheRequesterDoesNotHoldCannotBeGivenAway) {
  v1::CoverRequestInfo out;
  // bob is no one's on-call on oncall; without schedules.edit he cannot give alice's shift away.
  ExpectDenied(RequestAs("bob", Ask("oncall", "jordan", absl::Hours(1), absl::Hours(3)), &out), "schedules.edit: ");
  // alice holds oncall only: not nights.
  ExpectDenied(RequestAs("alice", Ask("nights", "sam", absl::Hours(1), absl::Hours(3)), &out), "schedules.edit: ");
  // Once alice handed part of the stretch to bob, she no longer holds all of it.
  v1::AddOverrideRequest handoff;
  handoff.set_request_id("o-1");
  handoff.set_schedule_id("oncall");
  handoff.set_person_id("bob");
  *handoff.mutable_start() = common::ToProto(Now() + absl::Hours(2));
  *handoff.mutable_end() = common::ToProto(Now() + absl::Hours(4));
  v1::ScheduleOverride added;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(As("alice")->AddOverride(ctx.get(), handoff, &added).ok());
  ExpectDenied(RequestAs("alice", Ask("oncall", "jordan", absl::Hours(1), absl::Hours(3)), &out), "schedules.edit: ");
  // jordan schedules ops (schedules.edit): he may ask for a stretch of its schedule he does not hold.
  grpc::Status st = RequestAs("jordan", Ask("oncall", "bob", absl::Hours(5), absl::Hours(6)), &out);
  EXPECT_TRUE(st.ok()) << st.error_message();
  // ... but not of billing's.
  ExpectDenied(RequestAs("jordan", Ask("nights", "sam", absl::Hours(5), absl::Hours(6)), &out), "schedules.edit_any: ");
  fx_.Quiesce();
  EXPECT_EQ(fx_.PublishedOfType("CoverRequested").size(), 1u);
}

TEST_F(CoverTest, TheTeammateMustBelongToTheScheduleAndTheStretchMustLieAhead) {
  v1::CoverRequestInfo out;
  grpc::Status st = RequestAs("alice", Ask("oncall", "sam", absl::Hours(1), absl::Hours(3)), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_EQ(st.error_message().rfind("person_id: not a teammate sam is neither", 0), 0u) << st.error_message();
  st = RequestAs("alice", Ask("oncall", "alice", absl::Hours(1), absl::Hours(3)), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  st = RequestAs("alice", Ask("oncall", "bob", -absl::Minutes(1), absl::Hours(3)), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  EXPECT_EQ(st.error_message().rfind("start:", 0), 0u) << st.error_message();
  st = RequestAs("alice", Ask("oncall", "bob", absl::Hours(3), absl::Hours(1)), &out);
  EXPECT_EQ(st.error_message().rfind("end:", 0), 0u) << st.error_message();
  st = RequestAs("alice", Ask("oncall", "nobody", absl::Hours(1), absl::Hours(3)), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
}

TEST_F(CoverTest, AnUnansweredRequestExpiresAtItsStart) {
  const v1::CoverRequestInfo asked = AliceAsksBob();
  fx_.Quiesce();
  fx_.ClearPublished();
  fx_.Advance(absl::Minutes(59));
  EXPECT_TRUE(fx_.PublishedOfType("CoverExpired").empty());
  fx_.Advance(absl::Minutes(1));  // its start
  const auto expired = fx_.PublishedOfType("CoverExpired");
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].actor(), "service:escalation");
  EXPECT_EQ(expired[0].case_id(), "schedule:oncall");
  EXPECT_EQ(expired[0].causation_id(), "timer:cover:" + asked.cover_request_id());
  EXPECT_EQ(expired[0].cover_expired().request().cover_request_id(), asked.cover_request_id());

  v1::CoverRequestInfo out;
  grpc::Status st = AcceptAs("bob", asked.cover_request_id(), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_EQ(OnCallAt(Now() + absl::Minutes(30)), Persons{"alice"});
  v1::ListCoverRequestsRequest list;
  list.set_status(v1::COVER_REQUEST_STATUS_EXPIRED);
  const auto listed = List("alice", list);
  ASSERT_EQ(listed.cover_requests_size(), 1);
  EXPECT_EQ(listed.cover_requests(0).answered_by(), "service:escalation");
}

// (That a pending row read after its start already reads as expired, before its timer fires,
// is the domain's EffectiveStatus: cover_domain_test.cc.)
TEST_F(CoverTest, ARequestPastItsStartReadsAsExpiredAndCannotBeAnswered) {
  const v1::CoverRequestInfo asked = AliceAsksBob();
  fx_.Advance(absl::Hours(2));
  v1::ListCoverRequestsRequest list;
  list.set_mine(true);
  const auto listed = List("alice", list);
  ASSERT_EQ(listed.cover_requests_size(), 1);
  EXPECT_EQ(listed.cover_requests(0).status(), v1::COVER_REQUEST_STATUS_EXPIRED);
  list.set_status(v1::COVER_REQUEST_STATUS_PENDING);
  EXPECT_EQ(List("alice", list).cover_requests_size(), 0);
  v1::CoverRequestInfo out;
  grpc::Status st = AcceptAs("bob", asked.cover_request_id(), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  st = CancelAs("alice", asked.cover_request_id(), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
}

TEST_F(CoverTest, ARepeatedRequestIdIsAReplayNotASecondRequestOrOverride) {
  const v1::RequestCoverRequest ask = Ask("oncall", "bob", absl::Hours(1), absl::Hours(3));
  v1::CoverRequestInfo first, again;
  ASSERT_TRUE(RequestAs("alice", ask, &first).ok());
  ASSERT_TRUE(RequestAs("alice", ask, &again).ok());
  EXPECT_EQ(again.cover_request_id(), first.cover_request_id());
  v1::CoverRequestInfo accepted, replay;
  ASSERT_TRUE(AcceptAs("bob", first.cover_request_id(), &accepted, "acc-1").ok());
  ASSERT_TRUE(AcceptAs("bob", first.cover_request_id(), &replay, "acc-1").ok());
  EXPECT_EQ(replay.override_id(), accepted.override_id());
  fx_.Quiesce();
  EXPECT_EQ(fx_.PublishedOfType("CoverRequested").size(), 1u);
  EXPECT_EQ(fx_.PublishedOfType("CoverAccepted").size(), 1u);
}

TEST_F(CoverTest, ListingFiltersByRequesterTeammateScheduleAndStatusAndPages) {
  v1::CoverRequestInfo out;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        RequestAs("alice", Ask("oncall", i == 2 ? "jordan" : "bob", absl::Hours(1 + i), absl::Hours(2 + i)), &out)
            .ok());
    ids.push_back(out.cover_request_id());
  }
  ASSERT_TRUE(DeclineAs("bob", ids[0], &out).ok());

  v1::ListCoverRequestsRequest mine;
  mine.set_mine(true);
  EXPECT_EQ(List("alice", mine).cover_requests_size(), 3);
  EXPECT_EQ(List("bob", mine).cover_requests_size(), 0);
  v1::ListCoverRequestsRequest to_me;
  to_me.set_addressed_to_me(true);
  EXPECT_EQ(List("bob", to_me).cover_requests_size(), 2);
  to_me.set_status(v1::COVER_REQUEST_STATUS_PENDING);
  const auto pending_for_bob = List("bob", to_me);
  ASSERT_EQ(pending_for_bob.cover_requests_size(), 1);
  EXPECT_EQ(pending_for_bob.cover_requests(0).cover_request_id(), ids[1]);
  v1::ListCoverRequestsRequest nights;
  nights.set_schedule_id("nights");
  EXPECT_EQ(List("sam", nights).cover_requests_size(), 0);

  // Newest first, two by two.
  v1::ListCoverRequestsRequest paged;
  paged.set_page_size(2);
  const auto first = List("vic", paged);  // a viewer reads them too (schedules.read)
  ASSERT_EQ(first.cover_requests_size(), 2);
  EXPECT_EQ(first.cover_requests(0).cover_request_id(), ids[2]);
  EXPECT_EQ(first.cover_requests(1).cover_request_id(), ids[1]);
  ASSERT_FALSE(first.next_page_token().empty());
  paged.set_page_token(first.next_page_token());
  const auto second = List("vic", paged);
  ASSERT_EQ(second.cover_requests_size(), 1);
  EXPECT_EQ(second.cover_requests(0).cover_request_id(), ids[0]);
  EXPECT_TRUE(second.next_page_token().empty());
}

TEST_F(CoverTest, AViewerCannotRequestOrAnswerCover) {
  v1::CoverRequestInfo out;
  ExpectDenied(RequestAs("vic", Ask("oncall", "bob", absl::Hours(1), absl::Hours(3)), &out),
               "permission schedules.override");
}

}  // namespace
}  // namespace recovery::escalation
