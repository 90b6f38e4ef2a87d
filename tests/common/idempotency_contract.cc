// Concurrent calls with one request_id on every store backend: the second waits for the first
// and answers its response (never ALREADY_EXISTS), a different payload stays ALREADY_EXISTS,
// a first call that fails leaves the id to the second, and (PostgreSQL) a first call still
// running past the wait answers UNAVAILABLE.
#include "tests/common/idempotency_contract.h"

#include <gmock/gmock.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>

#include "google/protobuf/wrappers.pb.h"
#include "services/common/idempotency.h"
#include "services/common/status_macros.h"

namespace recovery::testing {
namespace {

using common::Tx;
using google::protobuf::StringValue;

class Calls {
 public:
  explicit Calls(const std::string& url) {
    auto opened = common::OpenStore(url);
    EXPECT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    EXPECT_TRUE(common::MigrateIdempotency(*store_).ok());
    EXPECT_TRUE(store_->Migrate("t", {"CREATE TABLE effects (request_id TEXT NOT NULL, payload TEXT NOT NULL)"}).ok());
  }

  // One write RPC: records an effect and answers "<payload>#<n>" (n counts applies).
  // `inside` runs in the transaction after the effect (to hold the call open or fail it).
  absl::Status Call(const std::string& request_id, const std::string& payload, StringValue* out,
                    const std::function<absl::Status()>& inside = nullptr,
                    absl::Duration wait = common::kRequestIdWait) {
    StringValue req;
    req.set_value(payload);
    return common::RunIdempotent(*store_, "Test", request_id, req, out, 0, wait, [&](Tx& tx) -> absl::Status {
      out->set_value(payload + "#" + std::to_string(++applied_));
      RETURN_IF_ERROR(tx.Exec("INSERT INTO effects (request_id, payload) VALUES (?, ?)", {request_id, payload}));
      return inside ? inside() : absl::OkStatus();
    });
  }

  int64_t Effects(const std::string& request_id) {
    int64_t n = -1;
    EXPECT_TRUE(common::InTransaction(*store_, [&](Tx& tx) -> absl::Status {
                  ASSIGN_OR_RETURN(auto rows,
                                   tx.Query("SELECT COUNT(*) FROM effects WHERE request_id = ?", {request_id}));
                  n = rows.at(0).Int(0);
                  return absl::OkStatus();
                }).ok());
    return n;
  }

 private:
  std::unique_ptr<common::Store> store_;
  std::atomic<int> applied_{0};
};

// Runs `first` on a thread and, once it is inside its transaction (after the claim), `second`
// on another: the second call always starts while the first is still running.
void Overlap(const std::function<void(const std::function<void()>& entered)>& first,
             const std::function<void()>& second) {
  std::latch inside(1);
  std::atomic<bool> signalled{false};
  std::thread a([&] {
    first([&] {
      if (!signalled.exchange(true)) inside.count_down();
    });
    if (!signalled.exchange(true)) inside.count_down();  // the first failed before entering
  });
  inside.wait();
  std::thread b(second);
  a.join();
  b.join();
}

// Keeps a call open long enough for the second to reach its claim and wait on it.
absl::Status HoldOpen(const std::function<void()>& entered) {
  entered();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  return absl::OkStatus();
}

struct Pair {
  StringValue first, second;
  absl::Status first_status, second_status;
};

// Two calls with one request_id; the second starts while the first is inside its transaction
// and runs `first_inside` (by default: held open long enough for the second to wait on it).
Pair RunPair(Calls& calls, const std::string& id, const std::string& first_payload, const std::string& second_payload,
             const std::function<absl::Status(const std::function<void()>&)>& first_inside = HoldOpen) {
  Pair p;
  Overlap(
      [&](const std::function<void()>& entered) {
        p.first_status = calls.Call(id, first_payload, &p.first, [&] { return first_inside(entered); });
      },
      [&] { p.second_status = calls.Call(id, second_payload, &p.second); });
  return p;
}

TEST_P(IdempotencyContractTest, TwentyConcurrentPairsWithOneRequestIdBothAnswerTheFirstResponse) {
  Calls calls(url());
  for (int pair = 0; pair < 20; ++pair) {
    const std::string id = "req-" + std::to_string(pair), payload = "p" + std::to_string(pair);
    const Pair p = RunPair(calls, id, payload, payload);
    ASSERT_TRUE(p.first_status.ok()) << "pair " << pair << ": " << p.first_status;
    ASSERT_TRUE(p.second_status.ok()) << "pair " << pair << ": " << p.second_status;
    EXPECT_EQ(p.second.value(), p.first.value()) << "pair " << pair;
    EXPECT_EQ(calls.Effects(id), 1) << "pair " << pair << ": applied once";
  }
}

TEST_P(IdempotencyContractTest, ConcurrentCallWithTheSameIdAndAnotherPayloadIsAlreadyExists) {
  Calls calls(url());
  const Pair p = RunPair(calls, "req-x", "x", "y");
  ASSERT_TRUE(p.first_status.ok()) << p.first_status;
  EXPECT_EQ(p.second_status.code(), absl::StatusCode::kAlreadyExists) << p.second_status;
  EXPECT_THAT(std::string(p.second_status.message()), ::testing::HasSubstr("request_id"));
  EXPECT_THAT(std::string(p.second_status.message()), ::testing::Not(::testing::HasSubstr("duplicate key")));
  EXPECT_EQ(calls.Effects("req-x"), 1);
}

TEST_P(IdempotencyContractTest, WhenTheFirstCallFailsTheWaitingSecondRunsTheRequest) {
  Calls calls(url());
  const Pair p = RunPair(calls, "req-f", "f", "f", [](const std::function<void()>& entered) {
    (void)HoldOpen(entered);
    return absl::FailedPreconditionError("status: case is CLOSED");
  });
  EXPECT_EQ(p.first_status.code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(p.second_status.ok()) << p.second_status;
  EXPECT_EQ(calls.Effects("req-f"), 1) << "the failed call left nothing; the second applied";
  StringValue third;
  ASSERT_TRUE(calls.Call("req-f", "f", &third).ok());
  EXPECT_EQ(third.value(), p.second.value());
}

TEST_P(IdempotencyContractTest, SecondCallWhileTheFirstRunsPastTheWaitIsUnavailable) {
  if (GetParam().dialect == common::Dialect::kSqlite)
    GTEST_SKIP() << "SQLite's single writer: the second call waits in Store::Begin for as long as the first runs";
  Calls calls(url());
  StringValue first, second, third;
  absl::Status first_status, second_status;
  std::latch second_done(1);
  Overlap(
      [&](const std::function<void()>& entered) {
        first_status = calls.Call("req-slow", "s", &first, [&] {
          entered();
          second_done.wait();  // still running when the second gives up
          return absl::OkStatus();
        });
      },
      [&] {
        second_status = calls.Call("req-slow", "s", &second, nullptr, absl::Milliseconds(200));
        second_done.count_down();
      });
  ASSERT_TRUE(first_status.ok()) << first_status;
  EXPECT_EQ(second_status.code(), absl::StatusCode::kUnavailable) << second_status;
  EXPECT_THAT(std::string(second_status.message()), ::testing::HasSubstr("still running"));
  ASSERT_TRUE(calls.Call("req-slow", "s", &third).ok());
  EXPECT_EQ(third.value(), first.value()) << "a retry after the first finished gets its response";
  EXPECT_EQ(calls.Effects("req-slow"), 1);
}

}  // namespace
}  // namespace recovery::testing
