// The action-plan service layer: proto <-> domain translation, request validation, settings
// loading, and the service itself built through ActionPlanModule on the in-process fixture
// (real runtime, SQLite, gRPC on port 0, manual clock), checked through RPC answers and the
// events it published after Quiesce().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "recovery/v1/action_plan.grpc.pb.h"
#include "services/action_plan/domain/codec.h"
#include "services/action_plan/module.h"
#include "services/action_plan/store.h"
#include "services/action_plan/validation.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "tests/action_plan/test_util.h"
#include "tests/support/process.h"
#include "tests/support/service_fixture.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;
using recovery::common::Tx;
using testing::At;
using ::testing::HasSubstr;

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// ---- translation ----

TEST(PlanCodecTest, PlanRoundTripsThroughTheStoredProtoWithEveryDetail) {
  PlanRecord r;
  r.plan.plan_id = "p1";
  r.plan.case_id = "c1";
  ActionItem done;
  done.id = "call";
  done.what = "We call you";
  done.owner = "lee";
  done.owner_role = "case_owner";
  done.where = "phone";
  done.due = absl::FromUnixSeconds(1'800'000'000);
  done.why = "why";
  done.how = "how";
  done.status = ItemStatus::kDone;
  done.client_visible = true;
  done.completion_note = "called";
  done.completed_at = absl::FromUnixSeconds(1'800'000'100);
  ActionItem cancelled;
  cancelled.id = "x";
  cancelled.what = "internal";
  cancelled.owner_role = "billing";
  cancelled.status = ItemStatus::kCancelled;
  cancelled.cancellation_reason = "not needed";
  r.plan.items = {done, cancelled};
  r.plan.commitments.push_back(Commitment{"k1", "Report by Friday", "lee", absl::FromUnixSeconds(1'800'100'000),
                                          CommitmentStatus::kRenegotiated, 2});
  r.plan.amends.push_back(
      Amends{AmendsKind::kCredit, 12345, "GBP", "boss", "goodwill", absl::FromUnixSeconds(1'800'000'200)});
  r.amends_ids = {"a1"};
  r.plan.root_cause = RootCause{"client view", "firm view", "agreed"};
  r.root_cause_category = "handover";
  r.plan.shared_versions.push_back(SharedVersion{1, absl::FromUnixSeconds(1'800'000'300), "text v1"});
  r.shared_markdown = {"# md v1"};
  r.playbook_id = "missed_deadline.v1";
  r.client_name = "Acme";
  r.client_time_zone = "Europe/London";
  r.client_calendar_id = "acme-london";
  r.completed = true;
  r.created_at = absl::FromUnixSeconds(1'799'999'000);
  r.updated_at = absl::FromUnixSeconds(1'800'000'300);

  const v1::Plan proto = PlanToProto(r);
  EXPECT_EQ(proto.items(0).status(), v1::ITEM_STATUS_DONE);
  EXPECT_EQ(proto.commitments(0).status(), v1::COMMITMENT_STATUS_RENEGOTIATED);
  EXPECT_EQ(proto.amends(0).kind(), v1::AMENDS_KIND_CREDIT);
  EXPECT_EQ(proto.amends(0).value_minor_units(), 12345);
  auto back = PlanFromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(PlanToProto(*back).SerializeAsString(), proto.SerializeAsString());
  EXPECT_EQ(back->plan.items[0].completed_at, done.completed_at);
  EXPECT_EQ(back->plan.items[1].cancellation_reason, "not needed");
  EXPECT_EQ(back->plan.commitments[0].renegotiations, 2);
  EXPECT_EQ(back->amends_ids, std::vector<std::string>{"a1"});
  EXPECT_EQ(back->shared_markdown, std::vector<std::string>{"# md v1"});
  EXPECT_EQ(back->root_cause_category, "handover");
}

TEST(PlanCodecTest, UnknownEnumValuesInAStoredPlanAreRejectedNamingTheField) {
  v1::Plan proto;
  proto.add_items()->set_status(static_cast<v1::ItemStatus>(99));
  auto r = PlanFromProto(proto);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(StartsWith(std::string(r.status().message()), "items[0].status")) << r.status();
}

TEST(PlanCodecTest, StatusEnumsMapBothWaysAndUnspecifiedIsNoValue) {
  for (auto s : {ItemStatus::kOpen, ItemStatus::kInProgress, ItemStatus::kDone, ItemStatus::kCancelled})
    EXPECT_EQ(ItemStatusFromProto(ItemStatusToProto(s)), s);
  for (auto s :
       {CommitmentStatus::kOpen, CommitmentStatus::kKept, CommitmentStatus::kBroken, CommitmentStatus::kRenegotiated})
    EXPECT_EQ(CommitmentStatusFromProto(CommitmentStatusToProto(s)), s);
  for (auto k : {AmendsKind::kDiscount, AmendsKind::kCredit, AmendsKind::kFreeService, AmendsKind::kOther})
    EXPECT_EQ(AmendsKindFromProto(AmendsKindToProto(k)), k);
  EXPECT_FALSE(ItemStatusFromProto(v1::ITEM_STATUS_UNSPECIFIED));
  EXPECT_FALSE(CommitmentStatusFromProto(v1::COMMITMENT_STATUS_UNSPECIFIED));
  EXPECT_FALSE(AmendsKindFromProto(v1::AMENDS_KIND_UNSPECIFIED));
}

TEST(PlanCodecTest, ItemPatchKeepsOnlyTheFieldsThatAreSet) {
  v1::ItemPatch patch;
  patch.set_owner("");  // explicitly cleared
  patch.set_client_visible(false);
  const ItemUpdate u = ItemUpdateFromProto(patch);
  EXPECT_EQ(u.owner, std::optional<std::string>(""));
  EXPECT_EQ(u.client_visible, std::optional<bool>(false));
  EXPECT_FALSE(u.what);
  EXPECT_FALSE(u.due);
  EXPECT_FALSE(u.status);
}

// ---- validation ----

void ExpectInvalid(const absl::Status& s, const std::string& field) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE(StartsWith(std::string(s.message()), field + ": ")) << s;
}

v1::AddCommitmentRequest GoodCommitment() {
  v1::AddCommitmentRequest r;
  r.set_request_id("r1");
  r.set_case_id("c1");
  r.mutable_commitment()->set_text("We will call you");
  r.mutable_commitment()->set_owner("lee");
  r.mutable_commitment()->mutable_due()->set_seconds(1'800'000'000);
  return r;
}

TEST(ValidationTest, WritesNeedARequestIdAndExactlyOnePlanReference) {
  EXPECT_TRUE(ValidateAddCommitment(GoodCommitment()).ok());
  auto r = GoodCommitment();
  r.clear_request_id();
  ExpectInvalid(ValidateAddCommitment(r), "request_id");
  r = GoodCommitment();
  r.clear_case_id();
  ExpectInvalid(ValidateAddCommitment(r), "plan_id");
  r = GoodCommitment();
  r.set_plan_id("p1");
  ExpectInvalid(ValidateAddCommitment(r), "case_id");
  r = GoodCommitment();
  r.set_case_id("has space");
  ExpectInvalid(ValidateAddCommitment(r), "case_id");
}

TEST(ValidationTest, CommitmentFieldsAreNamed) {
  auto r = GoodCommitment();
  r.mutable_commitment()->clear_text();
  ExpectInvalid(ValidateAddCommitment(r), "commitment.text");
  r = GoodCommitment();
  r.mutable_commitment()->clear_owner();
  ExpectInvalid(ValidateAddCommitment(r), "commitment.owner");
  r = GoodCommitment();
  r.mutable_commitment()->clear_due();
  ExpectInvalid(ValidateAddCommitment(r), "commitment.due");
  r = GoodCommitment();
  r.mutable_commitment()->mutable_due()->set_nanos(-1);
  ExpectInvalid(ValidateAddCommitment(r), "commitment.due");
  r = GoodCommitment();
  r.mutable_commitment()->set_status(v1::COMMITMENT_STATUS_KEPT);
  ExpectInvalid(ValidateAddCommitment(r), "commitment.status");
}

TEST(ValidationTest, UpdateCommitmentIsEitherARenegotiationOrASettlement) {
  v1::UpdateCommitmentRequest r;
  r.set_request_id("r1");
  r.set_plan_id("p1");
  r.set_commitment_id("k1");
  ExpectInvalid(ValidateUpdateCommitment(r), "update");
  r.mutable_update()->set_status(v1::COMMITMENT_STATUS_KEPT);
  EXPECT_TRUE(ValidateUpdateCommitment(r).ok());
  r.mutable_update()->mutable_due()->set_seconds(1);
  ExpectInvalid(ValidateUpdateCommitment(r), "update");
  r.mutable_update()->set_status(v1::COMMITMENT_STATUS_UNSPECIFIED);
  EXPECT_TRUE(ValidateUpdateCommitment(r).ok());
  r.mutable_update()->clear_due();
  r.mutable_update()->set_status(v1::COMMITMENT_STATUS_OPEN);
  ExpectInvalid(ValidateUpdateCommitment(r), "update.status");
}

TEST(ValidationTest, ItemRequestsNameTheirFields) {
  v1::AddActionItemRequest add;
  add.set_request_id("r");
  add.set_case_id("c");
  ExpectInvalid(ValidateAddActionItem(add), "item");
  add.mutable_item()->set_what("Do it");
  ExpectInvalid(ValidateAddActionItem(add), "item.owner");
  add.mutable_item()->set_owner_role("billing");
  EXPECT_TRUE(ValidateAddActionItem(add).ok());
  add.mutable_item()->set_status(v1::ITEM_STATUS_DONE);
  ExpectInvalid(ValidateAddActionItem(add), "item.status");

  v1::UpdateActionItemRequest up;
  up.set_request_id("r");
  up.set_case_id("c");
  up.set_item_id("i");
  up.mutable_update();
  ExpectInvalid(ValidateUpdateActionItem(up), "update");
  up.mutable_update()->set_status(v1::ITEM_STATUS_DONE);
  ExpectInvalid(ValidateUpdateActionItem(up), "update.status");

  v1::CompleteActionItemRequest done;
  done.set_request_id("r");
  done.set_case_id("c");
  done.set_item_id("i");
  ExpectInvalid(ValidateCompleteActionItem(done), "completion_note");
  v1::CancelActionItemRequest cancel;
  cancel.set_request_id("r");
  cancel.set_case_id("c");
  ExpectInvalid(ValidateCancelActionItem(cancel), "item_id");
}

TEST(ValidationTest, AmendsRootCauseReviewAndPlaybookFields) {
  v1::RecordAmendsRequest a;
  a.set_request_id("r");
  a.set_case_id("c");
  a.mutable_amends()->set_approver("boss");
  a.mutable_amends()->set_reason("goodwill");
  ExpectInvalid(ValidateRecordAmends(a), "amends.kind");
  a.mutable_amends()->set_kind(v1::AMENDS_KIND_DISCOUNT);
  a.mutable_amends()->set_value_minor_units(-5);
  ExpectInvalid(ValidateRecordAmends(a), "amends.value_minor_units");
  a.mutable_amends()->set_value_minor_units(500);
  EXPECT_TRUE(ValidateRecordAmends(a).ok());

  v1::SetRootCauseRequest rc;
  rc.set_request_id("r");
  rc.set_plan_id("p");
  rc.mutable_root_cause()->set_firm_view("f");
  ExpectInvalid(ValidateSetRootCause(rc), "root_cause.client_view");

  ExpectInvalid(ValidateReviewMessage(v1::ReviewMessageRequest()), "text");
  ExpectInvalid(ValidateGetPlaybook(v1::GetPlaybookRequest()), "id");
  ExpectInvalid(ValidateGetPlan(v1::GetPlanRequest()), "plan_id");
  v1::ListPlansRequest list;
  list.set_limit(5000);
  ExpectInvalid(ValidateListPlans(list), "limit");
}

// ---- configuration ----

TEST(ConfigTest, DefaultsLoadTheShippedPlaybooksAndWordingRules) {
  auto config = LoadSettings(YAML::Node(), "");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_GE(config->playbooks.size(), 2u);
  EXPECT_TRUE(SelectPlaybook(config->playbooks, "missed_deadline").ok());
  EXPECT_FALSE(config->wording_rules.rules.empty());
  EXPECT_TRUE(config->calendars.empty());
}

TEST(ConfigTest, RelativePathsResolveAgainstTheConfigFileAndCalendarsLoad) {
  recovery::testing::TempDir dir;
  std::filesystem::create_directories(dir.File("books"));
  std::filesystem::copy_file(testing::SourcePath("services/action_plan/playbooks/generic.yaml"),
                             dir.File("books/generic.yaml"));
  const std::string yaml =
      "playbooks_dir: books\n"
      "calendars:\n"
      "  - {id: acme-london, time_zone: Europe/London, weekly: {mon: ['09:00-17:00']}}\n";
  auto config = LoadSettings(YAML::Load(yaml), dir.File("action_plan.yaml"));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->playbooks.size(), 1u);
  EXPECT_EQ(config->playbooks[0].category, "generic");
  EXPECT_NE(config->FindCalendar("acme-london"), nullptr);
}

TEST(ConfigTest, BadConfigNamesTheKey) {
  auto unknown = LoadSettings(YAML::Load("playbook_dir: x\n"), "/tmp/a.yaml");
  EXPECT_TRUE(StartsWith(std::string(unknown.status().message()), "playbook_dir: ")) << unknown.status();
  auto missing = LoadSettings(YAML::Load("playbooks_dir: /nonexistent/books\n"), "/tmp/a.yaml");
  EXPECT_TRUE(StartsWith(std::string(missing.status().message()), "playbooks_dir: ")) << missing.status();
  auto rules = LoadSettings(YAML::Load("wording_rules: /nonexistent/rules.yaml\n"), "/tmp/a.yaml");
  EXPECT_TRUE(StartsWith(std::string(rules.status().message()), "wording_rules: ")) << rules.status();
  auto cal = LoadSettings(YAML::Load("calendars: [{id: x, time_zone: Mars/Olympus}]\n"), "/tmp/a.yaml");
  EXPECT_TRUE(StartsWith(std::string(cal.status().message()), "calendars")) << cal.status();
  auto roles = LoadSettings(YAML::Load("role_owners: {account_lead: [a, b]}\n"), "/tmp/a.yaml");
  EXPECT_TRUE(StartsWith(std::string(roles.status().message()), "role_owners.account_lead: ")) << roles.status();
  auto case_owner = LoadSettings(YAML::Load("role_owners: {case_owner: lee}\n"), "/tmp/a.yaml");
  EXPECT_TRUE(StartsWith(std::string(case_owner.status().message()), "role_owners.case_owner: "))
      << case_owner.status();
}

TEST(ConfigTest, RoleOwnersLoad) {
  auto config = LoadSettings(YAML::Load("role_owners: {account_lead: lee, service_manager: mia}\n"), "");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->role_owners.at("account_lead"), "lee");
  EXPECT_EQ(config->role_owners.at("service_manager"), "mia");
}

TEST(ConfigTest, PlaybooksDirWithoutAGenericPlaybookIsRejected) {
  recovery::testing::TempDir dir;
  std::filesystem::copy_file(testing::SourcePath("services/action_plan/playbooks/missed_deadline.yaml"),
                             dir.File("missed_deadline.yaml"));
  auto books = LoadPlaybooksDir(dir.path());
  EXPECT_EQ(books.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(StartsWith(std::string(books.status().message()), "playbooks_dir: ")) << books.status();
}

// ---- validation defects (issue 14 item 7) ----

TEST(ValidationTest, LengthsCountCharactersNotBytes) {
  v1::SetRootCauseRequest r;
  r.set_request_id("r");
  r.set_plan_id("p");
  r.mutable_root_cause()->set_firm_view("f");
  // 8000 characters of two bytes each: at the limit, though 16000 bytes.
  std::string view;
  for (size_t i = 0; i < kMaxLongText; ++i) view += "\xc3\xa9";  // é
  r.mutable_root_cause()->set_client_view(view);
  EXPECT_TRUE(ValidateSetRootCause(r).ok()) << ValidateSetRootCause(r);
  r.mutable_root_cause()->set_client_view(view + "\xc3\xa9");
  const absl::Status s = ValidateSetRootCause(r);
  ExpectInvalid(s, "root_cause.client_view");
  EXPECT_THAT(std::string(s.message()), HasSubstr("characters"));
}

TEST(ValidationTest, WhitespaceAndZeroWidthOnlyTextIsBlank) {
  v1::CompleteActionItemRequest r;
  r.set_request_id("r");
  r.set_case_id("c");
  r.set_item_id("i");
  for (const std::string blank : {" \t\n", "\xe2\x80\x8b", "\xc2\xa0\xe2\x80\x8d", "\xef\xbb\xbf \xe2\x81\xa0"}) {
    r.set_completion_note(blank);
    ExpectInvalid(ValidateCompleteActionItem(r), "completion_note");
  }
  r.set_completion_note("called the client\n\tand confirmed");
  EXPECT_TRUE(ValidateCompleteActionItem(r).ok());
}

TEST(ValidationTest, ControlCharactersAreRefusedButLongTextsKeepNewlinesAndTabs) {
  v1::AddActionItemRequest r;
  r.set_request_id("r");
  r.set_case_id("c");
  r.mutable_item()->set_owner("lee");
  r.mutable_item()->set_what("Line one\nline two\twith a tab");
  EXPECT_TRUE(ValidateAddActionItem(r).ok()) << ValidateAddActionItem(r);
  r.mutable_item()->set_what("Bell \x07 here");
  ExpectInvalid(ValidateAddActionItem(r), "item.what");
  r.mutable_item()->set_what("Escape \x1b[31m red");
  ExpectInvalid(ValidateAddActionItem(r), "item.what");
  r.mutable_item()->set_what("ok");
  r.mutable_item()->set_where("phone\ncall");  // a short text: one line
  ExpectInvalid(ValidateAddActionItem(r), "item.where");
  r.mutable_item()->set_where("phone");
  r.mutable_item()->set_why("invalid \xff utf-8");
  ExpectInvalid(ValidateAddActionItem(r), "item.why");
}

TEST(ValidationTest, MalformedPlanAndCaseIdsAreInvalidArgumentNamingTheField) {
  v1::GetPlanRequest get;
  for (const std::string& bad :
       std::vector<std::string>{"has space", "caf\xc3\xa9", "tab\tid", std::string(129, 'a')}) {
    get.set_case_id(bad);
    get.clear_plan_id();
    ExpectInvalid(ValidateGetPlan(get), "case_id");
    get.clear_case_id();
    get.set_plan_id(bad);
    ExpectInvalid(ValidateGetPlan(get), "plan_id");
  }
}

TEST(ValidationTest, ConsumedCaseOpenedNeedsCategoryAndSeverity) {
  v1::Event e = recovery::common::NewEvent(absl::Now(), "case-1", "intake", "agent", "req");
  e.mutable_case_opened();
  ExpectInvalid(ValidateCaseOpened(e), "case_opened.category");
  e.mutable_case_opened()->set_category("missed_deadline");
  ExpectInvalid(ValidateCaseOpened(e), "case_opened.severity");
  e.mutable_case_opened()->set_severity(v1::SEVERITY_P2);
  EXPECT_TRUE(ValidateCaseOpened(e).ok()) << ValidateCaseOpened(e);
  e.set_case_id("");
  ExpectInvalid(ValidateCaseOpened(e), "case_id");
  v1::Event owner = recovery::common::NewEvent(absl::Now(), "case-1", "intake", "agent", "req");
  owner.mutable_owner_assigned()->set_owner("lee\nroot");
  ExpectInvalid(ValidateOwnerEvent(owner), "owner_assigned.owner");
}

// ---- the service in process, built through its module ----

constexpr char kCalendars[] =
    "calendars:\n"
    "  - id: acme-london\n"
    "    time_zone: Europe/London\n"
    "    weekly: {mon: ['09:00-17:30'], tue: ['09:00-17:30'], wed: ['09:00-17:30'],\n"
    "             thu: ['09:00-17:30'], fri: ['09:00-17:30']}\n"
    "    holidays: [{date: 2026-12-25, name: Christmas Day}]\n";

class ActionPlanServiceTest : public ::testing::Test {
 protected:
  static recovery::testing::FixtureOptions Options() {
    recovery::testing::FixtureOptions options;
    options.config_yaml = kCalendars;
    return options;
  }
  ActionPlanServiceTest() : fx_(module_, Options()), stub_(v1::ActionPlan::NewStub(fx_.channel())) {
    // The start imported --config (one ConfigChanged per playbook, rule, calendar): not what
    // these tests look at.
    fx_.Quiesce();
    fx_.ClearPublished();
  }

  absl::Time Now() { return fx_.clock().Now(); }

  std::vector<v1::Event> EventsOfType(const std::string& type) {
    fx_.Quiesce();
    return fx_.PublishedOfType(type);
  }

  absl::Status Deliver(const v1::Event& e) { return fx_.Deliver(e); }

  v1::Event CaseOpened(const std::string& case_id, const std::string& category = "missed_deadline",
                       const std::string& calendar = "") {
    v1::Event e = recovery::common::NewEvent(Now(), case_id, "intake", "agent", "req");
    auto* body = e.mutable_case_opened();
    body->mutable_client()->set_id("acme");
    body->mutable_client()->set_name("Acme Ltd");
    body->mutable_client()->set_time_zone("Europe/London");
    body->mutable_client()->set_calendar_id(calendar);
    body->set_category(category);
    body->set_severity(v1::SEVERITY_P2);
    return e;
  }

  void OpenCase(const std::string& case_id, const std::string& category = "missed_deadline",
                const std::string& calendar = "") {
    ASSERT_TRUE(Deliver(CaseOpened(case_id, category, calendar)).ok());
  }

  // Calls one RPC with a fresh context.
  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (v1::ActionPlan::Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& req, Resp* out) {
    grpc::ClientContext ctx;
    return (stub_.get()->*method)(&ctx, req, out);
  }

  v1::Plan GetPlan(const std::string& case_id) {
    v1::GetPlanRequest req;
    req.set_case_id(case_id);
    v1::GetPlanResponse out;
    auto s = Call(&v1::ActionPlan::Stub::GetPlan, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.plan();
  }

  v1::AddCommitmentRequest Commit(const std::string& request_id, const std::string& case_id, absl::Time due) {
    v1::AddCommitmentRequest r;
    r.set_request_id(request_id);
    r.set_case_id(case_id);
    r.mutable_commitment()->set_text("We will report back with the fix");
    r.mutable_commitment()->set_owner("lee");
    *r.mutable_commitment()->mutable_due() = recovery::common::ToProto(due);
    return r;
  }

  int StoredPlans() {
    int n = -1;
    EXPECT_TRUE(recovery::common::InTransaction(fx_.store(), [&](Tx& tx) -> absl::Status {
                  auto rows = tx.Query("SELECT COUNT(*) FROM action_plans");
                  if (!rows.ok()) return rows.status();
                  n = static_cast<int>((*rows)[0].Int(0));
                  return absl::OkStatus();
                }).ok());
    return n;
  }

  ActionPlanModule module_;
  recovery::testing::ServiceFixture fx_;
  std::unique_ptr<v1::ActionPlan::Stub> stub_;
};

TEST_F(ActionPlanServiceTest, CaseOpenedDraftsThePlanFromThePlaybookOnceAndPublishesPlanDrafted) {
  OpenCase("case-1");
  v1::Event again = CaseOpened("case-1");  // a second CaseOpened (new id) for the same case keeps the first plan
  ASSERT_TRUE(Deliver(again).ok());
  const v1::Plan plan = GetPlan("case-1");
  EXPECT_EQ(plan.playbook_id(), "missed_deadline.v1");
  EXPECT_EQ(plan.client_time_zone(), "Europe/London");
  EXPECT_EQ(plan.client_name(), "Acme Ltd");
  ASSERT_EQ(plan.items_size(), 6);
  EXPECT_EQ(plan.items(0).id(), "acknowledge");
  EXPECT_EQ(recovery::common::FromProto(plan.items(0).due()), Now() + absl::Hours(2));
  const auto drafted = EventsOfType("PlanDrafted");
  ASSERT_EQ(drafted.size(), 1u);
  EXPECT_EQ(drafted[0].source(), "action-plan");
  // The effect of a consumed event is the service's own, caused by that event.
  EXPECT_EQ(drafted[0].actor(), "service:action-plan");
  EXPECT_EQ(drafted[0].plan_drafted().plan_id(), plan.plan_id());
  EXPECT_EQ(drafted[0].plan_drafted().items_size(), 6);
  EXPECT_EQ(fx_.published().size(), 1u) << "nothing else was published";
}

TEST_F(ActionPlanServiceTest, EmptyForeignCaseOpenedIsLoggedCountedParkedAndNotPlanned) {
  // As published with kcat: a CaseOpened with an empty body for a case intake never opened.
  v1::Event empty = recovery::common::NewEvent(Now(), "never-opened", "intake", "kcat", "");
  empty.mutable_case_opened();
  ASSERT_EQ(fx_.DeliverBytes(empty.SerializeAsString()).code(), absl::StatusCode::kInvalidArgument)
      << "refused as malformed; the consumer parked it";
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty());
  EXPECT_EQ(StoredPlans(), 0);
  v1::GetPlanRequest get;
  get.set_case_id("never-opened");
  v1::GetPlanResponse out;
  EXPECT_EQ(Call(&v1::ActionPlan::Stub::GetPlan, get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  std::vector<recovery::common::DeadLetter> letters;
  ASSERT_TRUE(recovery::common::InTransaction(fx_.store(), [&](Tx& tx) -> absl::Status {
                auto listed = recovery::common::ListDeadLetters(tx, "consumer", 10);
                if (!listed.ok()) return listed.status();
                letters = *listed;
                return absl::OkStatus();
              }).ok());
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].event_id, empty.event_id());
  EXPECT_EQ(letters[0].type, "CaseOpened");
  EXPECT_THAT(letters[0].reason, HasSubstr("case_opened.category"));
  EXPECT_THAT(fx_.runtime().metrics().Render(), HasSubstr("outcome=\"malformed\"} 1"));
}

TEST_F(ActionPlanServiceTest, UnknownCategoryFallsBackToTheGenericPlaybook) {
  OpenCase("case-g", "no_such_category");
  EXPECT_EQ(GetPlan("case-g").playbook_id().rfind("generic", 0), 0u);
}

TEST_F(ActionPlanServiceTest, OwnerAssignedFillsCaseOwnerItemsAndReassignmentMovesThem) {
  OpenCase("case-2");
  v1::Event assigned = recovery::common::NewEvent(Now(), "case-2", "intake", "x", "y");
  assigned.mutable_owner_assigned()->set_owner("lee");
  ASSERT_TRUE(Deliver(assigned).ok());
  v1::Plan plan = GetPlan("case-2");
  int owned = 0;
  for (const auto& item : plan.items()) {
    if (item.owner_role() == "case_owner") {
      EXPECT_EQ(item.owner(), "lee");
      ++owned;
    } else {
      EXPECT_EQ(item.owner(), "");
    }
  }
  EXPECT_EQ(owned, 3);
  const auto updates = EventsOfType("ActionItemUpdated");
  ASSERT_EQ(updates.size(), 3u);
  EXPECT_EQ(updates[0].action_item_updated().item().owner(), "lee");
  EXPECT_EQ(updates[0].causation_id(), assigned.event_id());

  v1::Event moved = recovery::common::NewEvent(Now(), "case-2", "intake", "x", "y");
  moved.mutable_owner_assigned()->set_owner("kim");
  moved.mutable_owner_assigned()->set_previous_owner("lee");
  ASSERT_TRUE(Deliver(moved).ok());
  const v1::Plan reassigned = GetPlan("case-2");
  for (const auto& item : reassigned.items())
    if (item.owner_role() == "case_owner") {
      EXPECT_EQ(item.owner(), "kim");
    }
  EXPECT_EQ(EventsOfType("ActionItemUpdated").size(), 6u);
}

TEST_F(ActionPlanServiceTest, CaseAcknowledgedMakesTheAcknowledgerTheOwnerOfCaseOwnerItems) {
  OpenCase("case-ack");
  v1::Event ack = recovery::common::NewEvent(Now(), "case-ack", "intake", "x", "y");
  ack.mutable_case_acknowledged()->set_acknowledged_by("sam");
  ASSERT_TRUE(Deliver(ack).ok());
  const v1::Plan plan = GetPlan("case-ack");
  for (const auto& item : plan.items()) {
    EXPECT_EQ(item.owner(), item.owner_role() == "case_owner" ? "sam" : "") << item.id();
  }
  // Events of other types and this service's own events change nothing.
  v1::Event own = recovery::common::NewEvent(Now(), "case-ack", "action-plan", "x", "y");
  own.mutable_owner_assigned()->set_owner("someone-else");
  ASSERT_TRUE(Deliver(own).ok());
  EXPECT_EQ(GetPlan("case-ack").SerializeAsString(), plan.SerializeAsString());
}

TEST_F(ActionPlanServiceTest, ClientZoneFallsBackToTheContactThenToUtc) {
  v1::Event e = CaseOpened("case-tz");
  e.mutable_case_opened()->mutable_client()->clear_time_zone();
  e.mutable_case_opened()->mutable_contact()->set_time_zone("America/New_York");
  ASSERT_TRUE(Deliver(e).ok());
  EXPECT_EQ(GetPlan("case-tz").client_time_zone(), "America/New_York");
  v1::Event bad = CaseOpened("case-tz2");
  bad.mutable_case_opened()->mutable_client()->set_time_zone("Europe/Atlantis");
  ASSERT_TRUE(Deliver(bad).ok());
  EXPECT_EQ(GetPlan("case-tz2").client_time_zone(), "UTC");
}

TEST_F(ActionPlanServiceTest, ReloadedSettingsAreUsedByLaterCalls) {
  recovery::testing::TempDir dir;
  std::filesystem::create_directories(dir.File("books"));
  std::filesystem::copy_file(testing::SourcePath("services/action_plan/playbooks/generic.yaml"),
                             dir.File("books/generic.yaml"));
  ASSERT_TRUE(module_.Reload(YAML::Load("playbooks_dir: " + dir.File("books") + "\n")).ok());
  v1::ListPlaybooksRequest list;
  v1::ListPlaybooksResponse listed;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::ListPlaybooks, list, &listed).ok());
  EXPECT_EQ(listed.playbooks_size(), 1);
  // A bad file keeps what runs.
  EXPECT_FALSE(module_.Reload(YAML::Load("playbooks_dir: /nonexistent\n")).ok());
  listed.Clear();
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::ListPlaybooks, list, &listed).ok());
  EXPECT_EQ(listed.playbooks_size(), 1);
}

TEST_F(ActionPlanServiceTest, CommitmentDueOnSaturdayWarnsAndIsStillRecordedWithItsEvent) {
  OpenCase("case-3");
  v1::CommitmentResponse out;
  auto req = Commit("k-1", "case-3", At("Europe/London", 2026, 11, 28, 10, 0));
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::AddCommitment, req, &out).ok());
  ASSERT_EQ(out.warnings_size(), 1);
  EXPECT_EQ(out.warnings(0).code(), v1::TIMING_WARNING_CODE_WEEKEND);
  EXPECT_NE(out.warnings(0).message().find("Sat 28 Nov 2026, 10:00 GMT"), std::string::npos)
      << out.warnings(0).message();
  EXPECT_EQ(out.commitment().status(), v1::COMMITMENT_STATUS_OPEN);
  const auto made = EventsOfType("CommitmentMade");
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0].commitment_made().commitment().owner(), "lee");
  EXPECT_EQ(made[0].commitment_made().warnings_size(), 1);

  // Retrying the same request returns the first answer and publishes nothing new.
  v1::CommitmentResponse again;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::AddCommitment, req, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), out.SerializeAsString());
  EXPECT_EQ(EventsOfType("CommitmentMade").size(), 1u);
}

