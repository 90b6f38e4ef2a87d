// ServiceRuntime implementation.
#include "services/common/runtime.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/support/server_interceptor.h"
#include "recovery/v1/testing.grpc.pb.h"
#include "services/common/config_state/config_service.h"
#include "services/common/config_state/config_state.h"
#include "services/common/dead_letters.h"
#include "services/common/events.h"
#include "services/common/idempotency.h"
#include "services/common/kafka_util.h"
#include "services/common/logging.h"
#include "services/common/operations_service.h"
#include "services/common/status_macros.h"
#include "services/common/validation.h"

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

// A request whose bytes do not parse (or whose string fields hold invalid UTF-8) reaches no
// handler; gRPC answers INTERNAL with an empty message. That is the client's fault, so it
// becomes INVALID_ARGUMENT saying so, as gRPC's own health service answers.
class UnparseableRequestInterceptor final : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      if (methods->GetRecvMessage() == nullptr) unparsed_ = true;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) && unparsed_) {
      const grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::INTERNAL) {
        methods->ModifySendStatus(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                               "request: could not be parsed (not a valid message of the "
                                               "method's request type, or a string field is not UTF-8)"));
      }
    }
    methods->Proceed();
  }

 private:
  bool unparsed_ = false;
};

class UnparseableRequestInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo*) override {
    return new UnparseableRequestInterceptor();
  }
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
  grpc::Status GetTime(grpc::ServerContext* ctx, const recovery::v1::GetTimeRequest*,
                       recovery::v1::TimeResponse* out) override {
    RETURN_IF_REFUSED(ctx);
    *out->mutable_now() = ToProto(clock_->Now());
    return grpc::Status::OK;
  }
  grpc::Status SetTime(grpc::ServerContext* ctx, const recovery::v1::SetTimeRequest* in,
                       recovery::v1::TimeResponse* out) override {
    RETURN_IF_REFUSED(ctx);
    clock_->Set(FromProto(in->time()));
    *out->mutable_now() = ToProto(clock_->Now());
    return grpc::Status::OK;
  }
  grpc::Status AdvanceTime(grpc::ServerContext* ctx, const recovery::v1::AdvanceTimeRequest* in,
                           recovery::v1::TimeResponse* out) override {
    RETURN_IF_REFUSED(ctx);
    const absl::Duration d = absl::Seconds(in->by().seconds()) + absl::Nanoseconds(in->by().nanos());
    if (d < absl::ZeroDuration()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "by: must not be negative");
    clock_->Advance(d);
    *out->mutable_now() = ToProto(clock_->Now());
    return grpc::Status::OK;
  }

 private:
  ManualClock* clock_;
};

absl::StatusOr<std::string> ReadPem(const std::string& path, const std::string& flag) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().find("-----BEGIN") == std::string::npos)
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, " is not PEM"));
  return ss.str();
}

