// recovery.v1.Escalation's gRPC class in process, built through EscalationModule on the real
// runtime (tests/support/service_fixture.h): the ack path with the manual clock - a page
// nobody acknowledges reaches tier 2 after the timeout; an acknowledgement stops every
// further page - asserted after the Quiesce() barrier, never after a sleep; and the status
// codes the edge answers. Who may do what (scopes.h): acknowledgements by the paged person or
// a holder of pages.acknowledge_any, overrides by the people they concern or a scheduler of
// the schedule's team; the actor of every write's event is the authenticated caller.
#include <gtest/gtest.h>

#include <set>

#include "grpcpp/grpcpp.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/ids.h"
#include "services/common/proto_time.h"
#include "services/escalation/delivery/queue.h"
#include "services/escalation/module.h"
#include "tests/support/service_fixture.h"
#include "tests/support/test_identity.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;

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
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}, {targets: [{person: bob}], ack_timeout: 10m}], repeats: 2}
teams:
  - {id: ops, name: Ops, members: [alice, bob, jordan], calendar: office, schedule: oncall, policy: p}
  - {id: billing, name: Billing, members: [sam], calendar: office, schedule: nights, policy: p}
routing_rules:
  - {id: all, team: ops}
)";

recovery::testing::FixtureOptions WithConfig(const std::string& yaml, const std::string& db = "") {
  recovery::testing::FixtureOptions options;
  options.config_yaml = yaml;
  options.db = db;
  return options;
}

class EscalationGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.ok());
    stub_ = v1::Escalation::NewStub(fx_.channel());
  }

  void Open(const std::string& case_id) {
    v1::Event e = common::NewEvent(fx_.clock().Now(), case_id, "intake", "tester", "req");
    e.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
    e.mutable_case_opened()->set_category("outage");
    e.mutable_case_opened()->set_summary("down");
    ASSERT_TRUE(fx_.Deliver(e).ok());
    fx_.Quiesce();
  }
  std::vector<v1::PageQueued> Queued() {
    std::vector<v1::PageQueued> out;
    for (const auto& e : fx_.PublishedOfType("PageQueued")) out.push_back(e.page_queued());
    return out;
  }
  // A stub acting as `person` (groups: tests/support/test_identity.cc; unknown ids are responders).
  std::unique_ptr<v1::Escalation::Stub> As(const std::string& person) {
    return v1::Escalation::NewStub(fx_.ChannelAs(person));
  }
  grpc::Status Ack(const std::string& page_id, const std::string& request_id, v1::EscalationInfo* out,
                   const std::string& as = "bob") {
    v1::AcknowledgePageRequest r;
    r.set_request_id(request_id);
    r.set_page_id(page_id);
    auto ctx = common::ContextWithDeadline();
    return As(as)->AcknowledgePage(ctx.get(), r, out);
  }
  grpc::Status AckEscalation(const std::string& escalation_id, const std::string& as, v1::EscalationInfo* out) {
    v1::AcknowledgePageRequest r;
    r.set_request_id(common::NewId(fx_.clock().Now()));
    r.set_escalation_id(escalation_id);
    auto ctx = common::ContextWithDeadline();
    return As(as)->AcknowledgePage(ctx.get(), r, out);
  }
  v1::AddOverrideRequest Override(const std::string& schedule, const std::string& person) {
    v1::AddOverrideRequest add;
    add.set_request_id(common::NewId(fx_.clock().Now()));
    add.set_schedule_id(schedule);
    add.set_person_id(person);
    *add.mutable_start() = common::ToProto(fx_.clock().Now() + absl::Hours(1));
    *add.mutable_end() = common::ToProto(fx_.clock().Now() + absl::Hours(3));
    return add;
  }
  grpc::Status AddAs(const std::string& as, const v1::AddOverrideRequest& add, v1::ScheduleOverride* out) {
    auto ctx = common::ContextWithDeadline();
    return As(as)->AddOverride(ctx.get(), add, out);
  }
  grpc::Status RemoveAs(const std::string& as, const std::string& override_id) {
    v1::RemoveOverrideRequest rm;
    rm.set_request_id(common::NewId(fx_.clock().Now()));
    rm.set_override_id(override_id);
    v1::RemoveOverrideResponse removed;
    auto ctx = common::ContextWithDeadline();
    return As(as)->RemoveOverride(ctx.get(), rm, &removed);
  }
  // The id of an override `as` added (that must succeed).
  std::string Added(const std::string& as, const std::string& schedule, const std::string& person) {
    v1::ScheduleOverride added;
    grpc::Status st = AddAs(as, Override(schedule, person), &added);
    EXPECT_TRUE(st.ok()) << as << ": " << st.error_message();
    return added.override_id();
  }
  v1::ListPagesResponse Pages(const std::string& escalation_id) {
    v1::ListPagesRequest r;
    r.set_escalation_id(escalation_id);
    v1::ListPagesResponse out;
    auto ctx = common::ContextWithDeadline();
    EXPECT_TRUE(stub_->ListPages(ctx.get(), r, &out).ok());
    return out;
  }

  EscalationModule module_{EscalationModule::Options{.start_delivery_worker = false}};
  recovery::testing::ServiceFixture fx_{module_, WithConfig(kYaml)};
  std::unique_ptr<v1::Escalation::Stub> stub_;  // as the admin "tester"
};