TEST_F(ActionPlanServiceTest, CommitmentOnAClientHolidayWarnsWithTheHolidayName) {
  OpenCase("case-h", "missed_deadline", "acme-london");
  v1::CommitmentResponse out;
  auto req = Commit("k-h", "case-h", At("Europe/London", 2026, 12, 25, 11, 0));
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::AddCommitment, req, &out).ok());
  ASSERT_EQ(out.warnings_size(), 1);
  EXPECT_EQ(out.warnings(0).code(), v1::TIMING_WARNING_CODE_HOLIDAY);
  EXPECT_NE(out.warnings(0).message().find("Christmas Day"), std::string::npos);
  v1::CommitmentResponse fine;
  auto ok_req = Commit("k-ok", "case-h", At("Europe/London", 2026, 11, 26, 11, 0));
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::AddCommitment, ok_req, &fine).ok());
  EXPECT_EQ(fine.warnings_size(), 0);
}

TEST_F(ActionPlanServiceTest, CommitmentsAreKeptBrokenOrRenegotiatedWithTheirEvents) {
  OpenCase("case-4");
  v1::CommitmentResponse made;
  auto req = Commit("k-1", "case-4", At("Europe/London", 2026, 11, 26, 11, 0));
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::AddCommitment, req, &made).ok());
  v1::UpdateCommitmentRequest up;
  up.set_request_id("u-1");
  up.set_case_id("case-4");
  up.set_commitment_id(made.commitment().id());
  *up.mutable_update()->mutable_due() = recovery::common::ToProto(At("Europe/London", 2026, 11, 27, 11, 0));
  v1::CommitmentResponse out;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::UpdateCommitment, up, &out).ok());
  EXPECT_EQ(out.commitment().status(), v1::COMMITMENT_STATUS_RENEGOTIATED);
  ASSERT_EQ(EventsOfType("CommitmentUpdated").size(), 1u);
  EXPECT_EQ(EventsOfType("CommitmentUpdated")[0].commitment_updated().previous_due().seconds(),
            made.commitment().due().seconds());
  up.set_request_id("u-2");
  up.mutable_update()->clear_due();
  up.mutable_update()->set_status(v1::COMMITMENT_STATUS_KEPT);
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::UpdateCommitment, up, &out).ok());
  EXPECT_EQ(EventsOfType("CommitmentKept").size(), 1u);
  // A kept promise is final.
  up.set_request_id("u-3");
  up.mutable_update()->set_status(v1::COMMITMENT_STATUS_BROKEN);
  EXPECT_EQ(Call(&v1::ActionPlan::Stub::UpdateCommitment, up, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(EventsOfType("CommitmentBroken").size(), 0u);
}

TEST_F(ActionPlanServiceTest, CompletingEveryClientVisibleItemPublishesPlanCompletedOnce) {
  OpenCase("case-5");
  const v1::Plan plan = GetPlan("case-5");
  int n = 0;
  for (const auto& item : plan.items()) {
    v1::CompleteActionItemRequest req;
    req.set_request_id("done-" + std::to_string(n++));
    req.set_case_id("case-5");
    req.set_item_id(item.id());
    req.set_completion_note("done");
    v1::ActionItemResponse out;
    ASSERT_TRUE(Call(&v1::ActionPlan::Stub::CompleteActionItem, req, &out).ok());
    EXPECT_EQ(out.item().status(), v1::ITEM_STATUS_DONE);
  }
  EXPECT_EQ(EventsOfType("ActionItemCompleted").size(), static_cast<size_t>(plan.items().size()));
  EXPECT_EQ(EventsOfType("PlanCompleted").size(), 1u);
  EXPECT_TRUE(GetPlan("case-5").complete());

  // Completing a cancelled or done item is a precondition failure, an unknown one NOT_FOUND.
  v1::CancelActionItemRequest cancel;
  cancel.set_request_id("c-1");
  cancel.set_case_id("case-5");
  cancel.set_item_id("acknowledge");
  cancel.set_reason("x");
  v1::ActionItemResponse out;
  EXPECT_EQ(Call(&v1::ActionPlan::Stub::CancelActionItem, cancel, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  cancel.set_request_id("c-2");
  cancel.set_item_id("nope");
  auto s = Call(&v1::ActionPlan::Stub::CancelActionItem, cancel, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message().rfind("item_id: ", 0), 0u) << s.error_message();
}

TEST_F(ActionPlanServiceTest, WritesToAnUnknownPlanAreNotFoundAndMalformedIdsInvalidNamingTheField) {
  auto req = Commit("k-x", "no-such-case", Now() + absl::Hours(5));
  v1::CommitmentResponse out;
  auto s = Call(&v1::ActionPlan::Stub::AddCommitment, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message().rfind("case_id: ", 0), 0u) << s.error_message();
  req.set_case_id("caf\xc3\xa9 case");
  s = Call(&v1::ActionPlan::Stub::AddCommitment, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("case_id: ", 0), 0u) << s.error_message();
  v1::GetPlanRequest get;
  get.set_plan_id(std::string(200, 'p'));
  v1::GetPlanResponse got;
  s = Call(&v1::ActionPlan::Stub::GetPlan, get, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("plan_id: ", 0), 0u) << s.error_message();
}

TEST_F(ActionPlanServiceTest, SharePlanRendersLondonTimesWithoutInternalDetailAndVersionsIncrease) {
  OpenCase("case-6");
  v1::Event assigned = recovery::common::NewEvent(Now(), "case-6", "intake", "x", "y");
  assigned.mutable_owner_assigned()->set_owner("person-lee-42");
  ASSERT_TRUE(Deliver(assigned).ok());
  v1::SharePlanRequest req;
  req.set_request_id("share-1");
  req.set_case_id("case-6");
  v1::SharePlanResponse out;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::SharePlan, req, &out).ok());
  EXPECT_EQ(out.version(), 1);
  EXPECT_NE(out.summary_text().find("We agree a new, realistic timeline with you"), std::string::npos);
  EXPECT_NE(out.summary_text().find("GMT"), std::string::npos);
  EXPECT_EQ(out.summary_text().find("We prioritise the remaining work"), std::string::npos);  // internal item
  EXPECT_EQ(out.summary_markdown().find("person-lee-42"), std::string::npos);
  EXPECT_EQ(out.summary_text().find("person-lee-42"), std::string::npos);
  req.set_request_id("share-2");
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::SharePlan, req, &out).ok());
  EXPECT_EQ(out.version(), 2);
  const auto shared = EventsOfType("PlanShared");
  ASSERT_EQ(shared.size(), 2u);
  EXPECT_EQ(shared[1].plan_shared().version(), 2);
  EXPECT_EQ(GetPlan("case-6").shared_versions_size(), 2);
}

