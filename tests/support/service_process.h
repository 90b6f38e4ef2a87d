// Integration tests' handle on a real service binary (started with the common flags, reached
// through its port file), its TestClock, and a publisher that puts events on the topic the way
// another service would. Not thread-safe: one test thread drives each object.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "recovery/v1/events.pb.h"
#include "recovery/v1/testing.grpc.pb.h"
#include "tests/support/process.h"
#include "tests/support/topic_reader.h"

namespace recovery::common {
class EventSigner;
class Outbox;
class Store;
}  // namespace recovery::common

namespace recovery::testing {

// The manual clock every integration test starts on: a Tuesday, 22:00 UTC (after office hours).
inline constexpr char kManualClockStart[] = "2026-11-24T22:00:00Z";
absl::Time ManualClockStart();

// The common flags of every service binary (services/common/runtime.h); empty ones are left out.
// Every member has a default so that designated initializers may name only what they set.
struct ServiceFlags {
  std::string db = {};                  // --db: a SQLite path or a postgresql:// URL
  std::string brokers = {};             // --kafka-brokers
  std::string topic = {};               // --topic
  std::string config = {};              // --config
  std::string manual_clock = {};        // --manual-clock (RFC 3339); then the binary serves recovery.v1.TestClock
  std::string auth_config = {};         // --auth-config; empty: TestIdentity::Shared()'s
  std::vector<std::string> extra = {};  // more flags, as they are (e.g. --tls-cert F)
};

// One run of a service binary. Destroying it SIGKILLs the process if still running (Process).
class ServiceProcess {
 public:
  // Starts BinaryPath(binary) (e.g. "services/intake/recovery-intake") listening on 127.0.0.1:0,
  // with <tag>.port and <tag>.log in `dir`, and waits up to 30 s for the port. A binary that does
  // not start is a (non-fatal) test failure naming its log; started() is then false and every
  // RPC on channel() fails.
  ServiceProcess(const std::string& binary, const TempDir& dir, const std::string& tag, const ServiceFlags& flags);

  bool started() const { return started_; }
  const std::string& log_path() const { return log_path_; }
  // "127.0.0.1:<port>", for clients that are not gRPC stubs (the bench's load generator).
  const std::string& address() const { return address_; }
  Process& process() { return process_; }
  // Acts as kTestPerson (an admin) of TestIdentity::Shared().
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // recovery.v1.TestClock of a binary started with flags.manual_clock.
  ::testing::AssertionResult AdvanceClock(absl::Duration by);
  ::testing::AssertionResult SetClock(absl::Time to);

  // grpc.health.v1.Health/Check for the whole server (its readiness): kServing,
  // kNotServing, or -1 when the call failed.
  static constexpr int kServing = 1;
  static constexpr int kNotServing = 2;
  int Health();  // CheckHealth(channel(), 5 s)

 private:
  std::string log_path_;
  std::string address_;
  bool started_ = false;
  Process process_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<recovery::v1::TestClock::Stub> clock_;
};

// A ServiceProcess with a stub of its API, e.g. ServiceUnderTest<recovery::v1::Intake>.
template <typename Api>
class ServiceUnderTest : public ServiceProcess {
 public:
  ServiceUnderTest(const std::string& binary, const TempDir& dir, const std::string& tag, const ServiceFlags& flags)
      : ServiceProcess(binary, dir, tag, flags), api_(Api::NewStub(channel())) {}
  typename Api::Stub& api() { return *api_; }

 private:
  std::unique_ptr<typename Api::Stub> api_;
};

// Puts events on the topic as another service would: its own SQLite store and outbox relay, so
// the messages carry the same key and headers as the services' own.
class EventPublisher {
 public:
  // With a signer, every event is signed as that producer (services/common/event_signing.h).
  EventPublisher(const std::string& db_path, const std::string& brokers, const std::string& topic = kCaseEventsTopic,
                 std::shared_ptr<const common::EventSigner> signer = nullptr);
  ~EventPublisher();
  EventPublisher(const EventPublisher&) = delete;
  EventPublisher& operator=(const EventPublisher&) = delete;

  // Commits each event in its own transaction, then waits (up to 20 s) until the relay has
  // published them all. A failure is fatal to the calling test (the caller returns from
  // helpers it calls this from; ASSERT_NO_FATAL_FAILURE where that matters).
  void Publish(const recovery::v1::Event& event);
  void Publish(const std::vector<recovery::v1::Event>& events);

 private:
  std::unique_ptr<common::Store> store_;
  std::unique_ptr<common::Outbox> outbox_;
};

// Polls `done` every `interval` until it holds or `timeout` passes (consumers' first group join
// takes ~3 s, so integration tests wait generously); returns its last value.
// grpc.health.v1.Health/Check for the whole server behind `channel`: 1 SERVING,
// 2 NOT_SERVING, 0 UNKNOWN, -1 when the call failed or did not answer within `deadline`.
int CheckHealth(const std::shared_ptr<grpc::Channel>& channel, absl::Duration deadline);

bool PollUntil(const std::function<bool()>& done, absl::Duration timeout,
               absl::Duration interval = absl::Milliseconds(100));

// Rows waiting in the outbox of the SQLite file `db`, read beside the running service (WAL
// lets another process read while it writes); -1 when the file cannot be read.
int64_t SqliteOutboxRows(const std::string& db);

// Polls a log file (e.g. ServiceProcess::log_path()) until it contains `needle`.
bool WaitForLog(const std::string& path, const std::string& needle, absl::Duration timeout = absl::Seconds(10));
// How many times `needle` occurs in the file now (e.g. one log message per page).
size_t CountInLog(const std::string& path, const std::string& needle);

}  // namespace recovery::testing