// Sets a deprecated string field (its generated accessors are marked deprecated), to show
// the service ignores it.
void SetDeprecated(google::protobuf::Message& m, const std::string& field, const std::string& value) {
  m.GetReflection()->SetString(&m, m.GetDescriptor()->FindFieldByName(field), value);
}

void ExpectDenied(const grpc::Status& st, const std::string& prefix) {
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_EQ(st.error_message().rfind(prefix, 0), 0u) << st.error_message();
}

TEST_F(EscalationGrpcTest, UnacknowledgedPageReachesTier2AfterTheTimeout) {
  Open("case-1");
  ASSERT_EQ(Queued().size(), 1u);
  EXPECT_EQ(Queued()[0].person_id(), "alice");
  fx_.ClearPublished();

  fx_.Advance(absl::Minutes(4));  // inside tier 1's window: nothing happens
  EXPECT_TRUE(fx_.published().empty());
  fx_.Advance(absl::Minutes(1));  // the 5 minute ack timeout
  ASSERT_EQ(Queued().size(), 1u);
  EXPECT_EQ(Queued()[0].person_id(), "bob");
  EXPECT_EQ(Queued()[0].tier(), 1);
  ASSERT_EQ(fx_.PublishedOfType("TierAdvanced").size(), 1u);
}

TEST_F(EscalationGrpcTest, AcknowledgementStopsEveryFurtherPage) {
  Open("case-1");
  fx_.Advance(absl::Minutes(5));
  const std::vector<v1::PageQueued> queued = Queued();
  ASSERT_EQ(queued.size(), 2u);
  const v1::PageQueued bob_page = queued[1];
  ASSERT_EQ(bob_page.person_id(), "bob");

  v1::EscalationInfo acked;
  grpc::Status st = Ack(bob_page.page_id(), "ack-1", &acked);  // bob, as himself
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(acked.status(), v1::ESCALATION_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(acked.acknowledged_by(), "bob");
  EXPECT_EQ(acked.escalation_id(), bob_page.escalation_id());
  fx_.Quiesce();
  const auto acks = fx_.PublishedOfType("EscalationAcknowledged");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].escalation_acknowledged().page_id(), bob_page.page_id());
  EXPECT_EQ(acks[0].escalation_acknowledged().acknowledged_by(), "bob");
  EXPECT_EQ(acks[0].causation_id(), "ack-1");
  EXPECT_EQ(acks[0].actor(), "person:bob");

  // Long past every timeout, repeat and retry: nothing else happened.
  fx_.ClearPublished();
  fx_.Advance(absl::Hours(6));
  EXPECT_TRUE(fx_.published().empty()) << common::EventTypeName(fx_.published()[0]);
  EXPECT_EQ(fx_.runtime().timers().Pending(), 0);
  auto sent = module_.delivery_worker().RunOnce();  // the worker finds nothing to send
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, 0);
  const v1::ListPagesResponse pages = Pages(bob_page.escalation_id());
  ASSERT_EQ(pages.pages_size(), 2);
  for (const auto& p : pages.pages()) {
    // Nothing was sent (the worker is driven by hand): every row stopped unsent.
    EXPECT_EQ(p.status(), delivery::kCancelled) << p.person_id();
  }

  // The same request again is a replay; another request is refused.
  v1::EscalationInfo replay;
  ASSERT_TRUE(Ack(bob_page.page_id(), "ack-1", &replay).ok());
  EXPECT_EQ(replay.escalation_id(), acked.escalation_id());
  EXPECT_EQ(replay.status(), v1::ESCALATION_STATUS_ACKNOWLEDGED);
  st = Ack(bob_page.page_id(), "ack-2", &replay);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(st.error_message(), "escalation_id: already acknowledged");
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty());
}