TEST_F(ActionPlanServiceTest, AmendsRootCauseAndItemsCarryTheirDataOnEvents) {
  OpenCase("case-7");
  v1::RecordAmendsRequest amends;
  amends.set_request_id("a-1");
  amends.set_case_id("case-7");
  amends.mutable_amends()->set_kind(v1::AMENDS_KIND_CREDIT);
  amends.mutable_amends()->set_value_minor_units(2550);
  amends.mutable_amends()->set_currency("GBP");
  amends.mutable_amends()->set_approver("boss");
  amends.mutable_amends()->set_reason("goodwill");
  v1::RecordAmendsResponse amends_out;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::RecordAmends, amends, &amends_out).ok());
  ASSERT_EQ(EventsOfType("AmendsRecorded").size(), 1u);
  const v1::AmendsRecorded rec = EventsOfType("AmendsRecorded")[0].amends_recorded();
  EXPECT_EQ(rec.value_minor_units(), 2550);
  EXPECT_DOUBLE_EQ(rec.value(), 25.5);
  EXPECT_EQ(rec.amends_id(), amends_out.amends().amends_id());
  amends.set_request_id("a-2");
  amends.mutable_amends()->set_currency("pounds");
  EXPECT_EQ(Call(&v1::ActionPlan::Stub::RecordAmends, amends, &amends_out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::SetRootCauseRequest rc;
  rc.set_request_id("rc-1");
  rc.set_case_id("case-7");
  rc.mutable_root_cause()->set_client_view("You forgot us");
  rc.mutable_root_cause()->set_firm_view("Handover missed");
  rc.mutable_root_cause()->set_category("handover");
  v1::SetRootCauseResponse rc_out;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::SetRootCause, rc, &rc_out).ok());
  EXPECT_EQ(EventsOfType("RootCauseSet")[0].root_cause_set().category(), "handover");
  EXPECT_EQ(rc_out.plan().root_cause().category(), "handover");

  v1::AddActionItemRequest add;
  add.set_request_id("i-1");
  add.set_case_id("case-7");
  add.mutable_item()->set_what("Send the revised schedule");
  add.mutable_item()->set_owner("lee");
  add.mutable_item()->set_client_visible(true);
  v1::ActionItemResponse item_out;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::AddActionItem, add, &item_out).ok());
  EXPECT_FALSE(item_out.item().id().empty());
  ASSERT_EQ(EventsOfType("ActionItemAdded").size(), 1u);
  EXPECT_EQ(EventsOfType("ActionItemAdded")[0].action_item_added().item().owner(), "lee");

  v1::UpdateActionItemRequest up;
  up.set_request_id("i-2");
  up.set_case_id("case-7");
  up.set_item_id(item_out.item().id());
  up.mutable_update()->set_status(v1::ITEM_STATUS_IN_PROGRESS);
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::UpdateActionItem, up, &item_out).ok());
  EXPECT_EQ(item_out.item().status(), v1::ITEM_STATUS_IN_PROGRESS);
  const auto updates = EventsOfType("ActionItemUpdated");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].action_item_updated().changed_fields(0), "status");
}

