// Read-then-write races of follow-up (issue 15), on SQLite and on PostgreSQL's REPEATABLE
// READ: two RecordSatisfaction calls for one case at the same moment, with different
// request ids. A case has one satisfaction record (a second one is ALREADY_EXISTS), so
// exactly one of the two succeeds and one SatisfactionRecorded is published per case.
#include <gtest/gtest.h>

#include <latch>
#include <map>
#include <memory>
#include <thread>

#include "grpcpp/grpcpp.h"
#include "recovery/v1/follow_up.grpc.pb.h"
#include "services/common/events.h"
#include "services/follow_up/module.h"
#include "tests/common/store_backend.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/service_fixture.h"

namespace recovery::follow_up {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::StoreBackendTest;

constexpr int kCases = 10;

class FollowUpConcurrencyTest : public StoreBackendTest {
 protected:
  void SetUp() override {
    StoreBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    recovery::testing::FixtureOptions options;
    options.db = url();
    fx_ = std::make_unique<recovery::testing::ServiceFixture>(module_, options);
    ASSERT_TRUE(fx_->ok());
    stub_ = v1::FollowUp::NewStub(fx_->channel());
    for (int i = 0; i < kCases; ++i) {
      v1::Event e = common::NewEvent(fx_->clock().Now(), CaseId(i), "intake", "tester", "req-" + std::to_string(i));
      e.mutable_case_opened()->set_severity(v1::SEVERITY_P2);
      e.mutable_case_opened()->set_category("billing_error");
      e.mutable_case_opened()->mutable_client()->set_id("acme");
      ASSERT_TRUE(fx_->Deliver(e).ok());
    }
    fx_->Quiesce();
    fx_->ClearPublished();
  }
  static std::string CaseId(int i) { return "case-" + std::to_string(i); }

  FollowUpModule module_;
  std::unique_ptr<recovery::testing::ServiceFixture> fx_;
  std::unique_ptr<v1::FollowUp::Stub> stub_;
};

TEST_P(FollowUpConcurrencyTest, TwoSatisfactionRecordsForOneCaseAtOnceKeepOne) {
  for (int i = 0; i < kCases; ++i) {
    std::latch go(2);
    grpc::Status answers[2];
    std::thread callers[2];
    for (int k = 0; k < 2; ++k) {
      callers[k] = std::thread([&, k] {
        v1::RecordSatisfactionRequest req;
        req.set_request_id("sat-" + std::to_string(i) + "-" + std::to_string(k));
        req.set_case_id(CaseId(i));
        req.set_score(k == 0 ? 2 : 5);
        v1::RecordSatisfactionResponse resp;
        grpc::ClientContext ctx;
        go.arrive_and_wait();
        answers[k] = stub_->RecordSatisfaction(&ctx, req, &resp);
      });
    }
    for (auto& t : callers) t.join();
    int ok = 0, exists = 0;
    for (const auto& a : answers) {
      if (a.ok()) ++ok;
      if (a.error_code() == grpc::StatusCode::ALREADY_EXISTS) ++exists;
    }
    EXPECT_EQ(ok, 1) << CaseId(i) << ": " << answers[0].error_message() << " / " << answers[1].error_message();
    EXPECT_EQ(exists, 1) << CaseId(i);
  }
  fx_->Quiesce();
  std::map<std::string, int> recorded;
  for (const auto& e : fx_->PublishedOfType("SatisfactionRecorded")) ++recorded[e.case_id()];
  EXPECT_EQ(recorded.size(), static_cast<size_t>(kCases));
  for (const auto& [case_id, n] : recorded) EXPECT_EQ(n, 1) << case_id;
}

INSTANTIATE_TEST_SUITE_P(Stores, FollowUpConcurrencyTest,
                         ::testing::Values(recovery::testing::SqliteBackend(), recovery::testing::PostgresBackend()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace recovery::follow_up
