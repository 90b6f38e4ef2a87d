// The runtime built from a ServiceModule, in process: migrations and Init, gRPC served on
// port 0, an unparseable request answered INVALID_ARGUMENT, the service's own events
// filtered before its handler, a timer's effects applied through ApplyOutcome, the
// fixture's Quiesce() barrier, and events its publisher refuses (parked, or retried).
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "recovery/v1/testing.grpc.pb.h"
#include "services/common/apply.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/module.h"
#include "services/common/status_macros.h"
#include "tests/support/service_fixture.h"

namespace recovery::common {
namespace {

constexpr char kTick[] = "probe.tick";

// A service with one table, one RPC (TestClock.AdvanceTime arms a timer) and one timer kind
// (publishes CaseOpened for case "c1"); it counts the events its handler saw.
class ProbeModule final : public ServiceModule, public recovery::v1::TestClock::Service {
 public:
  std::string_view name() const override { return "probe"; }
  std::vector<std::string> Migrations() const override {
    return {"CREATE TABLE probe_seen (event_id TEXT PRIMARY KEY, source TEXT NOT NULL)"};
  }
  absl::Status Init(const ServiceContext& ctx) override {
    ctx_ = std::make_unique<ServiceContext>(ctx);
    ctx.timers.Handle(kTick, [this](Tx& tx, const Timer& timer) -> absl::Status {
      Outcome<int> out;
      out.events.push_back(NewEvent(ctx_->clock.Now(), "c1", "probe", "service:probe", timer.key));
      out.events.back().mutable_case_opened()->set_category("tick");
      return ApplyOutcome(tx, out, ctx_->timers, ctx_->outbox, [](Tx&, int) { return absl::OkStatus(); });
    });
    return absl::OkStatus();
  }
  std::vector<grpc::Service*> GrpcServices() override { return {this}; }
  bool consumes_events() const override { return true; }
  absl::Status OnEvent(Tx& tx, const recovery::v1::Event& event) override {
    return tx.Exec("INSERT INTO probe_seen (event_id, source) VALUES (?, ?)", {event.event_id(), event.source()});
  }

  grpc::Status AdvanceTime(grpc::ServerContext*, const recovery::v1::AdvanceTimeRequest* in,
                           recovery::v1::TimeResponse*) override {
    const absl::Time due = ctx_->clock.Now() + FromProtoDuration(in->by());
    Outcome<int> out;
    out.timers.push_back(TimerOp::Arm(kTick, "t1", due));
    return ToGrpcStatus(InTransaction(ctx_->store, [&](Tx& tx) {
      return ApplyOutcome(tx, out, ctx_->timers, ctx_->outbox, [](Tx&, int) { return absl::OkStatus(); });
    }));
  }

  int64_t Seen(const std::string& source) {
    int64_t n = -1;
    EXPECT_TRUE(InTransaction(ctx_->store, [&](Tx& tx) -> absl::Status {
                  ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT COUNT(*) FROM probe_seen WHERE source = ?", {source}));
                  n = rows.at(0).Int(0);
                  return absl::OkStatus();
                }).ok());
    return n;
  }

 private:
  std::unique_ptr<ServiceContext> ctx_;
};

// The probe's RPC: arms its tick timer `seconds` from now.
grpc::Status ArmTick(testing::ServiceFixture& fx, int seconds) {
  auto stub = recovery::v1::TestClock::NewStub(fx.channel());
  recovery::v1::AdvanceTimeRequest req;
  req.mutable_by()->set_seconds(seconds);
  recovery::v1::TimeResponse resp;
  grpc::ClientContext ctx;
  return stub->AdvanceTime(&ctx, req, &resp);
}

TEST(RuntimeModule, TimerEffectsPublishAfterQuiesceAndOwnEventsAreFiltered) {
  ProbeModule module;
  testing::ServiceFixture fx(module);
  ASSERT_TRUE(fx.ok());
  ASSERT_TRUE(ArmTick(fx, 60).ok());

  fx.Quiesce();
  EXPECT_TRUE(fx.published().empty()) << "the timer is not due yet";
  fx.Advance(absl::Seconds(60));
  ASSERT_EQ(fx.PublishedOfType("CaseOpened").size(), 1u);
  EXPECT_EQ(fx.published()[0].causation_id(), "t1");
  EXPECT_EQ(module.Seen("probe"), 0) << "its own event was looped back but filtered by the runtime";

  auto foreign = NewEvent(fx.clock().Now(), "c2", "intake", "person:lee", "req-1");
  foreign.mutable_case_opened()->set_category("x");
  ASSERT_TRUE(fx.Deliver(foreign).ok());
  ASSERT_TRUE(fx.Deliver(foreign).ok());  // a redelivery is a duplicate
  EXPECT_EQ(module.Seen("intake"), 1);
}

TEST(RuntimeModule, EventThePublisherRefusesIsParkedAndQuiesceSettles) {
  ProbeModule module;
  testing::ServiceFixture fx(module);
  ASSERT_TRUE(fx.ok());
  fx.publisher().FailPermanently({.type = "CaseOpened"}, "Broker: Message size too large");
  ASSERT_TRUE(ArmTick(fx, 60).ok());
  fx.Advance(absl::Seconds(60));
  EXPECT_TRUE(fx.published().empty());
  std::vector<DeadLetter> parked;
  ASSERT_TRUE(InTransaction(fx.store(), [&](Tx& tx) -> absl::Status {
                ASSIGN_OR_RETURN(parked, ListDeadLetters(tx, kDeadLetterOutbox, 10));
                return absl::OkStatus();
              }).ok());
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].type, "CaseOpened");
  EXPECT_EQ(parked[0].parked_at, fx.clock().Now()) << "stamped by the runtime's clock";
  EXPECT_EQ(fx.runtime().outbox().parked(), 1);
}

TEST(RuntimeModule, EventThePublisherRefusesRetryablyIsPublishedByQuiesce) {
  ProbeModule module;
  testing::ServiceFixture fx(module);
  ASSERT_TRUE(fx.ok());
  fx.publisher().FailRetryably({.type = "CaseOpened"}, 2);
  ASSERT_TRUE(ArmTick(fx, 60).ok());
  fx.Advance(absl::Seconds(60));
  EXPECT_EQ(fx.PublishedOfType("CaseOpened").size(), 1u);
  EXPECT_EQ(fx.publisher().refused_retryably(), 2);
  EXPECT_EQ(fx.runtime().outbox().parked(), 0);
}

TEST(RuntimeModule, UnparseableRequestIsInvalidArgument) {
  ProbeModule module;
  testing::ServiceFixture fx(module);
  ASSERT_TRUE(fx.ok());
  grpc::GenericStub generic(fx.channel());
  // Field 1 (by) as a length-delimited record claiming 100 bytes that are not there.
  const std::string garbage = "\x0a\x64\x01";
  grpc::Slice slice(garbage);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::ClientContext ctx;
  grpc::Status status;
  bool done = false;
  std::mutex mu;
  std::condition_variable cv;
  generic.UnaryCall(&ctx, "/recovery.v1.TestClock/AdvanceTime", grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      std::lock_guard lock(mu);
                      status = std::move(s);
                      done = true;
                      cv.notify_all();
                    });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("could not be parsed"));
}

TEST(RuntimeModule, MalformedEventBytesAreSkippedNotFatal) {
  ProbeModule module;
  testing::ServiceFixture fx(module);
  ASSERT_TRUE(fx.ok());
  EXPECT_TRUE(fx.DeliverBytes("\xff\xff\xff").ok());
  EXPECT_EQ(module.Seen("intake"), 0);
}

}  // namespace
}  // namespace recovery::common