TEST_F(ActionPlanServiceTest, ReviewMessageFlagsOverApologisingAndLiabilityAndPassesAGoodDraft) {
  v1::ReviewMessageRequest bad;
  bad.set_text("We are so sorry. Sorry again, this is entirely our fault and we will compensate all losses.");
  v1::ReviewMessageResponse out;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::ReviewMessage, bad, &out).ok());
  bool apology = false, liability = false;
  for (const auto& f : out.findings()) {
    apology |= f.category() == v1::WORDING_CATEGORY_OVER_APOLOGISING;
    liability |= f.category() == v1::WORDING_CATEGORY_ACCEPTING_LIABILITY;
    if (f.has_span()) {
      EXPECT_EQ(bad.text().substr(f.begin(), f.end() - f.begin()), f.excerpt());
    }
  }
  EXPECT_TRUE(apology);
  EXPECT_TRUE(liability);
  v1::ReviewMessageRequest good;
  good.set_text(
      "Dana, thank you for your patience tonight. I have taken ownership of the payroll export issue. The export "
      "has been rerun and I will report back with the root cause by 10:00 tomorrow.");
  good.mutable_context()->set_commitment_recorded(true);
  v1::ReviewMessageResponse good_out;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::ReviewMessage, good, &good_out).ok());
  EXPECT_EQ(good_out.findings_size(), 0);
}

