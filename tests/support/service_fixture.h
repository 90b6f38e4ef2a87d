// In-process service fixture: one service built through its ServiceModule on the real
// runtime (a SQLite store in a temp dir, durable timers, the outbox, the real gRPC server on
// 127.0.0.1:0) with a manual clock and no broker. The runtime's outbox relay publishes to a
// RecordingPublisher (publisher(): tell it to refuse events to test parking and retries);
// events of other services are delivered with Deliver(), through the same exactly-once
// consumer path the broker would use.
//
// Quiesce() is the barrier for "nothing else happened": it fires every due timer, waits until
// the outbox is empty (every event published or parked), records what was published and
// (with loop_back) hands it to the service's own consumer, until a whole round changes
// nothing. Assert on published() after Quiesce(), never after a sleep.
// Not thread-safe: one test thread drives a fixture.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "recovery/v1/events.pb.h"
#include "services/common/clock.h"
#include "services/common/consumer.h"
#include "services/common/module.h"
#include "services/common/runtime.h"
#include "tests/support/process.h"
#include "tests/support/recording_publisher.h"
#include "tests/support/service_process.h"

namespace recovery::testing {

struct FixtureOptions {
  absl::Time start = ManualClockStart();  // 2026-11-24T22:00:00Z, a Tuesday after office hours
  std::string config_yaml;                // the --config file's text; empty: none
  std::string db;                         // empty: a SQLite file in the temp dir
  // Also hand the service's own published events back to its consumer (the runtime filters
  // them unless the module consumes its own events), as the topic would.
  bool loop_back = true;
  // Keep ConfigChanged events in published() (the import of the --config file at the first
  // start publishes one per resource); off, they are published and looped back but not kept.
  bool keep_config_events = false;
  // Last changes to the runtime's configuration (e.g. TLS files, another --auth-config).
  std::function<void(common::ServiceConfig&)> adjust = nullptr;
};

class ServiceFixture {
 public:
  // Builds and starts the service; a failure is a fatal test failure (ok() false).
  ServiceFixture(common::ServiceModule& module, FixtureOptions options = {});
  ~ServiceFixture();

  bool ok() const { return runtime_ != nullptr; }
  common::ManualClock& clock() { return clock_; }
  common::ServiceRuntime& runtime() { return *runtime_; }
  common::Store& store() { return runtime_->store(); }
  // A channel acting as kTestPerson (an admin); ChannelAs acts as another person (with the
  // groups TestIdentity gives them), ChannelWithToken sends any token (or none: "").
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  std::shared_ptr<grpc::Channel> ChannelAs(const std::string& person) const;
  std::shared_ptr<grpc::Channel> ChannelWithToken(const std::string& token) const;
  int port() const { return runtime_->port(); }
  // What the outbox relay publishes to.
  RecordingPublisher& publisher() { return publisher_; }

  // An event from another service, handled as the consumer would (exactly once per id).
  // Returns the handler's status (OK also for a duplicate or an event the service ignores).
  absl::Status Deliver(const recovery::v1::Event& event);
  // Raw bytes, as a producer with a bug or kcat would put them on the topic.
  absl::Status DeliverBytes(const std::string& bytes);

  // Moves the clock forward, then Quiesce().
  void Advance(absl::Duration by);
  // The barrier: timers due now fired, outbox drained (published into published() or parked),
  // own events looped back, repeated until a round changes nothing. Fails the test if it does
  // not settle (e.g. an event the publisher keeps refusing retryably).
  void Quiesce();

  // Every event the service published, in outbox order, since the start or the last Clear.
  const std::vector<recovery::v1::Event>& published() const { return published_; }
  // The published events whose body is `type` (e.g. "PageQueued").
  std::vector<recovery::v1::Event> PublishedOfType(const std::string& type) const;
  void ClearPublished() { published_.clear(); }

 private:
  // Waits for the relay to empty the outbox, then moves what it published into published_
  // (and loops it back); returns how many.
  int DrainOutbox();

  FixtureOptions options_;
  TempDir dir_;
  common::ManualClock clock_;
  RecordingPublisher publisher_;  // outlives the runtime's relay
  size_t taken_ = 0;              // publisher_'s deliveries already in published_
  std::unique_ptr<common::ServiceRuntime> runtime_;
  std::unique_ptr<common::Consumer> consumer_;
  std::shared_ptr<grpc::Channel> channel_;
  std::vector<recovery::v1::Event> published_;
};

// Builds `module` (a fresh one: it is initialised, or not, here) on the runtime with
// `config_yaml` as its --config file and returns what the build says: OK, or the error a bad
// file gives at start ("--config: <the parser's message>").
absl::Status BuildWithConfig(common::ServiceModule& module, const std::string& config_yaml);

}  // namespace recovery::testing