TEST_F(EscalationGrpcTest, DeliveredPagesPublishPageDelivered) {
  Open("case-1");
  auto sent = module_.delivery_worker().RunOnce();
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, 1);
  fx_.Quiesce();
  ASSERT_EQ(fx_.PublishedOfType("PageDelivered").size(), 1u);
  EXPECT_EQ(fx_.PublishedOfType("PageDelivered")[0].page_delivered().page_id(), Queued()[0].page_id());
}

TEST_F(EscalationGrpcTest, TheEdgeAnswersFieldNamedCodes) {
  auto ctx = common::ContextWithDeadline();
  v1::GetEscalationRequest get;
  get.set_escalation_id("not-a-uuid");
  v1::EscalationInfo info;
  grpc::Status st = stub_->GetEscalation(ctx.get(), get, &info);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("escalation_id:", 0), 0u) << st.error_message();

  get.set_escalation_id(common::NewId(fx_.clock().Now()));
  ctx = common::ContextWithDeadline();
  st = stub_->GetEscalation(ctx.get(), get, &info);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(st.error_message().rfind("escalation_id:", 0), 0u) << st.error_message();

  v1::EscalationInfo acked;
  st = Ack(common::NewId(fx_.clock().Now()), "ack-x", &acked, recovery::testing::kTestPerson);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(st.error_message().rfind("page_id:", 0), 0u) << st.error_message();

  v1::AddOverrideRequest past;
  past.set_request_id("o-1");
  past.set_schedule_id("oncall");
  past.set_person_id("bob");
  *past.mutable_start() = common::ToProto(fx_.clock().Now() - absl::Hours(3));
  *past.mutable_end() = common::ToProto(fx_.clock().Now() - absl::Hours(1));
  v1::ScheduleOverride added;
  ctx = common::ContextWithDeadline();
  st = stub_->AddOverride(ctx.get(), past, &added);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("end:", 0), 0u) << st.error_message();
}

TEST_F(EscalationGrpcTest, AnOverrideWinsOverTheRotationAndRemovingItRestoresIt) {
  v1::AddOverrideRequest add;
  add.set_request_id("o-1");
  add.set_schedule_id("oncall");
  add.set_person_id("bob");
  *add.mutable_start() = common::ToProto(fx_.clock().Now() - absl::Hours(1));
  *add.mutable_end() = common::ToProto(fx_.clock().Now() + absl::Hours(1));
  v1::ScheduleOverride added;
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub_->AddOverride(ctx.get(), add, &added).ok());
  v1::WhoIsOnCallRequest who;
  who.set_schedule_id("oncall");
  v1::WhoIsOnCallResponse on_call;
  ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub_->WhoIsOnCall(ctx.get(), who, &on_call).ok());
  EXPECT_EQ(std::vector<std::string>(on_call.person_ids().begin(), on_call.person_ids().end()),
            std::vector<std::string>{"bob"});
  v1::RemoveOverrideRequest rm;
  rm.set_request_id("rm-1");
  rm.set_override_id(added.override_id());
  v1::RemoveOverrideResponse removed;
  ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub_->RemoveOverride(ctx.get(), rm, &removed).ok());
  on_call.Clear();
  ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub_->WhoIsOnCall(ctx.get(), who, &on_call).ok());
  EXPECT_EQ(std::vector<std::string>(on_call.person_ids().begin(), on_call.person_ids().end()),
            std::vector<std::string>{"alice"});
}

