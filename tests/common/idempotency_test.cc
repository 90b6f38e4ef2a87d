// request_id handling tests; the concurrent ones (idempotency_contract.cc) on SQLite here.
#include "services/common/idempotency.h"

#include <gtest/gtest.h>

#include "google/protobuf/wrappers.pb.h"
#include "tests/common/idempotency_contract.h"

namespace recovery::common {
namespace {

using recovery::testing::IdempotencyContractTest;
INSTANTIATE_TEST_SUITE_P(SQLite, IdempotencyContractTest, ::testing::Values(recovery::testing::SqliteBackend()));

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*OpenStore(":memory:"));
    ASSERT_TRUE(MigrateIdempotency(*store_).ok());
    ASSERT_TRUE(store_->Migrate("t", {"CREATE TABLE effects (x TEXT)"}).ok());
  }
  absl::Status Call(const std::string& request_id, const std::string& payload, google::protobuf::StringValue* out) {
    google::protobuf::StringValue req;
    req.set_value(payload);
    return RunIdempotent(*store_, "Test", request_id, req, out, 0, [&](Tx& tx) {
      out->set_value("result-" + payload + "-" + std::to_string(++applied_));
      return tx.Exec("INSERT INTO effects VALUES (?)", {payload});
    });
  }
  int64_t Effects() {
    auto tx = store_->Begin();
    return (*(*tx)->Query("SELECT COUNT(*) FROM effects"))[0].Int(0);
  }
  std::unique_ptr<Store> store_;
  int applied_ = 0;
};

TEST_F(IdempotencyTest, RetryReturnsFirstResultWithoutSecondEffect) {
  google::protobuf::StringValue a, b;
  ASSERT_TRUE(Call("req-1", "x", &a).ok());
  ASSERT_TRUE(Call("req-1", "x", &b).ok());
  EXPECT_EQ(a.value(), "result-x-1");
  EXPECT_EQ(b.value(), "result-x-1");
  EXPECT_EQ(Effects(), 1);
}

TEST_F(IdempotencyTest, SameIdDifferentPayloadIsAlreadyExists) {
  google::protobuf::StringValue a, b;
  ASSERT_TRUE(Call("req-1", "x", &a).ok());
  auto s = Call("req-1", "y", &b);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("request_id"), std::string::npos);
  EXPECT_EQ(Effects(), 1);
}

TEST_F(IdempotencyTest, EmptyRequestIdIsInvalid) {
  google::protobuf::StringValue a;
  auto s = Call("", "x", &a);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("request_id"), std::string::npos);
  EXPECT_EQ(Effects(), 0);
}

TEST_F(IdempotencyTest, FailedApplyRecordsNothing) {
  google::protobuf::StringValue req, out;
  req.set_value("x");
  auto s = RunIdempotent(*store_, "Test", "req-9", req, &out, 0,
                         [](Tx&) { return absl::FailedPreconditionError("status: case is CLOSED"); });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  google::protobuf::StringValue again;
  ASSERT_TRUE(Call("req-9", "x", &again).ok());  // the id is still free
  EXPECT_EQ(Effects(), 1);
}

}  // namespace
}  // namespace recovery::common
