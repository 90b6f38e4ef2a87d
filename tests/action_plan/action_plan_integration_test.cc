// The real recovery-action-plan binary against the dev broker and a SQLite file: a
// CaseOpened on the topic drafts a plan (PlanDrafted), OwnerAssigned fills the owners, a
// Saturday commitment warns, the shared summary is client-safe, the wording review flags a
// bad draft, retries publish nothing twice, and a SIGTERM + restart keeps everything.
#include <gtest/gtest.h>
#include <signal.h>

#include <functional>
#include <memory>

#include "recovery/v1/action_plan.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"
#include "tests/support/topic_reader.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;
using recovery::common::ContextWithDeadline;
using recovery::testing::DevBroker;
using recovery::testing::kCaseEventsTopic;
using recovery::testing::TempDir;
using recovery::testing::TopicReader;

using ActionPlanService = recovery::testing::ServiceUnderTest<v1::ActionPlan>;

// One run of the service binary on plan.db; its port file and log are action-plan-<tag>.*.
std::unique_ptr<ActionPlanService> StartActionPlan(const TempDir& dir, const std::string& brokers,
                                                   const std::string& tag) {
  return std::make_unique<ActionPlanService>(
      "services/action_plan/recovery-action-plan", dir, "action-plan-" + tag,
      recovery::testing::ServiceFlags{.db = dir.File("plan.db"),
                                      .brokers = brokers,
                                      .topic = kCaseEventsTopic,
                                      .manual_clock = recovery::testing::kManualClockStart});
}

// The manual clock's start: a Tuesday, 22:00 GMT in London.
absl::Time Start() { return recovery::testing::ManualClockStart(); }

absl::Time London(int y, int mo, int d, int h, int mi) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &tz));
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), tz);
}

grpc::Status GetPlan(v1::ActionPlan::Stub& stub, const std::string& case_id, v1::Plan* plan) {
  v1::GetPlanRequest req;
  req.set_case_id(case_id);
  v1::GetPlanResponse out;
  auto ctx = ContextWithDeadline();
  auto s = stub.GetPlan(ctx.get(), req, &out);
  *plan = out.plan();
  return s;
}

// Polls GetPlan until `pred` holds (the consumer's first group join takes ~3 s).
bool PollPlan(v1::ActionPlan::Stub& stub, const std::string& case_id, v1::Plan* plan,
              const std::function<bool(const v1::Plan&)>& pred, absl::Duration timeout = absl::Seconds(30)) {
  return recovery::testing::PollUntil([&] { return GetPlan(stub, case_id, plan).ok() && pred(*plan); }, timeout);
}

