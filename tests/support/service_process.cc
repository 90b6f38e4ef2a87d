// Service binaries, their TestClock and a test event publisher for integration tests.
#include "tests/support/service_process.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "absl/time/clock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "services/common/events.h"
#include "services/common/grpc_util.h"
#include "services/common/outbox.h"
#include "services/common/store.h"
#include "tests/support/test_identity.h"

namespace recovery::testing {

absl::Time ManualClockStart() {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, kManualClockStart, &t, &err)) << err;
  return t;
}

ServiceProcess::ServiceProcess(const std::string& binary, const TempDir& dir, const std::string& tag,
                               const ServiceFlags& flags)
    : log_path_(dir.File(tag + ".log")) {
  const std::string port_file = dir.File(tag + ".port");
  std::filesystem::remove(port_file);  // a restart under the same tag must not read the old port
  std::vector<std::string> args{"--listen", "127.0.0.1:0", "--port-file", port_file};
  auto add = [&](const char* flag, const std::string& value) {
    if (value.empty()) return;
    args.push_back(flag);
    args.push_back(value);
  };
  add("--db", flags.db);
  add("--kafka-brokers", flags.brokers);
  add("--topic", flags.topic);
  add("--config", flags.config);
  add("--manual-clock", flags.manual_clock);
  add("--auth-config", flags.auth_config.empty() ? TestIdentity::Shared().auth_config_path() : flags.auth_config);
  for (const auto& extra : flags.extra) args.push_back(extra);
  process_ = Process(BinaryPath(binary), args, log_path_);
  const std::string port = WaitForFile(port_file, absl::Seconds(30));
  started_ = !port.empty();
  EXPECT_TRUE(started_) << binary << " did not start; see " << log_path_;
  address_ = "127.0.0.1:" + port;
  channel_ = TestIdentity::Shared().ChannelAs(address_, kTestPerson);
  clock_ = recovery::v1::TestClock::NewStub(channel_);
}

int CheckHealth(const std::shared_ptr<grpc::Channel>& channel, absl::Duration deadline) {
  // No generated stub for grpc.health.v1 here: the request is empty and the response is
  // one varint field (status = 1), read by hand. The empty request must still be one (empty)
  // slice: a ByteBuffer without slices is a null buffer, which gRPC refuses to send.
  grpc::GenericStub generic(channel);
  grpc::Slice empty(std::string{});
  grpc::ByteBuffer request(&empty, 1), response;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  generic.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = std::move(s);
                      done = true;
                      cv.notify_all();
                    });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  if (!status.ok()) return -1;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return -1;
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  if (bytes.size() == 2 && bytes[0] == '\x08') return bytes[1];
  return bytes.empty() ? 0 : -1;  // an empty message: status UNKNOWN (0)
}

int ServiceProcess::Health() { return CheckHealth(channel_, absl::Seconds(5)); }

namespace {

::testing::AssertionResult Result(const grpc::Status& status, const std::string& what) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": " << status.error_message();
}

}  // namespace

::testing::AssertionResult ServiceProcess::AdvanceClock(absl::Duration by) {
  recovery::v1::AdvanceTimeRequest req;
  req.mutable_by()->set_seconds(absl::ToInt64Seconds(by));
  recovery::v1::TimeResponse resp;
  auto ctx = common::ContextWithDeadline();
  return Result(clock_->AdvanceTime(ctx.get(), req, &resp), "TestClock.AdvanceTime");
}

::testing::AssertionResult ServiceProcess::SetClock(absl::Time to) {
  recovery::v1::SetTimeRequest req;
  *req.mutable_time() = common::ToProto(to);
  recovery::v1::TimeResponse resp;
  auto ctx = common::ContextWithDeadline();
  return Result(clock_->SetTime(ctx.get(), req, &resp), "TestClock.SetTime");
}

EventPublisher::EventPublisher(const std::string& db_path, const std::string& brokers, const std::string& topic,
                               std::shared_ptr<const common::EventSigner> signer) {
  auto store = common::OpenStore(db_path);
  if (!store.ok()) {
    ADD_FAILURE() << "publisher store: " << store.status();
    return;
  }
  store_ = std::move(*store);
  EXPECT_TRUE(common::Outbox::Migrate(*store_).ok());
  outbox_ = std::make_unique<common::Outbox>(*store_, nullptr, common::OutboxOptions{.signer = std::move(signer)});
  EXPECT_TRUE(outbox_->Start({brokers, topic, "", 10}).ok());
}

EventPublisher::~EventPublisher() {
  if (outbox_) outbox_->Stop();
}

void EventPublisher::Publish(const recovery::v1::Event& event) { Publish(std::vector<recovery::v1::Event>{event}); }

void EventPublisher::Publish(const std::vector<recovery::v1::Event>& events) {
  ASSERT_TRUE(outbox_) << "publisher did not start";
  for (const auto& e : events) {
    const absl::Status s = common::InTransaction(*store_, [&](common::Tx& tx) { return outbox_->Append(tx, e); });
    ASSERT_TRUE(s.ok()) << s;
  }
  ASSERT_TRUE(outbox_->WaitDrained(absl::Seconds(20))) << "events not published within 20 s";
}

bool PollUntil(const std::function<bool()>& done, absl::Duration timeout, absl::Duration interval) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(interval);
  }
  return done();
}

bool WaitForLog(const std::string& path, const std::string& needle, absl::Duration timeout) {
  return PollUntil([&] { return CountInLog(path, needle) > 0; }, timeout, absl::Milliseconds(50));
}

size_t CountInLog(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  size_t n = 0;
  for (size_t at = s.find(needle); at != std::string::npos && !needle.empty(); at = s.find(needle, at + needle.size()))
    ++n;
  return n;
}

int64_t SqliteOutboxRows(const std::string& db) {
  auto store = common::OpenStore(db);
  if (!store.ok()) return -1;
  int64_t rows = -1;
  const absl::Status s = common::InTransaction(**store, [&](common::Tx& tx) -> absl::Status {
    auto counted = tx.Query("SELECT COUNT(*) FROM outbox");
    if (!counted.ok()) return counted.status();
    rows = (*counted)[0].Int(0);
    return absl::OkStatus();
  });
  return s.ok() ? rows : -1;
}

}  // namespace recovery::testing