// Plaintext without --tls-cert; TLS with it; mTLS (client certificates required and verified)
// with --tls-client-ca.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(const ServiceConfig& cfg) {
  if (cfg.tls_cert.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.cert_chain, ReadPem(cfg.tls_cert, "--tls-cert"));
  ASSIGN_OR_RETURN(pair.private_key, ReadPem(cfg.tls_key, "--tls-key"));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  if (!cfg.tls_client_ca.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem(cfg.tls_client_ca, "--tls-client-ca"));
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Create(const std::string& service, int argc,
                                                                       const char* const* argv) {
  return CreateFromFlags(service, argc, argv, {});
}

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::CreateFromFlags(
    const std::string& service, int argc, const char* const* argv, const std::vector<ServiceFlag>& service_flags) {
  const sigset_t set = HandledSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto cfg = ParseServiceConfig(service, argc, argv, service_flags);
  if (!cfg.ok()) return cfg.status();
  return CreateFromConfig(std::move(*cfg), {});
}

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Create(ServiceModule& module, int argc,
                                                                       const char* const* argv) {
  ASSIGN_OR_RETURN(auto rt, CreateFromFlags(std::string(module.name()), argc, argv, module.Flags()));
  RETURN_IF_ERROR(rt->AttachModule(module));
  return rt;
}

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Create(ServiceModule& module, ServiceConfig config,
                                                                       RuntimeOptions options) {
  if (config.service.empty()) config.service = std::string(module.name());
  ASSIGN_OR_RETURN(auto rt, CreateFromConfig(std::move(config), options));
  RETURN_IF_ERROR(rt->AttachModule(module));
  return rt;
}

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::CreateFromConfig(ServiceConfig config,
                                                                                 RuntimeOptions options) {
  std::unique_ptr<ServiceRuntime> rt(new ServiceRuntime());
  rt->config_ = std::move(config);
  const std::string service = rt->config_.service;
  if (!InitLogging(service, rt->config_.log_level))
    return absl::InvalidArgumentError("--log-level: expected debug|info|warn|error");

  if (options.clock != nullptr) {
    rt->clock_ = options.clock;
  } else if (!rt->config_.manual_clock.empty()) {
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
    ASSIGN_OR_RETURN(rt->domain_config_, LoadYamlFile(rt->config_.config_file));
  }

  rt->metrics_ = std::make_unique<Metrics>(service);
  if (rt->config_.auth_config.empty())
    return absl::InvalidArgumentError("--auth-config (RECOVERY_AUTH_CONFIG) is required: every call is authenticated");
  ASSIGN_OR_RETURN(AccessConfig access, AccessConfig::Load(rt->config_.auth_config));
  Clock& credential_clock = options.credential_clock != nullptr ? *options.credential_clock : SystemClock::Instance();
  ASSIGN_OR_RETURN(rt->access_, AccessControl::Create(std::move(access), credential_clock, rt->metrics_.get()));
  rt->OnReload([rt = rt.get()] {
    const std::string& file = rt->config_.auth_config;
    auto next = AccessConfig::Load(file);
    const absl::Status s = next.ok() ? rt->access_->Reload(*std::move(next)) : next.status();
    if (!s.ok()) {
      LogError("auth-config reload failed; keeping the previous access configuration",
               {{"file", file}, {"error", std::string(s.message())}});
      return;
    }
    LogInfo("auth-config reloaded", {{"file", file}});
  });
  RETURN_IF_ERROR(SetKafkaClientOptions(rt->config_.kafka_options));
  ASSIGN_OR_RETURN(rt->store_, OpenStore(rt->config_.db));
  if (rt->store_->dialect() == Dialect::kSqlite) {
    // Group commit at work: transactions per commit = the first over the second.
    Store* s = rt->store_.get();
    rt->metrics_->CountFrom("store_transactions_total", "store transactions committed",
                            [s] { return static_cast<double>(s->counters().transactions); });
    rt->metrics_->CountFrom("store_commits_total", "SQLite commits (concurrent transactions share one)",
                            [s] { return static_cast<double>(s->counters().commits); });
  }
  for (auto migrate :
       {&Outbox::Migrate, &Consumer::Migrate, &TimerService::Migrate, &MigrateIdempotency, &MigrateDeadLetters}) {
    RETURN_IF_ERROR(migrate(*rt->store_));
  }
  rt->publisher_ = options.publisher;
  const ServiceConfig& cfg = rt->config_;
  if (!cfg.event_signing_key.empty()) {
    const std::string key_id = cfg.event_signing_key_id.empty() ? service : cfg.event_signing_key_id;
    ASSIGN_OR_RETURN(rt->signer_, EventSigner::FromFile(key_id, cfg.event_signing_key, "--event-signing-key"));
    LogInfo("published events are signed", {{"key_id", key_id}});
  }
  if (!cfg.event_verify_keys.empty()) {
    ASSIGN_OR_RETURN(rt->verifier_, EventVerifier::FromFile(cfg.event_verify_keys, "--event-verify-keys"));
    LogInfo("consumed events are verified", {{"keys", std::to_string(rt->verifier_->keys())},
                                             {"unsigned", rt->verifier_->require() ? "rejected" : "accepted"}});
  }
  rt->outbox_ = std::make_unique<Outbox>(*rt->store_, rt->metrics_.get(),
                                         OutboxOptions{.clock = rt->clock_, .signer = rt->signer_});
  rt->timers_ = std::make_unique<TimerService>(*rt->store_, *rt->clock_, rt->metrics_.get());
  absl::Duration window;
  absl::ParseDuration(cfg.access_log_window, &window);              // checked by ParseServiceConfig
  if (window < absl::Milliseconds(100)) window = absl::Minutes(1);  // a config built in code
  rt->access_log_ =
      std::make_unique<AccessLog>(service, *rt->store_, *rt->outbox_, *rt->clock_, rt->metrics_.get(), window);
  rt->access_->SetAccessLog(rt->access_log_.get());
  return rt;
}

