// Read-then-write races of escalation (issue 15), on SQLite and on PostgreSQL's REPEATABLE
// READ: two acknowledgements of one escalation at the same moment, and two ack-timer firings
// for one escalation at the same moment, each commit exactly one decision (one
// EscalationAcknowledged, one tier advance). The escalation row's version makes the loser
// abort and retry, and the retry sees the winner's state.
#include <gtest/gtest.h>

#include <latch>
#include <map>
#include <memory>
#include <thread>

#include "grpcpp/grpcpp.h"
#include "recovery/v1/escalation.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/ids.h"
#include "services/common/timers.h"
#include "services/escalation/module.h"
#include "tests/common/store_backend.h"
#include "tests/postgres/pg_fixture.h"
#include "tests/support/service_fixture.h"

namespace recovery::escalation {
namespace {

namespace v1 = recovery::v1;
using recovery::testing::StoreBackendTest;

constexpr int kEscalations = 10;

constexpr char kYaml[] = R"(
people:
  - {id: alice, name: Alice, time_zone: UTC, contact_methods: [{channel: log, target: alice}]}
  - {id: bob, name: Bob, time_zone: UTC, contact_methods: [{channel: log, target: bob}]}
calendars:
  - {id: office, time_zone: UTC, weekly: {mon: ["09:00-17:00"]}}
schedules:
  - id: oncall
    name: On call
    time_zone: UTC
    layers:
      - {name: primary, participants: [alice], rotation: 1w, start_date: 2026-01-05, handoff_time: "09:00"}
policies:
  - {id: p, name: P, tiers: [{targets: [{schedule: oncall}], ack_timeout: 5m}, {targets: [{person: bob}], ack_timeout: 10m}]}
teams:
  - {id: ops, name: Ops, members: [alice, bob], calendar: office, schedule: oncall, policy: p}
routing_rules:
  - {id: all, team: ops}
)";

recovery::testing::FixtureOptions WithConfig(const std::string& yaml, const std::string& db = "") {
  recovery::testing::FixtureOptions options;
  options.config_yaml = yaml;
  options.db = db;
  return options;
}

class EscalationConcurrencyTest : public StoreBackendTest {
 protected:
  void SetUp() override {
    StoreBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fx_ = std::make_unique<recovery::testing::ServiceFixture>(module_, WithConfig(kYaml, url()));
    ASSERT_TRUE(fx_->ok());
    for (int i = 0; i < kEscalations; ++i) {
      v1::Event e = common::NewEvent(fx_->clock().Now(), "case-" + std::to_string(i), "intake", "tester", "req");
      e.mutable_case_opened()->set_severity(v1::SEVERITY_P1);
      e.mutable_case_opened()->set_category("outage");
      ASSERT_TRUE(fx_->Deliver(e).ok());
    }
    fx_->Quiesce();
    for (const auto& e : fx_->PublishedOfType("EscalationStarted")) {
      escalations_.push_back(e.escalation_started().escalation_id());
    }
    ASSERT_EQ(escalations_.size(), static_cast<size_t>(kEscalations));
    fx_->ClearPublished();
  }

  // Per escalation id, how many events of the type were published.
  std::map<std::string, int> CountByEscalation(const std::string& type) {
    std::map<std::string, int> out;
    for (const auto& e : fx_->PublishedOfType(type)) {
      if (e.has_escalation_acknowledged()) ++out[e.escalation_acknowledged().escalation_id()];
      if (e.has_tier_advanced()) ++out[e.tier_advanced().escalation_id()];
    }
    return out;
  }

  EscalationModule module_{EscalationModule::Options{.start_delivery_worker = false}};
  std::unique_ptr<recovery::testing::ServiceFixture> fx_;
  std::vector<std::string> escalations_;
};

TEST_P(EscalationConcurrencyTest, TwoAcknowledgementsAtOnceAcknowledgeOnce) {
  // Two case managers (pages.acknowledge_any), each acknowledging as themselves.
  const char* people[2] = {"lee", "mia"};
  std::unique_ptr<v1::Escalation::Stub> stubs[2] = {v1::Escalation::NewStub(fx_->ChannelAs(people[0])),
                                                    v1::Escalation::NewStub(fx_->ChannelAs(people[1]))};
  for (const std::string& id : escalations_) {
    std::latch go(2);
    grpc::Status results[2];
    std::thread threads[2];
    for (int k = 0; k < 2; ++k) {
      threads[k] = std::thread([&, k] {
        v1::AcknowledgePageRequest r;
        r.set_request_id(absl::StrCat("ack-", id, "-", k));
        r.set_escalation_id(id);
        v1::EscalationInfo out;
        auto ctx = common::ContextWithDeadline(absl::Seconds(30));
        go.arrive_and_wait();
        results[k] = stubs[k]->AcknowledgePage(ctx.get(), r, &out);
      });
    }
    for (auto& t : threads) t.join();
    const int ok = results[0].ok() + results[1].ok();
    EXPECT_EQ(ok, 1) << results[0].error_message() << " / " << results[1].error_message();
    for (const grpc::Status& s : results) {
      if (!s.ok()) {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
      }
    }
  }
  fx_->Quiesce();
  const auto acks = CountByEscalation("EscalationAcknowledged");
  EXPECT_EQ(acks.size(), escalations_.size());
  for (const auto& [id, n] : acks) EXPECT_EQ(n, 1) << id;
}

TEST_P(EscalationConcurrencyTest, TwoAckTimerFiringsAtOnceAdvanceOneTier) {
  for (const std::string& id : escalations_) {
    std::latch go(2);
    absl::Status results[2];
    std::thread threads[2];
    const common::Timer timer{kAckTimer, AckTimerKey(id, 0, 0), fx_->clock().Now(), id};
    for (int k = 0; k < 2; ++k) {
      threads[k] = std::thread([&, k] {
        go.arrive_and_wait();
        results[k] =
            common::InTransaction(fx_->store(), [&](common::Tx& tx) { return module_.app().OnAckTimer(tx, timer); });
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_TRUE(results[0].ok()) << results[0];
    EXPECT_TRUE(results[1].ok()) << results[1];
    auto state = module_.app().GetEscalation(id);
    ASSERT_TRUE(state.ok()) << state.status();
    EXPECT_EQ(state->tier, 1);
  }
  fx_->Quiesce();
  const auto advanced = CountByEscalation("TierAdvanced");
  EXPECT_EQ(advanced.size(), escalations_.size());
  for (const auto& [id, n] : advanced) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(fx_->PublishedOfType("PageQueued").size(), escalations_.size());  // one tier-2 page each
}

INSTANTIATE_TEST_SUITE_P(Stores, EscalationConcurrencyTest,
                         ::testing::Values(recovery::testing::SqliteBackend(), recovery::testing::PostgresBackend()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace recovery::escalation
