// ServiceFixture: a service on the real runtime, in process, with a manual clock.
#include "tests/support/service_fixture.h"

#include <fstream>

#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/status_macros.h"
#include "services/common/store.h"
#include "services/common/timers.h"
#include "tests/support/test_identity.h"

namespace recovery::testing {

ServiceFixture::ServiceFixture(common::ServiceModule& module, FixtureOptions options)
    : options_(std::move(options)), clock_(options_.start) {
  common::ServiceConfig cfg;
  cfg.service = std::string(module.name());
  cfg.listen = "127.0.0.1:0";
  cfg.db = options_.db.empty() ? dir_.File("service.db") : options_.db;
  cfg.log_level = "warn";
  cfg.auth_config = TestIdentity::Shared().auth_config_path();
  if (!options_.config_yaml.empty()) {
    cfg.config_file = dir_.File("config.yaml");
    std::ofstream(cfg.config_file) << options_.config_yaml;
  }
  if (options_.adjust) options_.adjust(cfg);
  auto rt = common::ServiceRuntime::Create(module, cfg, {.clock = &clock_, .publisher = &publisher_});
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
    common::ConsumerOptions options;
    options.clock = &clock_;
    consumer_ = std::make_unique<common::Consumer>(runtime_->store(), runtime_->event_handler(), &runtime_->metrics(),
                                                   std::move(options));
  }
  channel_ = ChannelAs(kTestPerson);
}

std::shared_ptr<grpc::Channel> ServiceFixture::ChannelAs(const std::string& person) const {
  return TestIdentity::Shared().ChannelAs("127.0.0.1:" + std::to_string(runtime_->port()), person);
}

std::shared_ptr<grpc::Channel> ServiceFixture::ChannelWithToken(const std::string& token) const {
  return TestIdentity::ChannelWithToken("127.0.0.1:" + std::to_string(runtime_->port()), token);
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
  // The relay deletes a row only after Publish returned for it, so an empty outbox means
  // every event committed so far is in the publisher (or parked in dead_letters).
  if (!runtime_->outbox().WaitDrained(absl::Seconds(30))) {
    ADD_FAILURE() << "the outbox did not drain in 30 s: " << runtime_->outbox().Backlog()
                  << " rows left (an event refused retryably without end?)";
  }
  std::vector<recovery::v1::Event> drained = publisher_.DeliveredEvents(taken_);
  taken_ += drained.size();
  for (auto& e : drained) {
    if (!e.has_config_changed() || options_.keep_config_events) published_.push_back(e);
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

absl::Status BuildWithConfig(common::ServiceModule& module, const std::string& config_yaml) {
  TempDir dir;
  common::ManualClock clock(ManualClockStart());
  RecordingPublisher publisher;
  common::ServiceConfig cfg;
  cfg.service = std::string(module.name());
  cfg.listen = "127.0.0.1:0";
  cfg.db = dir.File("service.db");
  cfg.log_level = "error";
  cfg.auth_config = TestIdentity::Shared().auth_config_path();
  cfg.config_file = dir.File("config.yaml");
  std::ofstream(cfg.config_file) << config_yaml;
  auto rt = common::ServiceRuntime::Create(module, cfg, {.clock = &clock, .publisher = &publisher});
  return rt.status();
}

}  // namespace recovery::testing