TEST_F(ActionPlanServiceTest, PlaybooksAreListedAndFoundByIdOrCategory) {
  v1::ListPlaybooksRequest list;
  v1::ListPlaybooksResponse listed;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::ListPlaybooks, list, &listed).ok());
  EXPECT_EQ(listed.playbooks_size(), static_cast<int>(module_.app().settings()->playbooks.size()));
  v1::GetPlaybookRequest get;
  get.set_category("missed_deadline");
  v1::GetPlaybookResponse got;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::GetPlaybook, get, &got).ok());
  EXPECT_EQ(got.playbook().id(), "missed_deadline.v1");
  EXPECT_EQ(got.playbook().items(0).due(), "2h");
  get.clear_category();
  get.set_id("nope");
  EXPECT_EQ(Call(&v1::ActionPlan::Stub::GetPlaybook, get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ActionPlanServiceTest, ListPlansPagesInCreationOrder) {
  OpenCase("case-a");
  OpenCase("case-b");
  OpenCase("case-c");
  v1::ListPlansRequest req;
  req.set_limit(2);
  v1::ListPlansResponse page1;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::ListPlans, req, &page1).ok());
  ASSERT_EQ(page1.plans_size(), 2);
  EXPECT_EQ(page1.plans(0).case_id(), "case-a");
  ASSERT_FALSE(page1.next_page_token().empty());
  req.set_page_token(page1.next_page_token());
  v1::ListPlansResponse page2;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::ListPlans, req, &page2).ok());
  ASSERT_EQ(page2.plans_size(), 1);
  EXPECT_EQ(page2.plans(0).case_id(), "case-c");
  EXPECT_TRUE(page2.next_page_token().empty());
}