TEST_F(EscalationGrpcTest, AResponderAcknowledgesOnlyAPageSentToThem) {
  Open("case-1");
  const v1::PageQueued alice_page = Queued()[0];
  ASSERT_EQ(alice_page.person_id(), "alice");
  fx_.ClearPublished();

  v1::EscalationInfo info;
  ExpectDenied(Ack(alice_page.page_id(), "ack-bob", &info, "bob"), "pages.acknowledge: page ");
  ExpectDenied(AckEscalation(alice_page.escalation_id(), "sam", &info), "pages.acknowledge: escalation ");
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty()) << "a refused acknowledgement changed nothing";

  // With escalation_id: an escalation that paged the caller.
  grpc::Status st = AckEscalation(alice_page.escalation_id(), "alice", &info);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(info.acknowledged_by(), "alice");
  fx_.Quiesce();
  ASSERT_EQ(fx_.PublishedOfType("EscalationAcknowledged").size(), 1u);
  EXPECT_EQ(fx_.PublishedOfType("EscalationAcknowledged")[0].actor(), "person:alice");
}

TEST_F(EscalationGrpcTest, ACaseManagerAcknowledgesAnyPageAsThemselvesWhateverPersonIdSays) {
  Open("case-1");
  const v1::PageQueued alice_page = Queued()[0];
  v1::AcknowledgePageRequest r;
  r.set_request_id("ack-lee");
  r.set_page_id(alice_page.page_id());
  SetDeprecated(r, "person_id", "alice");  // ignored
  v1::EscalationInfo info;
  auto ctx = common::ContextWithDeadline();
  grpc::Status st = As("lee")->AcknowledgePage(ctx.get(), r, &info);  // lee: pages.acknowledge_any
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(info.acknowledged_by(), "lee");
  fx_.Quiesce();
  const auto acks = fx_.PublishedOfType("EscalationAcknowledged");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].actor(), "person:lee");
  EXPECT_EQ(acks[0].escalation_acknowledged().acknowledged_by(), "lee");
}

TEST_F(EscalationGrpcTest, ResolveRecordsTheCallerWhateverResolvedBySays) {
  Open("case-1");
  v1::ResolveEscalationRequest r;
  r.set_request_id("res-1");
  r.set_escalation_id(Queued()[0].escalation_id());
  SetDeprecated(r, "resolved_by", "alice");  // ignored
  v1::EscalationInfo info;
  auto ctx = common::ContextWithDeadline();
  ExpectDenied(As("sam")->ResolveEscalation(ctx.get(), r, &info), "permission escalations.manage");
  ctx = common::ContextWithDeadline();
  grpc::Status st = As("reception")->ResolveEscalation(ctx.get(), r, &info);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(info.resolved_by(), "reception");
  fx_.Quiesce();
  const auto resolved = fx_.PublishedOfType("EscalationResolved");
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].actor(), "person:reception");
  EXPECT_EQ(resolved[0].escalation_resolved().resolved_by(), "reception");
}

TEST_F(EscalationGrpcTest, WithoutSchedulesEditAnOverrideCoversOrHandsOverTheCallersOwnShift) {
  v1::ScheduleOverride added;
  // Hand-off: alice holds oncall throughout and gives it to bob.
  grpc::Status st = AddAs("alice", Override("oncall", "bob"), &added);
  ASSERT_TRUE(st.ok()) << st.error_message();
  // Cover: sam puts himself on call.
  st = AddAs("sam", Override("oncall", "sam"), &added);
  ASSERT_TRUE(st.ok()) << st.error_message();
  // Neither: bob no longer holds the stretch (sam covers it) and puts alice on it.
  ExpectDenied(AddAs("bob", Override("oncall", "alice"), &added), "schedules.edit: ");
  // Sam now holds it and may hand it on.
  st = AddAs("sam", Override("oncall", "jordan"), &added);
  EXPECT_TRUE(st.ok()) << st.error_message();
  // Alice no longer holds the stretch she handed to bob (stored overrides count).
  ExpectDenied(AddAs("alice", Override("oncall", "sam"), &added), "schedules.edit: ");
}