absl::Status ServiceRuntime::AttachModule(ServiceModule& module) {
  RETURN_IF_ERROR(store_->Migrate(module.name(), module.Migrations()));
  live_config_ = domain_config_;
  ConfigSchema* schema = module.config_schema();
  if (schema != nullptr) {
    RETURN_IF_ERROR(ConfigState::Migrate(*store_));
    config_state_ = std::make_unique<ConfigState>(std::string(module.name()), *store_, *outbox_, *clock_, *schema);
    YAML::Node file;
    {
      // Without a --config file too: a module may have shipped defaults to store (playbooks).
      absl::StatusOr<YAML::Node> normalized = schema->FromFile(domain_config_, config_.config_file);
      if (!normalized.ok())
        return absl::Status(normalized.status().code(), absl::StrCat("--config: ", normalized.status().message()));
      file = *normalized;
    }
    absl::StatusOr<YAML::Node> live = config_state_->Start(file);
    if (!live.ok()) return absl::Status(live.status().code(), absl::StrCat("--config: ", live.status().message()));
    live_config_ = *live;
    config_service_ = std::make_unique<ConfigurationService>(*config_state_);
    AddService(config_service_.get());
  }
  const ServiceContext ctx{config_, *store_, *clock_, *outbox_, *timers_, *metrics_, live_config_, access_.get()};
  RETURN_IF_ERROR(module.Init(ctx));
  for (grpc::Service* service : module.GrpcServices()) AddService(service);
  if (module.consumes_events()) {
    const std::string own(module.name());
    const bool own_too = module.consumes_own_events();
    const bool config_too = module.consumes_config_events();
    ConfigState* state = config_state_.get();
    SetEventHandler(
        [&module, own, own_too, config_too, state](Tx& tx, const recovery::v1::Event& event) -> absl::Status {
          if (event.has_config_changed()) {
            // Another replica of this service changed the configuration: read it once committed.
            if (state != nullptr && event.source() == own) {
              tx.AfterCommit([state] {
                if (absl::Status s = state->Refresh(); !s.ok())
                  LogError("configuration refresh failed", {{"error", std::string(s.message())}});
              });
            }
            if (!config_too) return absl::OkStatus();
            return module.OnEvent(tx, event);
          }
          if (!own_too && event.source() == own) return absl::OkStatus();
          return module.OnEvent(tx, event);
        });
    rejected_handler_ = [&module](Tx& tx, const RejectedEvent& rejected) {
      return module.OnRejectedEvent(tx, rejected);
    };
  }
  if (schema != nullptr) {
    OnConfigReload([this, schema](const YAML::Node& yaml) -> absl::Status {
      ASSIGN_OR_RETURN(const YAML::Node file, schema->FromFile(yaml, config_.config_file));
      return config_state_->ApplyFile(file);
    });
  } else {
    OnConfigReload([&module](const YAML::Node& yaml) { return module.Reload(yaml); });
  }
  OnReady([&module] { module.OnReady(); });
  OnStop([&module] { module.OnStop(); });
  return absl::OkStatus();
}