TEST_F(ActionPlanServiceTest, TheActorOfEveryWriteIsTheCallerWhateverTheRequestSays) {
  OpenCase("case-actor");
  auto as_lee = v1::ActionPlan::NewStub(fx_.ChannelAs("lee"));
  auto req = Commit("k-actor", "case-actor", At("Europe/London", 2026, 11, 26, 10, 0));
  // The deprecated field is ignored (set by reflection: its accessors are marked deprecated).
  req.GetReflection()->SetString(&req, req.GetDescriptor()->FindFieldByName("actor"), "someone-else");
  v1::CommitmentResponse out;
  grpc::ClientContext ctx;
  grpc::Status st = as_lee->AddCommitment(&ctx, req, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  const auto made = EventsOfType("CommitmentMade");
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0].actor(), "person:lee");
  EXPECT_EQ(made[0].causation_id(), "k-actor");

  v1::SharePlanRequest share;
  share.set_request_id("share-actor");
  share.set_case_id("case-actor");
  v1::SharePlanResponse shared;
  ASSERT_TRUE(Call(&v1::ActionPlan::Stub::SharePlan, share, &shared).ok());  // as the admin "tester"
  fx_.Quiesce();
  bool seen = false;
  for (const v1::Event& e : fx_.published()) {
    if (e.causation_id() != "share-actor") continue;
    seen = true;
    EXPECT_EQ(e.actor(), "person:tester") << recovery::common::EventTypeName(e);
  }
  EXPECT_TRUE(seen);
}