TEST_F(EscalationGrpcTest, WithoutSchedulesEditOnlyOverridesOfTheCallerAreRemoved) {
  const std::string for_bob = Added("alice", "oncall", "bob");  // added by alice, names bob
  const std::string for_sam = Added("sam", "oncall", "sam");    // added by sam, names sam
  const std::string by_admin = Added(recovery::testing::kTestPerson, "oncall", "alice");
  ExpectDenied(RemoveAs("sam", for_bob), "schedules.edit: override ");
  ExpectDenied(RemoveAs("bob", by_admin), "schedules.edit: override ");
  grpc::Status st = RemoveAs("bob", for_bob);  // it names him
  EXPECT_TRUE(st.ok()) << st.error_message();
  st = RemoveAs("sam", for_sam);  // he added it
  EXPECT_TRUE(st.ok()) << st.error_message();
  st = RemoveAs("alice", by_admin);  // it names her
  EXPECT_TRUE(st.ok()) << st.error_message();
}

TEST_F(EscalationGrpcTest, ASchedulerChangesOverridesOfTheirTeamsSchedulesAndAnAdminOfAny) {
  // jordan (responders, schedulers) is a member of ops (schedule oncall), not of billing (nights).
  const std::string alices = Added("alice", "oncall", "bob");
  v1::ScheduleOverride added;
  grpc::Status st = AddAs("jordan", Override("oncall", "sam"), &added);  // neither holds nor takes it
  ASSERT_TRUE(st.ok()) << st.error_message();
  ExpectDenied(AddAs("jordan", Override("nights", "bob"), &added), "schedules.edit_any: ");
  st = RemoveAs("jordan", alices);
  EXPECT_TRUE(st.ok()) << st.error_message();
  const std::string nights = Added(recovery::testing::kTestPerson, "nights", "bob");  // admin: any
  ExpectDenied(RemoveAs("jordan", nights), "schedules.edit_any: ");
  st = RemoveAs("mia", nights);  // admins hold schedules.edit_any
  EXPECT_TRUE(st.ok()) << st.error_message();
  // A viewer holds no schedules.override at all: the interceptor refuses.
  ExpectDenied(AddAs("vic", Override("oncall", "vic"), &added), "permission schedules.override");
}

TEST_F(EscalationGrpcTest, AddingAnOverridePublishesOneOverrideAddedWithTheCallerAsActor) {
  fx_.Quiesce();
  fx_.ClearPublished();
  // jordan (a scheduler of ops) puts sam on oncall.
  v1::AddOverrideRequest add = Override("oncall", "sam");
  add.set_reason("alice at the dentist");
  v1::ScheduleOverride added;
  grpc::Status st = AddAs("jordan", add, &added);
  ASSERT_TRUE(st.ok()) << st.error_message();
  fx_.Quiesce();
  ASSERT_EQ(fx_.published().size(), 1u);
  const v1::Event& e = fx_.published()[0];
  ASSERT_TRUE(e.has_override_added()) << common::EventTypeName(e);
  EXPECT_EQ(e.case_id(), "schedule:oncall");
  EXPECT_EQ(e.source(), "escalation");
  EXPECT_EQ(e.actor(), "person:jordan");
  EXPECT_EQ(e.causation_id(), add.request_id());
  EXPECT_EQ(common::FromProto(e.occurred_at()), fx_.clock().Now());
  const v1::OverrideDetails& o = e.override_added().override();
  EXPECT_EQ(o.override_id(), added.override_id());
  EXPECT_EQ(o.schedule_id(), "oncall");
  EXPECT_EQ(o.person_id(), "sam");
  EXPECT_EQ(common::FromProto(o.start()), common::FromProto(add.start()));
  EXPECT_EQ(common::FromProto(o.end()), common::FromProto(add.end()));
  EXPECT_EQ(o.reason(), "alice at the dentist");
  EXPECT_EQ(o.created_by(), "person:jordan");
  EXPECT_EQ(o.cover_request_id(), "");

  // A replay of the request answers the same override and publishes nothing more.
  v1::ScheduleOverride replay;
  ASSERT_TRUE(AddAs("jordan", add, &replay).ok());
  EXPECT_EQ(replay.override_id(), added.override_id());
  fx_.Quiesce();
  EXPECT_EQ(fx_.published().size(), 1u);
}

