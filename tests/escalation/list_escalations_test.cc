// ListEscalations through the gRPC class in process (ServiceFixture: SQLite, manual clock):
// across cases newest first, by team and status, in pages that return each escalation once
// (the last page without a token, an escalation started meanwhile not repeating another),
// one case's escalations oldest first with the same filters, bad requests refused naming the
// field, and rows stored before the status and team columns found once backfilled.
#include <gtest/gtest.h>

#include <set>

#include "grpcpp/grpcpp.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/ids.h"
#include "services/common/proto_time.h"
#include "services/escalation/module.h"
#include "services/escalation/store.h"
#include "tests/support/service_fixture.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;

constexpr char kYaml[] = R"(
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}]}
  - {id: sam, name: Sam, time_zone: UTC, contact_methods: [{channel: log, target: sam}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
policies:
  - {id: to-alice, name: Alice, tiers: [{targets: [{person: alice}], ack_timeout: 5m}]}
  - {id: to-sam, name: Sam, tiers: [{targets: [{person: sam}], ack_timeout: 5m}]}
teams:
  - {id: ops, name: Ops, members: [alice], calendar: office, policy: to-alice}
  - {id: billing, name: Billing, members: [sam], calendar: office, policy: to-sam}
routing_rules:
  - {id: money, categories: [billing_error], team: billing}
  - {id: all, team: ops}
)";

recovery::testing::FixtureOptions WithConfig(const std::string& yaml) {
  recovery::testing::FixtureOptions options;
  options.config_yaml = yaml;
  return options;
}

class ListEscalationsTest : public ::testing::Test {
 protected:
  // Five cases, in this order: c1 ops paging, c2 billing paging, c3 ops paging, c4 ops
  // acknowledged, c5 billing resolved.
  void SetUp() override {
    ASSERT_TRUE(fx_.ok());
    stub_ = v1::Escalation::NewStub(fx_.channel());
    Open("c1", "outage");
    Open("c2", "billing_error");
    Open("c3", "outage");
    Open("c4", "outage");
    Open("c5", "billing_error");
    v1::AcknowledgePageRequest ack;
    ack.set_request_id("ack-c4");
    ack.set_escalation_id(IdOf("c4"));
    v1::EscalationInfo info;
    auto ctx = common::ContextWithDeadline();
    ASSERT_TRUE(stub_->AcknowledgePage(ctx.get(), ack, &info).ok());
    v1::ResolveEscalationRequest resolve;
    resolve.set_request_id("resolve-c5");
    resolve.set_escalation_id(IdOf("c5"));
    ctx = common::ContextWithDeadline();
    ASSERT_TRUE(stub_->ResolveEscalation(ctx.get(), resolve, &info).ok());
    fx_.Quiesce();
  }

  void Open(const std::string& case_id, const std::string& category) {
    v1::Event e = common::NewEvent(fx_.clock().Now(), case_id, "intake", "tester", "req-" + case_id);
    e.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
    e.mutable_case_opened()->set_category(category);
    e.mutable_case_opened()->set_summary("down");
    ASSERT_TRUE(fx_.Deliver(e).ok());
    fx_.Quiesce();
  }

  grpc::Status List(const v1::ListEscalationsRequest& r, v1::ListEscalationsResponse* out) {
    auto ctx = common::ContextWithDeadline();
    return stub_->ListEscalations(ctx.get(), r, out);
  }
  // The case ids of one page (that must be answered).
  std::vector<std::string> Cases(const v1::ListEscalationsRequest& r, std::string* next = nullptr) {
    v1::ListEscalationsResponse out;
    const grpc::Status s = List(r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const auto& e : out.escalations()) ids.push_back(e.case_id());
    if (next != nullptr) *next = out.next_page_token();
    return ids;
  }
  // The one escalation of a case.
  std::string IdOf(const std::string& case_id) {
    v1::ListEscalationsRequest r;
    r.set_case_id(case_id);
    v1::ListEscalationsResponse out;
    EXPECT_TRUE(List(r, &out).ok());
    return out.escalations_size() == 0 ? "" : out.escalations(0).escalation_id();
  }

  EscalationModule module_{EscalationModule::Options{.start_delivery_worker = false}};
  recovery::testing::ServiceFixture fx_{module_, WithConfig(kYaml)};
  std::unique_ptr<v1::Escalation::Stub> stub_;
};

using Ids = std::vector<std::string>;

TEST_F(ListEscalationsTest, WithoutACaseTheActiveEscalationsOfEveryCaseComeNewestFirst) {
  v1::ListEscalationsRequest r;
  r.set_active_only(true);
  std::string next = "unset";
  EXPECT_EQ(Cases(r, &next), (Ids{"c3", "c2", "c1"}));
  EXPECT_EQ(next, "");
  EXPECT_EQ(Cases(v1::ListEscalationsRequest()), (Ids{"c5", "c4", "c3", "c2", "c1"}));
}

TEST_F(ListEscalationsTest, FiltersByTeamAndStatusCombine) {
  v1::ListEscalationsRequest ops;
  ops.set_team_id("ops");
  EXPECT_EQ(Cases(ops), (Ids{"c4", "c3", "c1"}));
  ops.add_statuses(v1::ESCALATION_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(Cases(ops), (Ids{"c4"}));

  v1::ListEscalationsRequest billing;
  billing.set_team_id("billing");
  billing.set_active_only(true);
  EXPECT_EQ(Cases(billing), (Ids{"c2"}));

  v1::ListEscalationsRequest statuses;
  statuses.add_statuses(v1::ESCALATION_STATUS_RESOLVED);
  statuses.add_statuses(v1::ESCALATION_STATUS_ACKNOWLEDGED);
  EXPECT_EQ(Cases(statuses), (Ids{"c5", "c4"}));
  statuses.set_active_only(true);  // no resolved or acknowledged escalation is active
  EXPECT_EQ(Cases(statuses), Ids{});

  v1::ListEscalationsRequest nobody;
  nobody.set_team_id("nobody");
  EXPECT_EQ(Cases(nobody), Ids{});
}

TEST_F(ListEscalationsTest, PagesReturnEachEscalationOnceAndTheLastPageHasNoToken) {
  v1::ListEscalationsRequest r;
  r.set_page_size(2);
  std::string next;
  EXPECT_EQ(Cases(r, &next), (Ids{"c5", "c4"}));
  ASSERT_NE(next, "");
  // A case opened between two pages is newer than the cursor: it neither repeats nor shifts
  // what the next pages hold.
  Open("c6", "outage");
  r.set_page_token(next);
  EXPECT_EQ(Cases(r, &next), (Ids{"c3", "c2"}));
  ASSERT_NE(next, "");
  r.set_page_token(next);
  EXPECT_EQ(Cases(r, &next), (Ids{"c1"}));
  EXPECT_EQ(next, "") << "the last page has no token";

  // A page exactly filled by the last escalations ends the listing too: no empty page follows.
  v1::ListEscalationsRequest ops;
  ops.set_team_id("ops");
  ops.set_page_size(2);
  Ids seen;
  for (int page = 0; page < 10; ++page) {
    const Ids ids = Cases(ops, &next);
    seen.insert(seen.end(), ids.begin(), ids.end());
    if (next.empty()) break;
    ops.set_page_token(next);
  }
  EXPECT_EQ(seen, (Ids{"c6", "c4", "c3", "c1"}));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size()) << "each once";
}

TEST_F(ListEscalationsTest, WithACaseItsEscalationsComeOldestFirstAndTheFiltersApply) {
  v1::Event reopened = common::NewEvent(fx_.clock().Now(), "c4", "intake", "tester", "reopen-c4");
  reopened.mutable_case_reopened()->set_severity(v1::SEVERITY_P1);
  ASSERT_TRUE(fx_.Deliver(reopened).ok());
  fx_.Quiesce();

  v1::ListEscalationsRequest r;
  r.set_case_id("c4");
  v1::ListEscalationsResponse all;
  ASSERT_TRUE(List(r, &all).ok());
  ASSERT_EQ(all.escalations_size(), 2);
  EXPECT_EQ(all.escalations(0).status(), v1::ESCALATION_STATUS_ACKNOWLEDGED) << "oldest first";
  EXPECT_EQ(all.escalations(1).status(), v1::ESCALATION_STATUS_PAGING);
  EXPECT_EQ(all.next_page_token(), "");

  r.set_active_only(true);
  v1::ListEscalationsResponse active;
  ASSERT_TRUE(List(r, &active).ok());
  ASSERT_EQ(active.escalations_size(), 1);
  EXPECT_EQ(active.escalations(0).escalation_id(), all.escalations(1).escalation_id());

  r.set_active_only(false);
  r.set_team_id("billing");
  v1::ListEscalationsResponse other_team;
  ASSERT_TRUE(List(r, &other_team).ok());
  EXPECT_EQ(other_team.escalations_size(), 0);

  r.set_team_id("");
  r.set_page_size(1);
  v1::ListEscalationsResponse first;
  ASSERT_TRUE(List(r, &first).ok());
  ASSERT_EQ(first.escalations_size(), 1);
  EXPECT_EQ(first.escalations(0).escalation_id(), all.escalations(0).escalation_id());
  r.set_page_token(first.next_page_token());
  v1::ListEscalationsResponse second;
  ASSERT_TRUE(List(r, &second).ok());
  ASSERT_EQ(second.escalations_size(), 1);
  EXPECT_EQ(second.escalations(0).escalation_id(), all.escalations(1).escalation_id());
  EXPECT_EQ(second.next_page_token(), "");
}

TEST_F(ListEscalationsTest, BadRequestsAreInvalidArgumentNamingTheField) {
  const auto refused = [&](const v1::ListEscalationsRequest& r) {
    v1::ListEscalationsResponse out;
    const grpc::Status s = List(r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    return s.error_message();
  };
  v1::ListEscalationsRequest r;
  r.set_page_size(-1);
  EXPECT_EQ(refused(r), "page_size: must be between 0 and 500");
  r.set_page_size(501);
  EXPECT_EQ(refused(r), "page_size: must be between 0 and 500");

  v1::ListEscalationsRequest status;
  status.add_statuses(v1::ESCALATION_STATUS_PAGING);
  status.add_statuses(v1::ESCALATION_STATUS_UNSPECIFIED);
  EXPECT_EQ(refused(status), "statuses[1]: required");
  status.set_statuses(1, static_cast<v1::EscalationStatus>(42));
  EXPECT_EQ(refused(status).rfind("statuses[1]: ", 0), 0u);

  v1::ListEscalationsRequest token;
  token.set_page_token("not-a-token");
  EXPECT_EQ(refused(token), "page_token: not a token returned by ListEscalations");

  v1::ListEscalationsRequest ops;
  ops.set_team_id("ops");
  ops.set_page_size(1);
  v1::ListEscalationsResponse page;
  ASSERT_TRUE(List(ops, &page).ok());
  ASSERT_NE(page.next_page_token(), "");
  ops.set_team_id("billing");
  ops.set_page_token(page.next_page_token());
  EXPECT_EQ(refused(ops), "page_token: issued for other filters (repeat the filters of the first page, or start over)");

  v1::ListEscalationsRequest team;
  team.set_team_id("ops team");
  EXPECT_EQ(refused(team).rfind("team_id: ", 0), 0u);
}

// A row as stored before the status and team_id columns existed (both at their defaults): no
// status filter finds it until BackfillListColumns (run by the module at start-up) fills them.
TEST_F(ListEscalationsTest, RowsStoredBeforeTheListColumnsAreFoundOnceBackfilled) {
  const std::string id = IdOf("c1");
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) {
                return tx.Exec("UPDATE escalations SET status = 0, team_id = '' WHERE escalation_id = ?", {id});
              }).ok());
  v1::ListEscalationsRequest r;
  r.set_team_id("ops");
  r.add_statuses(v1::ESCALATION_STATUS_PAGING);
  EXPECT_EQ(Cases(r), (Ids{"c3"}));

  int filled = 0;
  ASSERT_TRUE(common::InTransaction(fx_.store(), [&](common::Tx& tx) -> absl::Status {
                auto n = BackfillListColumns(tx, 10);
                if (!n.ok()) return n.status();
                filled = *n;
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(filled, 1);
  EXPECT_EQ(Cases(r), (Ids{"c3", "c1"}));
}

}  // namespace
}  // namespace recovery::escalation