TEST_F(ActionPlanServiceTest, AViewerReadsButDoesNotWrite) {
  OpenCase("case-viewer");
  auto as_vic = v1::ActionPlan::NewStub(fx_.ChannelAs("vic"));
  v1::GetPlanRequest get;
  get.set_case_id("case-viewer");
  v1::GetPlanResponse plan;
  grpc::ClientContext read;
  EXPECT_TRUE(as_vic->GetPlan(&read, get, &plan).ok());
  auto req = Commit("k-vic", "case-viewer", At("Europe/London", 2026, 11, 26, 10, 0));
  v1::CommitmentResponse out;
  grpc::ClientContext write;
  grpc::Status st = as_vic->AddCommitment(&write, req, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_TRUE(EventsOfType("CommitmentMade").empty());
}

TEST_F(ActionPlanServiceTest, EveryRpcWithoutACredentialIsUnauthenticatedAndChangesNothing) {
  OpenCase("case-anon");
  const v1::Plan before = GetPlan("case-anon");
  fx_.Quiesce();  // PlanDrafted is out
  fx_.ClearPublished();
  auto anonymous = v1::ActionPlan::NewStub(fx_.ChannelWithToken(""));
  std::vector<std::pair<std::string, grpc::Status>> answers;
  auto call = [&](const std::string& name, auto method, auto request, auto response) {
    grpc::ClientContext ctx;
    answers.emplace_back(name, ((*anonymous).*method)(&ctx, request, &response));
  };
  v1::GetPlanRequest get;
  get.set_case_id("case-anon");
  call("GetPlan", &v1::ActionPlan::Stub::GetPlan, get, v1::GetPlanResponse());
  call("ListPlans", &v1::ActionPlan::Stub::ListPlans, v1::ListPlansRequest(), v1::ListPlansResponse());
  v1::AddActionItemRequest add;
  add.set_request_id("a");
  add.set_case_id("case-anon");
  add.mutable_item()->set_what("call them");
  call("AddActionItem", &v1::ActionPlan::Stub::AddActionItem, add, v1::ActionItemResponse());
  v1::UpdateActionItemRequest update;
  update.set_request_id("u");
  update.set_case_id("case-anon");
  update.set_item_id(before.items(0).id());
  update.mutable_update()->set_what("changed");
  call("UpdateActionItem", &v1::ActionPlan::Stub::UpdateActionItem, update, v1::ActionItemResponse());
  v1::CompleteActionItemRequest complete;
  complete.set_request_id("c");
  complete.set_case_id("case-anon");
  complete.set_item_id(before.items(0).id());
  call("CompleteActionItem", &v1::ActionPlan::Stub::CompleteActionItem, complete, v1::ActionItemResponse());
  v1::CancelActionItemRequest cancel;
  cancel.set_request_id("x");
  cancel.set_case_id("case-anon");
  cancel.set_item_id(before.items(0).id());
  call("CancelActionItem", &v1::ActionPlan::Stub::CancelActionItem, cancel, v1::ActionItemResponse());
  call("AddCommitment", &v1::ActionPlan::Stub::AddCommitment,
       Commit("k", "case-anon", At("Europe/London", 2026, 11, 26, 10, 0)), v1::CommitmentResponse());
  v1::UpdateCommitmentRequest commitment;
  commitment.set_request_id("uc");
  commitment.set_case_id("case-anon");
  commitment.set_commitment_id("k1");
  call("UpdateCommitment", &v1::ActionPlan::Stub::UpdateCommitment, commitment, v1::CommitmentResponse());
  v1::RecordAmendsRequest amends;
  amends.set_request_id("am");
  amends.set_case_id("case-anon");
  call("RecordAmends", &v1::ActionPlan::Stub::RecordAmends, amends, v1::RecordAmendsResponse());
  v1::SetRootCauseRequest root;
  root.set_request_id("rc");
  root.set_case_id("case-anon");
  root.mutable_root_cause()->set_agreed_explanation("handover");
  call("SetRootCause", &v1::ActionPlan::Stub::SetRootCause, root, v1::SetRootCauseResponse());
  v1::SharePlanRequest share;
  share.set_request_id("sh");
  share.set_case_id("case-anon");
  call("SharePlan", &v1::ActionPlan::Stub::SharePlan, share, v1::SharePlanResponse());
  v1::ReviewMessageRequest review;
  review.set_text("We will fix it");
  call("ReviewMessage", &v1::ActionPlan::Stub::ReviewMessage, review, v1::ReviewMessageResponse());
  call("ListPlaybooks", &v1::ActionPlan::Stub::ListPlaybooks, v1::ListPlaybooksRequest(), v1::ListPlaybooksResponse());
  v1::GetPlaybookRequest playbook;
  playbook.set_category("missed_deadline");
  call("GetPlaybook", &v1::ActionPlan::Stub::GetPlaybook, playbook, v1::GetPlaybookResponse());

  EXPECT_EQ(answers.size(), 14u) << "every RPC of recovery.v1.ActionPlan";
  for (const auto& [name, st] : answers) {
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << name << ": " << st.error_message();
  }
  fx_.Quiesce();
  EXPECT_TRUE(fx_.published().empty());
  EXPECT_EQ(GetPlan("case-anon").SerializeAsString(), before.SerializeAsString());
}

}  // namespace
}  // namespace recovery::action_plan