TEST_F(EscalationGrpcTest, ARefusedAddOverridePublishesNothing) {
  fx_.Quiesce();
  fx_.ClearPublished();
  v1::ScheduleOverride added;
  ExpectDenied(AddAs("jordan", Override("nights", "bob"), &added), "schedules.edit_any: ");
  ExpectDenied(AddAs("bob", Override("oncall", "sam"), &added), "schedules.edit: ");
  ExpectDenied(AddAs("vic", Override("oncall", "vic"), &added), "permission schedules.override");
  v1::AddOverrideRequest backwards = Override("oncall", "sam");
  *backwards.mutable_end() = backwards.start();
  grpc::Status st = AddAs("jordan", backwards, &added);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("end: ", 0), 0u) << st.error_message();
  auto ctx = common::ContextWithDeadline();
  EXPECT_EQ(v1::Escalation::NewStub(fx_.ChannelWithToken(""))
                ->AddOverride(ctx.get(), Override("oncall", "sam"), &added)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty()) << common::EventTypeName(fx_.published().front());
}

TEST_F(EscalationGrpcTest, RemovingAnOverridePublishesOneOverrideRemovedWithRemovedBy) {
  v1::AddOverrideRequest add = Override("oncall", "bob");
  add.set_reason("hand-off");
  v1::ScheduleOverride added;
  ASSERT_TRUE(AddAs("alice", add, &added).ok());  // alice hands her stretch to bob
  fx_.Quiesce();
  fx_.ClearPublished();
  fx_.Advance(absl::Minutes(5));

  // Refused: sam neither added it nor is named by it; an unknown id. Nothing published.
  ExpectDenied(RemoveAs("sam", added.override_id()), "schedules.edit: override ");
  EXPECT_EQ(RemoveAs("bob", common::NewId(fx_.clock().Now())).error_code(), grpc::StatusCode::NOT_FOUND);
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty()) << common::EventTypeName(fx_.published().front());

  v1::RemoveOverrideRequest rm;
  rm.set_request_id(common::NewId(fx_.clock().Now()));
  rm.set_override_id(added.override_id());
  v1::RemoveOverrideResponse removed;
  auto ctx = common::ContextWithDeadline();
  grpc::Status st = As("bob")->RemoveOverride(ctx.get(), rm, &removed);  // it names him
  ASSERT_TRUE(st.ok()) << st.error_message();
  fx_.Quiesce();
  ASSERT_EQ(fx_.published().size(), 1u);
  const v1::Event& e = fx_.published()[0];
  ASSERT_TRUE(e.has_override_removed()) << common::EventTypeName(e);
  EXPECT_EQ(e.case_id(), "schedule:oncall");
  EXPECT_EQ(e.actor(), "person:bob");
  EXPECT_EQ(e.causation_id(), rm.request_id());
  const v1::OverrideRemoved& r = e.override_removed();
  EXPECT_EQ(r.removed_by(), "person:bob");
  EXPECT_EQ(common::FromProto(r.removed_at()), fx_.clock().Now());
  EXPECT_EQ(r.override().override_id(), added.override_id());
  EXPECT_EQ(r.override().person_id(), "bob");
  EXPECT_EQ(r.override().reason(), "hand-off");
  EXPECT_EQ(r.override().created_by(), "person:alice");
  EXPECT_EQ(common::FromProto(r.override().start()), common::FromProto(add.start()));
  EXPECT_EQ(common::FromProto(r.override().end()), common::FromProto(add.end()));

  // A replay of the request answers the same removal and publishes nothing more; the override
  // is gone, so a new request is NOT_FOUND and publishes nothing either.
  v1::RemoveOverrideResponse replay;
  auto replay_ctx = common::ContextWithDeadline();
  ASSERT_TRUE(As("bob")->RemoveOverride(replay_ctx.get(), rm, &replay).ok());
  EXPECT_EQ(replay.removed().override_id(), added.override_id());
  EXPECT_EQ(RemoveAs("bob", added.override_id()).error_code(), grpc::StatusCode::NOT_FOUND);
  fx_.Quiesce();
  EXPECT_EQ(fx_.published().size(), 1u);
}