TEST(ActionPlanIntegrationTest, CaseOpenedDraftsAnOwnedPlanThatIsSharedReviewedAndSurvivesARestart) {
  DevBroker broker;
  ASSERT_FALSE(broker.bootstrap().empty());
  TempDir dir;
  recovery::testing::EventPublisher publisher(dir.File("publisher.db"), broker.bootstrap(), kCaseEventsTopic);
  auto service = StartActionPlan(dir, broker.bootstrap(), "a");
  const std::string case_id = "case-it-1";

  // CaseOpened from intake -> a drafted plan and PlanDrafted on the topic.
  v1::Event opened = recovery::common::NewEvent(Start(), case_id, "intake", "agent-7", "open-1");
  auto* body = opened.mutable_case_opened();
  body->mutable_client()->set_id("acme");
  body->mutable_client()->set_name("Acme Ltd");
  body->mutable_client()->set_time_zone("Europe/London");
  body->set_category("missed_deadline");
  body->set_severity(v1::SEVERITY_P1);
  body->set_summary("Board pack not delivered");
  publisher.Publish(opened);

  v1::Plan plan;
  ASSERT_TRUE(PollPlan(service->api(), case_id, &plan, [](const v1::Plan& p) { return p.items_size() > 0; }))
      << "no plan drafted for the case";
  EXPECT_EQ(plan.playbook_id(), "missed_deadline.v1");
  EXPECT_EQ(plan.client_time_zone(), "Europe/London");
  TopicReader reader(broker.bootstrap(), kCaseEventsTopic);
  ASSERT_TRUE(
      reader.ReadUntil([&](const auto&) { return reader.CountOf(case_id, "PlanDrafted") >= 1; }, absl::Seconds(30)));
  for (const auto& m : reader.OfCase(case_id)) {
    if (m.type_header != "PlanDrafted") continue;
    EXPECT_EQ(m.event.source(), "action-plan");
    EXPECT_EQ(m.event.causation_id(), opened.event_id());
    EXPECT_EQ(m.event.plan_drafted().plan_id(), plan.plan_id());
    EXPECT_EQ(m.event.plan_drafted().items_size(), plan.items_size());
  }

  // OwnerAssigned -> the case owner's items get the owner.
  v1::Event assigned = recovery::common::NewEvent(Start(), case_id, "intake", "lee", "ack-1");
  assigned.mutable_owner_assigned()->set_owner("lee");
  assigned.mutable_owner_assigned()->set_reason("page acknowledged");
  publisher.Publish(assigned);
  ASSERT_TRUE(PollPlan(service->api(), case_id, &plan, [](const v1::Plan& p) {
    for (const auto& item : p.items())
      if (item.owner_role() == "case_owner" && item.owner() != "lee") return false;
    return true;
  }));
  for (const auto& item : plan.items())
    if (item.owner_role() != "case_owner") {
      EXPECT_EQ(item.owner(), "");
    }

  // A commitment due on Saturday: recorded, with a weekend warning, and CommitmentMade.
  v1::AddCommitmentRequest commit;
  commit.set_request_id("commit-1");
  commit.set_case_id(case_id);
  commit.mutable_commitment()->set_text("We will deliver the board pack");
  commit.mutable_commitment()->set_owner("lee");
  *commit.mutable_commitment()->mutable_due() = recovery::common::ToProto(London(2026, 11, 28, 10, 0));
  v1::CommitmentResponse made;
  {
    auto ctx = ContextWithDeadline();
    auto s = service->api().AddCommitment(ctx.get(), commit, &made);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_EQ(made.warnings_size(), 1);
  EXPECT_EQ(made.warnings(0).code(), v1::TIMING_WARNING_CODE_WEEKEND);
  EXPECT_NE(made.warnings(0).message().find("Sat 28 Nov 2026, 10:00 GMT"), std::string::npos);
  ASSERT_TRUE(
      reader.ReadUntil([&](const auto&) { return reader.CountOf(case_id, "CommitmentMade") >= 1; }, absl::Seconds(30)));
  for (const auto& m : reader.OfCase(case_id)) {
    if (m.type_header != "CommitmentMade") continue;
    EXPECT_EQ(m.event.commitment_made().commitment().owner(), "lee");
    EXPECT_EQ(m.event.commitment_made().warnings_size(), 1);
    EXPECT_EQ(m.event.causation_id(), "commit-1");
    EXPECT_EQ(m.event.actor(), "person:tester") << "the caller of the service's channel";
  }

  // The retry returns the same response and publishes nothing new.
  v1::CommitmentResponse again;
  {
    auto ctx = ContextWithDeadline();
    ASSERT_TRUE(service->api().AddCommitment(ctx.get(), commit, &again).ok());
  }
  EXPECT_EQ(again.SerializeAsString(), made.SerializeAsString());

  // SharePlan: client-visible items with London times; no internal item text, no owner ids.
  v1::SharePlanRequest share;
  share.set_request_id("share-1");
  share.set_case_id(case_id);
  v1::SharePlanResponse shared;
  {
    auto ctx = ContextWithDeadline();
    ASSERT_TRUE(service->api().SharePlan(ctx.get(), share, &shared).ok());
  }
  EXPECT_EQ(shared.version(), 1);
  for (const std::string* summary : {&shared.summary_text(), &shared.summary_markdown()}) {
    EXPECT_NE(summary->find("We agree a new, realistic timeline with you"), std::string::npos) << *summary;
    EXPECT_NE(summary->find("Acme Ltd"), std::string::npos) << *summary;
    EXPECT_NE(summary->find("GMT"), std::string::npos) << *summary;
    EXPECT_NE(summary->find("Sat 28 Nov 2026, 10:00 GMT"), std::string::npos) << *summary;
    EXPECT_EQ(summary->find("We prioritise the remaining work"), std::string::npos) << *summary;
    EXPECT_EQ(summary->find("single, sincere apology"), std::string::npos) << *summary;
    EXPECT_EQ(summary->find("lee"), std::string::npos) << *summary;
    EXPECT_EQ(summary->find("Confirm capacity with the delivery lead"), std::string::npos) << *summary;
  }
  // Once PlanShared (published after the retry) is on the topic, a second CommitmentMade would be too.
  ASSERT_TRUE(
      reader.ReadUntil([&](const auto&) { return reader.CountOf(case_id, "PlanShared") >= 1; }, absl::Seconds(30)));
  EXPECT_EQ(reader.CountOf(case_id, "CommitmentMade"), 1u);
  for (const auto& m : reader.OfCase(case_id)) {
    if (m.type_header == "PlanShared") {
      EXPECT_EQ(m.event.plan_shared().summary_text(), shared.summary_text());
    }
  }

  // Wording review: an over-apologising, liability-accepting draft is flagged; a good one passes.
  v1::ReviewMessageRequest bad;
  bad.set_text("We are so sorry. Sorry again, this is entirely our fault and we will compensate all losses.");
  v1::ReviewMessageResponse bad_out;
  {
    auto ctx = ContextWithDeadline();
    ASSERT_TRUE(service->api().ReviewMessage(ctx.get(), bad, &bad_out).ok());
  }
  bool apology = false, liability = false;
  for (const auto& f : bad_out.findings()) {
    apology |= f.category() == v1::WORDING_CATEGORY_OVER_APOLOGISING && f.has_span();
    liability |= f.category() == v1::WORDING_CATEGORY_ACCEPTING_LIABILITY && f.has_span();
    if (f.has_span()) {
      EXPECT_EQ(bad.text().substr(f.begin(), f.end() - f.begin()), f.excerpt());
    }
    EXPECT_FALSE(f.reason().empty());
  }
  EXPECT_TRUE(apology);
  EXPECT_TRUE(liability);
  v1::ReviewMessageRequest good;
  good.set_text(
      "Thank you for raising this. I have taken ownership of the board pack and will deliver it by "
      "Friday; I will call you once it is with you.");
  good.mutable_context()->set_commitment_recorded(true);
  v1::ReviewMessageResponse good_out;
  {
    auto ctx = ContextWithDeadline();
    ASSERT_TRUE(service->api().ReviewMessage(ctx.get(), good, &good_out).ok());
  }
  EXPECT_EQ(good_out.findings_size(), 0) << good_out.DebugString();

  // Validation: the field is named and nothing is stored.
  v1::AddCommitmentRequest invalid = commit;
  invalid.set_request_id("commit-bad");
  invalid.mutable_commitment()->clear_owner();
  {
    v1::CommitmentResponse out;
    auto ctx = ContextWithDeadline();
    auto s = service->api().AddCommitment(ctx.get(), invalid, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(s.error_message().rfind("commitment.owner: ", 0), 0u) << s.error_message();
  }

  // SIGTERM + restart on the same database: the plan is unchanged and retries still replay.
  v1::Plan before;
  ASSERT_TRUE(GetPlan(service->api(), case_id, &before).ok());
  EXPECT_EQ(before.commitments_size(), 1);
  EXPECT_EQ(before.shared_versions_size(), 1);
  EXPECT_EQ(service->process().Terminate(), 0);
  service = StartActionPlan(dir, broker.bootstrap(), "b");
  v1::Plan after;
  ASSERT_TRUE(GetPlan(service->api(), case_id, &after).ok());
  EXPECT_EQ(after.SerializeAsString(), before.SerializeAsString());
  v1::CommitmentResponse replay;
  {
    auto ctx = ContextWithDeadline();
    ASSERT_TRUE(service->api().AddCommitment(ctx.get(), commit, &replay).ok());
  }
  EXPECT_EQ(replay.SerializeAsString(), made.SerializeAsString());
  // Re-delivered events after the restart (the consumer resumes its group) change nothing.
  // The barrier: the service's group has committed every offset on the topic (offsets are
  // stored only after the handler committed) and the topic is read to its end.
  // Then its outbox is empty (whatever it wrote is on the topic), and once more the group has
  // consumed that, so the topic read to its end holds all the service did.
  ASSERT_TRUE(recovery::testing::GroupCommittedToEnd(broker.bootstrap(), "recovery-action-plan"));
  ASSERT_TRUE(recovery::testing::PollUntil(
      [&] { return recovery::testing::SqliteOutboxRows(dir.File("plan.db")) == 0; }, absl::Seconds(30)));
  ASSERT_TRUE(recovery::testing::GroupCommittedToEnd(broker.bootstrap(), "recovery-action-plan"));
  ASSERT_TRUE(reader.ReadToEnd());
  ASSERT_TRUE(GetPlan(service->api(), case_id, &after).ok());
  EXPECT_EQ(after.SerializeAsString(), before.SerializeAsString());
  EXPECT_EQ(reader.CountOf(case_id, "PlanDrafted"), 1u);
  EXPECT_EQ(reader.CountOf(case_id, "CommitmentMade"), 1u);
}

}  // namespace
}  // namespace recovery::action_plan
