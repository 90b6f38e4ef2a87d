// ServiceRuntime implementation.
#include "services/common/runtime.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/support/server_interceptor.h"
#include "recovery/v1/testing.grpc.pb.h"
#include "services/common/events.h"
#include "services/common/idempotency.h"
#include "services/common/logging.h"

namespace recovery::common {
namespace {

sigset_t HandledSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

// Records every RPC's method, status code and latency.
class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(grpc::experimental::ServerRpcInfo* info, Metrics* metrics)
      : method_(info->method()), metrics_(metrics), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      metrics_->ObserveRpc(method_, std::to_string(static_cast<int>(status.error_code())),
                           absl::ToDoubleSeconds(absl::Now() - start_));
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  Metrics* metrics_;
  absl::Time start_;
};

class MetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(info, metrics_);
  }

 private:
  Metrics* metrics_;
};

class TestClockService final : public recovery::v1::TestClock::Service {
 public:
  explicit TestClockService(ManualClock* clock) : clock_(clock) {}
  grpc::Status GetTime(grpc::ServerContext*, const recovery::v1::GetTimeRequest*,
                       recovery::v1::TimeResponse* out) override {
    *out->mutable_now() = ToProto(clock_->Now());
    return grpc::Status::OK;
  }
  grpc::Status SetTime(grpc::ServerContext*, const recovery::v1::SetTimeRequest* in,
                       recovery::v1::TimeResponse* out) override {
    clock_->Set(FromProto(in->time()));
    *out->mutable_now() = ToProto(clock_->Now());
    return grpc::Status::OK;
  }
  grpc::Status AdvanceTime(grpc::ServerContext*, const recovery::v1::AdvanceTimeRequest* in,
                           recovery::v1::TimeResponse* out) override {
    const absl::Duration d = absl::Seconds(in->by().seconds()) + absl::Nanoseconds(in->by().nanos());
    if (d < absl::ZeroDuration()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "by: must not be negative");
    clock_->Advance(d);
    *out->mutable_now() = ToProto(clock_->Now());
    return grpc::Status::OK;
  }

 private:
  ManualClock* clock_;
};

void WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content << "\n";
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Create(const std::string& service, int argc,
                                                                       const char* const* argv) {
  const sigset_t set = HandledSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto cfg = ParseServiceConfig(service, argc, argv);
  if (!cfg.ok()) return cfg.status();
  std::unique_ptr<ServiceRuntime> rt(new ServiceRuntime());
  rt->config_ = *cfg;
  if (!InitLogging(service, rt->config_.log_level))
    return absl::InvalidArgumentError("--log-level: expected debug|info|warn|error");

  if (!rt->config_.manual_clock.empty()) {
    absl::Time start;
    std::string err;
    absl::ParseTime(absl::RFC3339_full, rt->config_.manual_clock, &start, &err);
    auto manual = std::make_unique<ManualClock>(start);
    rt->manual_clock_ = manual.get();
    rt->owned_clock_ = std::move(manual);
    rt->clock_ = rt->owned_clock_.get();
  } else {
    rt->clock_ = &SystemClock::Instance();
  }

  if (!rt->config_.config_file.empty()) {
    auto yaml = LoadYamlFile(rt->config_.config_file);
    if (!yaml.ok()) return yaml.status();
    rt->domain_config_ = *yaml;
  }

  rt->metrics_ = std::make_unique<Metrics>(service);
  auto store = OpenStore(rt->config_.db);
  if (!store.ok()) return store.status();
  rt->store_ = std::move(*store);
  if (rt->store_->dialect() == Dialect::kSqlite) {
    // Group commit at work: transactions per commit = the first over the second.
    Store* s = rt->store_.get();
    rt->metrics_->CountFrom("store_transactions_total", "store transactions committed",
                            [s] { return static_cast<double>(s->counters().transactions); });
    rt->metrics_->CountFrom("store_commits_total", "SQLite commits (concurrent transactions share one)",
                            [s] { return static_cast<double>(s->counters().commits); });
  }
  for (auto migrate : {&Outbox::Migrate, &Consumer::Migrate, &TimerService::Migrate, &MigrateIdempotency}) {
    if (auto s = migrate(*rt->store_); !s.ok()) return s;
  }
  rt->outbox_ = std::make_unique<Outbox>(*rt->store_, rt->metrics_.get());
  rt->timers_ = std::make_unique<TimerService>(*rt->store_, *rt->clock_, rt->metrics_.get());
  return rt;
}