ServiceRuntime::~ServiceRuntime() {
  Stop();
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

absl::Status ServiceRuntime::Start() {
  if (started_) return absl::FailedPreconditionError("runtime already started");
  const ServiceConfig& cfg = config_;
  if (!cfg.metrics_listen.empty()) {
    if (auto s = metrics_->Serve(cfg.metrics_listen); !s.ok())
      return absl::UnavailableError(absl::StrCat("metrics endpoint failed: ", s.message()));
  }
  int fetch_wait_ms = 10;
  if (!absl::SimpleAtoi(cfg.fetch_wait_ms, &fetch_wait_ms)) return InvalidField("--fetch-wait-ms", "not a number");
  KafkaSettings kafka{cfg.kafka_brokers, cfg.topic, cfg.group_id, fetch_wait_ms};
  if (publisher_ != nullptr || !cfg.kafka_brokers.empty()) {
    auto s = publisher_ != nullptr ? outbox_->Start(*publisher_) : outbox_->Start(kafka);
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("outbox relay failed to start: ", s.message()));
  } else {
    LogWarn("no --kafka-brokers: events stay in the outbox");
  }
  timers_->Start();
  access_log_->Start();
  if (handler_ && !cfg.kafka_brokers.empty()) {
    ConsumerOptions options;
    options.on_serving = [this](bool serving) { SetConsumerServing(serving); };
    options.clock = clock_;
    options.verifier = verifier_;
    options.on_rejected = rejected_handler_;
    consumer_ = std::make_unique<Consumer>(*store_, handler_, metrics_.get(), std::move(options));
    if (auto s = consumer_->Start(kafka); !s.ok())
      return absl::Status(s.code(), absl::StrCat("consumer failed to start: ", s.message()));
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials, ServerCredentialsFor(cfg));
  builder.AddListeningPort(cfg.listen, credentials, &port_);
  builder.SetMaxReceiveMessageSize(cfg.max_request_bytes);
  // Keep the synchronous server's threads: by default it lets all but two idle pollers exit
  // and creates new ones under the next burst, so every burst paid for thread creation.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 64);
  for (auto* s : services_) builder.RegisterService(s);
  if (manual_clock_) {
    test_clock_ = std::make_unique<TestClockService>(manual_clock_);
    builder.RegisterService(test_clock_.get());
  }
  operations_ = std::make_unique<OperationsService>(*store_, *timers_, *clock_);
  builder.RegisterService(operations_.get());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  // Access first: a refused call reaches no handler's effects, and the metrics see its status.
  interceptors.push_back(access_->InterceptorFactory());
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(metrics_.get()));
  interceptors.push_back(std::make_unique<UnparseableRequestInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0)
    return absl::UnavailableError(absl::StrCat("gRPC server failed to start on ", cfg.listen));
  started_ = true;
  {
    std::lock_guard lock(health_mu_);
    health_open_ = true;
    if (!consumer_serving_) server_->GetHealthCheckService()->SetServingStatus(false);
  }
  if (!cfg.port_file.empty()) WriteFileAtomically(cfg.port_file, std::to_string(port_));
  for (auto& fn : ready_) fn();
  LogInfo("ready", {{"port", std::to_string(port_)}, {"db", cfg.db}, {"kafka", cfg.kafka_brokers}});
  return absl::OkStatus();
}

void ServiceRuntime::Stop() {
  if (!started_) return;
  started_ = false;
  {
    std::lock_guard lock(health_mu_);
    health_open_ = false;
    server_->GetHealthCheckService()->SetServingStatus(false);
  }
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server_->Wait();
  for (auto& fn : stop_) fn();
  access_log_->Stop();  // the last window's reads, before the outbox drains
  if (consumer_) consumer_->Stop();
  timers_->Stop();
  outbox_->WaitDrained(absl::Seconds(2));
  outbox_->Stop();
  LogInfo("stopped");
}

void ServiceRuntime::SetConsumerServing(bool serving) {
  std::lock_guard lock(health_mu_);
  consumer_serving_ = serving;
  if (health_open_) server_->GetHealthCheckService()->SetServingStatus(serving);
}

int ServiceRuntime::Run() {
  if (auto s = Start(); !s.ok()) {
    LogError("start failed", {{"error", std::string(s.message())}});
    return 2;
  }
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
  Stop();
  return 0;
}

int RunModule(ServiceModule& module, int argc, char** argv) {
  const std::string service(module.name());
  auto rt = ServiceRuntime::Create(module, argc, argv);
  if (!rt.ok()) {
    if (rt.status().code() == absl::StatusCode::kCancelled) {
      std::cout << rt.status().message();
      return 0;
    }
    std::cerr << service << ": " << rt.status().message() << std::endl;
    return 2;
  }
  return (*rt)->Run();
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
