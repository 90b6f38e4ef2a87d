// recovery.v1.Operations on the real runtime, in process: every service serves it; a timer
// that keeps failing shows in ListFailedTimers (and its metric) and RetryFailedTimer re-arms
// it; a malformed event shows in ListDeadLetters; bad input is INVALID_ARGUMENT naming the field.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "recovery/v1/operations.grpc.pb.h"
#include "services/common/grpc_util.h"
#include "services/common/module.h"
#include "services/common/timers.h"
#include "tests/support/service_fixture.h"

namespace recovery::common {
namespace {

// A service whose one timer kind fails until fixed, and which consumes events.
class FlakyTimerModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "flaky"; }
  std::vector<std::string> Migrations() const override { return {}; }
  absl::Status Init(const ServiceContext& ctx) override {
    ctx.timers.Handle("flaky.check", [this](Tx&, const Timer&) {
      ++calls;
      return fixed ? absl::OkStatus() : absl::FailedPreconditionError("flaky.check: the bug");
    });
    return absl::OkStatus();
  }
  std::vector<grpc::Service*> GrpcServices() override { return {}; }
  bool consumes_events() const override { return true; }

  bool fixed = false;
  int calls = 0;
};

class OperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fx_.ok());
    stub_ = recovery::v1::Operations::NewStub(fx_.channel());
  }
  void Arm(const std::string& key) {
    ASSERT_TRUE(InTransaction(fx_.store(), [&](Tx& tx) {
                  return fx_.runtime().timers().Schedule(tx, "flaky.check", key, fx_.clock().Now());
                }).ok());
  }
  recovery::v1::ListFailedTimersResponse ListFailed() {
    recovery::v1::ListFailedTimersResponse out;
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub_->ListFailedTimers(&ctx, {}, &out).ok());
    return out;
  }
  // The status of each RPC with this request, for the refusal tests.
  grpc::Status Call(const recovery::v1::ListDeadLettersRequest& in) {
    grpc::ClientContext ctx;
    recovery::v1::ListDeadLettersResponse out;
    return stub_->ListDeadLetters(&ctx, in, &out);
  }
  grpc::Status Call(const recovery::v1::ListFailedTimersRequest& in) {
    grpc::ClientContext ctx;
    recovery::v1::ListFailedTimersResponse out;
    return stub_->ListFailedTimers(&ctx, in, &out);
  }
  grpc::Status Call(const recovery::v1::RetryFailedTimerRequest& in) {
    grpc::ClientContext ctx;
    recovery::v1::RetryFailedTimerResponse out;
    return stub_->RetryFailedTimer(&ctx, in, &out);
  }

  FlakyTimerModule module_;
  testing::ServiceFixture fx_{module_};
  std::unique_ptr<recovery::v1::Operations::Stub> stub_;
};

TEST_F(OperationsTest, FailingTimerStopsAfterItsLimitShowsInListFailedTimersAndRetryRearmsIt) {
  Arm("case-1/check");
  for (int i = 0; i < 10; ++i) fx_.Advance(absl::Minutes(1));
  // The fixture's Quiesce and the runtime's own timer loop may both try one attempt (its
  // transaction rolls back either way); only one of them records it.
  const int calls_at_limit = module_.calls;
  EXPECT_GE(calls_at_limit, 5);
  for (int i = 0; i < 10; ++i) fx_.Advance(absl::Minutes(10));
  EXPECT_EQ(module_.calls, calls_at_limit) << "set aside after its limit: no further attempts";
  auto failed = ListFailed();
  ASSERT_EQ(failed.timers_size(), 1);
  EXPECT_EQ(failed.timers(0).kind(), "flaky.check");
  EXPECT_EQ(failed.timers(0).key(), "case-1/check");
  EXPECT_EQ(failed.timers(0).attempts(), 5);
  EXPECT_TRUE(absl::StrContains(failed.timers(0).last_error(), "the bug")) << failed.timers(0).last_error();
  EXPECT_TRUE(absl::StrContains(fx_.runtime().metrics().Render(),
                                R"(recovery_timers_failed_total{service="flaky",kind="flaky.check"} 1)"))
      << fx_.runtime().metrics().Render();

  module_.fixed = true;
  recovery::v1::RetryFailedTimerRequest retry;
  retry.set_kind("flaky.check");
  retry.set_key("case-1/check");
  recovery::v1::RetryFailedTimerResponse out;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->RetryFailedTimer(&ctx, retry, &out).ok());
  EXPECT_TRUE(out.rearmed());
  fx_.Quiesce();
  EXPECT_EQ(module_.calls, calls_at_limit + 1) << "re-armed and fired once";
  EXPECT_EQ(ListFailed().timers_size(), 0);
  EXPECT_EQ(Call(retry).error_code(), grpc::StatusCode::NOT_FOUND) << "nothing left to retry";
}

TEST_F(OperationsTest, MalformedEventShowsInListDeadLetters) {
  ASSERT_TRUE(fx_.DeliverBytes("\xff\xff not an event").ok());
  recovery::v1::ListDeadLettersRequest req;
  req.set_origin("consumer");
  recovery::v1::ListDeadLettersResponse out;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->ListDeadLetters(&ctx, req, &out).ok());
  ASSERT_EQ(out.dead_letters_size(), 1);
  EXPECT_EQ(out.dead_letters(0).origin(), "consumer");
  EXPECT_EQ(out.dead_letters(0).payload(), "\xff\xff not an event");
  EXPECT_TRUE(absl::StrContains(out.dead_letters(0).reason(), "malformed")) << out.dead_letters(0).reason();
  req.set_origin("outbox");
  grpc::ClientContext ctx2;
  out.Clear();
  ASSERT_TRUE(stub_->ListDeadLetters(&ctx2, req, &out).ok());
  EXPECT_EQ(out.dead_letters_size(), 0) << "filtered by origin";
}

// INVALID_ARGUMENT whose message starts with the field's name.
void ExpectRefused(const grpc::Status& s, const std::string& field) {
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field << ": " << s.error_message();
  EXPECT_TRUE(absl::StartsWith(s.error_message(), field + ": ")) << s.error_message();
}

TEST_F(OperationsTest, BadInputIsInvalidArgumentNamingTheField) {
  recovery::v1::ListDeadLettersRequest letters;
  letters.set_origin("everything");
  ExpectRefused(Call(letters), "origin");
  letters.set_origin("");
  letters.set_limit(-1);
  ExpectRefused(Call(letters), "limit");
  letters.set_limit(1001);
  ExpectRefused(Call(letters), "limit");

  recovery::v1::ListFailedTimersRequest timers;
  timers.set_kind("has space");
  ExpectRefused(Call(timers), "kind");
  timers.set_kind("");
  timers.set_limit(5000);
  ExpectRefused(Call(timers), "limit");

  recovery::v1::RetryFailedTimerRequest retry;
  retry.set_key("k");
  ExpectRefused(Call(retry), "kind");
  retry.set_kind("flaky.check");
  retry.set_key("");
  ExpectRefused(Call(retry), "key");
  retry.set_key(" \u200b ");
  ExpectRefused(Call(retry), "key");
  retry.set_key("a\x1b[31m");
  ExpectRefused(Call(retry), "key");
}

}  // namespace
}  // namespace recovery::common