ServiceRuntime::~ServiceRuntime() {
  if (metrics_) metrics_->StopReading();  // the store goes before the metrics endpoint
  if (consumer_) consumer_->Stop();
  if (timers_) timers_->Stop();
  if (outbox_) outbox_->Stop();
}

void ServiceRuntime::OnConfigReload(std::function<absl::Status(const YAML::Node&)> apply) {
  OnReload([this, apply = std::move(apply)] {
    const std::string& file = config_.config_file;
    if (file.empty()) return;
    absl::StatusOr<YAML::Node> root = LoadYamlFile(file);
    const absl::Status s = root.ok() ? apply(*root) : root.status();
    if (!s.ok()) {
      LogError("config reload failed; keeping the previous configuration",
               {{"file", file}, {"error", std::string(s.message())}});
      return;
    }
    LogInfo("configuration reloaded", {{"file", file}});
  });
}

int ServiceRuntime::Run() {
  const ServiceConfig& cfg = config_;
  if (!cfg.metrics_listen.empty()) {
    if (auto s = metrics_->Serve(cfg.metrics_listen); !s.ok()) {
      LogError("metrics endpoint failed", {{"error", std::string(s.message())}});
      return 2;
    }
  }
  KafkaSettings kafka{cfg.kafka_brokers, cfg.topic, cfg.group_id, std::stoi(cfg.fetch_wait_ms)};
  if (!cfg.kafka_brokers.empty()) {
    if (auto s = outbox_->Start(kafka); !s.ok()) {
      LogError("outbox relay failed to start", {{"error", std::string(s.message())}});
      return 2;
    }
  } else {
    LogWarn("no --kafka-brokers: events stay in the outbox");
  }
  timers_->Start();
  if (handler_ && !cfg.kafka_brokers.empty()) {
    consumer_ = std::make_unique<Consumer>(*store_, handler_, metrics_.get());
    if (auto s = consumer_->Start(kafka); !s.ok()) {
      LogError("consumer failed to start", {{"error", std::string(s.message())}});
      return 2;
    }
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(cfg.listen, grpc::InsecureServerCredentials(), &port);
  // Keep the synchronous server's threads: by default it lets all but two idle pollers exit
  // and creates new ones under the next burst, so every burst paid for thread creation.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 64);
  for (auto* s : services_) builder.RegisterService(s);
  std::unique_ptr<TestClockService> test_clock;
  if (manual_clock_) {
    test_clock = std::make_unique<TestClockService>(manual_clock_);
    builder.RegisterService(test_clock.get());
  }
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(metrics_.get()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    LogError("gRPC server failed to start", {{"listen", cfg.listen}});
    return 2;
  }
  if (!cfg.port_file.empty()) WriteFileAtomically(cfg.port_file, std::to_string(port));
  for (auto& fn : ready_) fn();
  LogInfo("ready", {{"port", std::to_string(port)}, {"db", cfg.db}, {"kafka", cfg.kafka_brokers}});

  const sigset_t set = HandledSignals();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      LogInfo("SIGHUP: reloading configuration");
      for (auto& fn : reload_) fn();
      continue;
    }
    LogInfo("shutting down", {{"signal", std::to_string(sig)}});
    break;
  }
  server->GetHealthCheckService()->SetServingStatus(false);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (consumer_) consumer_->Stop();
  timers_->Stop();
  outbox_->WaitDrained(absl::Seconds(2));
  outbox_->Stop();
  LogInfo("stopped");
  return 0;
}

int RunService(const std::string& service, int argc, char** argv,
               const std::function<absl::Status(ServiceRuntime&)>& setup) {
  auto rt = ServiceRuntime::Create(service, argc, argv);
  if (!rt.ok()) {
    if (rt.status().code() == absl::StatusCode::kCancelled) {
      std::cout << rt.status().message();
      return 0;
    }
    std::cerr << service << ": " << rt.status().message() << std::endl;
    return 2;
  }
  if (auto s = setup(**rt); !s.ok()) {
    std::cerr << service << ": " << s.message() << std::endl;
    return 2;
  }
  return (*rt)->Run();
}

}  // namespace recovery::common