TEST_F(EscalationGrpcTest, EveryRpcWithoutACredentialIsUnauthenticatedAndChangesNothing) {
  Open("case-1");
  const v1::PageQueued page = Queued()[0];
  const std::string override_id = Added(recovery::testing::kTestPerson, "oncall", "bob");
  fx_.Quiesce();  // its OverrideAdded is relayed before the calls below
  fx_.ClearPublished();
  auto anonymous = v1::Escalation::NewStub(fx_.ChannelWithToken(""));
  std::vector<std::pair<std::string, grpc::Status>> answers;
  auto call = [&](const std::string& name, auto method, const auto& request, auto* response) {
    auto ctx = common::ContextWithDeadline();
    answers.emplace_back(name, ((*anonymous).*method)(ctx.get(), request, response));
  };
  v1::EscalationInfo info;
  v1::AcknowledgePageRequest ack;
  ack.set_request_id("a");
  ack.set_page_id(page.page_id());
  call("AcknowledgePage", &v1::Escalation::Stub::AcknowledgePage, ack, &info);
  v1::ResolveEscalationRequest resolve;
  resolve.set_request_id("r");
  resolve.set_escalation_id(page.escalation_id());
  call("ResolveEscalation", &v1::Escalation::Stub::ResolveEscalation, resolve, &info);
  v1::GetEscalationRequest get;
  get.set_escalation_id(page.escalation_id());
  call("GetEscalation", &v1::Escalation::Stub::GetEscalation, get, &info);
  v1::ListEscalationsRequest list;
  list.set_case_id("case-1");
  v1::ListEscalationsResponse escalations;
  call("ListEscalations", &v1::Escalation::Stub::ListEscalations, list, &escalations);
  v1::ListPagesRequest pages;
  pages.set_escalation_id(page.escalation_id());
  v1::ListPagesResponse page_list;
  call("ListPages", &v1::Escalation::Stub::ListPages, pages, &page_list);
  v1::WhoIsOnCallRequest who;
  who.set_schedule_id("oncall");
  v1::WhoIsOnCallResponse on_call;
  call("WhoIsOnCall", &v1::Escalation::Stub::WhoIsOnCall, who, &on_call);
  v1::ListShiftsRequest shifts;
  shifts.set_schedule_id("oncall");
  *shifts.mutable_from() = common::ToProto(fx_.clock().Now());
  *shifts.mutable_to() = common::ToProto(fx_.clock().Now() + absl::Hours(24));
  v1::ListShiftsResponse shift_list;
  call("ListShifts", &v1::Escalation::Stub::ListShifts, shifts, &shift_list);
  v1::ScheduleOverride added;
  call("AddOverride", &v1::Escalation::Stub::AddOverride, Override("oncall", "sam"), &added);
  v1::RemoveOverrideRequest rm;
  rm.set_request_id("rm");
  rm.set_override_id(override_id);
  v1::RemoveOverrideResponse removed;
  call("RemoveOverride", &v1::Escalation::Stub::RemoveOverride, rm, &removed);
  v1::IsBusinessHoursRequest hours;
  hours.set_calendar_id("office");
  v1::IsBusinessHoursResponse open;
  call("IsBusinessHours", &v1::Escalation::Stub::IsBusinessHours, hours, &open);
  v1::CheckCoverageRequest coverage;
  coverage.set_schedule_id("oncall");
  *coverage.mutable_from() = shifts.from();
  *coverage.mutable_to() = shifts.to();
  v1::CheckCoverageResponse gaps;
  call("CheckCoverage", &v1::Escalation::Stub::CheckCoverage, coverage, &gaps);
  v1::Directory directory;
  call("GetDirectory", &v1::Escalation::Stub::GetDirectory, v1::GetDirectoryRequest(), &directory);
  v1::RequestCoverRequest ask;
  ask.set_request_id("cover");
  ask.set_schedule_id("oncall");
  ask.set_person_id("bob");
  *ask.mutable_start() = common::ToProto(fx_.clock().Now() + absl::Hours(1));
  *ask.mutable_end() = common::ToProto(fx_.clock().Now() + absl::Hours(2));
  v1::CoverRequestInfo cover;
  call("RequestCover", &v1::Escalation::Stub::RequestCover, ask, &cover);
  v1::AcceptCoverRequest accept;
  accept.set_request_id("accept");
  accept.set_cover_request_id(common::NewId(fx_.clock().Now()));
  call("AcceptCover", &v1::Escalation::Stub::AcceptCover, accept, &cover);
  v1::DeclineCoverRequest decline;
  decline.set_request_id("decline");
  decline.set_cover_request_id(accept.cover_request_id());
  call("DeclineCover", &v1::Escalation::Stub::DeclineCover, decline, &cover);
  v1::CancelCoverRequest cancel;
  cancel.set_request_id("cancel");
  cancel.set_cover_request_id(accept.cover_request_id());
  call("CancelCover", &v1::Escalation::Stub::CancelCover, cancel, &cover);
  v1::ListCoverRequestsResponse covers;
  call("ListCoverRequests", &v1::Escalation::Stub::ListCoverRequests, v1::ListCoverRequestsRequest(), &covers);
  v1::CreateCalendarFeedRequest feed;
  feed.set_request_id("feed");
  feed.set_schedule_id("oncall");
  v1::CalendarFeedInfo feed_info;
  call("CreateCalendarFeed", &v1::Escalation::Stub::CreateCalendarFeed, feed, &feed_info);
  v1::ListCalendarFeedsResponse feeds;
  call("ListCalendarFeeds", &v1::Escalation::Stub::ListCalendarFeeds, v1::ListCalendarFeedsRequest(), &feeds);
  v1::RevokeCalendarFeedRequest revoke;
  revoke.set_request_id("revoke");
  revoke.set_feed_id(common::NewId(fx_.clock().Now()));
  call("RevokeCalendarFeed", &v1::Escalation::Stub::RevokeCalendarFeed, revoke, &feed_info);
  v1::InspectAckLinkRequest inspect;
  inspect.set_token("cGFnZQ.AAAAAAAAAAAAAAAAAAAAAA");
  v1::AckLinkInfo link;
  call("InspectAckLink", &v1::Escalation::Stub::InspectAckLink, inspect, &link);
  v1::AcknowledgeByLinkRequest by_link;
  by_link.set_request_id("link");
  by_link.set_token(inspect.token());
  call("AcknowledgeByLink", &v1::Escalation::Stub::AcknowledgeByLink, by_link, &info);

  EXPECT_EQ(answers.size(),
            static_cast<size_t>(v1::AcknowledgePageRequest::descriptor()->file()->service(0)->method_count()))
      << "every RPC of recovery.v1.Escalation";
  for (const auto& [name, st] : answers) {
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << name << ": " << st.error_message();
  }
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty());
  v1::GetEscalationRequest again;
  again.set_escalation_id(page.escalation_id());
  auto ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub_->GetEscalation(ctx.get(), again, &info).ok());
  EXPECT_EQ(info.status(), v1::ESCALATION_STATUS_PAGING);
  // The override is still there, and none was added.
  v1::GetDirectoryRequest dir_req;
  ctx = common::ContextWithDeadline();
  ASSERT_TRUE(stub_->GetDirectory(ctx.get(), dir_req, &directory).ok());
  for (const auto& schedule : directory.schedules()) {
    if (schedule.id() == "oncall") {
      EXPECT_EQ(schedule.overrides_size(), 1);
    }
  }
}

}  // namespace
}  // namespace recovery::escalation
