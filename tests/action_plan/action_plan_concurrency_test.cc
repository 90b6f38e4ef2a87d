// Read-then-write paths of action-plan under concurrency (issue 15): two callers at once on
// one plan, on SQLite (one writer) and on PostgreSQL (REPEATABLE READ: the second UPDATE of
// the plan row fails with a serialisation error, InTransaction runs it again on the committed
// plan, and the domain then refuses it). Each case: exactly one event, both callers answered.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "recovery/v1/action_plan.grpc.pb.h"
#include "services/action_plan/module.h"
#include "services/common/events.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/service_fixture.h"

namespace recovery::action_plan {
namespace {

namespace v1 = recovery::v1;

enum class Backend { kSqlite, kPostgres };

class ActionPlanConcurrencyTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string db;
    if (GetParam() == Backend::kPostgres) {
      RECOVERY_REQUIRE_POSTGRES(testing::SharedPostgres());
      db = testing::FreshDatabaseUrl();
      ASSERT_FALSE(db.empty());
    }
    recovery::testing::FixtureOptions options;
    options.db = db;
    fx_ = std::make_unique<recovery::testing::ServiceFixture>(module_, options);
    ASSERT_TRUE(fx_->ok());
    v1::Event opened = recovery::common::NewEvent(fx_->clock().Now(), "case-1", "intake", "agent", "req");
    opened.mutable_case_opened()->set_category("missed_deadline");
    opened.mutable_case_opened()->set_severity(v1::SEVERITY_P2);
    ASSERT_TRUE(fx_->Deliver(opened).ok());
    fx_->Quiesce();
    fx_->ClearPublished();
  }

  // Runs `call(i)` for i = 0 and 1 on two threads released together; their statuses.
  template <typename Call>
  std::vector<grpc::Status> Twice(Call&& call) {
    std::vector<grpc::Status> out(2);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        auto stub = v1::ActionPlan::NewStub(fx_->channel());
        ready.fetch_add(1);
        while (ready.load() < 2) std::this_thread::yield();
        out[i] = call(*stub, i);
      });
    }
    for (auto& t : threads) t.join();
    return out;
  }

  static int Count(const std::vector<grpc::Status>& statuses, grpc::StatusCode code) {
    int n = 0;
    for (const auto& s : statuses) n += s.error_code() == code ? 1 : 0;
    return n;
  }

  ActionPlanModule module_;
  std::unique_ptr<recovery::testing::ServiceFixture> fx_;
};

TEST_P(ActionPlanConcurrencyTest, CompletingAnItemTwiceAtOncePublishesOneItemCompleted) {
  // Every item of the drafted plan, each completed by two callers at once.
  v1::GetPlanRequest get;
  get.set_case_id("case-1");
  v1::GetPlanResponse plan;
  grpc::ClientContext get_ctx;
  ASSERT_TRUE(v1::ActionPlan::NewStub(fx_->channel())->GetPlan(&get_ctx, get, &plan).ok());
  for (size_t n = 0; n < static_cast<size_t>(plan.plan().items_size()); ++n) {
    const std::string item = plan.plan().items(static_cast<int>(n)).id();
    const auto statuses = Twice([&](v1::ActionPlan::Stub& stub, int i) {
      v1::CompleteActionItemRequest req;
      req.set_request_id(absl::StrCat("complete-", item, "-", i));
      req.set_case_id("case-1");
      req.set_item_id(item);
      req.set_completion_note("done");
      v1::ActionItemResponse out;
      grpc::ClientContext ctx;
      grpc::Status s = stub.CompleteActionItem(&ctx, req, &out);
      if (s.ok()) {
        EXPECT_EQ(out.item().status(), v1::ITEM_STATUS_DONE);
      }
      return s;
    });
    // One caller completed it; the other is told it is done already (not ABORTED, not INTERNAL).
    EXPECT_EQ(Count(statuses, grpc::StatusCode::OK), 1)
        << item << ": " << statuses[0].error_message() << " / " << statuses[1].error_message();
    EXPECT_EQ(Count(statuses, grpc::StatusCode::FAILED_PRECONDITION), 1) << item;
    fx_->Quiesce();
    EXPECT_EQ(fx_->PublishedOfType("ActionItemCompleted").size(), n + 1) << item;
  }
  EXPECT_EQ(fx_->PublishedOfType("PlanCompleted").size(), 1u);
}

TEST_P(ActionPlanConcurrencyTest, AddingTheSameItemTwiceAtOnceAddsItOnce) {
  const auto statuses = Twice([&](v1::ActionPlan::Stub& stub, int i) {
    v1::AddActionItemRequest req;
    req.set_request_id("add-" + std::to_string(i));
    req.set_case_id("case-1");
    req.mutable_item()->set_id("send-schedule");
    req.mutable_item()->set_what("Send the revised schedule");
    req.mutable_item()->set_owner("lee");
    v1::ActionItemResponse out;
    grpc::ClientContext ctx;
    return stub.AddActionItem(&ctx, req, &out);
  });
  EXPECT_EQ(Count(statuses, grpc::StatusCode::OK), 1) << statuses[0].error_message() << statuses[1].error_message();
  EXPECT_EQ(Count(statuses, grpc::StatusCode::ALREADY_EXISTS), 1);
  fx_->Quiesce();
  EXPECT_EQ(fx_->PublishedOfType("ActionItemAdded").size(), 1u);
}

TEST_P(ActionPlanConcurrencyTest, SharingTheSummaryTwiceAtOnceMakesVersionsOneAndTwo) {
  std::vector<int> versions(2, 0);
  const auto statuses = Twice([&](v1::ActionPlan::Stub& stub, int i) {
    v1::SharePlanRequest req;
    req.set_request_id("share-" + std::to_string(i));
    req.set_case_id("case-1");
    v1::SharePlanResponse out;
    grpc::ClientContext ctx;
    grpc::Status s = stub.SharePlan(&ctx, req, &out);
    versions[i] = out.version();
    return s;
  });
  EXPECT_EQ(Count(statuses, grpc::StatusCode::OK), 2) << statuses[0].error_message() << statuses[1].error_message();
  EXPECT_EQ(versions[0] + versions[1], 3) << "versions 1 and 2, one each";
  fx_->Quiesce();
  const auto shared = fx_->PublishedOfType("PlanShared");
  ASSERT_EQ(shared.size(), 2u);
  EXPECT_NE(shared[0].plan_shared().version(), shared[1].plan_shared().version());
}

INSTANTIATE_TEST_SUITE_P(Stores, ActionPlanConcurrencyTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return info.param == Backend::kSqlite ? "SQLite" : "PostgreSQL"; });

}  // namespace
}  // namespace recovery::action_plan
