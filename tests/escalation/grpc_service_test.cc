// recovery.v1.Escalation's gRPC class in process, built through EscalationModule on the real
// runtime (tests/support/service_fixture.h): the ack path with the manual clock - a page
// nobody acknowledges reaches tier 2 after the timeout; an acknowledgement stops every
// further page - asserted after the Quiesce() barrier, never after a sleep; and the status
// codes the edge answers.
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

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;

constexpr char kYaml[] = R"(
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}]}
  - {id: bob, name: Bob, time_zone: UTC, contact_methods: [{channel: log, target: bob}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    name: On call
    time_zone: UTC
    layers:
      - {name: primary, participants: [alice], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}, {targets: [{person: bob}], ack_timeout: 10m}], repeats: 2}
teams:
  - {id: ops, name: Ops, members: [alice, bob], calendar: office, schedule: oncall, policy: p}
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
  grpc::Status Ack(const std::string& page_id, const std::string& request_id, v1::EscalationInfo* out) {
    v1::AcknowledgePageRequest r;
    r.set_request_id(request_id);
    r.set_page_id(page_id);
    auto ctx = common::ContextWithDeadline();
    return stub_->AcknowledgePage(ctx.get(), r, out);
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
  std::unique_ptr<v1::Escalation::Stub> stub_;
};

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
  grpc::Status st = Ack(bob_page.page_id(), "ack-1", &acked);
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
  st = Ack(common::NewId(fx_.clock().Now()), "ack-x", &acked);
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

}  // namespace
}  // namespace recovery::escalation
