// The consumer on the dev broker inside the real runtime: a transient fault pauses the
// partitions and turns readiness NOT_SERVING until it passes, then the event and the ones
// behind it are handled exactly once with nothing parked; a handler bug parks its event after
// the limit and later events still flow, with the alert metric.
#include <gtest/gtest.h>

#include <atomic>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "grpcpp/grpcpp.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/module.h"
#include "services/common/runtime.h"
#include "services/common/status_macros.h"
#include "tests/support/dev_broker.h"
#include "tests/support/process.h"
#include "tests/support/service_process.h"
#include "tests/support/test_identity.h"

namespace recovery::common {
namespace {

using recovery::testing::PollUntil;

// Records each event's case_closed.reason; "slow" fails UNAVAILABLE while `outage` holds,
// "poison" always fails with a bug.
class ProbeModule final : public ServiceModule {
 public:
  std::string_view name() const override { return "kafkaprobe"; }
  std::vector<std::string> Migrations() const override { return {"CREATE TABLE seen (reason TEXT NOT NULL)"}; }
  absl::Status Init(const ServiceContext&) override { return absl::OkStatus(); }
  std::vector<grpc::Service*> GrpcServices() override { return {}; }
  bool consumes_events() const override { return true; }
  absl::Status OnEvent(Tx& tx, const recovery::v1::Event& e) override {
    const std::string& reason = e.case_closed().reason();
    if (reason == "slow" && outage) return absl::UnavailableError("database away");
    if (reason == "poison") return absl::InternalError("handler bug");
    return tx.Exec("INSERT INTO seen (reason) VALUES (?)", {reason});
  }
  std::atomic<bool> outage{false};
};

// The value of one series in a Prometheus text exposition (`series` is the name with its
// labels, as rendered); -1 when it is not there.
double MetricValue(const std::string& text, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, series) || !absl::ConsumePrefix(&line, " ")) continue;
    double value = 0;
    return absl::SimpleAtod(line, &value) ? value : -1;
  }
  return -1;
}

recovery::v1::Event Closed(const std::string& case_id, const std::string& reason) {
  auto e = NewEvent(absl::Now(), case_id, "intake", "person:lee", "");
  e.mutable_case_closed()->set_reason(reason);
  return e;
}

class ConsumerKafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServiceConfig cfg;
    cfg.service = "kafkaprobe";
    cfg.db = dir_.File("probe.db");
    cfg.kafka_brokers = broker_.bootstrap();
    cfg.group_id = "recovery-kafkaprobe";
    cfg.log_level = "error";
    cfg.auth_config = recovery::testing::TestIdentity::Shared().auth_config_path();
    auto rt = ServiceRuntime::Create(module_, cfg);
    ASSERT_TRUE(rt.ok()) << rt.status();
    runtime_ = std::move(*rt);
    const absl::Status started = runtime_->Start();
    ASSERT_TRUE(started.ok()) << started;
    channel_ = recovery::testing::TestIdentity::Shared().ChannelAs("127.0.0.1:" + std::to_string(runtime_->port()),
                                                                   recovery::testing::kTestPerson);
    publisher_ = std::make_unique<recovery::testing::EventPublisher>(dir_.File("publisher.db"), broker_.bootstrap());
  }
  void TearDown() override {
    publisher_.reset();
    if (runtime_) runtime_->Stop();
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(InTransaction(runtime_->store(), [&](Tx& tx) -> absl::Status {
                  ASSIGN_OR_RETURN(auto rows, tx.Query(sql));
                  n = rows.at(0).Int(0);
                  return absl::OkStatus();
                }).ok());
    return n;
  }

  // Readiness of the runtime under test: 1 SERVING, 2 NOT_SERVING, -1 on an error.
  int Health() { return recovery::testing::CheckHealth(channel_, absl::Seconds(10)); }

  recovery::testing::TempDir dir_;
  recovery::testing::DevBroker broker_;
  ProbeModule module_;
  std::unique_ptr<ServiceRuntime> runtime_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<recovery::testing::EventPublisher> publisher_;
};

TEST_F(ConsumerKafkaTest, TransientFaultPausesAndTurnsNotServingThenEverythingIsHandledOnce) {
  ASSERT_EQ(Health(), 1);
  module_.outage = true;
  publisher_->Publish({Closed("case-1", "slow"), Closed("case-1", "behind")});
  Consumer* consumer = runtime_->consumer();
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(PollUntil([&] { return consumer->paused() && consumer->retries() >= 3; }, absl::Seconds(30)));
  ASSERT_TRUE(PollUntil([&] { return Health() == 2; }, absl::Seconds(10))) << "readiness NOT_SERVING while it lasts";
  // The event is still being retried (a barrier: retries grew past the point we saw), and the
  // one behind it in the partition waits: nothing committed, no offset stored.
  const int64_t seen_retries = consumer->retries();
  ASSERT_TRUE(PollUntil([&] { return consumer->retries() > seen_retries; }, absl::Seconds(30)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM seen"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM processed_events"), 0);

  module_.outage = false;
  ASSERT_TRUE(PollUntil([&] { return Count("SELECT COUNT(*) FROM seen") == 2; }, absl::Seconds(30)));
  ASSERT_TRUE(PollUntil([&] { return Health() == 1; }, absl::Seconds(10))) << "SERVING again";
  EXPECT_FALSE(consumer->paused());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM seen WHERE reason = 'slow'"), 1) << "exactly once";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM dead_letters"), 0) << "nothing parked";
}

TEST_F(ConsumerKafkaTest, PoisonEventIsParkedAfterItsLimitAndLaterEventsFlow) {
  publisher_->Publish({Closed("case-2", "poison"), Closed("case-2", "later"), Closed("case-3", "other")});
  // "later" sits behind the poison event in its partition: once it is handled, the poison
  // event has been given up on.
  ASSERT_TRUE(PollUntil([&] { return Count("SELECT COUNT(*) FROM seen") == 2; }, absl::Seconds(30)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM seen WHERE reason IN ('later', 'other')"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM dead_letters"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM dead_letters WHERE origin = 'consumer' AND attempts = 5 AND "
                  "type = 'CaseClosed' AND case_id = 'case-2' AND reason = 'handler failed 5 times: handler bug'"),
            1);
  const std::string metrics = runtime_->metrics().Render();
  EXPECT_EQ(
      MetricValue(metrics, R"(recovery_consumer_dead_letters_total{service="kafkaprobe",reason="handler_failed"})"), 1)
      << metrics;
  EXPECT_EQ(MetricValue(metrics, R"(recovery_events_consumed_total{service="kafkaprobe",outcome="dead_letter"})"), 1)
      << metrics;
  EXPECT_EQ(MetricValue(metrics, R"(recovery_events_consumed_total{service="kafkaprobe",outcome="handled"})"), 2)
      << metrics;
  EXPECT_EQ(Health(), 1) << "a handler bug is not an outage";
}

}  // namespace
}  // namespace recovery::common
