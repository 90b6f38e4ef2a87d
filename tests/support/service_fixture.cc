// ServiceFixture: a service on the real runtime, in process, with a manual clock.
#include "tests/support/service_fixture.h"

#include <fstream>

#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/status_macros.h"
#include "services/common/store.h"
#include "services/common/timers.h"

namespace recovery::testing {

ServiceFixture::ServiceFixture(common::ServiceModule& module, FixtureOptions options)
    : options_(std::move(options)), clock_(options_.start) {
  common::ServiceConfig cfg;
  cfg.service = std::string(module.name());
  cfg.listen = "127.0.0.1:0";
  cfg.db = options_.db.empty() ? dir_.File("service.db") : options_.db;
  cfg.log_level = "warn";
  if (!options_.config_yaml.empty()) {
    cfg.config_file = dir_.File("config.yaml");
    std::ofstream(cfg.config_file) << options_.config_yaml;
  }
  auto rt = common::ServiceRuntime::Create(module, cfg, {.clock = &clock_});
  if (!rt.ok()) {
    ADD_FAILURE() << "service " << module.name() << " did not build: " << rt.status();
    return;
  }
  if (auto s = (*rt)->Start(); !s.ok()) {
    ADD_FAILURE() << "service " << module.name() << " did not start: " << s;
    return;
  }
  runtime_ = std::move(*rt);
  if (runtime_->event_handler()) {
    consumer_ = std::make_unique<common::Consumer>(runtime_->store(), runtime_->event_handler());
  }
  channel_ = common::MakeChannel("127.0.0.1:" + std::to_string(runtime_->port()));
}

ServiceFixture::~ServiceFixture() {
  consumer_.reset();
  if (runtime_) runtime_->Stop();
}

absl::Status ServiceFixture::Deliver(const recovery::v1::Event& event) {
  std::string bytes;
  event.SerializeToString(&bytes);
  return DeliverBytes(bytes);
}

absl::Status ServiceFixture::DeliverBytes(const std::string& bytes) {
  if (!consumer_) return absl::FailedPreconditionError("the service does not consume events");
  auto handled = consumer_->HandleBytes(bytes);
  return handled.status();
}

void ServiceFixture::Advance(absl::Duration by) {
  clock_.Advance(by);
  Quiesce();
}

int ServiceFixture::DrainOutbox() {
  std::vector<recovery::v1::Event> drained;
  const absl::Status s = common::InTransaction(store(), [&](common::Tx& tx) -> absl::Status {
    drained.clear();
    ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, payload FROM outbox ORDER BY id"));
    for (const common::Row& r : rows) {
      recovery::v1::Event e;
      if (!e.ParseFromString(r.Str(1))) return absl::DataLossError("outbox row does not parse");
      drained.push_back(std::move(e));
    }
    if (!rows.empty()) RETURN_IF_ERROR(tx.Exec("DELETE FROM outbox WHERE id <= ?", {rows.back().Int(0)}));
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << "draining the outbox: " << s;
  for (auto& e : drained) {
    published_.push_back(e);
    if (options_.loop_back && consumer_) {
      std::string bytes;
      e.SerializeToString(&bytes);
      auto handled = consumer_->HandleBytes(bytes);
      EXPECT_TRUE(handled.ok()) << "own event " << common::EventTypeName(e) << ": " << handled.status();
    }
  }
  return static_cast<int>(drained.size());
}

void ServiceFixture::Quiesce() {
  if (!runtime_) return;
  for (int round = 0; round < 1000; ++round) {
    auto fired = runtime_->timers().FireDue(clock_.Now());
    EXPECT_TRUE(fired.ok()) << "firing timers: " << fired.status();
    const int drained = DrainOutbox();
    if ((!fired.ok() || *fired == 0) && drained == 0) return;
  }
  ADD_FAILURE() << "the service did not settle after 1000 rounds (a timer or event loop?)";
}

std::vector<recovery::v1::Event> ServiceFixture::PublishedOfType(const std::string& type) const {
  std::vector<recovery::v1::Event> out;
  for (const auto& e : published_)
    if (common::EventTypeName(e) == type) out.push_back(e);
  return out;
}

}  // namespace recovery::testing
